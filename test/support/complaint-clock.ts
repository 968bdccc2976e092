import { join } from 'node:path';
import { expect } from 'vitest';
import { runWorkerOnce } from '@estateflow/api';
import type { Db } from '@estateflow/db';
import { readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { buildWorld, type World } from './world.ts';

/** Tuesday 2026-11-24 10:00 in Shanghai: the complaint SLA tests' start; the `accept` clock is 1 hour of wall time. */
export const t0 = new Date('2026-11-24T02:00:00Z');
export const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
/** A valid complaint intake (cp-intake form). */
export const intake = { channel: 'phone', name: '王女士', unit: '1-101', against: '客服中心', what: '电话无人接听' };

/** Worker rounds at `now` until nothing is left to fire (one timer per instance per round: the instance is locked); answers how many fired. */
export async function tick(db: Db, now: Date, workerId: string): Promise<number> {
  let fired = 0;
  for (let round = 0; round < 20; round++) {
    const r = await runWorkerOnce({ db, workerId, now: () => now });
    fired += r.fired;
    if (r.fired + r.skipped + r.cancelled === 0) break;
  }
  return fired;
}

/** The complaint bundle's SLA policy as shipped; `accept` is the metric the SLA tests edit. */
type ComplaintSla = { metrics: { id: string; goals: unknown[]; onBreach?: Record<string, unknown> }[] };

/**
 * A world whose own estate runs the complaint bundle with its `complaint-clocks` policy published
 * again after `edit` changed the `accept` metric, and one complaint received at `clock.now` by the
 * front desk. Each step is checked (install 200, publish 200, start 201).
 */
export async function complaintUnderEditedPolicy(db: Db, clock: { now: Date }, changeNote: string, edit: (accept: ComplaintSla['metrics'][number]) => void): Promise<{ w: World; complaint: { id: string; serial: string } }> {
  const w = await buildWorld(db, { now: () => clock.now });
  const admin = w.own.admin;
  const installed = await admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId: 'complaint', parameters: {} });
  expect(installed.status, JSON.stringify(installed.body)).toBe(200);
  const doc = structuredClone((await readBundleFolder(join(import.meta.dirname, '../../workflows/complaint'))).files['sla/complaint.sla.json']) as unknown as ComplaintSla;
  edit(doc.metrics.find((m) => m.id === 'accept')!);
  const published = await admin.call('POST', '/api/definitions/publish', { estateId: w.own.estateId, kind: 'sla', key: 'complaint-clocks', changeNote, document: doc });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  const a = await w.clients.get('front_desk')!.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'complaint', data: intake });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  return { w, complaint: { id: a.body.id, serial: a.body.serial } };
}
