/**
 * HTTP + validation: a Hono route served by @hono/node-server validating a 30-field form with
 * @estateflow/forms (`compileForm` once at start, `validateFormData` per request) beside bare
 * `node:http` doing the same parse + validation. Load comes from a second process (keep-alive
 * node:http client, 16 connections); each side runs 4 × 2 s, alternating which goes first, and keeps
 * its best. The ratio is requests per CPU-second of the server process (one server loaded at a
 * time), which the other processes on a shared machine disturb far less than wall-clock req/s.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { compileForm, validateFormData, type FormDefinition } from '@estateflow/forms';
import type { BenchResult } from './run.ts';

const CONNECTIONS = 16;
const SECONDS = 2;
const ROUNDS = 4;

type Field = { name: string; schema: Record<string, unknown>; widget: string; value: unknown; options?: string[] };

/** 30 fields: text, numbers, money, choices, dates, phones and long text, all required. */
function fields(): Field[] {
  const out: Field[] = [];
  for (let i = 0; i < 10; i++) out.push({ name: `text${i}`, widget: 'text', schema: { type: 'string', minLength: 1, maxLength: 200 }, value: `一号楼 ${i} 单元` });
  for (let i = 0; i < 5; i++) out.push({ name: `count${i}`, widget: 'number', schema: { type: 'integer', minimum: 0, maximum: 10_000 }, value: 10 + i });
  for (let i = 0; i < 3; i++) out.push({ name: `fee${i}`, widget: 'money', schema: { type: 'integer', minimum: 0, maximum: 100_000_000 }, value: 12_345 });
  for (let i = 0; i < 4; i++) out.push({ name: `choice${i}`, widget: 'select', schema: { type: 'string', enum: ['a', 'b', 'c', 'd'] }, value: 'c', options: ['a', 'b', 'c', 'd'] });
  for (let i = 0; i < 3; i++) out.push({ name: `date${i}`, widget: 'date', schema: { type: 'string', format: 'date' }, value: '2026-06-09' });
  for (let i = 0; i < 3; i++) out.push({ name: `phone${i}`, widget: 'phone', schema: { type: 'string', pattern: '^[0-9+ -]{5,20}$', maxLength: 20 }, value: '13912345678' });
  for (let i = 0; i < 2; i++) out.push({ name: `note${i}`, widget: 'textarea', schema: { type: 'string', maxLength: 2000 }, value: '住户反映楼道灯不亮，已记录。'.repeat(4) });
  return out;
}

function form(): { definition: FormDefinition; body: Record<string, unknown> } {
  const fs = fields();
  const label = (n: string) => ({ zh: n, en: n });
  const definition = {
    kind: 'form', id: 'bench-30', title: label('30 fields'),
    schema: {
      type: 'object', additionalProperties: false, required: fs.map((f) => f.name),
      properties: Object.fromEntries(fs.map((f) => [f.name, f.schema])),
    },
    layout: {
      sections: [{
        id: 'main', title: label('main'),
        fields: fs.map((f) => ({ field: f.name, widget: f.widget, label: label(f.name), ...(f.options ? { options: f.options.map((v) => ({ value: v, label: label(v) })) } : {}) })),
      }],
    },
  } as unknown as FormDefinition;
  return { definition, body: Object.fromEntries(fs.map((f) => [f.name, f.value])) };
}

async function listen(server: http.Server): Promise<string> {
  if (!server.listening) await new Promise<void>((r) => server.once('listening', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/submit`;
}

type Load = { rps: number; cpuUsPerReq: number; statuses: Record<string, number>; errors: number };

/** Wall req/s from the client, and this process's CPU time per request (the server's cost, robust to noise). */
function load(url: string, body: string, seconds = SECONDS): Promise<Load> {
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'support/http-load.mjs'), url, String(CONNECTIONS), String(seconds), body], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(kill);
      try {
        const r = JSON.parse(out) as { requests: number; seconds: number; errors: number; statuses: Record<string, number> };
        const cpu = process.cpuUsage(cpu0);
        resolve({ rps: r.requests / r.seconds, cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, r.requests), statuses: r.statuses, errors: r.errors });
      } catch (e) {
        reject(new Error(`load generator: ${out}`, { cause: e }));
      }
    });
  });
}

export async function run(): Promise<BenchResult[]> {
  const { definition, body } = form();
  const compiled = compileForm(definition);
  const now = new Date();
  const check = (data: unknown) => validateFormData(compiled, data, { now });
  if (!check(body).ok) throw new Error(`bench form data is invalid: ${JSON.stringify(check(body))}`);

  const app = new Hono();
  app.post('/submit', async (c) => {
    const r = check(await c.req.json());
    return r.ok ? c.json({ ok: true }) : c.json({ ok: false, errors: r.errors }, 422);
  });
  const honoServer = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;

  const bareServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let r;
      try {
        r = check(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const text = JSON.stringify(r.ok ? { ok: true } : { ok: false, errors: r.errors });
      res.writeHead(r.ok ? 200 : 422, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    });
  });
  bareServer.listen(0, '127.0.0.1');

  try {
    const honoUrl = await listen(honoServer);
    const bareUrl = await listen(bareServer);
    const payload = JSON.stringify(body);
    const ours: Load[] = [];
    const base: Load[] = [];
    await load(bareUrl, payload, 1); // warm-up (JIT) of both servers
    await load(honoUrl, payload, 1);
    for (let r = 0; r < ROUNDS; r++) {
      // alternate who goes first, so a burst of noise from other processes does not favour one side
      const [b, h] = r % 2 === 0
        ? [await load(bareUrl, payload), await load(honoUrl, payload)]
        : await load(honoUrl, payload).then(async (h1) => [await load(bareUrl, payload), h1] as const);
      if (b.statuses['200'] === undefined || h.statuses['200'] === undefined || Object.keys({ ...b.statuses, ...h.statuses }).some((s) => s !== '200')) {
        throw new Error(`unexpected statuses: bare ${JSON.stringify(b.statuses)}, hono ${JSON.stringify(h.statuses)}`);
      }
      base.push(b);
      ours.push(h);
    }
    const o = Math.max(...ours.map((x) => x.rps));
    const b = Math.max(...base.map((x) => x.rps));
    const oCpu = Math.min(...ours.map((x) => x.cpuUsPerReq));
    const bCpu = Math.min(...base.map((x) => x.cpuUsPerReq));
    const perOp = (() => {
      const n = 20_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) check(body);
      return ((performance.now() - t0) * 1000) / n;
    })();
    return [{
      name: 'HTTP + 30-field form validation, Hono (@hono/node-server)', value: o, unit: 'req/s', ratio: bCpu / oCpu, target: 'ratio ≥ 0.7',
      baseline: `bare node:http, same validation: ${Math.round(b)} req/s; ratio = req per server CPU-second, Hono ${Math.round(1e6 / oCpu)} vs bare ${Math.round(1e6 / bCpu)} (${oCpu.toFixed(0)} vs ${bCpu.toFixed(0)} µs CPU/req; wall ratio ${(o / b).toFixed(2)})`,
      note: `validateFormData ${perOp.toFixed(1)} µs/op in-process; form compiled once at start; ${CONNECTIONS} keep-alive connections from a second process, best of ${ROUNDS} × ${SECONDS} s`,
    }];
  } finally {
    await new Promise((r) => honoServer.close(r));
    await new Promise((r) => bareServer.close(r));
  }
}
