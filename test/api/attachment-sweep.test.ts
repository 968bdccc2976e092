import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { attachments, events, type Db } from '@estateflow/db';
import { attachmentOrphanHours, runWorkerOnce, sweepOrphanAttachments } from '@estateflow/api';
import { planWrite, ReferenceEventStore } from '../../apps/api/src/store/index.ts';
import { withDatabases } from '../support/db.ts';
import type { Client } from '../support/api.ts';
import { buildWorld, type World } from '../support/world.ts';

const HOUR = 3_600_000;

describe('EF_ATTACHMENT_ORPHAN_HOURS', () => {
  it('defaults to 72 hours, takes a positive number, and refuses anything else saying how to fix it', () => {
    expect(attachmentOrphanHours({})).toBe(72);
    expect(attachmentOrphanHours({ EF_ATTACHMENT_ORPHAN_HOURS: '' })).toBe(72);
    expect(attachmentOrphanHours({ EF_ATTACHMENT_ORPHAN_HOURS: '0.5' })).toBe(0.5);
    for (const bad of ['abc', '0', '-3']) {
      expect(() => attachmentOrphanHours({ EF_ATTACHMENT_ORPHAN_HOURS: bad })).toThrow(`EF_ATTACHMENT_ORPHAN_HOURS="${bad}" is not a positive number of hours`);
    }
  });
});

