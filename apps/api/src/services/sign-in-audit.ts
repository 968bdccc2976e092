import { randomUUID } from 'node:crypto';
import { auditLog, type Db, type users } from '@estateflow/db';
import { ApiError } from '../errors.ts';
import type { Attempt, Block, ThrottleScope } from './login-throttle.ts';

/** audit_log lines about no company (a name no user has) carry this tenant id. */
export const NO_TENANT = '00000000-0000-0000-0000-000000000000';

/**
 * One `audit_log` line per checked sign-in (`auth.login`, accepted or refused, with the address),
 * plus one `auth.throttle` line per delay or lock the failure started (scope, until, failures).
 * Attempts answered 429 during a delay are not written one by one: the line that started it counts.
 */
export async function auditSignIn(db: Db, user: typeof users.$inferSelect | undefined, attempt: Attempt, result: { outcome: 'accepted' | 'refused'; blocks: Block[] }): Promise<void> {
  const tenantId = user?.tenantId ?? NO_TENANT;
  const base = { tenantId, actorId: user?.id ?? null, at: attempt.now };
  const username = attempt.username.slice(0, 64);
  await db.insert(auditLog).values([
    { ...base, id: randomUUID(), action: 'auth.login', target: `user/${username}`, outcome: result.outcome, detail: { address: attempt.address, ...(result.outcome === 'refused' ? { reason: 'bad-credentials' } : {}) } },
    ...result.blocks.map((b) => ({ ...base, id: randomUUID(), action: 'auth.throttle', target: b.scope === 'address' ? `address/${attempt.address}` : `user/${username}`, outcome: 'refused' as const, detail: { scope: b.scope, address: attempt.address, failures: b.failures, until: b.until.toISOString() } })),
  ]);
}

const WHY: Record<ThrottleScope, { zh: string; en: string }> = {
  address: { zh: '此网络地址登录失败次数过多，已暂时锁定', en: 'Too many failed sign-ins from this network address; it is locked for a while' },
  'account-address': { zh: '此账号登录失败次数过多', en: 'Too many failed sign-ins for this account' },
  account: { zh: '此账号登录失败次数过多（来自多个地址）', en: 'Too many failed sign-ins for this account (from several addresses)' },
};

/** The 429 answered during a delay or lock, saying how long to wait (no password was checked). */
export function throttled(block: Block, now: Date): ApiError {
  const seconds = Math.max(1, Math.ceil((block.until.getTime() - now.getTime()) / 1000));
  const wait = seconds >= 120 ? { zh: `${Math.ceil(seconds / 60)} 分钟`, en: `${Math.ceil(seconds / 60)} minutes` } : { zh: `${seconds} 秒`, en: `${seconds} seconds` };
  const why = WHY[block.scope];
  return new ApiError('too-many-attempts', { zh: `${why.zh}，请 ${wait.zh}后再试`, en: `${why.en}: try again in ${wait.en}` }, { field: 'password' });
}
