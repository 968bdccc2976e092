/**
 * Property: for every bundle in workflows/, any sequence of allowed events and fired timers,
 * replayed from its history, rebuilds exactly the stored snapshot. Event data comes from the
 * bundle's own scenarios, so guards see realistic values.
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FormDefinition, WorkflowDefinition } from '../adapters/definitions.ts';
import { compile } from '../compile/compile.ts';
import type { EngineSnapshot, HistoryEntry, StartInput } from '../types.ts';
import { availableEvents } from './available-events.ts';
import { replay } from './replay.ts';
import { start, step } from './step.ts';

const ROOT = join(import.meta.dirname, '../../../../workflows');
const readJson = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;
const jsonFiles = (dir: string, suffix: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f)) : []);

type Sample = { start: StartInput; data: Map<string, Record<string, unknown>[]> };
type Scenario = { workflow: string; params?: Record<string, unknown>; start: { at: string; actor: { id: string; role: string }; data?: Record<string, unknown> }; steps: { send?: string; data?: Record<string, unknown> }[] };

const bundles = (existsSync(ROOT) ? readdirSync(ROOT) : []).filter((b) => existsSync(join(ROOT, b, 'bundle.json')));

function load(bundle: string) {
  const dir = join(ROOT, bundle);
  const manifest = readJson<{ contents?: Record<string, string[]>; parameters?: Record<string, { default?: unknown }> }>(join(dir, 'bundle.json'));
  const wfFiles = manifest.contents?.['workflow']?.map((f) => join(dir, f)) ?? [join(dir, 'workflow.json')];
  const forms = [...new Set([...(manifest.contents?.['form'] ?? []).map((f) => join(dir, f)), ...jsonFiles(join(dir, 'forms'), '.form.json')])].map((f) => readJson<FormDefinition>(f));
  const scenarios = jsonFiles(join(dir, 'scenarios'), '.scenario.json').map((f) => readJson<Scenario>(f));
  const bundleParams: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(manifest.parameters ?? {})) if (p.default !== undefined) bundleParams[k] = p.default;
  return wfFiles.map((f) => readJson<WorkflowDefinition>(f)).map((wf) => {
    const mine = scenarios.filter((s) => s.workflow === wf.id);
    const data = new Map<string, Record<string, unknown>[]>();
    for (const s of mine) for (const st of s.steps) if (st.send) data.set(st.send, [...(data.get(st.send) ?? []), st.data ?? {}]);
    const first = mine[0];
    const sample: Sample | undefined = first && {
      start: { now: first.start.at, actor: first.start.actor, data: first.start.data ?? {}, instanceId: 'prop', params: { ...bundleParams, ...first.params } },
      data,
    };
    return { wf, forms, sample };
  });
}

const SYSTEM = { id: 'system', role: 'system' };

for (const bundle of bundles) {
  for (const { wf, forms, sample } of load(bundle).filter((x) => x.sample)) {
    describe(`replay ${bundle}/${wf.id}`, () => {
      it('rebuilds the stored snapshot from the history of any allowed run', () => {
        let longest = 0;
        const compiled = compile(wf, { forms });
        const roles = [...new Set(Object.values(wf.events).flatMap((e) => e.roles ?? []))];
        fc.assert(
          fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 * 24 * 60 })), { maxLength: 30 }), (choices) => {
            const first = start(compiled, sample!.start);
            if (!first.ok) throw new Error(first.error.message.en);
            let snap: EngineSnapshot = first.value.snapshot;
            let clock = Date.parse(sample!.start.now);
            const history: HistoryEntry[] = [first.value.history];
            for (const [pick, minutes] of choices) {
              if (snap.status !== 'active') break;
              clock += minutes * 60_000;
              const moves: (() => void)[] = [];
              const timer = Object.values(snap.context.sys.timers).sort((a, b) => a.due.localeCompare(b.due))[0];
              if (timer) {
                moves.push(() => {
                  clock = Math.max(clock, Date.parse(timer.due));
                  const r = step(compiled, snap, { type: timer.event.type, data: timer.event.data ?? {}, timer: { id: timer.id, due: timer.due } }, { now: new Date(clock).toISOString(), actor: SYSTEM });
                  if (!r.ok) throw new Error(`timer ${timer.event.type}: ${r.error.message.en}`);
                  history.push(r.value.history);
                  snap = r.value.snapshot;
                });
              }
              for (const role of roles) {
                for (const ev of availableEvents(compiled, snap, { id: `u-${role}`, role })) {
                  for (const data of sample!.data.get(ev.type) ?? [{}]) {
                    moves.push(() => {
                      const r = step(compiled, snap, { type: ev.type, data }, { now: new Date(clock).toISOString(), actor: { id: `u-${role}`, role } });
                      if (r.ok) {
                        history.push(r.value.history);
                        snap = r.value.snapshot;
                      } else if (r.error.reason === 'loop-limit' || r.error.reason === 'expr-error') {
                        throw new Error(`${ev.type}: ${r.error.message.en}`);
                      }
                    });
                  }
                }
              }
              if (moves.length === 0) break;
              moves[pick % moves.length]!();
            }
            longest = Math.max(longest, history.length);
            expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
            expect(replay(compiled, sample!.start, history)).toEqual(snap);
          }),
          { numRuns: 40 },
        );
        expect(longest).toBeGreaterThan(3);
      });
    });
  }
}
