import { beforeAll, describe, expect, it } from 'vitest';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// GET /api/bundles/installs/:id/params: what Simulate starts from (the estate's installed values)
withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  describe(`an install's parameters on ${kind}`, () => {
    it('answers the installed values, the bundle specs and the declaration order of the catalogue files', async () => {
      const install = await w.own.admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId: 'lost-and-found', parameters: { valuableThresholdFen: 20000 } });
      expect(install.status, JSON.stringify(install.body)).toBe(200);
      const res = await w.own.admin.call('GET', `/api/bundles/installs/${install.body.id}/params`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ bundleId: 'lost-and-found', source: 'catalogue', parameters: { valuableThresholdFen: 20000 } });
      expect(res.body.specs.valuableThresholdFen).toMatchObject({ schema: { type: 'integer' }, default: 10000 });
      expect(res.body.order).toEqual({ parameters: ['valuableThresholdFen'], workflows: { 'lost-and-found': ['cheapRetentionMonths', 'valuableRetentionMonths'] } });
    });

    it('answers an install of another estate or company, and a malformed id, with 404 and a zh/en message', async () => {
      for (const id of [w.otherEstate.installId, w.otherCompany.installId, 'nope']) {
        const res = await w.own.admin.call('GET', `/api/bundles/installs/${id}/params`);
        expect(res.status, id).toBe(404);
        expect(res.body.error.message.zh).toContain('未找到');
        expect(res.body.error.message.en).toMatch(/not found/i);
      }
    });

    it('is for designers: a technician of the estate is refused with 403', async () => {
      const res = await w.clients.get('technician')!.call('GET', `/api/bundles/installs/${w.own.installId}/params`);
      expect(res.status).toBe(403);
    });
  });
});
