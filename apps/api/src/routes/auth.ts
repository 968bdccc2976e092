import { and, asc, eq, inArray } from 'drizzle-orm';
import { deleteCookie, setCookie } from 'hono/cookie';
import { companies, estates, memberships, sessions, users } from '@estateflow/db';
import { demoCompany, demoPassword } from '../demo.ts';
import { clientAddress } from '../auth/client-address.ts';
import { verifyPasswordOrDummy } from '../auth/password.ts';
import { authForUser, createSession, requestToken, revokeSessions, sessionCookie, tokenHash } from '../auth/session.ts';
import { changeOwnPassword, listSessions, redeemResetCode } from '../services/accounts.ts';
import { auditAdmin } from '../services/admin-audit.ts';
import { roleCatalogue } from '../services/role-catalogue.ts';
import type { Context } from 'hono';
import type { AppEnv, Auth } from '../env.ts';
import { ApiError } from '../errors.ts';
import { authOf, Resource } from '../route-table.ts';
import { auditSignIn, throttled } from '../services/sign-in-audit.ts';
import { loginBlocked, recordLoginFailure, recordLoginSuccess } from '../services/login-throttle.ts';
import type { Db, User } from '@estateflow/db';
import { parseSignUp, signUpWithCode } from '../services/people.ts';
import { codeRefused } from '../services/resident-links.ts';
import * as A from '../schemas/auth.ts';
import { ok } from '../schemas/common.ts';

export async function describeAuth(db: Db, auth: Auth) {
  const ids = [...auth.roles.keys()];
  const rows = ids.length
    ? await db.select().from(estates).where(and(eq(estates.tenantId, auth.tenantId), inArray(estates.id, ids)))
    : [];
  const catalogue = new Map((await roleCatalogue(db, auth.tenantId)).map((r) => [r.key, r]));
  return {
    user: { id: auth.userId, username: auth.username, displayName: auth.displayName, locale: auth.locale, largeText: auth.largeText, tenantId: auth.tenantId, mustChangePassword: auth.mustChangePassword, demo: auth.demo },
    memberships: rows.map((e) => {
      const role = auth.roles.get(e.id)!;
      return { estateId: e.id, estateName: e.name, role, roleTitle: catalogue.get(role)?.title, timeZone: e.timeZone, permissions: [...(auth.permissions.get(e.id) ?? [])] };
    }),
  };
}

/**
 * A sign-in attempt (a password, or a reset code) by `username` from this request's address:
 * refused with 429 `too-many-attempts` and `Retry-After` while the throttle holds it back.
 */
async function signInAttempt(c: Context<AppEnv>, username: string) {
  const { db, config } = c.get('deps');
  const attempt = { username, address: clientAddress(c, config.trustProxy), now: config.now() };
  const block = await loginBlocked(db, config.loginThrottle, attempt);
  if (block) {
    c.header('Retry-After', String(Math.max(1, Math.ceil((block.until.getTime() - attempt.now.getTime()) / 1000))));
    throw throttled(block, attempt.now);
  }
  return attempt;
}

/** Starts a session for a user who just signed in (or signed up): the HttpOnly cookie, and the answer of `/login`. */
async function startSession(c: Context<AppEnv>, user: User, attempt: { now: Date; address: string }) {
  const { db, config } = c.get('deps');
  const expiresAt = new Date(config.now().getTime() + config.sessionTtlMs);
  const token = await createSession(db, user.tenantId, user.id, expiresAt, { now: attempt.now, address: attempt.address, userAgent: c.req.header('user-agent') });
  setCookie(c, sessionCookie, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: config.secureCookies || new URL(c.req.url).protocol === 'https:',
    path: '/',
    expires: expiresAt,
  });
  return { ...(await describeAuth(db, await authForUser(db, user, attempt.now))), token, expiresAt: expiresAt.toISOString() };
}

