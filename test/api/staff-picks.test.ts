import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { loadBundle, findBundles } from '@estateflow/cli';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

/**
 * #18 "people are people": a form field that names the person who does the work is a pick from the
 * estate's staff (widget `staff`, with the role when the work needs one), never a text box.
 */
it('every bundle field that names a person of the estate (the technician or handler a request goes to, who is accountable, who is responsible) is a staff pick, with the technician role where it dispatches a technician', () => {
  const picks: string[] = [];
  for (const dir of findBundles(new URL('../../workflows', import.meta.url).pathname)) {
    for (const form of loadBundle(dir).forms as unknown as { id: string; layout: { sections: { fields: { field: string; widget: string; staffRole?: string }[] }[] } }[]) {
      for (const f of form.layout.sections.flatMap((s) => s.fields)) {
        // the person a task or a dispatch goes to (technicianId, technician, handler, assignee …), who is held accountable or responsible
        if (/^(technician(Id|Name)?|handler|assignee(Id)?|person|responsible)$/.test(f.field)) {
          expect(f.widget, `${form.id}/${f.field}`).toBe('staff');
          picks.push(`${form.id}/${f.field}:${f.staffRole ?? 'any staff'}`);
        }
      }
    }
  }
  expect(picks.sort()).toEqual(['cp-accountability/person:any staff', 'cp-triage/handler:any staff', 'ps-dispatch/technicianId:technician', 'rp-classify/technician:technician', 'wr-check/responsible:any staff']);
});

withDatabases((kind, getDb) => {
  it(`a staff pick is a current staff member of the estate with the field's role: a name typed in, a resident, another role or another estate's technician is refused naming the field, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '派单物业');
    const estateId = await createEstate(db, tenantId, { name: '派单小区' });
    const elsewhere = await createEstate(db, tenantId, { name: '别的小区' });
    const ids: Record<string, string> = {};
    for (const role of ['admin', 'resident', 'dispatcher', 'technician', 'front_desk'] as const) {
      ids[role] = await createUser(db, testConfig as never, { tenantId, username: `sp-${role}-${kind}`, password: 'pw', displayName: role === 'technician' ? '维修工 王师傅' : `员工 ${role}`, roles: [{ estateId, role }] });
    }
    ids.away = await createUser(db, testConfig as never, { tenantId, username: `sp-away-${kind}`, password: 'pw', roles: [{ estateId: elsewhere, role: 'technician' }] });
    const app = testApp(db);
    const [admin, resident, dispatcher] = await Promise.all(['admin', 'resident', 'dispatcher'].map((r) => signIn(app, `sp-${r}-${kind}`, 'pw')));
    expect((await admin!.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair' })).status).toBe(200);
    const started = await resident!.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { name: '王女士', unit: '1-101', phone: '13800000000', fault: '灯不亮' } });
    expect(started.status).toBe(201);
    // the forms the dispatcher may open read the estate's numbers: the request carries the parameters they read
    const before = await dispatcher!.call('GET', `/api/instances/${started.body.id}`);
    expect(before.body.formParams).toEqual({ majorRepairDays: expect.any(Number), safetyRevisitDays: expect.any(Number), leakRevisitDays: expect.any(Number), revisitDays: expect.any(Number) });
    const startForm = await resident!.call('GET', `/api/processes/repair/form?estateId=${estateId}`);
    expect(JSON.stringify(startForm.body.form)).not.toContain('{{');
    const classify = (technician: string) => dispatcher!.call('POST', `/api/instances/${started.body.id}/events`, { type: 'CLASSIFY', data: { kind: 'minor', category: 'other', paid: false, technician } });

    for (const wrong of ['王师傅', ids.resident!, ids.front_desk!, ids.away!]) {
      const res = await classify(wrong);
      expect(res.status, wrong).toBe(422);
      expect(res.body.error.field).toBe('/technician');
      // the role as the company calls it, never its key
      expect(res.body.error.message.zh).toContain('“维修人员”须从本项目的在职维修');
      expect(res.body.error.message.en).toContain('"Technician" must be picked from the estate\'s current staff');
      expect(JSON.stringify(res.body.error.message)).not.toContain('technician');
    }
    const ok = await classify(ids.technician!);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // and the request names the technician by display name
    const inst = await dispatcher!.call('GET', `/api/instances/${started.body.id}`);
    expect(inst.body.people[ids.technician!]).toBe('维修工 王师傅');
  });
});
