/* eslint-disable @typescript-eslint/no-explicit-any -- the mutations poke at arbitrary places of parsed JSON */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES, LIMITS, validateDocument, type Finding } from '@estateflow/definitions';

const ROOT = resolve(import.meta.dirname, '..');
const workflowText = readFileSync(join(ROOT, 'workflows/lost-and-found/workflow.json'), 'utf8');
const formText = readFileSync(join(ROOT, 'workflows/lost-and-found/forms/lf-report.form.json'), 'utf8');
const fresh = (): Record<string, any> => JSON.parse(workflowText) as Record<string, any>;
const freshForm = (): Record<string, any> => JSON.parse(formText) as Record<string, any>;

/** What the lost-and-found bundle declares around its workflow, so the untouched documents are valid. */
const BUNDLE_CONTEXT = { params: new Set(['valuableThresholdFen']), forms: new Set(['lf-report', 'lf-register', 'lf-claim', 'lf-dispose']) };

/** Timing of every validation in this file, to print the slowest. */
const times: { ms: number; what: string }[] = [];
let total = 0;

function rejects(doc: unknown, what: string, rules?: readonly string[]): Finding[] {
  const t0 = performance.now();
  let findings: Finding[] = [];
  expect(() => {
    findings = validateDocument(doc, { file: 'fuzz.json', context: BUNDLE_CONTEXT });
  }).not.toThrow();
  times.push({ ms: performance.now() - t0, what });
  total++;
  const errors = findings.filter((f) => f.severity === 'error');
  expect(errors.length, `${what} was accepted`).toBeGreaterThan(0);
  if (rules) expect(errors.some((f) => rules.includes(f.rule)), `${what}: got ${errors.map((f) => f.rule).join(', ')}`).toBe(true);
  for (const f of errors) {
    expect(typeof f.pointer).toBe('string');
    expect(f.message.zh.length).toBeGreaterThan(0);
    expect(f.message.en.length).toBeGreaterThan(0);
  }
  return findings;
}

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/).map((s) => `zz${s}`);
const SEED = 20261123;
const run = <T>(arb: fc.Arbitrary<T>, numRuns: number, check: (t: T) => void): void => fc.assert(fc.property(arb, check), { numRuns, seed: SEED });

it('the untouched documents the fuzzer mutates are valid, so every rejection is earned', () => {
  for (const doc of [fresh(), freshForm()]) {
    expect(validateDocument(doc, { file: 'base.json', context: BUNDLE_CONTEXT }).filter((f) => f.severity === 'error')).toEqual([]);
  }
});

