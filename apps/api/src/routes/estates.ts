import { and, asc, count, eq, ilike, inArray, ne, or } from 'drizzle-orm';
import { buildings, estates, memberships, units, users } from '@estateflow/db';
import { invalid, notFound } from '../errors.ts';
import { authOf, everyone, requireEstate, Resource, staff } from '../route-table.ts';
import { isUuid, param } from '../services/body.ts';
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
    { responses: { 200: S.estate }, summary: 'One estate with its buildings and units', access: everyone, estate: { from: 'param', param: 'id' }, params: { id: 'estate' } },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      const role = requireEstate(c, id);
      const { db } = c.get('deps');
      const { tenantId } = authOf(c);
      const [estate] = await db.select().from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, id)));
      if (!estate) throw notFound('estate', id);
      const bs = await db.select().from(buildings).where(and(eq(buildings.tenantId, tenantId), eq(buildings.estateId, id))).orderBy(asc(buildings.name));
      const us = await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, id))).orderBy(asc(units.label));
      return c.json({
        id: estate.id,
        name: estate.name,
        timeZone: estate.timeZone,
        address: estate.address,
        role,
        buildings: bs.map((b) => ({ id: b.id, name: b.name, units: us.filter((u) => u.buildingId === b.id).map((u) => ({ id: u.id, label: u.label, areaSqm: u.areaSqm })) })),
      });
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

/** `limit` (1–200, default 50) and `offset` (≥ 0) of a list: 400 naming the parameter otherwise. */
export function pageOf(limit: string | undefined, offset: string | undefined): { limit: number; offset: number } {
  const l = limit === undefined ? 50 : Number(limit);
  const o = offset === undefined ? 0 : Number(offset);
  if (!Number.isInteger(l) || l < 1 || l > 200) throw invalid('limit', 'must be a whole number from 1 to 200', '必须是 1 到 200 的整数');
  if (!Number.isInteger(o) || o < 0) throw invalid('offset', 'must be a whole number ≥ 0', '必须是不小于 0 的整数');
  return { limit: l, offset: o };
}
