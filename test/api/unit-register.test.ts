// The unit register and the household file (issues #20 and #22, SV-3): a unit's area and billing
// profile edited with an effective date and audited (old → new, who, when), the register searched
// and paged with each unit's profile, and one unit's file: residents (phones masked), account
// settled once, and every request of any process through `GET /api/instances?unitId=`.
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, units, type Db } from '@estateflow/db';
import { defaultPlan } from '@estateflow/billing';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { labelledAnswers } from '../../apps/api/src/services/household-file.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig, type Client } from '../support/api.ts';

const feeExample = (JSON.parse(readFileSync(new URL('../../schemas/fee-schedule.schema.json', import.meta.url), 'utf8')) as { examples: Record<string, unknown>[] }).examples[0]!;
const revisitForm = JSON.parse(readFileSync(new URL('../../workflows/repair/forms/rp-revisit.form.json', import.meta.url), 'utf8'));
const repairData = { name: '王先生', unit: '1-1-101', phone: '13800000000', fault: '厨房水管漏水', photos: [] };

it('reads a revisit as its form labels it, choices by their label, numbers in free text masked', () => {
  expect(labelledAnswers({ method: 'onsite', satisfaction: 4, problemFound: false, note: '回电 13912345678', hidden: 'x' }, [revisitForm])).toEqual([
    { label: { zh: '回访方式', en: 'Method' }, value: { zh: '上门', en: 'On site' } },
    { label: { zh: '满意度', en: 'Satisfaction' }, value: '4' },
    { label: { zh: '发现问题', en: 'Problem found' }, value: { zh: '否', en: 'No' } },
    { label: { zh: '记录', en: 'Notes' }, value: '回电 139****5678' },
  ]);
  expect(labelledAnswers({ note: '回电 13912345678' }, [revisitForm], true)).toEqual([{ label: { zh: '记录', en: 'Notes' }, value: '回电 13912345678' }]);
});

