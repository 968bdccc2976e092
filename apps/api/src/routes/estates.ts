import { and, asc, count, eq, ilike, inArray, ne, or, sql } from 'drizzle-orm';
import { buildings, estates, memberships, unitBillingProfiles, units, users } from '@estateflow/db';
import { invalid, notFound } from '../errors.ts';
import { authOf, everyone, requireEstate, Resource, staff } from '../route-table.ts';
import { isUuid, param } from '../services/body.ts';
import { afterCursor, decodeCursor, encodeCursor, pageSize } from '../services/keyset.ts';
import { householdFile } from '../services/household-file.ts';
import { billReaders } from './billing.ts';
import { billingDocuments } from '../services/billing-store.ts';
import * as S from '../schemas/estates.ts';

export const estateRoutes = new Resource('/estates', 'Estates')
  .get('/', { responses: { 200: S.estateList }, summary: "The caller's estates with their role in each", access: everyone, estate: { from: 'none' } }, async (c) => {
    const auth = authOf(c);
    const ids = [...auth.roles.keys()];
    const rows = ids.length
      ? await c.get('deps').db.select().from(estates).where(and(eq(estates.tenantId, auth.tenantId), inArray(estates.id, ids))).orderBy(asc(estates.name))
      : [];
    return c.json({ items: rows.map((e) => ({ id: e.id, name: e.name, timeZone: e.timeZone, role: auth.roles.get(e.id) })) });
  })
  .get(
    '/:id',
    { responses: { 200: S.estate }, summary: 'One estate with its buildings and how many units each has (the units themselves page through `GET /estates/{id}/units`)', access: everyone, estate: { from: 'param', param: 'id' }, params: { id: 'estate' } },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      const role = requireEstate(c, id);
      const { db } = c.get('deps');
      const { tenantId } = authOf(c);
      const [estate] = await db.select().from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, id)));
      if (!estate) throw notFound('estate', id);
      const bs = await db.select().from(buildings).where(and(eq(buildings.tenantId, tenantId), eq(buildings.estateId, id))).orderBy(asc(buildings.name));
      const counts = await db
        .select({ buildingId: units.buildingId, n: count() })
        .from(units)
        .where(and(eq(units.tenantId, tenantId), eq(units.estateId, id)))
        .groupBy(units.buildingId);
      const unitCount = new Map(counts.map((r) => [r.buildingId, Number(r.n)]));
      return c.json({
        id: estate.id,
        name: estate.name,
        timeZone: estate.timeZone,
        address: estate.address,
        role,
        buildings: bs.map((b) => ({ id: b.id, name: b.name, unitCount: unitCount.get(b.id) ?? 0 })),
      });
    },
  )
  .get(
    '/:id/units',
    {
      responses: { 200: S.units },
      summary:
        "The estate's units in label order, a page at a time (`limit` ≤ 200, default 50; pass `nextCursor` back as `cursor`); `q` finds units whose label contains it, read the way people say it (`3栋1单元502`, `3-1-502` and `3 1 502` are the same), `buildingId` keeps one building, `unitId` answers that one unit",
      access: staff,
      estate: { from: 'param', param: 'id' },
      params: { id: 'estate' },
      query: { q: { type: 'string', maxLength: 50 }, buildingId: { type: 'string' }, unitId: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 200 } },
    },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      requireEstate(c, id);
      const { tenantId } = authOf(c);
      const limit = pageSize(c.req.query('limit'), 50, 200);
      const cursor = decodeCursor(c.req.query('cursor'));
      const buildingId = c.req.query('buildingId');
      if (buildingId !== undefined && !isUuid(buildingId)) throw notFound('building', buildingId);
      const unitId = c.req.query('unitId');
      if (unitId !== undefined && !isUuid(unitId)) throw notFound('unit', unitId);
      const q = unitQuery(c.req.query('q') ?? '');
      const rows = await c.get('deps').db
        .select({
          id: units.id, label: units.label, areaSqm: units.areaSqm, buildingId: units.buildingId, building: buildings.name,
          unitType: unitBillingProfiles.unitType, custody: unitBillingProfiles.custody, parking: unitBillingProfiles.parking, payer: unitBillingProfiles.payer,
        })
        .from(units)
        .innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
        .leftJoin(unitBillingProfiles, and(eq(unitBillingProfiles.tenantId, units.tenantId), eq(unitBillingProfiles.unitId, units.id)))
        .where(and(
          eq(units.tenantId, tenantId), eq(units.estateId, id),
          ...(buildingId ? [eq(units.buildingId, buildingId)] : []),
          ...(unitId ? [eq(units.id, unitId)] : []),
          // the label read the same way as the query: separators become '-' (see unitQuery)
          ...(q ? [sql`regexp_replace(${units.label}, '[[:space:]栋单元室号#-]+', '-', 'g') ilike ${`%${q}%`}`] : []),
          afterCursor(units.label, units.id, cursor, 'text', 'asc'),
        ))
        .orderBy(asc(units.label), asc(units.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json({
        items: page.map(({ unitType, custody, parking, payer, ...u }) => ({ ...u, profile: unitType === null ? null : { unitType, custody: custody ?? false, parking: parking ?? [], payer: payer ?? 'household' } })),
        nextCursor: rows.length > limit && last ? encodeCursor({ key: last.label, id: last.id }) : null,
      });
    },
  )
  .get(
    '/:id/unit-options',
    {
      responses: { 200: S.unitOptions },
      summary: "What a unit's billing profile may name in this estate: the unit types and parking kinds of its fee schedules (published by bundles or saved), each with the schedule's own title, for the unit register's editor",
      access: staff,
      estate: { from: 'param', param: 'id' },
      params: { id: 'estate' },
    },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      requireEstate(c, id);
      return c.json(profileOptions(await billingDocuments(c.get('deps').db, authOf(c).tenantId, id, 'fee-schedule')));
    },
  )
  .get(
    '/:id/units/:unitId',
    {
      responses: { 200: S.unitFile },
      summary:
        "One unit's household file (一户一档, SV-3): building, floor area and billing profile with their history (old → new, from which date, who, when); residents and owners, current and past, phones masked unless `reveal=1` (personal-data permission; audited); its account as of today (one settlement: what issued bills still owe, arrears, credit) for roles that read bills; and its revisits and returned survey forms with their answers. Its requests page through `GET /instances?unitId=`",
      access: staff,
      estate: { from: 'param', param: 'id' },
      params: { id: 'estate', unitId: 'unit' },
      query: { reveal: { type: 'string', enum: ['0', '1', 'true', 'false'] } },
    },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      const role = requireEstate(c, id);
      const unitId = param(c, 'unitId');
      if (!isUuid(unitId)) throw notFound('unit', unitId);
      return c.json(await householdFile(c, id, unitId, { readsBills: billReaders.includes(role) }));
    },
  )
  .get(
    '/:id/members',
    {
      responses: { 200: S.members },
      summary: 'The active staff of an estate with their role, never residents (to assign and reassign tasks); `role` filters, `limit` (default 50, at most 200) and `offset` page, `q` searches names',
      access: staff,
      estate: { from: 'param', param: 'id' },
      params: { id: 'estate' },
      query: { role: { type: 'string' }, q: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 200 }, offset: { type: 'integer', minimum: 0 } },
    },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      requireEstate(c, id);
      const { tenantId } = authOf(c);
      const page = pageOf(c.req.query('limit'), c.req.query('offset'));
      const role = c.req.query('role');
      const q = c.req.query('q')?.trim();
      const where = and(
        eq(memberships.tenantId, tenantId), eq(memberships.estateId, id), ne(memberships.role, 'resident'), eq(users.status, 'active'),
        ...(role ? [eq(memberships.role, role)] : []),
        ...(q ? [or(ilike(users.displayName, `%${q}%`), ilike(users.realName, `%${q}%`), ilike(users.username, `%${q}%`))] : []),
      );
      const db = c.get('deps').db;
      const join = and(eq(users.tenantId, memberships.tenantId), eq(users.id, memberships.userId));
      const rows = await db
        .select({ userId: users.id, username: users.username, displayName: users.displayName, realName: users.realName, employeeNo: users.employeeNo, role: memberships.role })
        .from(memberships).innerJoin(users, join).where(where)
        .orderBy(asc(memberships.role), asc(users.displayName), asc(users.id))
        .limit(page.limit).offset(page.offset);
      const [total] = await db.select({ n: count() }).from(memberships).innerJoin(users, join).where(where);
      return c.json({ items: rows, total: Number(total?.n ?? 0), limit: page.limit, offset: page.offset });
    },
  );

