import { expect, it } from 'vitest';
import { defaultConfig, seedDemo } from '@estateflow/api';
import { roles, users } from '@estateflow/db';
import { freshDatabase } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

it('seeds the demo (颐园世家, a user per role, every valid catalogue bundle) and is idempotent on restart', async () => {
  const fresh = await freshDatabase('pglite');
  try {
    // before the demo is seeded, the login page is told there is none
    const bare = await testApp(fresh.handle.db).request('/api/auth/demo');
    expect(await bare.json()).toEqual({ seeded: false });
    const config = defaultConfig(testConfig);
    const warnings: string[] = [];
    const first = await seedDemo(fresh.handle.db, config, (l) => warnings.push(l));
    expect(first.created).toBe(true);
    expect(first.users).toHaveLength(roles.length);
    expect(first.users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin-supervisor', 'area-cs-assistant', 'cs-supervisor']));
    expect(first.installed.length + first.skipped.length).toBeGreaterThan(0);
    expect(warnings).toHaveLength(first.skipped.length);
    const again = await seedDemo(fresh.handle.db, config, () => {});
    expect(again).toMatchObject({ created: false, tenantId: first.tenantId, estateId: first.estateId, installed: [] });
    const app = testApp(fresh.handle.db);
    const fd = await signIn(app, 'front-desk', 'estateflow');
    const estate = await fd.call('GET', `/api/estates/${first.estateId}`);
    expect(estate.body.name).toBe('颐园世家');
    expect(estate.body.buildings.length).toBe(6);
    const defs = await fd.call('GET', `/api/definitions?estateId=${first.estateId}&kind=workflow`);
    expect(defs.body.items.length).toBe(first.installed.length ? defs.body.items.length : 0);
    expect(defs.body.items.length).toBeGreaterThan(0);
    // a new demo estate carries live requests at several stages, and a restart adds none
    expect(first.activity).toBeGreaterThanOrEqual(first.installed.length);
    expect(again.activity).toBe(0);
    const listed = await fd.call('GET', `/api/instances?estateId=${first.estateId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    const dispatcher = await signIn(app, 'dispatcher', 'estateflow');
    const inbox = await dispatcher.call('GET', '/api/tasks?scope=role');
    expect(inbox.body.items.length).toBeGreaterThan(0);
    // /bills is alive from the first start: every unit has an area and a profile, one period is billed (#20)
    expect(first.billed).toBe(144);
    expect(again.billed).toBe(0);
    const finance = await signIn(app, 'finance', 'estateflow');
    const bills = await finance.call('GET', `/api/billing/bills?estateId=${first.estateId}`);
    expect(bills.status).toBe(200);
    expect(bills.body.items.length).toBeGreaterThan(0);
    expect(new Set(bills.body.items.map((b: { periodId: string }) => b.periodId)).size).toBe(1);
    expect(bills.body.items.every((b: { totalFen: number }) => b.totalFen > 0)).toBe(true);
    // the login page lists the demo accounts, staff by their real names
    const demo = (await (await app.request('/api/auth/demo')).json()) as { seeded: boolean; password: string; accounts: { username: string; displayName: string; role: string }[] };
    expect(demo.seeded).toBe(true);
    expect(demo.password).toBe('estateflow');
    expect(demo.accounts.map((a) => a.username)).toEqual(expect.arrayContaining(first.users.map((u) => u.username)));
    expect(demo.accounts.find((a) => a.username === 'technician')?.displayName).toBe('维修工 王师傅');
    // its people came through the people services (#17): real names, marked demo, never forced to change
    // the printed password, and the demo resident linked to 1-1-101 by front-desk verification
    const people = await fresh.handle.db.select().from(users);
    expect(people.map((u) => u.username).toSorted()).toEqual(first.users.map((u) => u.username).toSorted());
    expect(people.filter((u) => !u.demo || u.mustChangePassword || !u.realName || !u.phone)).toEqual([]);
    expect(people.find((u) => u.username === 'technician')).toMatchObject({ realName: '王建国', employeeNo: 'E0105' });
    expect((await dispatcher.call('GET', '/api/auth/me')).body.user.mustChangePassword).toBe(false);
    const resident = await signIn(app, 'resident', 'estateflow');
    expect((await resident.call('GET', '/api/residents/mine')).body.items).toEqual([expect.objectContaining({ unitLabel: '1-1-101', linkedVia: 'verification', active: true })]);
    // the sample requests are dated from today: none started before the seed
    for (const i of listed.body.items as { startedAt: string }[]) expect(Date.parse(i.startedAt)).toBeGreaterThan(Date.now() - 3_600_000);
  } finally {
    await fresh.dispose();
  }
}, 180_000);