export const authRoutes = new Resource('/auth', 'Auth')
  .post(
    '/login',
    {
      responses: { 200: A.login },
      errors: [401, 429],
      summary: 'Sign in with username and password; sets the HttpOnly session cookie',
      access: 'public',
      estate: { from: 'none' },
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } } },
      example: { username: 'admin', password: 'secret' },
    },
    async (c, { body: { username, password } }) => {
      const { db, config } = c.get('deps');
      const attempt = await signInAttempt(c, username);
      const [user] = await db.select().from(users).where(eq(users.username, username));
      // an unknown name is checked against a dummy hash: the same time as a wrong password
      const verified = await verifyPasswordOrDummy(user?.passwordHash, password, config);
      // someone who left signs in no more: the same answer as a wrong password
      if (!verified || !user || user.status !== 'active') {
        const blocks = await recordLoginFailure(db, config.loginThrottle, attempt);
        await auditSignIn(db, user, attempt, { outcome: 'refused', blocks });
        throw new ApiError('bad-credentials', { zh: '用户名或密码错误', en: 'Wrong username or password' }, { field: 'password' });
      }
      await recordLoginSuccess(db, attempt);
      await auditSignIn(db, user, attempt, { outcome: 'accepted', blocks: [] });
      return c.json(await startSession(c, user, attempt));
    },
  )
  .post(
    '/sign-up',
    {
      responses: { 200: A.login },
      errors: [409, 429],
      summary: 'A resident with no account signs up with the one-time link code the front desk gave them: they choose a user name and password (the same policy as every account), give their name and phone, and are linked to the code\'s unit in one step, then signed in. A wrong, used or expired code counts as a failed sign-in (the same throttle)',
      access: 'public',
      estate: { from: 'none' },
      body: {
        type: 'object',
        required: ['code', 'username', 'password', 'realName', 'phone'],
        properties: {
          code: { type: 'string', maxLength: 40 }, username: { type: 'string', maxLength: 40 }, password: { type: 'string', maxLength: 200 },
          realName: { type: 'string', maxLength: 80 }, displayName: { type: 'string', maxLength: 80 }, phone: { type: 'string', maxLength: 20 },
        },
      },
      example: { code: 'K7QP2-XM9RD', username: 'li.na', password: 'a long secret of mine', realName: '李娜', phone: '13800002222' },
    },
    async (c, { body }) => {
      const { db, config } = c.get('deps');
      const input = parseSignUp(body);
      // a wrong code counts as a failed sign-in by the name chosen, from this address: the same throttle guards both
      const attempt = await signInAttempt(c, input.username);
      const done = await db.transaction((tx) => signUpWithCode(tx, config, input));
      if ('refused' in done) {
        await recordLoginFailure(db, config.loginThrottle, attempt);
        throw codeRefused(done.refused);
      }
      const [user] = await db.select().from(users).where(and(eq(users.tenantId, done.tenantId), eq(users.id, done.userId)));
      await recordLoginSuccess(db, attempt);
      await auditSignIn(db, user, attempt, { outcome: 'accepted', blocks: [] });
      return c.json(await startSession(c, user!, attempt));
    },
  )
  .post('/logout', { responses: { 200: ok }, summary: 'Sign out: ends the session', access: 'signed-in', estate: { from: 'none' }, example: {} }, async (c) => {
    const token = requestToken(c);
    if (token) await c.get('deps').db.delete(sessions).where(eq(sessions.tokenHash, tokenHash(token)));
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.json({ ok: true });
  })
  .post('/logout-everywhere', { responses: { 200: A.sessionsEnded }, summary: 'Sign out everywhere: ends every session of the caller, this one included', access: 'signed-in', estate: { from: 'none' }, example: {} }, async (c) => {
    const auth = authOf(c);
    const { db, config } = c.get('deps');
    const ended = await revokeSessions(db, auth.tenantId, auth.userId);
    await auditAdmin(db, { tenantId: auth.tenantId, actorId: auth.userId, action: 'account.logout-everywhere', target: `user/${auth.userId}`, at: config.now(), detail: { sessionsEnded: ended } });
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.json({ sessionsEnded: ended });
  })
  .get('/sessions', { responses: { 200: A.sessionList }, summary: "The caller's live sessions (when and where each signed in, last seen, idle and absolute expiry), the current one marked", access: 'signed-in', estate: { from: 'none' } }, async (c) => {
    const { db, config } = c.get('deps');
    return c.json({ items: await listSessions(db, authOf(c), config.now(), config.sessionIdleMs, requestToken(c)) });
  })
  .post(
    '/password',
    {
      responses: { 200: A.passwordChanged },
      errors: [401],
      summary: 'Change your own password (at least 10 characters, not the user name, not a common password); your other sessions end',
      access: 'signed-in',
      estate: { from: 'none' },
      body: { type: 'object', required: ['currentPassword', 'newPassword'], properties: { currentPassword: { type: 'string', minLength: 1 }, newPassword: { type: 'string', minLength: 1 } } },
      example: { currentPassword: 'old secret', newPassword: 'a new long secret' },
    },
    async (c, { body: { currentPassword, newPassword } }) => {
      const auth = authOf(c);
      const { db, config } = c.get('deps');
      const [user] = await db.select().from(users).where(and(eq(users.tenantId, auth.tenantId), eq(users.id, auth.userId)));
      const done = await changeOwnPassword(db, config, user!, { currentPassword, newPassword }, requestToken(c));
      return c.json({ ...(await describeAuth(db, await authForUser(db, { ...user!, mustChangePassword: false }, config.now()))), ...done });
    },
  )
  .post(
    '/reset',
    {
      responses: { 200: A.passwordReset },
      errors: [401, 429],
      summary: 'Set a new password with the one-time reset code an admin handed over; every session of the account ends (then sign in)',
      access: 'public',
      estate: { from: 'none' },
      body: { type: 'object', required: ['username', 'code', 'newPassword'], properties: { username: { type: 'string', minLength: 1 }, code: { type: 'string', minLength: 1 }, newPassword: { type: 'string', minLength: 1 } } },
      example: { username: 'wang.shifu', code: '1234-5678-9012-3456', newPassword: 'a new long secret' },
    },
    async (c, { body: { username, code, newPassword } }) => {
      const { db, config } = c.get('deps');
      // a wrong code counts as a failed sign-in: the same throttle guards both
      const attempt = await signInAttempt(c, username);
      const [user] = await db.select().from(users).where(eq(users.username, username));
      const done = user && user.status === 'active' ? await db.transaction((tx) => redeemResetCode(tx, config, user, code, newPassword)) : undefined;
      if (!done) {
        await recordLoginFailure(db, config.loginThrottle, attempt);
        throw new ApiError('bad-credentials', { zh: '用户名或重置码错误，或重置码已用过、已过期', en: 'Wrong user name or reset code, or the code was used or has expired' }, { field: 'code' });
      }
      return c.json({ ok: true, ...done });
    },
  )
  .get('/me', { responses: { 200: A.me }, summary: 'The signed-in user and their role per estate', access: 'signed-in', estate: { from: 'none' } }, async (c) => {
    return c.json(await describeAuth(c.get('deps').db, authOf(c)));
  })
  .put(
    '/me/preferences',
    {
      responses: { 200: A.preferences },
      summary: "Keep the signed-in user's display preferences (large text, 适老化) on their account, so they follow them to another browser",
      access: 'signed-in',
      estate: { from: 'none' },
      body: A.preferences,
      example: { largeText: true },
    },
    async (c, { body: { largeText } }) => {
      const auth = authOf(c);
      await c.get('deps').db.update(users).set({ largeText }).where(and(eq(users.tenantId, auth.tenantId), eq(users.id, auth.userId)));
      return c.json({ largeText });
    },
  )
  .get('/demo', { responses: { 200: A.demoAccounts }, summary: 'The demo accounts and their password, when this server seeded the demo (the quick start); otherwise seeded: false and nothing else', access: 'public', estate: { from: 'none' } }, async (c) => {
    const { db } = c.get('deps');
    const [company] = await db.select({ id: companies.id }).from(companies).where(eq(companies.name, demoCompany));
    if (!company) return c.json({ seeded: false });
    const rows = await db.select({ username: users.username, displayName: users.displayName, role: memberships.role }).from(users)
      .innerJoin(memberships, and(eq(memberships.tenantId, users.tenantId), eq(memberships.userId, users.id)))
      .where(and(eq(users.tenantId, company.id), eq(users.demo, true), eq(users.status, 'active'))).orderBy(asc(users.createdAt)).limit(40);
    return c.json({ seeded: true, password: demoPassword, accounts: rows });
  });
