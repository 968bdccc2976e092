import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser, sendEvent, startInstance } from '@estateflow/api';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// #19 what-if on real history: a tighter goal replayed over the estate's requests of the last 90
// days, next to the published policy: tallies per metric and grade, and the requests that flip.
const workflow = {
  kind: 'workflow', id: 'wi-flow', title: { zh: '演算流程', en: 'What-if flow' },
  roles: ['dispatcher'], start: { roles: ['dispatcher'] },
  events: { DONE: { label: { zh: '完成', en: 'Done' }, roles: ['dispatcher'] }, CANCEL: { label: { zh: '撤销', en: 'Cancel' }, roles: ['dispatcher'] } },
  machine: {
    initial: 'open',
    states: {
      open: { title: { zh: '处理中', en: 'Open' }, on: { DONE: 'done', CANCEL: 'cancelled' } },
      done: { type: 'final', title: { zh: '已完成', en: 'Done' } },
      cancelled: { type: 'final', title: { zh: '已撤销', en: 'Cancelled' } },
    },
  },
};
const policy = (minutes: number) => ({
  kind: 'sla', id: 'wi-sla', workflow: 'wi-flow', title: { zh: '演算时限', en: 'What-if clocks' },
  metrics: [{ id: 'finish', title: { zh: '完成时限', en: 'Finish' }, start: [{ enter: 'open' }], stop: [{ enter: 'done' }], goals: [{ title: { zh: '一般', en: 'Normal' }, deadline: { after: { amount: minutes, unit: 'minutes' } } }] }],
});

withDatabases((kind, getDb) => {
  it(`replays the last 90 days under a draft SLA policy next to the published one, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '演算物业');
    const estateId = await createEstate(db, tenantId, { name: '演算小区' });
    await createUser(db, testConfig as never, { tenantId, username: `wi-admin-${kind}`, password: 'pw', roles: [{ estateId, role: 'admin' }] });
    let now = new Date('2026-11-02T09:00:00+08:00');
    const app = testApp(db, { now: () => now });
    // signed in again after the clock moves (a session lasts hours, the history spans days)
    let admin = await signIn(app, `wi-admin-${kind}`, 'pw');
    for (const document of [workflow, policy(60)]) {
      const r = await admin.call('POST', '/api/definitions/publish', { estateId, kind: document.kind, key: document.id, changeNote: 'v1', document });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // four requests: done in 30 minutes, in 90 minutes, one still open, and one cancelled after 10 minutes
    const deps = { db, cache: new CompiledCache(), now: () => now };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const ids: string[] = [];
    for (const [after, type] of [[30, 'DONE'], [90, 'DONE'], [null, null], [10, 'CANCEL']] as const) {
      now = new Date('2026-11-03T09:00:00+08:00');
      const inst = await startInstance(deps, { tenantId, estateId, workflowKey: 'wi-flow', actor, data: {} });
      ids.push(inst.id);
      if (after !== null) {
        now = new Date(now.getTime() + after * 60_000);
        await sendEvent(deps, { tenantId, instanceId: inst.id, actor, event: { type, data: {} } });
      }
    }
    now = new Date('2026-11-03T11:00:00+08:00');
    admin = await signIn(app, `wi-admin-${kind}`, 'pw');

    // at 11:00, a 20-minute goal: the 30-minute request flips from met to breached; the 90-minute one and the open one were late already;
    // the one cancelled after 10 minutes is stopped under both (neither met nor open)
    const r = await admin.call('POST', '/api/definitions/what-if', { estateId, document: policy(20) });
    expect(r.status).toBe(200);
    expect(r.body.requests).toBe(4);
    expect(r.body.rows).toEqual([{ metricId: 'finish', metric: { zh: '完成时限', en: 'Finish' }, grade: { zh: '一般', en: 'Normal' }, published: { met: 1, breached: 2, open: 0, stopped: 1 }, draft: { met: 0, breached: 3, open: 0, stopped: 1 } }]);
    const flips = r.body.flips.map((f: { instanceId: string; published: string; draft: string; serial: string }) => [ids.indexOf(f.instanceId), f.published, f.draft, typeof f.serial]);
    expect(flips).toEqual([[0, 'met', 'breached', 'string']]);
    // a goal of 3 hours: the 90-minute request flips to met, the open one (2 hours) back to running
    const loose = await admin.call('POST', '/api/definitions/what-if', { estateId, document: policy(180) });
    expect(loose.body.flips.map((f: { instanceId: string; published: string; draft: string }) => [ids.indexOf(f.instanceId), f.published, f.draft]).toSorted()).toEqual([[1, 'breached', 'met'], [2, 'breached', 'open']]);
    expect(r.body.flips[0].title).toEqual({ zh: '演算流程', en: 'What-if flow' });
    // a 5-minute goal: the cancelled request had passed it by its end, so it flips from stopped to breached
    const strict = await admin.call('POST', '/api/definitions/what-if', { estateId, document: policy(5) });
    expect(strict.body.rows[0].draft).toEqual({ met: 0, breached: 4, open: 0, stopped: 0 });
    expect(strict.body.flips.map((f: { instanceId: string; published: string; draft: string }) => [ids.indexOf(f.instanceId), f.published, f.draft]).toSorted()).toEqual([[0, 'met', 'breached'], [3, 'stopped', 'breached']]);

    // the same policy: nothing flips; nothing was stored by the replays
    const same = await admin.call('POST', '/api/definitions/what-if', { estateId, document: policy(60) });
    expect(same.body.flips).toEqual([]);
    expect((await admin.call('GET', `/api/definitions/versions?estateId=${estateId}&kind=sla&key=wi-sla`)).body.items).toHaveLength(1);
    // requests older than 90 days are not replayed
    now = new Date('2027-02-10T09:00:00+08:00');
    admin = await signIn(app, `wi-admin-${kind}`, 'pw');
    expect((await admin.call('POST', '/api/definitions/what-if', { estateId, document: policy(20) })).body.requests).toBe(0);
    // another kind is refused, naming the field
    const bad = await admin.call('POST', '/api/definitions/what-if', { estateId, document: { kind: 'form', id: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('document.kind');
  });
});
