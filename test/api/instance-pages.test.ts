import { expect, it } from 'vitest';
import { cloneInstance } from '../support/clone-rows.ts';
import { withDatabases } from '../support/db.ts';
import type { Client } from '../support/api.ts';
import { buildWorld } from '../support/world.ts';

/** Every page of the request list, following `nextCursor`. */
async function allPages(client: Client, path: string): Promise<{ pages: number; items: { id: string; serial: string; updatedAt: string }[] }> {
  const items: { id: string; serial: string; updatedAt: string }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await client.call('GET', `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.total).toBeUndefined();
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { pages, items };
}

withDatabases((kind, getDb) => {
  it(`pages the request list by cursor, most recently updated first, ties broken by id; serials match by prefix, other text anywhere on ${kind}`, async () => {
    const db = getDb();
    const w = await buildWorld(db);
    const fd = w.clients.get('front_desk')!;
    // 130 copies a minute apart and 40 on one instant (ties), all of the world's one instance
    await cloneInstance(db, w.own.tenantId, w.own.instanceId, 130, 60_000);
    await cloneInstance(db, w.own.tenantId, w.own.instanceId, 40, 0, 't');
    const expected = 1 + 130 + 40;
    const paged = await allPages(fd, `/api/instances?estateId=${w.own.estateId}&limit=50`);
    expect(paged.pages).toBe(4);
    expect(paged.items).toHaveLength(expected);
    expect(new Set(paged.items.map((i) => i.id)).size).toBe(expected);
    const times = paged.items.map((i) => Date.parse(i.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // the default page is 50, the largest 200; anything else is refused naming the field
    const first = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}`);
    expect(first.body.items).toHaveLength(50);
    expect((await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&limit=200`)).body.items).toHaveLength(expected);
    for (const bad of ['limit=0', 'limit=201', 'cursor=nonsense']) {
      const res = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.field).toBe(bad.split('=')[0]);
      expect(res.body.error.message.zh).toBeTruthy();
    }
    // the exact count only when asked
    expect((await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&total=true`)).body.total).toBe(expected);

    // a serial: its prefix finds it and the copies that extend it; lower case letters too
    const serial = paged.items.find((i) => i.id === w.own.instanceId)!.serial;
    const bySerial = await allPages(fd, `/api/instances?estateId=${w.own.estateId}&q=${encodeURIComponent(serial)}`);
    expect(bySerial.items).toHaveLength(expected);
    const one = await allPages(fd, `/api/instances?estateId=${w.own.estateId}&q=${encodeURIComponent(`${serial.toLowerCase()}-c17`)}`);
    expect(one.items.map((i) => i.serial).sort()).toEqual([`${serial}-c17`]);
    // other text: anywhere in the data (the world's request says 漏水)
    expect((await allPages(fd, `/api/instances?estateId=${w.own.estateId}&q=${encodeURIComponent('漏水')}`)).items).toHaveLength(expected);
    expect((await allPages(fd, `/api/instances?estateId=${w.own.estateId}&q=${encodeURIComponent('没有这个词')}`)).items).toHaveLength(0);
  }, 120_000);
});
