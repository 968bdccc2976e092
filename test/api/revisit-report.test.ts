import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import type { Role } from '@estateflow/db';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';
import { catchUpRollups } from '../support/rollups.ts';

const workflows = join(import.meta.dirname, '../../workflows');

interface Step {
  send?: string;
  actor?: { role: string; id?: string };
  data?: Record<string, unknown>;
  advance?: string;
  at?: string;
  expect?: { error?: string };
}
interface Scenario {
  workflow: string;
  start: { at: string; actor: { role: string; id?: string }; data: Record<string, unknown> };
  steps: Step[];
}

const scenario = (bundle: string, file: string): Scenario => JSON.parse(readFileSync(join(workflows, bundle, 'scenarios', file), 'utf8')) as Scenario;

/** ISO 8601 durations the scenarios use (PT5M, PT1H, P2D). */
function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) throw new Error(`unsupported duration ${iso}`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}

withDatabases((kind, getDb) => {
  it(`counts a revisit as on site when its form's method is "onsite" or "visit", over instances driven through the API (PS-8, RP-4, CP-7) on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '回访物业');
    const estateId = await createEstate(db, tenantId, { name: '回访小区', buildings: [{ name: '5栋', units: ['5-302'] }] });
    // paid services are quoted from the price list in billing-dunning's fee schedule (PS-10)
    for (const bundle of ['billing-dunning', 'paid-service', 'repair', 'complaint']) {
      await installBundle(db, { tenantId, estateId, pkg: await readBundleFolder(join(workflows, bundle)), parameters: {}, source: 'catalogue', now: new Date() });
    }
    let now = new Date('2026-05-01T00:00:00Z');
    const app = testApp(db, { now: () => now });

    // one user per role, signed in afresh at each step since the clock jumps days ahead of a session;
    // scenario actor ids in event data (technicianId, handler…) become that user's id
    const userIds = new Map<string, string>();
    const as = async (role: string): Promise<Client> => {
      const username = `rv-${role}-${kind}`;
      if (!userIds.has(role)) userIds.set(role, await createUser(db, testConfig as never, { tenantId, username, password: 'pw', roles: [{ estateId, role: role as Role }] }));
      return signIn(app, username, 'pw');
    };

    /** Replays a catalogue scenario through the HTTP API with the REVISIT answered by `method`. */
    const drive = async (s: Scenario, method: string, cast: Scenario = s): Promise<string> => {
      // the scenario's cast (a scenario cut short keeps the whole one's): a task's user must be a user of the estate
      const ids = new Map<string, string>();
      for (const a of [cast.start.actor, ...cast.steps.map((x) => x.actor)]) if (a?.id) ids.set(a.id, a.role);
      const data = async (d: Record<string, unknown> = {}) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(d)) {
          const role = typeof v === 'string' ? ids.get(v) : undefined;
          out[k] = role ? (await as(role), userIds.get(role)) : v;
        }
        return out;
      };
      now = new Date(s.start.at);
      const started = await (await as(s.start.actor.role)).call('POST', '/api/instances', { estateId, workflow: s.workflow, data: await data(s.start.data) });
      expect(started.status).toBe(201);
      const id = started.body.id as string;
      for (const step of s.steps) {
        if (step.at) now = new Date(step.at);
        if (step.advance) now = new Date(now.getTime() + durationMs(step.advance));
        if (!step.send) continue;
        // a resident acts only on what they raised; the customer's signature is then taken on the technician's device (PS-6)
        const role = step.actor?.role === 'resident' && s.start.actor.role !== 'resident' ? 'technician' : (step.actor?.role ?? s.start.actor.role);
        // an on-site paid-service revisit also collects the customer's signature and suggestions (PS-15)
        const onSite = method === 'onsite' ? { suggestions: '满意', customerSignature: '王' } : {};
        const body = step.send === 'REVISIT' ? { ...step.data, method, ...(s.workflow === 'paid-service' ? onSite : {}) } : step.data;
        const res = await (await as(role)).call('POST', `/api/instances/${id}/events`, { type: step.send, data: await data(body) });
        if (step.expect?.error) expect(res.status, `${s.workflow} ${step.send} refused`).toBeGreaterThanOrEqual(400);
        else expect(res.status, `${s.workflow} ${step.send}: ${JSON.stringify(res.body)}`).toBe(200);
      }
      return id;
    };

    const paid = scenario('paid-service', 'happy-path.scenario.json');
    const repair = scenario('repair', 'rp-free-minor-repair.scenario.json');
    const complaint = scenario('complaint', 'cp-important-routine.scenario.json');
    await drive(paid, 'phone');
    await drive(paid, 'phone');
    await drive(paid, 'onsite');
    await drive(repair, 'onsite');
    await drive(repair, 'phone');
    await drive(complaint, 'visit');
    await drive(complaint, 'phone');
    // a paid order still open (dispatched, not revisited) counts neither as ended nor as revisited
    const open = { ...paid, steps: paid.steps.slice(0, 2) };
    await drive(open, 'phone', paid);

    const manager = await as('property_manager');
    // the reports read the rollups the worker keeps
    await catchUpRollups(db, now);
    const report = await manager.call('GET', `/api/reports/revisits?estateId=${estateId}`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      ended: 7,
      revisited: 7,
      revisitRate: 1,
      revisits: 7,
      onSite: 3,
      onSiteShare: 3 / 7,
      onSiteRule: { event: 'REVISIT', field: 'method', values: ['onsite', 'visit'] },
      byMethod: { phone: 4, onsite: 2, visit: 1 },
    });
    const byWorkflow = Object.fromEntries((report.body.byWorkflow as { workflow: string }[]).map((w) => [w.workflow, w]));
    expect(byWorkflow['paid-service']).toEqual({ workflow: 'paid-service', ended: 3, revisited: 3, revisits: 3, onSite: 1, onSiteShare: 1 / 3 });
    expect(byWorkflow.repair).toEqual({ workflow: 'repair', ended: 2, revisited: 2, revisits: 2, onSite: 1, onSiteShare: 0.5 });
    expect(byWorkflow.complaint).toEqual({ workflow: 'complaint', ended: 2, revisited: 2, revisits: 2, onSite: 1, onSiteShare: 0.5 });

    // the period filter is on the start instant: only May's repairs (2026-05-06) and complaints (2026-05-11)
    const may = await manager.call('GET', `/api/reports/revisits?estateId=${estateId}&from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z`);
    expect(may.body).toMatchObject({ ended: 4, revisits: 4, onSite: 2, onSiteShare: 0.5 });

  }, 120_000);
});
