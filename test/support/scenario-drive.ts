import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Hono } from 'hono';
import { createUser, runWorkerOnce, type AppEnv } from '@estateflow/api';
import { residents, timers, type Db, type Role } from '@estateflow/db';
import { addDuration, findBundles, loadBundle, runScenario, type Scenario } from '@estateflow/cli';
import { installBundle, readBundleFolder, type BundlePackage } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { demoNames } from '../../apps/api/src/demo.ts';
import { staffFields } from '../../apps/api/src/services/staff-picks.ts';
import { signIn, testConfig, type Client } from './api.ts';

const workflowsDir = new URL('../../workflows', import.meta.url).pathname;

/** Fails the drive (a test, or the bench seed that uses it too) naming the step. */
function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** A catalogue scenario that ends with its request done when `wf test` runs it. */
export type FinishedScenario = { bundle: string; dir: string; file: string; scenario: Scenario };

/** Every scenario of every bundle in workflows/ whose request reaches a final state (run in memory with the engine first). */
export function finishedScenarios(): FinishedScenario[] {
  return findBundles(workflowsDir).flatMap((dir) => {
    const b = loadBundle(dir);
    return b.scenarios.filter((s) => runScenario(b, s.file, s.scenario).snapshot?.status === 'done').map((s) => ({ bundle: b.manifest.id, dir, file: s.file, scenario: s.scenario }));
  });
}

/**
 * The bundle as an estate installs it for a scenario: bundle parameters as install values, a
 * workflow parameter the scenario sets as that workflow's default (an install only sets bundle parameters).
 */
function forScenario(pkg: BundlePackage, scenario: Scenario): { pkg: BundlePackage; parameters: Record<string, unknown> } {
  const declared = (pkg.bundle.parameters ?? {}) as Record<string, unknown>;
  const parameters: Record<string, unknown> = {};
  const copy = structuredClone(pkg);
  for (const [name, value] of Object.entries(scenario.params ?? {})) {
    if (name in declared) {
      parameters[name] = value;
      continue;
    }
    const wf = Object.values(copy.files).find((d) => d.kind === 'workflow' && d.id === scenario.workflow) as { params?: Record<string, { default?: unknown }> } | undefined;
    if (!wf?.params?.[name]) throw new Error(`scenario ${scenario.id}: parameter ${name} is declared nowhere`);
    wf.params[name].default = value;
  }
  return { pkg: copy, parameters };
}

export interface Drive {
  /** the request's id, and the clock when the last step was taken */
  instanceId: string;
  now: Date;
}

/**
 * Replays a catalogue scenario through the HTTP API and the worker on a database, as `wf test`
 * replays it through the engine: the clock jumps to each step's time, the worker fires every timer
 * due on the way at its own due instant (workflow and SLA timers alike), then the step's event is
 * sent as a user of the step's role. Actor ids in event data (technicianId …) become that role's
 * user; the resident lives in the request's unit, and a resident step on a request someone else
 * raised is sent by another role the event allows unless the workflow's privacy is household. Every step answers as the scenario expects (refused
 * steps 4xx, others 200).
 */
