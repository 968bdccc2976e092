import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '@estateflow/api';
import { freshDatabase, type FreshDatabase } from '../support/db.ts';
import { testApp } from '../support/api.ts';
import { responseMismatch } from '../support/openapi-check.ts';

type Op = { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; requestBody?: unknown };
type Doc = { info: { license?: { name: string } }; paths: Record<string, Record<string, Op>> };

const redocly = resolve(dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/redocly');

describe('the served OpenAPI document (/api/openapi.json)', () => {
  let fresh: FreshDatabase;
  let doc: Doc;
  let text: string;
  beforeAll(async () => {
    fresh = await freshDatabase('pglite');
    const res = await testApp(fresh.handle.db).request('/api/openapi.json');
    text = await res.text();
    doc = JSON.parse(text) as Doc;
  });
  afterAll(() => fresh.dispose());

  const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

  it('has one operation per route, each with security, a 4xx answer and a real schema for every JSON answer', () => {
    expect(operations().length).toBe(routeTable.length);
    expect(doc.info.license?.name).toBeTruthy();
    const problems: string[] = [];
    for (const { name, op } of operations()) {
      if (!Array.isArray(op.security)) problems.push(`${name}: no security`);
      if (!Object.keys(op.responses).some((s) => /^4\d\d$/.test(s))) problems.push(`${name}: no 4xx`);
      for (const [status, r] of Object.entries(op.responses)) {
        const schema = r.content?.['application/json']?.schema;
        if (!schema || '$ref' in schema) continue;
        // a real schema says what the answer holds: its properties (and which are required), and whether others may
        // come (false for the API's own objects; true only for a document whose vocabulary is someone else's, said
        // so explicitly); a choice of answers (anyOf) says it for each
        for (const one of (schema.anyOf as Record<string, unknown>[] | undefined) ?? [schema]) {
          if (!one.properties || !Array.isArray(one.required)) problems.push(`${name} ${status}: the schema names no properties`);
          else if (typeof one.additionalProperties !== 'boolean') problems.push(`${name} ${status}: the schema does not say whether properties it does not name may come`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('closes every object the API owns, nested ones included: an answer cannot carry a field its schema does not name', () => {
    // an object with named properties says additionalProperties: false, or true explicitly for a document
    // whose vocabulary is someone else's (a JSON Schema); an object with no named properties is a
    // document or map whose shape its description names (jsonObject), or a map typed by additionalProperties
    const open: string[] = [];
    const walk = (schema: unknown, at: string): void => {
      if (!schema || typeof schema !== 'object') return;
      const s = schema as Record<string, unknown>;
      if (s.properties && typeof s.properties === 'object') {
        if (typeof s.additionalProperties !== 'boolean') open.push(at);
        for (const [k, v] of Object.entries(s.properties)) walk(v, `${at}/${k}`);
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}/*`);
      if (s.items) walk(s.items, `${at}/[]`);
      for (const k of ['anyOf', 'oneOf', 'allOf'] as const) (s[k] as unknown[] | undefined)?.forEach((x, i) => walk(x, `${at}/${k}${i}`));
    };
    for (const { name, op } of operations()) {
      for (const [status, r] of Object.entries(op.responses)) walk(r.content?.['application/json']?.schema, `${name} ${status} `);
    }
    expect(open).toEqual([]);
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ef-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, text);
      // no telemetry or update check: the linter runs offline
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
      const run = await promisify(execFile)(redocly, ['lint', '--extends', 'recommended', '--format', 'json', file], { env, cwd: dir, maxBuffer: 32 * 1024 * 1024 }).catch((e: { stdout: string; stderr: string }) => e);
      const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('catches drift: an answer with an undeclared status, a field of the wrong type or a field the schema does not name is refused by the test helper', () => {
    const json = 'application/json';
    expect(responseMismatch('GET', '/api/estates', 200, json, JSON.stringify({ items: [], extra: 1 }))).toMatch(/must NOT have additional properties \("extra"\)/);
    expect(responseMismatch('GET', '/api/auth/me', 200, json, JSON.stringify({ user: { id: 'x' }, memberships: [] }))).toContain('breaks its schema');
    expect(responseMismatch('GET', '/api/estates', 418, json, '{}')).toContain('does not declare');
    expect(responseMismatch('GET', '/api/estates', 200, json, JSON.stringify({ items: [] }))).toBeUndefined();
    expect(responseMismatch('GET', '/api/no-such-route', 404, json, '{}')).toBeUndefined();
  });
});
