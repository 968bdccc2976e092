import { expect, it } from 'vitest';
import { createApp, defaultConfig, seedDemo } from '@estateflow/api';
import { roles } from '@estateflow/db';
import { freshDatabase } from '../support/db.ts';
import { signIn, testConfig } from '../support/api.ts';

it('seeds the demo (颐园世家, a user per role, every valid catalogue bundle) and is idempotent on restart', async () => {
  const fresh = await freshDatabase('pglite');
  try {
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
    const app = createApp({ db: fresh.handle.db, config: testConfig });
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
  } finally {
    await fresh.dispose();
  }
}, 180_000);
