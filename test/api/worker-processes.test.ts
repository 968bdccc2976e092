import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, timers } from '@estateflow/db';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { ticketBundle } from '../support/bundle.ts';
import { freshDatabase, type FreshDatabase } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const workerMain = `${root}apps/api/src/worker-main.ts`;

function spawnWorker(url: string, id: string, env: Record<string, string> = {}): ChildProcess {
  // node itself with the tsx loader (the tsx CLI would put a second process between us and the worker)
  return spawn(process.execPath, ['--import', 'tsx', workerMain], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, EF_SKIP_MIGRATE: '1', WORKER_ID: id, WORKER_INTERVAL_MS: '50', WORKER_BATCH: '5', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

// Worker processes need a shared server: these run whenever DATABASE_URL is set (CI sets it).
// Without it (a laptop with embedded PGlite only) the file says so instead of failing as empty.
if (!process.env.DATABASE_URL) {
  it.skip('worker processes need PostgreSQL: set DATABASE_URL=postgres://… to run them (CI always does)', () => {});
}
for (const _ of process.env.DATABASE_URL ? ['postgres'] : []) {
  describe('worker processes on PostgreSQL', () => {
    let fresh: FreshDatabase;
    const children: ChildProcess[] = [];

    async function seed(count: number): Promise<{ tenantId: string; ids: string[] }> {
      const db = fresh.handle.db;
      const tenantId = await createCompany(db, 'W');
      const estateId = await createEstate(db, tenantId, { name: 'W' });
      const username = `w-${Math.random().toString(36).slice(2)}`;
      await createUser(db, testConfig as never, { tenantId, username, password: 'pw', roles: [{ estateId, role: 'admin' }] });
      // started ten minutes ago: every 1-minute timer is already due
      const app = testApp(db, { now: () => new Date(Date.now() - 10 * 60_000) });
      const admin = await signIn(app, username, 'pw');
      await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle });
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = await admin.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: `t${i}` } });
        ids.push(r.body.id);
      }
      return { tenantId, ids };
    }

    async function armedCount(tenantId: string): Promise<number> {
      const [r] = await fresh.handle.db.select({ n: sql<number>`count(*)::int` }).from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.status, 'armed')));
      return r?.n ?? 0;
    }

    async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('timed out');
    }

    async function systemEventsPerInstance(tenantId: string): Promise<Map<string, number>> {
      const rows = await fresh.handle.db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.actorRole, 'system')));
      const m = new Map<string, number>();
      for (const r of rows) m.set(r.instanceId, (m.get(r.instanceId) ?? 0) + 1);
      return m;
    }

    beforeAll(async () => {
      fresh = await freshDatabase('postgres');
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(children.map(exited));
      await fresh.dispose();
    });

    it('two worker processes never fire one timer', async () => {
      const { tenantId, ids } = await seed(16);
      const a = spawnWorker(fresh.url!, 'wa');
      const b = spawnWorker(fresh.url!, 'wb');
      children.push(a, b);
      await waitFor(async () => (await armedCount(tenantId)) === 0, 60_000);
      a.kill('SIGTERM');
      b.kill('SIGTERM');
      await Promise.all([exited(a), exited(b)]);
      const perInstance = await systemEventsPerInstance(tenantId);
      expect(ids.map((id) => perInstance.get(id) ?? 0)).toEqual(ids.map(() => 1));
      const fired = await fresh.handle.db.select().from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.status, 'fired')));
      expect(fired).toHaveLength(16);
    });

    it('a worker killed with SIGKILL mid-batch loses no timer and duplicates none', async () => {
      const { tenantId, ids } = await seed(12);
      const slow = spawnWorker(fresh.url!, 'slow', { WORKER_STEP_DELAY_MS: '300' });
      children.push(slow);
      await waitFor(async () => (await armedCount(tenantId)) <= 10, 60_000);
      slow.kill('SIGKILL');
      await exited(slow);
      const left = await armedCount(tenantId);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(12);
      const rescue = spawnWorker(fresh.url!, 'rescue');
      children.push(rescue);
      await waitFor(async () => (await armedCount(tenantId)) === 0, 60_000);
      rescue.kill('SIGTERM');
      await exited(rescue);
      const perInstance = await systemEventsPerInstance(tenantId);
      expect(ids.map((id) => perInstance.get(id) ?? 0)).toEqual(ids.map(() => 1));
      const rows = await fresh.handle.db.select().from(timers).where(eq(timers.tenantId, tenantId));
      expect(rows.every((t) => t.status === 'fired')).toBe(true);
      expect(new Set(rows.map((t) => t.firedBy))).toEqual(new Set(['slow', 'rescue']));
    });
  });
}
