/**
 * A person's own account: changing the password (the other sessions end), a one-time reset code an
 * admin hands over (no e-mail or SMS is sent yet), and the list of their sessions.
 */
import { randomInt } from 'node:crypto';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { passwordResets, sessions, users, type DbOrTx, type User } from '@estateflow/db';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { passwordProblem } from '../auth/password-policy.ts';
import { revokeSessions, tokenHash } from '../auth/session.ts';
import type { ApiConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import { auditAdmin } from './admin-audit.ts';

/** How long a reset code is valid (not in the field documents: one working day to hand it over). */
export const RESET_CODE_TTL_MS = 24 * 60 * 60 * 1000;

/** Sets a new password after the policy (400 naming `newPassword`), clears the forced change, ends sessions but `keep`. */
async function setPassword(db: DbOrTx, config: Pick<ApiConfig, 'argon2' | 'now'>, user: User, newPassword: string, keep: string | undefined): Promise<number> {
  const problem = passwordProblem(newPassword, user.username);
  if (problem) throw new ApiError('invalid-request', problem, { field: 'newPassword' });
  await db.update(users).set({ passwordHash: await hashPassword(newPassword, config), mustChangePassword: false, passwordChangedAt: config.now() })
    .where(and(eq(users.tenantId, user.tenantId), eq(users.id, user.id)));
  return revokeSessions(db, user.tenantId, user.id, keep);
}

/** Changes the caller's own password (the current one is checked); every other session of theirs ends. */
export async function changeOwnPassword(
  db: DbOrTx, config: Pick<ApiConfig, 'argon2' | 'now'>, user: User, input: { currentPassword: string; newPassword: string }, sessionToken: string | undefined,
): Promise<{ sessionsEnded: number }> {
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ApiError('invalid-request', { zh: '当前密码不正确', en: 'The current password is wrong' }, { field: 'currentPassword' });
  }
  if (input.currentPassword === input.newPassword) throw new ApiError('invalid-request', { zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' }, { field: 'newPassword' });
  const sessionsEnded = await setPassword(db, config, user, input.newPassword, sessionToken ? tokenHash(sessionToken) : undefined);
  await auditAdmin(db, { tenantId: user.tenantId, actorId: user.id, action: 'account.password', target: `user/${user.id}`, at: config.now(), detail: { sessionsEnded } });
  return { sessionsEnded };
}

/** A code people can read out: 4 groups of 4 digits. */
const newCode = (): string => Array.from({ length: 4 }, () => String(randomInt(0, 10_000)).padStart(4, '0')).join('-');

/** Issues a one-time reset code for `user` (earlier unused codes are voided); answers the code once. */
export async function issueResetCode(db: DbOrTx, config: Pick<ApiConfig, 'now'>, user: User, issuedBy: string): Promise<{ code: string; expiresAt: string }> {
  const now = config.now();
  await db.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.tenantId, user.tenantId), eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt)));
  const code = newCode();
  const expiresAt = new Date(now.getTime() + RESET_CODE_TTL_MS);
  await db.insert(passwordResets).values({ tenantId: user.tenantId, userId: user.id, codeHash: tokenHash(`${user.id}:${code}`), issuedBy, expiresAt, createdAt: now });
  await auditAdmin(db, { tenantId: user.tenantId, actorId: issuedBy, action: 'account.reset-code', target: `user/${user.id}`, at: now, detail: { expiresAt: expiresAt.toISOString() } });
  return { code, expiresAt: expiresAt.toISOString() };
}

/**
 * Sets a new password with a reset code: the code must be the user's, unused and unexpired; it is
 * used up, every session ends. Undefined when the code does not fit (the caller answers as a wrong password).
 */
export async function redeemResetCode(db: DbOrTx, config: Pick<ApiConfig, 'argon2' | 'now'>, user: User, code: string, newPassword: string): Promise<{ sessionsEnded: number } | undefined> {
  const now = config.now();
  const problem = passwordProblem(newPassword, user.username);
  if (problem) throw new ApiError('invalid-request', problem, { field: 'newPassword' });
  const [row] = await db.update(passwordResets).set({ usedAt: now })
    .where(and(eq(passwordResets.codeHash, tokenHash(`${user.id}:${code.trim()}`)), eq(passwordResets.tenantId, user.tenantId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .returning();
  if (!row) return undefined;
  const sessionsEnded = await setPassword(db, config, user, newPassword, undefined);
  await auditAdmin(db, { tenantId: user.tenantId, actorId: user.id, action: 'account.reset', target: `user/${user.id}`, at: now, detail: { issuedBy: row.issuedBy, sessionsEnded } });
  return { sessionsEnded };
}

/** The user's live sessions, newest first, marking the caller's own. */
export async function listSessions(db: DbOrTx, user: { tenantId: string; userId: string }, now: Date, idleMs: number, current: string | undefined) {
  const rows = await db.select().from(sessions)
    .where(and(eq(sessions.tenantId, user.tenantId), eq(sessions.userId, user.userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt));
  const mine = current ? tokenHash(current) : undefined;
  return rows
    .filter((s) => now.getTime() - s.lastSeenAt.getTime() <= idleMs)
    .map((s) => ({
      // the hash's first characters name a session without being usable as a token
      id: s.tokenHash.slice(0, 16), current: s.tokenHash === mine, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(), idleExpiresAt: new Date(s.lastSeenAt.getTime() + idleMs).toISOString(), address: s.address, userAgent: s.userAgent,
    }));
}