withDatabases((kind, getDb) => {
  let db: Db;
  let estateId: string;
  let otherEstateId: string;
  let unit101: string;
  let unit102: string;
  let fin: Client;
  let desk: Client;
  let admin: Client;
  let tech: Client;
  const tag = `${kind}-${Math.random().toString(36).slice(2, 7)}`;
  const now = new Date('2027-01-10T04:00:00Z');
  const app = () => testApp(db, { now: () => now });

  beforeAll(async () => {
    db = getDb();
    const tenantId = await createCompany(db, `房屋公司 ${tag}`);
    estateId = await createEstate(db, tenantId, { name: '颐园世家', buildings: [{ name: '1栋', units: ['1-1-101', '1-1-102'] }, { name: '2栋', units: ['2-1-101'] }] });
    otherEstateId = await createEstate(db, tenantId, { name: '翠湖苑', buildings: [{ name: '9栋', units: ['9-1-901'] }] });
    await createUser(db, testConfig as never, { tenantId, username: `fin-${tag}`, password: 'pw', displayName: '财务 孙会计', roles: [{ estateId, role: 'finance' }] });
    await createUser(db, testConfig as never, { tenantId, username: `desk-${tag}`, password: 'pw', roles: [{ estateId, role: 'front_desk' }] });
    await createUser(db, testConfig as never, { tenantId, username: `tech-${tag}`, password: 'pw', roles: [{ estateId, role: 'technician' }] });
    await createUser(db, testConfig as never, { tenantId, username: `boss-${tag}`, password: 'pw', roles: [{ estateId, role: 'admin' }, { estateId: otherEstateId, role: 'admin' }] });
    fin = await signIn(app(), `fin-${tag}`, 'pw');
    desk = await signIn(app(), `desk-${tag}`, 'pw');
    tech = await signIn(app(), `tech-${tag}`, 'pw');
    admin = await signIn(app(), `boss-${tag}`, 'pw');
    const rows = await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    unit101 = rows.find((u) => u.label === '1-1-101')!.id;
    unit102 = rows.find((u) => u.label === '1-1-102')!.id;
    expect((await admin.call('POST', '/api/bundles/install', { estateId, bundleId: 'repair', parameters: {} })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/schedules', { estateId, document: feeExample })).status).toBe(200);
    expect((await fin.call('POST', '/api/billing/plans', { estateId, document: defaultPlan('quarterly', { id: 'reg-quarterly', feeSchedule: 'garden-fees' }) })).status).toBe(200);
  });

  it(`edits a unit's area and profile from a date, audited old → new, and lists them on the register on ${kind}`, async () => {
    const first = await fin.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'residential', areaSqm: '89.37', effectiveFrom: '2027-01-01' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ effectiveFrom: '2027-01-01', changed: ['areaSqm', 'unitType', 'custody', 'parking', 'payer'] });
    const second = await fin.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'residential', areaSqm: '92.10', parking: [{ kind: 'underground', count: 1 }] });
    expect(second.body).toMatchObject({ effectiveFrom: '2027-01-10', changed: ['areaSqm', 'parking'] });
    // the same values again change nothing and record nothing
    expect((await fin.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'residential', areaSqm: '92.10', parking: [{ kind: 'underground', count: 1 }] })).body.changed).toEqual([]);

    // a later date than today is refused naming the field, and changes nothing
    const future = await fin.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'shop', effectiveFrom: '2027-02-01' });
    expect(future.status).toBe(400);
    expect(future.body.error).toMatchObject({ field: 'effectiveFrom' });
    expect(future.body.error.message.zh).toContain('effectiveFrom');
    // only finance roles edit
    expect((await desk.call('POST', '/api/billing/units', { estateId, unitId: unit101, unitType: 'shop' })).status).toBe(403);

    const file = await desk.call('GET', `/api/estates/${estateId}/units/${unit101}`);
    expect(file.status, JSON.stringify(file.body)).toBe(200);
    expect(file.body).toMatchObject({ label: '1-1-101', building: '1栋', areaSqm: '92.10', profile: { unitType: 'residential', parking: [{ kind: 'underground', count: 1 }], payer: 'household' } });
    expect(file.body.history.map((h: { effectiveFrom: string; changedByName: string; changes: Record<string, unknown> }) => [h.effectiveFrom, h.changedByName, h.changes.areaSqm])).toEqual([
      ['2027-01-10', '财务 孙会计', { from: '89.37', to: '92.10' }],
      ['2027-01-01', '财务 孙会计', { from: null, to: '89.37' }],
    ]);

    // the register: each unit with its area and profile, searched and paged on the server
    await fin.call('POST', '/api/billing/units', { estateId, unitId: unit102, unitType: 'residential', areaSqm: '126.54' });
    const page = await desk.call('GET', `/api/estates/${estateId}/units?limit=2`);
    expect(page.body.items.map((u: { label: string; areaSqm: string | null; profile: { unitType: string } | null }) => [u.label, u.areaSqm, u.profile?.unitType ?? null])).toEqual([['1-1-101', '92.10', 'residential'], ['1-1-102', '126.54', 'residential']]);
    const rest = await desk.call('GET', `/api/estates/${estateId}/units?limit=2&cursor=${page.body.nextCursor}`);
    expect(rest.body.items.map((u: { label: string; profile: unknown }) => [u.label, u.profile])).toEqual([['2-1-101', null]]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it(`opens a unit's household file: residents masked, its account settled once, its requests by unit on ${kind}`, async () => {
    const made = await admin.call('POST', '/api/residents/verify', {
      estateId, unitId: unit101, kind: 'owner', documents: ['id_card'], account: { username: `wang-${tag}`, realName: '王建国', phone: '13912345678', password: 'first password 1' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const run = await fin.call('POST', '/api/billing/runs', { estateId, plan: 'reg-quarterly', period: '2027-Q1' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const bill = run.body.created.find((b: { unitId: string }) => b.unitId === unit101);
    expect((await desk.call('POST', '/api/billing/payments', { estateId, unitId: unit101, amountFen: 10000, method: 'cash' })).status).toBe(200);

    const mine = await desk.call('POST', '/api/instances', { estateId, workflow: 'repair', data: repairData, unitId: unit101 });
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    const neighbour = await desk.call('POST', '/api/instances', { estateId, workflow: 'repair', data: { ...repairData, unit: '1-1-102' }, unitId: unit102 });
    expect(neighbour.status).toBe(201);

    const file = await desk.call('GET', `/api/estates/${estateId}/units/${unit101}`);
    expect(file.status, JSON.stringify(file.body)).toBe(200);
    expect(file.body.residents.map((r: { name: string; kind: string; phone: string; active: boolean }) => [r.name, r.kind, r.phone, r.active])).toEqual([['王建国', 'owner', '139****5678', true]]);
    expect(file.body.personal).toEqual({ masked: [`residents/${file.body.residents[0].id}/phone`], revealed: false, mayReveal: true });
    // one settlement: billed, paid and still owed add up
    expect(file.body.account).toMatchObject({ asOf: '2027-01-10', bills: 1, billedFen: bill.totalFen, paidFen: 10000, outstandingFen: bill.totalFen - 10000, payments: 1 });
    const arrears = (await desk.call('GET', `/api/billing/arrears?estateId=${estateId}`)).body.rows.find((r: { unitId: string }) => r.unitId === unit101);
    expect(file.body.account.arrearsFen).toBe(arrears?.totalFen ?? 0);
    expect(file.body.revisits).toEqual([]);

    // unmasked only for the personal-data permission, audited
    expect((await tech.call('GET', `/api/estates/${estateId}/units/${unit101}?reveal=1`)).status).toBe(403);
    const revealed = await desk.call('GET', `/api/estates/${estateId}/units/${unit101}?reveal=1`);
    expect(revealed.body.residents[0].phone).toBe('13912345678');
    expect((await db.select().from(auditLog).where(and(eq(auditLog.action, 'pii.reveal'), eq(auditLog.target, `unit/${unit101}`)))).length).toBe(1);

    // every request of the unit, and only its own, a page at a time
    const listed = await desk.call('GET', `/api/instances?estateId=${estateId}&unitId=${unit101}&limit=1`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { id: string; unitLabel: string }) => [i.id, i.unitLabel])).toEqual([[mine.body.id, '1-1-101']]);
    expect(listed.body.nextCursor).toBeNull();
    expect((await desk.call('GET', `/api/instances?estateId=${estateId}&unitId=not-a-uuid`)).status).toBe(400);

    // staff without bills read no account; residents, another estate and unknown units are refused
    const techFile = await tech.call('GET', `/api/estates/${estateId}/units/${unit101}`);
    expect(techFile.status).toBe(200);
    expect(techFile.body.account).toBeNull();
    const first = await signIn(app(), `wang-${tag}`, 'first password 1');
    expect((await first.call('POST', '/api/auth/password', { currentPassword: 'first password 1', newPassword: 'wang own secret 9' })).status).toBe(200);
    const resident = await signIn(app(), `wang-${tag}`, 'wang own secret 9');
    const refused = await resident.call('GET', `/api/estates/${estateId}/units/${unit101}`);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect((await admin.call('GET', `/api/estates/${otherEstateId}/units/${unit101}`)).status).toBe(404);
    expect((await desk.call('GET', `/api/estates/${estateId}/units/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});
