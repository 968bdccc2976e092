import { createHash, randomBytes } from 'node:crypto';
import { and, eq, ne } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { memberships, sessions, users, type Db, type DbOrTx, type Role } from '@estateflow/db';
import type { ApiConfig } from '../config.ts';
import type { AppEnv, Auth } from '../env.ts';
import { permissionsByRole, roleCatalogue } from '../services/role-catalogue.ts';

export const sessionCookie = 'ef_session';

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Creates a session row and returns the token for the cookie (only its hash is stored). */
export async function createSession(db: DbOrTx, tenantId: string, userId: string, expiresAt: Date, seen: { now?: Date; address?: string; userAgent?: string } = {}): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.insert(sessions).values({
    tokenHash: tokenHash(token), tenantId, userId, expiresAt,
    ...(seen.now ? { createdAt: seen.now, lastSeenAt: seen.now } : {}),
    address: seen.address, userAgent: seen.userAgent?.slice(0, 300),
  });
  return token;
}

/** Ends every session of a user, or every one but `keep` (a token hash). Answers how many ended. */
export async function revokeSessions(db: DbOrTx, tenantId: string, userId: string, keep?: string): Promise<number> {
  const ended = await db.delete(sessions)
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.userId, userId), ...(keep ? [ne(sessions.tokenHash, keep)] : [])))
    .returning({ tokenHash: sessions.tokenHash });
  return ended.length;
}

/** The last-seen mark moves at most once a minute, so a busy session writes rarely. */
const SEEN_GRANULARITY_MS = 60_000;

/**
 * Loads the user behind a session token, or undefined when absent, past its absolute expiry, idle
 * longer than `sessionIdleMs`, or its user deactivated. A live session's last-seen mark moves on.
 */
export async function loadAuth(db: Db, token: string, config: Pick<ApiConfig, 'now' | 'sessionIdleMs'>): Promise<Auth | undefined> {
  const now = config.now();
  const hash = tokenHash(token);
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, and(eq(users.tenantId, sessions.tenantId), eq(users.id, sessions.userId)))
    .where(eq(sessions.tokenHash, hash));
  if (!row || row.user.status !== 'active') return undefined;
  const idleSince = now.getTime() - row.session.lastSeenAt.getTime();
  // past its absolute expiry or idle too long: the session ends (its row goes)
  if (row.session.expiresAt <= now || idleSince > config.sessionIdleMs) {
    await db.delete(sessions).where(eq(sessions.tokenHash, hash));
    return undefined;
  }
  if (idleSince > SEEN_GRANULARITY_MS) await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, hash));
  return authForUser(db, row.user, now);
}

export async function authForUser(db: DbOrTx, user: typeof users.$inferSelect, at: Date): Promise<Auth> {
  const rows = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.tenantId, user.tenantId), eq(memberships.userId, user.id)));
  const grants = permissionsByRole(await roleCatalogue(db, user.tenantId));
  return {
    tenantId: user.tenantId,
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    locale: user.locale,
    largeText: user.largeText,
    roles: new Map(rows.map((m) => [m.estateId, m.role as Role])),
    permissions: new Map(rows.map((m) => [m.estateId, grants.get(m.role) ?? new Set()])),
    mustChangePassword: user.mustChangePassword && !user.demo,
    demo: user.demo,
    at,
  };
}

/** The session token of a request: the cookie, or `Authorization: Bearer <token>`. */
export function requestToken(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string | undefined {
  const header = c.req.header('authorization');
  return getCookie(c, sessionCookie) ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
}

/** Sets `auth` from the session cookie (or `Authorization: Bearer <token>`), if valid. */
export const sessionMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = requestToken(c);
  const { db, config } = c.get('deps');
  c.set('auth', token ? await loadAuth(db, token, config) : undefined);
  await next();
};
