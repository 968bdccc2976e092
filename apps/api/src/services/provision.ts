import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { buildings, companies, estates, memberships, units, users, type DbOrTx, type Role } from '@estateflow/db';
import { hashPassword } from '../auth/password.ts';
import type { ApiConfig } from '../config.ts';

/** Creates a company (tenant) and returns its id. */
export async function createCompany(db: DbOrTx, name: string, id: string = randomUUID()): Promise<string> {
  await db.insert(companies).values({ id, name });
  return id;
}

export async function createEstate(
  db: DbOrTx,
  tenantId: string,
  input: { name: string; timeZone?: string; address?: string; buildings?: { name: string; units: string[] }[] },
): Promise<string> {
  const id = randomUUID();
  await db.insert(estates).values({ tenantId, id, name: input.name, timeZone: input.timeZone ?? 'Asia/Shanghai', address: input.address });
  for (const b of input.buildings ?? []) {
    const buildingId = randomUUID();
    await db.insert(buildings).values({ tenantId, id: buildingId, estateId: id, name: b.name });
    if (b.units.length) await db.insert(units).values(b.units.map((label) => ({ tenantId, id: randomUUID(), estateId: id, buildingId, label })));
  }
  return id;
}

/** Creates a user with one role in each listed estate. */
export async function createUser(
  db: DbOrTx,
  config: Pick<ApiConfig, 'argon2'>,
  input: { tenantId: string; username: string; password: string; displayName?: string; roles: { estateId: string; role: Role }[] },
): Promise<string> {
  const id = randomUUID();
  await db.insert(users).values({
    tenantId: input.tenantId,
    id,
    username: input.username,
    displayName: input.displayName ?? input.username,
    passwordHash: await hashPassword(input.password, config),
  });
  if (input.roles.length) await db.insert(memberships).values(input.roles.map((r) => ({ tenantId: input.tenantId, userId: id, ...r })));
  return id;
}

export async function findUserId(db: DbOrTx, username: string): Promise<string | undefined> {
  const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, username));
  return u?.id;
}

export async function findEstateId(db: DbOrTx, tenantId: string, name: string): Promise<string | undefined> {
  const [e] = await db.select({ id: estates.id }).from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.name, name)));
  return e?.id;
}
