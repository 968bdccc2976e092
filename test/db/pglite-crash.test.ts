import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '@estateflow/db';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { ticketBundle } from '../support/bundle.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';
import { httpClient, signInHttp } from '../support/http-client.ts';
import { freePort, startServer, stop, type ServerProcess } from '../support/server-process.ts';
import { bundleServer } from '../support/server-build.ts';

const rounds = Number(process.env.EF_CRASH_ROUNDS ?? 20);

// Crash safety of the embedded mode: the real server (`pnpm start`'s main.ts) on PGlite, killed
// with SIGKILL at a random moment while four clients start requests and send events, restarted on
// the same folder each time. An acknowledged write is one that answered 2xx.
describe('PGlite survives kill -9 during writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-pglite-crash-'));
  const dataDir = join(dir, 'pglite');
  let server: ServerProcess | undefined;
  afterAll(async () => {
    if (server) await stop(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged start and event across ${rounds} kills, and starts every time`, async () => {
    // built once, started every round without the tsx loader (a round is mostly the restart)
    const main = await bundleServer(dir);
    const seed = await createDb({ dataDir });
    const tenantId = await createCompany(seed.db, 'Crash');
    const estateId = await createEstate(seed.db, tenantId, { name: 'Crash' });
    await createUser(seed.db, testConfig as never, { tenantId, username: 'admin', password: 'pw', roles: [{ estateId, role: 'admin' }] });
    await createUser(seed.db, testConfig as never, { tenantId, username: 'dispatcher', password: 'pw', roles: [{ estateId, role: 'dispatcher' }] });
    const admin = await signIn(testApp(seed.db), 'admin', 'pw');
    expect((await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle })).status).toBe(200);
    await seed.close();

    /** instance id → highest version the server acknowledged */
    const acked = new Map<string, number>();
    let cookie: string | undefined;
    for (let round = 0; round < rounds; round++) {
      const t0 = Date.now();
      server = startServer({ PGLITE_DIR: dataDir }, await freePort(), main);
      await server.listening;
      if (process.env.EF_CRASH_TRACE) console.log(`round ${round}: listening after ${Date.now() - t0} ms, ${acked.size} acknowledged`);
      const port = server.port;
      // the session is an acknowledged write too: signed in once, it must survive every kill
      cookie ??= (await signInHttp(port, 'dispatcher', 'pw')).cookie;
      const c = httpClient(port, cookie);
      let alive = true;
      let ackedThisRound = 0;
      let flowing: () => void = () => {};
      const writesFlow = new Promise<void>((r) => (flowing = r));
      const writer = async (w: number) => {
        let i = 0;
        while (alive) {
          try {
            const s = await c.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: `r${round}w${w}#${i++}` } });
            if (s.status !== 201) throw new Error(`start ${s.status}`);
            acked.set(s.body.id, 1);
            if (++ackedThisRound === 2) flowing();
            const ack = await c.call('POST', `/api/instances/${s.body.id}/events`, { type: 'ACK', data: { note: 'on it' } });
            if (ack.status !== 200) throw new Error(`ACK ${ack.status} ${JSON.stringify(ack.body)}`);
            acked.set(s.body.id, ack.body.version);
          } catch (e) {
            if (alive) throw e;
          }
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      // killed at a random moment once writes flow (two acknowledged; the first ones compile the
      // workflow), within 400 ms: writes in flight, few per round; a round's time is mostly the
      // restart (PGlite's WebAssembly and its crash recovery), so short rounds keep 20 kills affordable
      await writesFlow;
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      alive = false;
      await stop(server);
      await Promise.all(writers);
    }
    server = undefined;
    expect(acked.size).toBeGreaterThan(rounds);

    // the folder opens (so the server starts: it did, every round); every acknowledged write is there
    const after = await createDb({ dataDir });
    try {
      type Row = { id: string; version: number; events: number; maxseq: number };
      const rows = await after.db.execute(sql`
        select i.id, i.version, count(e.seq)::int as events, coalesce(max(e.seq), 0)::int as maxseq
        from instances i left join events e on e.tenant_id = i.tenant_id and e.instance_id = i.id
        where i.tenant_id = ${tenantId} group by i.id, i.version`);
      const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: Row[] }).rows) as Row[];
      const byId = new Map(list.map((r) => [r.id, r]));
      const lost = [...acked].filter(([id, v]) => (byId.get(id)?.version ?? 0) < v || (byId.get(id)?.maxseq ?? 0) < v);
      expect(lost).toEqual([]);
      // every history equals its snapshot: versions 1..n without a gap
      expect(list.filter((r) => r.version !== r.maxseq || r.events !== r.maxseq)).toEqual([]);
    } finally {
      await after.close();
    }
  }, 900_000);
});
