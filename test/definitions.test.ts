import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatFinding, validateDocument, validatePath, type Finding } from '@estateflow/definitions';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test/fixtures/lint');

type Expected = { about: string; target: string; findings: { rule: string; file: string; pointer: string; en: string; zh: string; severity?: 'error' | 'warning' }[] };

const fixtures = readdirSync(FIXTURES).sort().map((name) => ({
  name,
  dir: join(FIXTURES, name),
  expected: JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected,
}));

describe('every lint fixture is reported with the expected rule, pointer and message (errors reject)', () => {
  it('has a fixture for each rule the issue names', () => {
    const rules = new Set(fixtures.flatMap((f) => f.expected.findings.map((x) => x.rule)));
    for (const rule of ['unknown-target', 'unreachable-state', 'dead-end-state', 'unknown-action', 'unknown-guard', 'unknown-delay', 'unknown-form', 'undeclared-role', 'unknown-calendar', 'undeclared-param', 'bad-expression', 'unknown-state', 'duplicate-id', 'duplicate-notice', 'deadline-stated-twice', 'missing-file', 'forbidden-key', 'unsupported-pattern', 'pattern-without-max-length', 'literal-user']) {
      expect(rules, rule).toContain(rule);
    }
  });

  for (const { name, dir, expected } of fixtures) {
    it(`${name}: ${expected.about}`, async () => {
      const findings = await validatePath(join(dir, expected.target));
      const shown = (f: Finding): string => formatFinding({ ...f, file: relative(dir, f.file) }, 'en');
      for (const want of expected.findings) {
        const match = findings.find((f) => f.rule === want.rule && relative(dir, f.file) === want.file && f.pointer === want.pointer);
        expect(match, `${want.rule} at ${want.file}:${want.pointer}; got\n${findings.map(shown).join('\n')}`).toBeDefined();
        expect(match!.severity).toBe(want.severity ?? 'error');
        expect(match!.message.en).toContain(want.en);
        expect(match!.message.zh).toContain(want.zh);
      }
      // Nothing else is an error: each fixture breaks exactly what it says.
      const unexpected = findings.filter((f) => f.severity === 'error' && !expected.findings.some((w) => w.rule === f.rule));
      expect(unexpected.map(shown)).toEqual([]);
    });
  }
});

describe('the lost-and-found bundle', () => {
  it('validates without errors', async () => {
    const findings = await validatePath(join(ROOT, 'workflows/lost-and-found'));
    expect(findings.filter((f) => f.severity === 'error').map((f) => formatFinding(f, 'en'))).toEqual([]);
  });
});