withDatabases((kind, getDb, getFresh) => {
  let w: World;
  let db: Db;
  let tech: Client;
  /** the API's clock runs `offset` ms from the real one: uploads made with a negative offset are old */
  let offset = 0;

  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db, { now: () => new Date(Date.now() + offset) });
    tech = w.clients.get('technician')!;
  });

  /** A 1×1 PNG uploaded by `client` to `estateId` when the API's clock read `hoursAgo` hours before now. */
  async function uploadAged(client: Client, estateId: string, hoursAgo: number): Promise<{ id: string; url: string }> {
    offset = -hoursAgo * HOUR;
    try {
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
      const res = await w.app.request(`/api/attachments?estateId=${estateId}&name=dot.png`, { method: 'POST', headers: { cookie: client.cookie, 'content-type': 'image/png' }, body: png });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; url: string };
    } finally {
      offset = 0;
    }
  }

  const rowsOf = (tenantId: string, ids: string[]) =>
    db.select({ id: attachments.id, claimedAt: attachments.claimedAt }).from(attachments).where(and(eq(attachments.tenantId, tenantId), inArray(attachments.id, ids)));
  const claimedAt = async (tenantId: string, id: string) => (await rowsOf(tenantId, [id]))[0]?.claimedAt;
  const startTicket = async (summary: string) => {
    const res = await w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  describe(`claims on ${kind}`, () => {
    it('claims the uploads an accepted start and an accepted event name, and not those of a refused start', async () => {
      // 70 hours old: still accepted (the limit is 72, a submission is refused from 71 on); the sweep below runs 3 hours later
      const inStart = await uploadAged(w.own.admin, w.own.estateId, 70);
      const inEvent = await uploadAged(tech, w.own.estateId, 70);
      const inRefused = await uploadAged(w.own.admin, w.own.estateId, 70);
      const before = Date.now();
      const instanceId = await startTicket(inStart.url);
      expect((await claimedAt(w.own.tenantId, inStart.id))?.getTime()).toBeGreaterThanOrEqual(before);
      const ack = await tech.call('POST', `/api/instances/${instanceId}/events`, { type: 'ACK', data: { note: inEvent.url } });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      expect(await claimedAt(w.own.tenantId, inEvent.id)).toBeInstanceOf(Date);
      // the same upload beside a missing one: the start is refused (422) and claims nothing
      const refused = await w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: inRefused.url, grade: `/api/attachments/${randomUUID()}` } });
      expect(refused.status).toBe(422);
      expect(await claimedAt(w.own.tenantId, inRefused.id)).toBeNull();
      // the sweep keeps what was submitted, and removes the upload whose start was refused
      const r = await sweepOrphanAttachments(db, new Date(Date.now() + 3 * HOUR), 72);
      expect(r).toEqual({ removed: 1, claimed: 0, more: false });
      expect((await rowsOf(w.own.tenantId, [inStart.id, inEvent.id, inRefused.id])).map((a) => a.id).sort()).toEqual([inStart.id, inEvent.id].sort());
      for (const url of [inStart.url, inEvent.url]) expect((await w.own.admin.call('GET', url)).status, url).toBe(200);
      expect((await w.own.admin.call('GET', inRefused.url)).status).toBe(404);
    });

    it('refuses a start or event naming an upload left unsubmitted so long that the sweep is due to remove it (an hour before the limit), writing nothing; a claimed upload never expires', async () => {
      // each submitter names their own upload (naming someone else's is refused for another reason)
      const stale = await uploadAged(w.own.admin, w.own.estateId, 71.5);
      const staleOfTech = await uploadAged(tech, w.own.estateId, 71.5);
      const instances = async () => (await w.own.admin.call('GET', `/api/instances?estateId=${w.own.estateId}&workflow=test-ticket&total=true`)).body.total as number;
      const count = await instances();
      const refused = await w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: stale.url } });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ reason: 'form-invalid', field: '/summary' });
      expect(refused.body.error.issues).toEqual([{ field: '/summary', keyword: 'attachment-expired', message: {
        zh: `/summary：附件 ${stale.url} 上传后超过 71 小时未提交，已过期，请重新上传`,
        en: `/summary: attachment ${stale.url} was uploaded more than 71 hours ago and never submitted; it has expired, upload it again`,
      } }]);
      expect(await instances()).toBe(count);
      expect(await claimedAt(w.own.tenantId, stale.id)).toBeNull();
      // an event the same
      const instanceId = await startTicket('过期附件');
      const ack = await tech.call('POST', `/api/instances/${instanceId}/events`, { type: 'ACK', data: { note: staleOfTech.url } });
      expect(ack.status).toBe(422);
      expect(ack.body.error.issues[0]).toMatchObject({ field: '/note', keyword: 'attachment-expired' });
      expect((await w.own.admin.call('GET', `/api/instances/${instanceId}`)).body.version).toBe(1);
      // one submitted long ago is claimed: named again 100 hours on, it is accepted
      const kept = await uploadAged(w.own.admin, w.own.estateId, 100);
      await db.update(attachments).set({ claimedAt: new Date(Date.now() - 99 * HOUR) }).where(and(eq(attachments.tenantId, w.own.tenantId), eq(attachments.id, kept.id)));
      await startTicket(kept.url);
    });

    it('keeps a claim once made: a second start naming the upload leaves its claimed_at as it was', async () => {
      const up = await uploadAged(w.own.admin, w.own.estateId, 1);
      await startTicket(up.url);
      const first = await claimedAt(w.own.tenantId, up.id);
      await startTicket(up.url);
      expect(await claimedAt(w.own.tenantId, up.id)).toEqual(first);
    });
  });

  describe(`the orphan sweep on ${kind}`, () => {
    it('removes an upload never submitted once it is older than the limit (its GET answers 404), and keeps a younger one', async () => {
      const old = await uploadAged(w.own.admin, w.own.estateId, 73);
      const young = await uploadAged(w.own.admin, w.own.estateId, 71);
      expect((await w.own.admin.call('GET', old.url)).status).toBe(200);
      const r = await sweepOrphanAttachments(db, new Date(), 72);
      expect(r).toEqual({ removed: 1, claimed: 0, more: false });
      const gone = await w.own.admin.call('GET', old.url);
      expect(gone.status).toBe(404);
      expect(gone.body.error.reason).toBe('not-found');
      expect((await w.own.admin.call('GET', young.url)).status).toBe(200);
      expect(await claimedAt(w.own.tenantId, young.id)).toBeNull();
    });

    it('keeps an unclaimed upload a history row names (the claim was lost) and marks it claimed', async () => {
      const lost = await uploadAged(w.own.admin, w.own.estateId, 100);
      const instanceId = await startTicket('无附件');
      // the accepted write happened but its claim did not (a crash in between): only the history row names the upload, in capitals here
      await db.insert(events).values({ tenantId: w.own.tenantId, instanceId, seq: 1000, type: 'NOTE', data: { photos: [`/api/attachments/${lost.id.toUpperCase()}`] }, actorRole: 'technician', at: new Date() });
      const now = new Date();
      const r = await sweepOrphanAttachments(db, now, 72);
      expect(r).toEqual({ removed: 0, claimed: 1, more: false });
      expect(await claimedAt(w.own.tenantId, lost.id)).toEqual(now);
      expect((await w.own.admin.call('GET', lost.url)).status).toBe(200);
    });

    it('leaves another tenant\'s uploads alone: a claim or history row of company A neither claims nor keeps company B\'s upload', async () => {
      const theirsOld = await uploadAged(w.otherCompany.admin, w.otherCompany.estateId, 100);
      const theirsYoung = w.otherCompany.attachmentId;
      const instanceId = await startTicket('A 的工单');
      // a plan of company A naming B's uploads (the route refuses such data first; the claim is scoped by tenant as well)
      const store = new ReferenceEventStore(db);
      const [ctx] = await store.load([[w.own.tenantId, instanceId]]);
      await store.commit([planWrite(ctx!, { kind: 'timers', attachments: [theirsOld.id, theirsYoung] }, new Date())]);
      expect(await claimedAt(w.otherCompany.tenantId, theirsOld.id)).toBeNull();
      expect(await claimedAt(w.otherCompany.tenantId, theirsYoung)).toBeNull();
      await db.insert(events).values({ tenantId: w.own.tenantId, instanceId, seq: 1000, type: 'NOTE', data: { photos: [theirsOld.url] }, actorRole: 'technician', at: new Date() });
      const r = await sweepOrphanAttachments(db, new Date(), 72);
      // B's old upload is named by no row of B: removed; B's young upload untouched
      expect(r).toEqual({ removed: 1, claimed: 0, more: false });
      expect(await rowsOf(w.otherCompany.tenantId, [theirsOld.id, theirsYoung])).toEqual([{ id: theirsYoung, claimedAt: null }]);
      expect((await w.otherCompany.admin.call('GET', `/api/attachments/${theirsYoung}`)).status).toBe(200);
    });

    it('changes nothing more when run twice', async () => {
      const old = await uploadAged(w.own.admin, w.own.estateId, 80);
      const lost = await uploadAged(w.own.admin, w.own.estateId, 80);
      const instanceId = await startTicket('两次');
      await db.insert(events).values({ tenantId: w.own.tenantId, instanceId, seq: 1000, type: 'NOTE', data: { note: lost.url }, actorRole: 'technician', at: new Date() });
      const now = new Date();
      expect(await sweepOrphanAttachments(db, now, 72)).toEqual({ removed: 1, claimed: 1, more: false });
      const all = () => db.select({ t: attachments.tenantId, id: attachments.id, claimedAt: attachments.claimedAt }).from(attachments).orderBy(attachments.tenantId, attachments.id);
      const after = await all();
      expect(after.some((a) => a.id === old.id)).toBe(false);
      expect(await sweepOrphanAttachments(db, new Date(now.getTime() + 60_000), 72)).toEqual({ removed: 0, claimed: 0, more: false });
      expect(await all()).toEqual(after);
    });

    it('works in batches, oldest first: a full batch says there is more', async () => {
      const ups = [];
      for (const h of [90, 80, 75]) ups.push(await uploadAged(w.own.admin, w.own.estateId, h));
      expect(await sweepOrphanAttachments(db, new Date(), 72, 2)).toEqual({ removed: 2, claimed: 0, more: true });
      expect((await rowsOf(w.own.tenantId, ups.map((u) => u.id))).map((a) => a.id)).toEqual([ups[2]!.id]);
      expect(await sweepOrphanAttachments(db, new Date(), 72, 2)).toEqual({ removed: 1, claimed: 0, more: false });
    });

    it('two sweeps at once remove each upload once', async () => {
      const ups = [];
      for (let n = 0; n < 6; n++) ups.push(await uploadAged(w.own.admin, w.own.estateId, 80 + n));
      const [a, b] = await Promise.all([sweepOrphanAttachments(db, new Date(), 72, 3), sweepOrphanAttachments(db, new Date(), 72, 3)]);
      const c = await sweepOrphanAttachments(db, new Date(), 72, 3);
      expect(a.removed + b.removed + c.removed).toBe(6);
      expect(await rowsOf(w.own.tenantId, ups.map((u) => u.id))).toEqual([]);
    });

    if (kind === 'postgres') {
      it('passes over an upload another transaction holds instead of waiting for it (SKIP LOCKED)', async () => {
        const held = await uploadAged(w.own.admin, w.own.estateId, 90);
        const free = await uploadAged(w.own.admin, w.own.estateId, 90);
        const other = postgres(getFresh().url!, { max: 1, onnotice: () => {} });
        try {
          await other.begin(async (sql) => {
            await sql`select 1 from attachments where tenant_id = ${w.own.tenantId} and id = ${held.id} for update`;
            expect(await sweepOrphanAttachments(db, new Date(), 72)).toEqual({ removed: 1, claimed: 0, more: false });
          });
        } finally {
          await other.end({ timeout: 5 });
        }
        expect((await rowsOf(w.own.tenantId, [held.id, free.id])).map((a) => a.id)).toEqual([held.id]);
        expect(await sweepOrphanAttachments(db, new Date(), 72)).toEqual({ removed: 1, claimed: 0, more: false });
      });
    }
  });

  describe(`the worker on ${kind}`, () => {
    it('sweeps at most every attachmentSweepEveryMs and logs what it removed', async () => {
      const logs: string[] = [];
      const t0 = Date.now();
      const run = (ms: number) => runWorkerOnce({ db, workerId: 'sweeper', now: () => new Date(t0 + ms), attachmentOrphanHours: 72, attachmentSweepEveryMs: 5 * 60_000, log: (m) => logs.push(m), onError: (e) => { throw e; } });
      await uploadAged(w.own.admin, w.own.estateId, 73);
      expect((await run(0)).attachmentsRemoved).toBe(1);
      // (the same sweep also makes the month partitions ahead and clears expired counters: their lines are theirs)
      const uploads = () => logs.filter((m) => m.includes('upload(s)'));
      expect(uploads()).toEqual(['[worker sweeper] removed 1 upload(s) never submitted (older than 72 h); kept 0 named by history, now claimed']);
      // a minute later the next sweep is not due yet: a new orphan waits
      const next = await uploadAged(w.own.admin, w.own.estateId, 73);
      expect((await run(60_000)).attachmentsRemoved).toBe(0);
      expect(await rowsOf(w.own.tenantId, [next.id])).toHaveLength(1);
      expect((await run(6 * 60_000)).attachmentsRemoved).toBe(1);
      expect(await rowsOf(w.own.tenantId, [next.id])).toEqual([]);
      expect(uploads()).toHaveLength(2);
    });
  });
});
