import { and, asc, eq, inArray } from 'drizzle-orm';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { companies, estates, memberships, sessions, users } from '@estateflow/db';
import { demoCompany, demoPassword } from '../demo.ts';
import { clientAddress } from '../auth/client-address.ts';
import { verifyPasswordOrDummy } from '../auth/password.ts';
import { authForUser, createSession, sessionCookie, tokenHash } from '../auth/session.ts';
import type { Auth } from '../env.ts';
import { ApiError } from '../errors.ts';
import { authOf, Resource } from '../route-table.ts';
import { readBody, str } from '../services/body.ts';
import { auditSignIn, throttled } from '../services/sign-in-audit.ts';
import { loginBlocked, recordLoginFailure, recordLoginSuccess } from '../services/login-throttle.ts';
import type { Db } from '@estateflow/db';

export async function describeAuth(db: Db, auth: Auth) {
  const ids = [...auth.roles.keys()];
  const rows = ids.length
    ? await db.select().from(estates).where(and(eq(estates.tenantId, auth.tenantId), inArray(estates.id, ids)))
    : [];
  return {
    user: { id: auth.userId, username: auth.username, displayName: auth.displayName, locale: auth.locale, tenantId: auth.tenantId },
    memberships: rows.map((e) => ({ estateId: e.id, estateName: e.name, role: auth.roles.get(e.id), timeZone: e.timeZone })),
  };
}

export const authRoutes = new Resource('/auth', 'Auth')
  .post(
    '/login',
    {
      summary: 'Sign in with username and password; sets the HttpOnly session cookie',
      access: 'public',
      estate: { from: 'none' },
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } },
      example: { username: 'admin', password: 'secret' },
    },
    async (c) => {
      const body = await readBody(c);
      const username = str(body, 'username');
      const password = str(body, 'password');
      const { db, config } = c.get('deps');
      const attempt = { username, address: clientAddress(c, config.trustProxy), now: config.now() };
      const block = await loginBlocked(db, config.loginThrottle, attempt);
      if (block) {
        c.header('Retry-After', String(Math.max(1, Math.ceil((block.until.getTime() - attempt.now.getTime()) / 1000))));
        throw throttled(block, attempt.now);
      }
      const [user] = await db.select().from(users).where(eq(users.username, username));
      // an unknown name is checked against a dummy hash: the same time as a wrong password
      const verified = await verifyPasswordOrDummy(user?.passwordHash, password, config);
      if (!verified || !user) {
        const blocks = await recordLoginFailure(db, config.loginThrottle, attempt);
        await auditSignIn(db, user, attempt, { outcome: 'refused', blocks });
        throw new ApiError('bad-credentials', { zh: '用户名或密码错误', en: 'Wrong username or password' }, { field: 'password' });
      }
      await recordLoginSuccess(db, attempt);
      await auditSignIn(db, user, attempt, { outcome: 'accepted', blocks: [] });
      const expiresAt = new Date(config.now().getTime() + config.sessionTtlMs);
      const token = await createSession(db, user.tenantId, user.id, expiresAt);
      setCookie(c, sessionCookie, token, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: config.secureCookies || new URL(c.req.url).protocol === 'https:',
        path: '/',
        expires: expiresAt,
      });
      return c.json({ ...(await describeAuth(db, await authForUser(db, user))), token, expiresAt: expiresAt.toISOString() });
    },
  )
  .post('/logout', { summary: 'Sign out: ends the session', access: 'signed-in', estate: { from: 'none' }, example: {} }, async (c) => {
    const token = getCookie(c, sessionCookie) ?? c.req.header('authorization')?.replace(/^Bearer /, '');
    if (token) await c.get('deps').db.delete(sessions).where(eq(sessions.tokenHash, tokenHash(token)));
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.json({ ok: true });
  })
  .get('/me', { summary: 'The signed-in user and their role per estate', access: 'signed-in', estate: { from: 'none' } }, async (c) => {
    return c.json(await describeAuth(c.get('deps').db, authOf(c)));
  })
  .get('/demo', { summary: 'The demo accounts and their password, when this server seeded the demo (the quick start); otherwise seeded: false and nothing else', access: 'public', estate: { from: 'none' } }, async (c) => {
    const { db } = c.get('deps');
    const [company] = await db.select({ id: companies.id }).from(companies).where(eq(companies.name, demoCompany));
    if (!company) return c.json({ seeded: false });
    const rows = await db.select({ username: users.username, displayName: users.displayName, role: memberships.role }).from(users)
      .innerJoin(memberships, and(eq(memberships.tenantId, users.tenantId), eq(memberships.userId, users.id)))
      .where(eq(users.tenantId, company.id)).orderBy(asc(users.createdAt)).limit(40);
    return c.json({ seeded: true, password: demoPassword, accounts: rows });
  });