/**
 * A unit typed the way people say it, as the pattern its label is compared with: spaces and the
 * 栋/单元/室/号/# separators become '-', so `3栋1单元502`, `3-1-502` and `3 1 502` all find `3-1-502`;
 * `%` and `_` are taken literally.
 */
export function unitQuery(text: string): string {
  return text.trim().replace(/[\\%_]/g, (ch) => `\\${ch}`).replace(/[\s栋单元室号#-]+/g, '-').replace(/^-|-$/g, '');
}

/** `limit` (1–200, default 50) and `offset` (≥ 0) of a list: 400 naming the parameter otherwise. */
export function pageOf(limit: string | undefined, offset: string | undefined): { limit: number; offset: number } {
  const l = limit === undefined ? 50 : Number(limit);
  const o = offset === undefined ? 0 : Number(offset);
  if (!Number.isInteger(l) || l < 1 || l > 200) throw invalid('limit', 'must be a whole number from 1 to 200', '必须是 1 到 200 的整数');
  if (!Number.isInteger(o) || o < 0) throw invalid('offset', 'must be a whole number ≥ 0', '必须是不小于 0 的整数');
  return { limit: l, offset: o };
}

type Text = { zh: string; en: string };
type ScheduleVersion = { effectiveFrom?: string; management?: { unitType?: string; title?: Text }[]; parking?: { kind?: string; title?: Text }[] };

/** The unit types and parking kinds the estate's fee schedules price, by their latest version's titles (the first schedule naming one wins). */
export function profileOptions(schedules: ReadonlyMap<string, Record<string, unknown>>) {
  const unitTypes = new Map<string, Text>();
  const parkingKinds = new Map<string, Text>();
  for (const key of [...schedules.keys()].sort()) {
    const versions = ((schedules.get(key)!.versions ?? []) as ScheduleVersion[]).slice().sort((a, b) => String(b.effectiveFrom).localeCompare(String(a.effectiveFrom)));
    for (const v of versions) {
      for (const r of v.management ?? []) if (r.unitType && r.title && !unitTypes.has(r.unitType)) unitTypes.set(r.unitType, r.title);
      for (const r of v.parking ?? []) if (r.kind && r.title && !parkingKinds.has(r.kind)) parkingKinds.set(r.kind, r.title);
    }
  }
  return {
    unitTypes: [...unitTypes].map(([value, title]) => ({ value, title })),
    parkingKinds: [...parkingKinds].map(([value, title]) => ({ value, title })),
  };
}