describe('hostile definitions are rejected with a finding, never a throw or a hang', () => {
  it('deep nesting (65 to 20,000 levels) stops at the depth limit', () => {
    run(fc.tuple(fc.integer({ min: LIMITS.maxDepth + 1, max: 20_000 }), fc.boolean()), 150, ([depth, arrays]) => {
      const open = arrays ? '[' : '{"a":';
      const close = arrays ? ']' : '}';
      const doc = JSON.parse(`{"kind":"workflow","id":"deep","context":${open.repeat(depth)}1${close.repeat(depth)}}`) as unknown;
      rejects(doc, `depth ${depth}`, ['limit-depth']);
    });
  });

  it('huge arrays and objects stop at the count limits', () => {
    run(fc.tuple(fc.integer({ min: LIMITS.maxArrayLength + 1, max: 200_000 }), fc.boolean()), 100, ([n, asArray]) => {
      const wf = fresh();
      if (asArray) wf['roles'] = new Array<string>(n).fill('admin');
      else wf['context'] = Object.fromEntries(Array.from({ length: Math.min(n, 20_000) }, (_, i) => [`k${i}`, i]));
      rejects(wf, `${asArray ? 'array' : 'object'} of ${n}`, ['limit-array', 'limit-keys']);
    });
  });

  it('__proto__, constructor and prototype keys anywhere are refused', () => {
    const paths = [[], ['machine'], ['machine', 'states', 'kept'], ['events', 'CLAIM'], ['context'], ['params', 'cheapRetentionMonths']];
    run(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 })), 150, ([key, path, value]) => {
      const wf = fresh();
      let node: Record<string, any> = wf;
      for (const p of path) node = node[p] as Record<string, any>;
      // An own property, as JSON.parse makes it from an uploaded document (assignment would set the prototype).
      Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
      rejects(wf, `${key} at /${path.join('/')}`, ['forbidden-key']);
    });
  });

  it('very long strings stop at the length limit', () => {
    run(fc.tuple(fc.integer({ min: LIMITS.maxStringLength + 1, max: 900_000 }), fc.constantFrom('title', 'guard', 'key')), 100, ([n, where]) => {
      const wf = fresh();
      const long = 'x'.repeat(n);
      if (where === 'title') wf['title'] = { zh: long, en: 'x' };
      else if (where === 'guard') wf['guards'] = { g: long };
      else wf['context'] = { [long.slice(0, 300 + (n % 1000))]: 1 };
      rejects(wf, `string of ${n} in ${where}`, ['limit-string', 'limit-key', 'limit-size']);
    });
  });

  it('unknown state, action, guard, delay and event names are reported', () => {
    const mutation = fc.constantFrom('target', 'action', 'guard', 'delay', 'event', 'initial');
    run(fc.tuple(mutation, name), 300, ([kind, n]) => {
      const wf = fresh();
      const kept = wf['machine'].states.kept;
      switch (kind) {
        case 'target': kept.on.CLAIM.target = n; break;
        case 'action': kept.on.CLAIM.actions[0].type = n; break;
        case 'guard': kept.on.CLAIM.guard = n; break;
        case 'delay': kept.after = { [n]: { target: 'retentionExpired' } }; break;
        case 'event': kept.on[n.toUpperCase().replace(/[^A-Z0-9_]/g, '_').replace(/^[^A-Z]/, 'Z')] = 'claimed'; break;
        case 'initial': kept.initial = n; break;
      }
      expect(ACTION_TYPES).not.toContain(n);
      rejects(wf, `${kind} ${n}`, ['unknown-target', 'unknown-action', 'unknown-guard', 'unknown-delay', 'undeclared-event', 'schema/pattern']);
    });
  });

  it('patterns that would backtrack catastrophically are accepted and run in linear time; lookaround and back-references are refused with their path', () => {
    const atom = fc.constantFrom('a', '\\d', '[a-z]', '.', '\\w', 'ab', '[0-9]');
    const shape = fc.constantFrom((x: string) => `(${x}+)+$`, (x: string) => `^(${x}*)*$`, (x: string) => `(${x}|${x})*`, (x: string) => `^(${x}+${x}?)+b$`, (x: string) => `((${x})+)+`, (x: string) => `(?:${x}{2,})*$`, (x: string) => `^${x}*${x}*${x}*${x}*${x}*${x}*${x}*${x}*$`);
    run(fc.tuple(atom, shape, fc.integer({ min: 1, max: 1000 })), 150, ([a, s, maxLength]) => {
      const form = freshForm();
      form['schema'].properties.item = { type: 'string', maxLength, pattern: s(a) };
      const findings = validateDocument(form, { file: 'fuzz.json', context: BUNDLE_CONTEXT });
      expect(findings.filter((f) => f.severity === 'error'), `pattern ${s(a)}`).toEqual([]);
      total++;
    });
    const unsupported = fc.constantFrom((x: string) => `^(${x})\\1$`, (x: string) => `^(?=${x})`, (x: string) => `(?!${x})${x}`, (x: string) => `(?<=${x})b`, (x: string) => `(?<n>${x})\\k<n>`);
    run(fc.tuple(atom, unsupported), 100, ([a, s]) => {
      const form = freshForm();
      form['schema'].properties.item = { type: 'string', maxLength: 50, pattern: s(a) };
      const findings = rejects(form, `pattern ${s(a)}`, ['unsupported-pattern']);
      expect(findings.find((f) => f.rule === 'unsupported-pattern')?.pointer).toBe('/schema/properties/item/pattern');
    });
  });

  it('random JSON values are rejected', () => {
    run(fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.record({ kind: fc.constantFrom('workflow', 'form', 'bundle'), id: fc.string() }, { requiredKeys: [] })), 150, (value) => {
      rejects(value, `random ${JSON.stringify(value).slice(0, 40)}`);
    });
  });

  it('ran at least 1,000 hostile definitions and prints the slowest', () => {
    expect(total).toBeGreaterThanOrEqual(1_000);
    const slowest = [...times].sort((a, b) => b.ms - a.ms).slice(0, 3);
    console.log(`fuzz: ${total} hostile definitions; slowest validation ${slowest.map((s) => `${s.ms.toFixed(1)} ms (${s.what})`).join(', ')}`);
    expect(slowest[0]!.ms).toBeLessThan(10_000); // a hang guard: speed itself is printed, not asserted
  });
});
