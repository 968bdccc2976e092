/**
 * The machine's floor for commit latency measured without Node: PostgreSQL's own `pgbench` (C,
 * libpq) sending bare commits (begin, one-row insert, commit) to the same server, once one at a
 * time and once at a given rate (`-R`: pgbench schedules arrivals as a Poisson process and logs
 * each transaction's lag behind its schedule, so latency is counted from the scheduled arrival, as
 * our open loop counts it). Answers null when `pgbench` is not installed (it ships with the
 * PostgreSQL client package).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { quantile } from './world.ts';

const run = promisify(execFile);

export interface PgbenchFloor {
  /** one at a time, unloaded (ms) */
  alone: number[];
  /** at the rate, from the scheduled arrival (ms) */
  loaded: number[];
  version: string;
}

/** Latencies (ms) from pgbench's per-transaction logs: field 3 is the time in µs, field 7 (with -R) the schedule lag. */
function readLogs(dir: string): number[] {
  const out: number[] = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith('pgb.'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const p = line.trim().split(/\s+/);
      if (p.length < 6) continue;
      out.push((Number(p[2]) + (p.length > 6 ? Number(p[6]) : 0)) / 1000);
    }
  }
  return out;
}

export async function pgbenchFloor(url: string, table: string, rate: number, seconds: number, clients: number): Promise<PgbenchFloor | null> {
  let version: string;
  try {
    version = (await run('pgbench', ['--version'])).stdout.trim();
  } catch {
    return null;
  }
  const u = new URL(url);
  const conn = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const db = decodeURIComponent(u.pathname.slice(1));
  const dir = mkdtempSync(join(tmpdir(), 'ef-pgbench-'));
  try {
    const script = join(dir, 'bare.sql');
    writeFileSync(script, `BEGIN;\nINSERT INTO ${table} (v) VALUES (1);\nCOMMIT;\n`);
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
    const common = [...conn, '-n', '-f', script, '-l', '--log-prefix', join(dir, 'pgb')];
    await run('pgbench', [...common, '-c', '1', '-j', '1', '-t', '1000', db], { env, cwd: dir });
    const alone = readLogs(dir).slice(100);
    for (const f of readdirSync(dir).filter((n) => n.startsWith('pgb.'))) rmSync(join(dir, f));
    await run('pgbench', [...common, '-c', String(clients), '-j', '1', '-R', String(Math.round(rate)), '-T', String(seconds), db], { env, cwd: dir });
    return { alone, loaded: readLogs(dir), version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const describeFloor = (f: PgbenchFloor, rate: number): string => {
  const a = quantile(f.alone, 0.5);
  const p50 = quantile(f.loaded, 0.5);
  const p99 = quantile(f.loaded, 0.99);
  return `${f.version} (C, libpq, no Node), same bare commit: alone p50 ${a.toFixed(2)} ms; at ${Math.round(rate)}/s (Poisson arrivals) p50 ${p50.toFixed(2)} ms = ${(p50 / a).toFixed(1)}× and p99 ${p99.toFixed(1)} ms = ${(p99 / a).toFixed(1)}× its own alone p50`;
};
