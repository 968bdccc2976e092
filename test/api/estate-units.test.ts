import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/**
 * #21: no route answers an unbounded list. An estate's units page through `GET /estates/{id}/units`
 * in label order (keyset), found the way people type a unit; `GET /estates/{id}` answers only how
 * many units each building has.
 */
withDatabases((kind, getDb) => {
  it(`pages an estate's units in label order, finds them as people type them, and keeps them to staff on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '单元物业');
    const labels = Array.from({ length: 130 }, (_, i) => `3-${1 + Math.floor(i / 50)}-${String(101 + (i % 50)).padStart(3, '0')}`);
    const estateId = await createEstate(db, tenantId, { name: '单元小区', buildings: [{ name: '3栋', units: labels }, { name: '5栋', units: ['5-1-502'] }] });
    const other = await createEstate(db, tenantId, { name: '隔壁', buildings: [{ name: '9栋', units: ['9-1-901'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `units-desk-${kind}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    await createUser(db, testConfig as never, { tenantId, username: `units-res-${kind}`, password: 'pw', roles: [{ estateId, role: 'resident' }] });
    const app = testApp(db);
    const desk = await signIn(app, `units-desk-${kind}`, 'pw');

    // the estate says how many units each building has, not which
    const estate = await desk.call('GET', `/api/estates/${estateId}`);
    expect(estate.status).toBe(200);
    expect(estate.body.buildings.map((b: { name: string; unitCount: number }) => [b.name, b.unitCount])).toEqual([['3栋', 130], ['5栋', 1]]);
    expect(JSON.stringify(estate.body)).not.toContain('3-1-101');

    // every unit once, in label order, a page at a time
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await desk.call('GET', `/api/estates/${estateId}/units?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(50);
      seen.push(...page.body.items.map((u: { label: string }) => u.label));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...labels, '5-1-502'].sort());

    // typed as people say it: 栋/单元/室 and spaces read as the label's dashes
    for (const q of ['5栋1单元502室', '5-1-502', '5 1 502', '1-502']) {
      const hit = await desk.call('GET', `/api/estates/${estateId}/units?q=${encodeURIComponent(q)}`);
      expect(hit.body.items.map((u: { label: string; building: string }) => `${u.building} ${u.label}`), q).toEqual(['5栋 5-1-502']);
    }
    // % and _ are letters, not wildcards
    expect((await desk.call('GET', `/api/estates/${estateId}/units?q=${encodeURIComponent('%')}`)).body.items).toEqual([]);

    // one unit by id (a link to its account), and only of this estate
    const one = seen.indexOf('3-2-120');
    const first = await desk.call('GET', `/api/estates/${estateId}/units?q=3-2-120`);
    const unitId = first.body.items[0].id as string;
    expect(one).toBeGreaterThan(0);
    expect((await desk.call('GET', `/api/estates/${estateId}/units?unitId=${unitId}`)).body.items.map((u: { label: string }) => u.label)).toEqual(['3-2-120']);
    expect((await desk.call('GET', `/api/estates/${other}/units`)).status).toBe(404); // not theirs: as if it did not exist

    // bad paging is a 400 naming the parameter; residents do not list their neighbours
    const bad = await desk.call('GET', `/api/estates/${estateId}/units?limit=500`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field ?? bad.body.error.path).toMatch(/limit/);
    expect((await desk.call('GET', `/api/estates/${estateId}/units?cursor=nonsense`)).status).toBe(400);
    const resident = await signIn(app, `units-res-${kind}`, 'pw');
    expect((await resident.call('GET', `/api/estates/${estateId}/units`)).status).toBe(403);
  });
});
