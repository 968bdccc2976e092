import { and, asc, eq, inArray } from 'drizzle-orm';
import { buildings, estates, memberships, units, users } from '@estateflow/db';
import { notFound } from '../errors.ts';
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
    { responses: { 200: S.members }, summary: 'The staff of an estate with their role (to reassign tasks)', access: staff, estate: { from: 'param', param: 'id' }, params: { id: 'estate' } },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('estate', id);
      requireEstate(c, id);
      const { tenantId } = authOf(c);
      const rows = await c.get('deps').db
        .select({ userId: users.id, username: users.username, displayName: users.displayName, role: memberships.role })
        .from(memberships)
        .innerJoin(users, and(eq(users.tenantId, memberships.tenantId), eq(users.id, memberships.userId)))
        .where(and(eq(memberships.tenantId, tenantId), eq(memberships.estateId, id)))
        .orderBy(asc(memberships.role), asc(users.username));
      return c.json({ items: rows });
    },
  );
