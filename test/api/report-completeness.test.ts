import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import type { Role } from '@estateflow/db';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { cloneInstance } from '../support/clone-rows.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';
import { catchUpRollups } from '../support/rollups.ts';

const workflows = join(import.meta.dirname, '../../workflows');

/**
 * Every report counts every request of its range. One free minor repair is driven through the API
 * (rp-free-minor-repair: classified, on site, finished, accepted, revisited by phone), its report
 * figures read, then it is copied in SQL 2,100 times (more than the old 2,000-row cap and than
 * 4 report batches of 500, all on the same start instant so batches break ties by id): every
 * figure is then 2,101 times the one request's.
 */
const COPIES = 2_100;

withDatabases((kind, getDb) => {
  it(`SLA, summary and revisit reports count all ${COPIES + 1} requests of the range on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '大数据物业');
    const estateId = await createEstate(db, tenantId, { name: '大数据小区', buildings: [{ name: '3栋', units: ['3-1502'] }] });
    await installBundle(db, { tenantId, estateId, pkg: await readBundleFolder(join(workflows, 'repair')), parameters: {}, source: 'catalogue', now: new Date() });
    let now = new Date('2026-05-06T01:00:00Z');
    const app = testApp(db, { now: () => now });
    const ids = new Map<string, string>();
    const as = async (role: Role): Promise<Client> => {
      const username = `big-${role}-${kind}`;
      if (!ids.has(role)) ids.set(role, await createUser(db, testConfig as never, { tenantId, username, password: 'pw', roles: [{ estateId, role }] }));
      return signIn(app, username, 'pw');
    };
    const later = (minutes: number) => { now = new Date(now.getTime() + minutes * 60_000); };
    const started = await (await as('front_desk')).call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '张先生', unit: '3-1502', phone: '13800138000', fault: '客厅灯不亮', channel: 'phone' } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    await as('technician');
    const send = async (role: Role, type: string, data: Record<string, unknown> = {}) => {
      const res = await (await as(role)).call('POST', `/api/instances/${id}/events`, { type, data });
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
    };
    later(5);
    await send('dispatcher', 'CLASSIFY', { kind: 'minor', category: 'other', paid: false, technician: ids.get('technician') });
    later(20);
    await send('technician', 'ARRIVE');
    later(30);
    await send('technician', 'COMPLETE', { workDone: '更换灯管' });
    await send('technician', 'ACCEPTANCE', { result: 'pass', residentSignature: '张' });
    later(24 * 60);
    await send('front_desk', 'REVISIT', { method: 'phone', satisfaction: 5, problemFound: false });

    const manager = await as('property_manager');
    const range = 'from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z';
    // the reports read the rollups the worker keeps: caught up in batches of 200 (fewer than the copies)
    const reports = async () => (await catchUpRollups(db, now), Promise.all(['sla', 'summary', 'revisits'].map(async (r) => {
      const res = await manager.call('GET', `/api/reports/${r}?estateId=${estateId}&${range}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    })));
    const [sla1, summary1, revisits1] = await reports();
    expect(sla1.instances).toBe(1);
    expect(sla1.items.length).toBeGreaterThan(0);
    expect(summary1.byWorkflow).toEqual([{ workflow: 'repair', status: 'done', count: 1 }]);
    expect(revisits1).toMatchObject({ ended: 1, revisited: 1, revisits: 1 });

    await cloneInstance(db, tenantId, id, COPIES);
    const times = COPIES + 1;
    const [sla, summary, revisits] = await reports();
    expect(sla.instances).toBe(times);
    const scaled = (items: { policy: string; metricId: string; [k: string]: unknown }[]) => items.map((e) => ({ ...e, met: Number(e.met) * times, breached: Number(e.breached) * times, running: Number(e.running) * times, paused: Number(e.paused) * times, pending: Number(e.pending) * times }));
    const sort = (items: { policy: string; metricId: string }[]) => [...items].sort((a, b) => `${a.policy}/${a.metricId}`.localeCompare(`${b.policy}/${b.metricId}`));
    expect(sort(sla.items)).toEqual(sort(scaled(sla1.items)));
    expect(summary.byWorkflow).toEqual([{ workflow: 'repair', status: 'done', count: times }]);
    expect(summary.taskDue.map((t: { closed: number }) => t.closed)).toEqual(summary1.taskDue.map((t: { closed: number }) => t.closed * times));
    expect(revisits).toMatchObject({ ended: times, revisited: times, revisits: times, byMethod: { phone: times } });

    // a range that holds none of them counts none
    const before = await manager.call('GET', `/api/reports/sla?estateId=${estateId}&from=2026-01-01T00:00:00Z&to=2026-05-01T00:00:00Z`);
    expect(before.body.instances).toBe(0);
  }, 180_000);
});