describe('SLA policies in bundles (checked like workflows; one notice per audience for one deadline)', () => {
  it('the catalogue has no SLA error and no breach ladder repeating a workflow escalation (RP-2, CP-4)', async () => {
    const findings = await validatePath(join(ROOT, 'workflows'));
    const sla = findings.filter((f) => f.file.includes('/sla/'));
    expect(sla.map((f) => formatFinding(f, 'en'))).toEqual([]);
    expect(findings.filter((f) => f.rule === 'duplicate-notice')).toEqual([]);
  });

  it('warns only for the rungs and roles a workflow escalation already notifies on the same clock', async () => {
    const findings = await validatePath(join(FIXTURES, 'sla-duplicate-notice'));
    const dup = findings.filter((f) => f.rule === 'duplicate-notice');
    // metric 0: same state window, rung 1 (cs_manager, at the breach) repeats the workflow ladder's first rung and
    // rung 2 (admin, a day later) does not; metric 1: the same deadline written in another key order, only cs_manager
    // repeats at the breach, and property_manager 4 h later is a follow-up the workflow never sends then; metric 2
    // measures another clock
    expect(dup.map((f) => [f.pointer, f.severity])).toEqual([
      ['/metrics/0/onBreach/ladder/0/notify', 'warning'],
      ['/metrics/1/onBreach/ladder/0/notify', 'warning'],
    ]);
    expect(dup[1]!.message.en).not.toContain('admin');
    expect(dup[1]!.message.en).not.toContain('property_manager');
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('one deadline, one place (#19): the catalogue states no deadline number twice, its timers and SLA goals read one parameter', async () => {
    const findings = await validatePath(join(ROOT, 'workflows'));
    expect(findings.filter((f) => f.rule === 'deadline-stated-twice').map((f) => formatFinding(f, 'en'))).toEqual([]);
  });

  it('warns where an SLA goal restates the number of a deadline the workflow states for the state it measures, and nowhere else', async () => {
    const findings = await validatePath(join(FIXTURES, 'sla-deadline-stated-twice'));
    // metric 0: the same literal in the timer and the goal; metric 1: a literal beside the parameter that holds it;
    // metric 2 reads the parameter (one place), metric 3 is in another unit, metric 4 starts on an event
    expect(findings.filter((f) => f.rule === 'deadline-stated-twice').map((f) => [f.pointer, f.severity])).toEqual([
      ['/metrics/0/goals/0/deadline', 'warning'],
      ['/metrics/1/goals/0/deadline', 'warning'],
    ]);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a loose SLA file is still type-checked (no workflow known: states and params are not)', async () => {
    const findings = validateDocument({ kind: 'sla', id: 'x', title: { zh: '时', en: 'Clock' }, workflow: 'elsewhere', metrics: [{ id: 'm', start: [{ enter: 'nowhere' }], stop: [{ expr: "params.unknown == 'x'" }], goals: [{ when: '1 +', deadline: { endOfDay: true } }] }] });
    expect(findings.map((f) => [f.rule, f.pointer])).toEqual([['bad-expression', '/metrics/0/goals/0/when']]);
  });
});

describe('documents in workflows/', () => {
  it('each point at the schema of their kind with a relative "$schema", for editor completion', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.json')) files.push(join(dir, e.name));
      }
    };
    walk(join(ROOT, 'workflows'));
    const definitions = files.map((f) => ({ f, doc: JSON.parse(readFileSync(f, 'utf8')) as { kind?: string; $schema?: string } })).filter((d) => typeof d.doc.kind === 'string');
    expect(definitions.length).toBeGreaterThan(5);
    for (const { f, doc } of definitions) {
      expect(doc.$schema, relative(ROOT, f)).toBeDefined();
      expect(resolve(f, '..', doc.$schema!), relative(ROOT, f)).toBe(join(ROOT, 'schemas', `${doc.kind}.schema.json`));
    }
  });
});

const run = promisify(execFile);
const wf = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'packages/cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, INIT_CWD: ROOT } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('wf validate as a subprocess', () => {
  it('exits 1 and names file, pointer and problem for a wrong target, an unknown action, a bad expression and a missing form', async () => {
    const dirs = ['unknown-target', 'unknown-action', 'bad-expression', 'unknown-form'].map((d) => `test/fixtures/lint/${d}`);
    const r = await wf('validate', '--locale', 'en', ...dirs);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const lines = r.stdout.split('\n');
    const has = (text: string): void => expect(lines.some((l) => l.includes(text)), `${text}\n${r.stdout}`).toBe(true);
    has('test/fixtures/lint/unknown-target/workflow.json:/machine/states/open/on/GO: error: Transition target "dnoe" does not exist (from state "open"). Did you mean "done"? [unknown-target]');
    has('test/fixtures/lint/unknown-action/workflow.json:/machine/states/open/entry/0/type: error: Unknown action "notifyy". Did you mean "notify"? [unknown-action]');
    has('test/fixtures/lint/bad-expression/workflow.json:/guards/ok: error: Expression "context.x >= " is invalid');
    has('test/fixtures/lint/unknown-form/workflow.json:/events/GO/form: error: Form "f-strat" is not in the bundle. Did you mean "f-start"? [unknown-form]');
    has('4 error(s)');
  }, 90_000);

  it('exits 0 on the lost-and-found bundle and prints JSON findings with --json', async () => {
    const r = await wf('validate', '--json', 'workflows/lost-and-found');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const findings = JSON.parse(r.stdout) as Finding[];
    expect(findings.every((f) => f.severity === 'warning')).toBe(true);
  }, 90_000);
});