export async function driveScenario(
  db: Db,
  app: Hono<AppEnv>,
  clock: { now: Date },
  place: { tenantId: string; estateId: string; unitId: string; tag: string },
  s: FinishedScenario,
  /** called after the start and after each step is sent (e.g. to look at the pages at that moment), with a sign-in for a role */
  onStep?: (at: { index: number; instanceId: string; actorRole: string; starter: string; privacy: string | undefined; as: (role: string) => Promise<Client> }) => Promise<void>,
): Promise<Drive> {
  const { pkg, parameters } = forScenario(await readBundleFolder(s.dir), s.scenario);
  // the bundles it requires first (paid-service prices its quotes from billing-dunning's fee schedule: its manifest's `requires`)
  for (const r of (pkg.bundle as { requires?: { bundle: string }[] }).requires ?? []) {
    const needed = await readBundleFolder(join(s.dir, '..', r.bundle));
    await installBundle(db, { tenantId: place.tenantId, estateId: place.estateId, pkg: needed, parameters: {}, source: 'upload', now: new Date(s.scenario.start.at) });
  }
  await installBundle(db, { tenantId: place.tenantId, estateId: place.estateId, pkg, parameters, source: 'upload', now: new Date(s.scenario.start.at) });
  const wf = Object.values(pkg.files).find((d) => d.kind === 'workflow' && d.id === s.scenario.workflow) as { start?: { form?: string }; events: Record<string, { roles?: string[]; form?: string }>; privacy?: string };
  const formOf = (id: string | undefined) => (id ? Object.values(pkg.files).find((d) => d.kind === 'form' && d.id === id) : undefined);
  const users = new Map<string, string>();
  const as = async (role: string): Promise<Client> => {
    const username = `${place.tag}-${role}`;
    if (!users.has(role)) {
      // people have names: the screens show "维修工 王师傅", never the username (#18)
      const displayName = demoNames[role as Role] ?? `员工 ${users.size + 1}`;
      const userId = await createUser(db, testConfig as never, { tenantId: place.tenantId, username, password: 'pw', displayName, roles: [{ estateId: place.estateId, role: role as Role }] });
      users.set(role, userId);
      // the resident lives in the request's unit
      if (role === 'resident') await db.insert(residents).values({ tenantId: place.tenantId, id: randomUUID(), estateId: place.estateId, unitId: place.unitId, name: '住户', userId });
    }
    // signed in afresh: the clock jumps days past a session
    return signIn(app, username, 'pw');
  };
  const actorRoles = new Map<string, string>();
  for (const a of [s.scenario.start.actor, ...s.scenario.steps.map((x) => x.actor)]) if (a?.id) actorRoles.set(a.id, a.role);
  const data = async (d: Record<string, unknown> = {}, formId?: string) => {
    const out: Record<string, unknown> = {};
    // a person picked on the form (widget staff) is a staff member of the estate with the field's role (#18)
    const staff = staffFields(formOf(formId));
    for (const [k, v] of Object.entries(d)) {
      const role = typeof v === 'string' ? actorRoles.get(v) : undefined;
      // a named person who acts in no step of the scenario is a staff user too: of the field's role, else a dispatcher
      const person = !role && typeof v === 'string' && v !== '' && staff.has(k) ? (staff.get(k)!.role ?? 'dispatcher') : undefined;
      out[k] = role ? (await as(role), users.get(role)) : person ? (await as(person), users.get(person)) : v;
    }
    return out;
  };
  const cache = new CompiledCache();
  /** The worker fires every timer of this company due by `until`, each at its own due instant. */
  const fireUntil = async (until: Date) => {
    for (let round = 0; round < 500; round++) {
      const [next] = await db.select({ dueAt: timers.dueAt }).from(timers)
        .where(and(eq(timers.tenantId, place.tenantId), eq(timers.status, 'armed'), lte(timers.dueAt, until))).orderBy(asc(timers.dueAt)).limit(1);
      if (!next) return;
      if (next.dueAt > clock.now) clock.now = next.dueAt;
      const r = await runWorkerOnce({ db, workerId: `drive-${place.tag}`, cache, now: () => clock.now });
      if (r.fired + r.skipped + r.cancelled === 0) throw new Error(`a timer due ${next.dueAt.toISOString()} was not claimed`);
    }
    throw new Error('timers kept firing');
  };

  clock.now = new Date(s.scenario.start.at);
  const starter = s.scenario.start.actor.role;
  const started = await (await as(starter)).call('POST', '/api/instances', { estateId: place.estateId, workflow: s.scenario.workflow, unitId: place.unitId, data: await data(s.scenario.start.data ?? {}, wf.start?.form) });
  check(started.status === 201, `${s.file}: start answered ${started.status} ${JSON.stringify(started.body)}`);
  const instanceId = started.body.id as string;
  await onStep?.({ index: 0, instanceId, actorRole: starter, starter, privacy: wf.privacy, as });
  for (const [i, step] of s.scenario.steps.entries()) {
    let target = clock.now;
    if (step.at) target = new Date(step.at);
    // the CLI's own calendar arithmetic (P3M is three calendar months on the estate clock)
    if (step.advance) target = new Date(addDuration(target.toISOString(), step.advance));
    await fireUntil(target);
    clock.now = target;
    if (!step.send) continue;
    let role: string = step.actor?.role ?? starter;
    // a resident acts on a request someone else raised only where the household sees it (privacy household)
    if (role === 'resident' && starter !== 'resident' && wf.privacy !== 'household') role = wf.events[step.send]?.roles?.find((r) => r !== 'resident') ?? role;
    const res = await (await as(role)).call('POST', `/api/instances/${instanceId}/events`, { type: step.send, data: await data(step.data ?? {}, wf.events[step.send]?.form) });
    const label = `${s.file} step ${i + 1} ${step.send} as ${role}: ${JSON.stringify(res.body)}`;
    if (step.expect?.error) check(res.status >= 400, `${label}: expected a refusal, got ${res.status}`);
    else check(res.status === 200, `${label}: expected 200, got ${res.status}`);
    await onStep?.({ index: i + 1, instanceId, actorRole: role, starter, privacy: wf.privacy, as });
  }
  // and whatever falls due at the very end
  await fireUntil(clock.now);
  await runWorkerOnce({ db, workerId: `drive-${place.tag}`, cache, now: () => clock.now });
  return { instanceId, now: clock.now };
}
