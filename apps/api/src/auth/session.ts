import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { memberships, sessions, users, type Db, type Role } from '@estateflow/db';
import type { AppEnv, Auth } from '../env.ts';

export const sessionCookie = 'ef_session';

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Creates a session row and returns the token for the cookie (only its hash is stored). */
export async function createSession(db: Db, tenantId: string, userId: string, expiresAt: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.insert(sessions).values({ tokenHash: tokenHash(token), tenantId, userId, expiresAt });
  return token;
}

/** Loads the user behind a session token, or undefined when absent or expired. */
export async function loadAuth(db: Db, token: string, now: Date): Promise<Auth | undefined> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, and(eq(users.tenantId, sessions.tenantId), eq(users.id, sessions.userId)))
    .where(and(eq(sessions.tokenHash, tokenHash(token)), gt(sessions.expiresAt, now)));
  if (!row) return undefined;
  return authForUser(db, row.user);
}

export async function authForUser(db: Db, user: typeof users.$inferSelect): Promise<Auth> {
  const rows = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.tenantId, user.tenantId), eq(memberships.userId, user.id)));
  return {
    tenantId: user.tenantId,
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    locale: user.locale,
    roles: new Map(rows.map((m) => [m.estateId, m.role as Role])),
  };
}

/** Sets `auth` from the session cookie (or `Authorization: Bearer <token>`), if valid. */
export const sessionMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization');
  const token = getCookie(c, sessionCookie) ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
  const { db, config } = c.get('deps');
  c.set('auth', token ? await loadAuth(db, token, config.now()) : undefined);
  await next();
};
