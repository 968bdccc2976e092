import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { unitBillingProfiles, units } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// Issue #15: a route's body and query are validated once, from the schemas it declares
// (apps/api/src/route-input.ts); a refusal names the field and its JSON path in zh and en and
// changes nothing.
withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  describe(`route input on ${kind}`, () => {
    it('refuses a body that breaks its schema with 400 naming the JSON path in zh and en, writing nothing', async () => {
      const [unit] = await getDb().select().from(units).where(eq(units.estateId, w.own.estateId)).limit(1);
      const before = await getDb().select().from(unitBillingProfiles).where(eq(unitBillingProfiles.unitId, unit!.id));
      const res = await w.clients.get('finance')!.call('POST', '/api/billing/units', { estateId: w.own.estateId, unitId: unit!.id, unitType: 'residential', parking: [{ kind: 'car', count: 0 }] });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ reason: 'invalid-request', field: 'parking', path: '/parking/0/count' });
      expect(res.body.error.message).toEqual({ zh: '字段“/parking/0/count”：不能小于 1', en: 'Field "/parking/0/count": must be at least 1' });
      expect(await getDb().select().from(unitBillingProfiles).where(eq(unitBillingProfiles.unitId, unit!.id))).toEqual(before);
    });

    it('names a missing required field and a wrong type', async () => {
      const admin = w.own.admin;
      const missing = await admin.call('POST', '/api/instances', { estateId: w.own.estateId });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ field: 'workflow', path: '/workflow', message: { zh: '字段“workflow”：必填项', en: 'Field "workflow": this field is required' } });
      const wrongType = await admin.call('POST', `/api/instances/${w.own.instanceId}/events`, { type: 'NOOP', expectedVersion: 'two' });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error).toMatchObject({ field: 'expectedVersion', path: '/expectedVersion' });
      expect(wrongType.body.error.message.en).toBe('Field "expectedVersion": must be a whole number');
    });

    it('checks query parameters against their schema (an unknown status) before the handler runs', async () => {
      const res = await w.own.admin.call('GET', `/api/instances?estateId=${w.own.estateId}&status=archived`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ field: 'status', path: '/status', message: { zh: '参数“status”：必须是 active、done 之一', en: 'Parameter "status": must be one of active, done' } });
    });

    it('answers 404 for an estate the caller has no role in before looking at the rest of the input', async () => {
      const res = await w.own.admin.call('POST', '/api/billing/units', { estateId: w.otherEstate.estateId, parking: 'many' });
      expect(res.status).toBe(404);
      expect(res.body.error.reason).toBe('not-found');
    });
  });
});
