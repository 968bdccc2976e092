import { and, eq, or, sql } from 'drizzle-orm';
import { loginThrottle, type Db } from '@estateflow/db';

/**
 * Sign-in throttling, counted in the database so every API process sees the same counters.
 *
 * The design: **per-address lock + per-(account, address) backoff + account-wide backoff for
 * unfamiliar addresses.**
 * - A client address with `addressLimit` failed sign-ins (any names) within `addressWindowMs` is
 *   locked for `addressLockMs`: one machine cannot sweep names or passwords.
 * - A name tried from one address gets `pairFreeFailures` free failures, then a delay doubling
 *   from `baseDelayMs` up to `maxDelayMs` after each failure; a success there resets it.
 * - A name failing `accountFreeFailures` times within `windowMs` from all addresses together gets
 *   the same growing delay, but only for addresses it has not signed in from in the last
 *   `usualAddressDays`: an attacker spreading guesses over many machines is slowed down, while the
 *   finance clerk at her usual desk still signs in with the right password. Nobody is locked out:
 *   every delay ends by itself (at most `maxDelayMs`).
 * Attempts during a delay or lock are answered 429 without checking the password and not counted.
 */
export interface LoginThrottleConfig {
  addressLimit: number;
  addressWindowMs: number;
  addressLockMs: number;
  pairFreeFailures: number;
  accountFreeFailures: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  usualAddressDays: number;
}

export const defaultLoginThrottle: LoginThrottleConfig = {
  addressLimit: 20,
  addressWindowMs: 15 * 60_000,
  addressLockMs: 15 * 60_000,
  pairFreeFailures: 3,
  accountFreeFailures: 10,
  windowMs: 60 * 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  usualAddressDays: 30,
};

export type ThrottleScope = 'address' | 'account-address' | 'account';

/** One sign-in attempt: the name as typed and the client address. */
export type Attempt = { username: string; address: string; now: Date };

/** A delay or lock in force (or just started): until when, and which counter set it. */
export type Block = { scope: ThrottleScope; until: Date; failures?: number };

const keys = (a: Attempt): Record<ThrottleScope, string> => ({
  address: a.address,
  'account-address': `${a.username}\n${a.address}`,
  account: a.username,
});

const SCOPES: readonly ThrottleScope[] = ['address', 'account-address', 'account'];

/** The block that stops this attempt before its password is checked, if any. */
export async function loginBlocked(db: Db, config: LoginThrottleConfig, attempt: Attempt): Promise<Block | undefined> {
  const k = keys(attempt);
  const rows = await db
    .select()
    .from(loginThrottle)
    .where(or(...SCOPES.map((scope) => and(eq(loginThrottle.scope, scope), eq(loginThrottle.key, k[scope])))));
  const row = (scope: ThrottleScope) => rows.find((r) => r.scope === scope);
  const now = attempt.now.getTime();
  const usualSince = now - config.usualAddressDays * 86_400_000;
  const usual = (row('account-address')?.succeededAt?.getTime() ?? -Infinity) > usualSince;
  for (const scope of SCOPES) {
    const until = row(scope)?.blockedUntil;
    if (!until || until.getTime() <= now) continue;
    if (scope === 'account' && usual) continue;
    return { scope, until };
  }
  return undefined;
}

const delay = (config: LoginThrottleConfig, over: number): number => Math.min(config.baseDelayMs * 2 ** Math.min(over - 1, 30), config.maxDelayMs);

/** Counts a failed sign-in on all three counters (one statement) and starts the delays it earns. */
export async function recordLoginFailure(db: Db, config: LoginThrottleConfig, attempt: Attempt): Promise<Block[]> {
  const k = keys(attempt);
  const now = attempt.now;
  const windowMs = sql`(case ${loginThrottle.scope} when 'address' then ${config.addressWindowMs}::bigint else ${config.windowMs}::bigint end)`;
  const windowOver = sql`${loginThrottle.windowStartedAt} <= excluded.window_started_at - ${windowMs} * interval '1 millisecond'`;
  const counted = await db
    .insert(loginThrottle)
    .values(SCOPES.map((scope) => ({ scope, key: k[scope], failures: 1, windowStartedAt: now })))
    .onConflictDoUpdate({
      target: [loginThrottle.scope, loginThrottle.key],
      // a counter whose window has passed starts again at 1
      set: {
        failures: sql`case when ${windowOver} then 1 else ${loginThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${windowOver} then excluded.window_started_at else ${loginThrottle.windowStartedAt} end`,
      },
    })
    .returning({ scope: loginThrottle.scope, failures: loginThrottle.failures });
  const blocks: Block[] = [];
  for (const { scope, failures } of counted) {
    let ms = 0;
    if (scope === 'address' && failures >= config.addressLimit) ms = config.addressLockMs;
    if (scope === 'account-address' && failures > config.pairFreeFailures) ms = delay(config, failures - config.pairFreeFailures);
    if (scope === 'account' && failures > config.accountFreeFailures) ms = delay(config, failures - config.accountFreeFailures);
    if (ms > 0) blocks.push({ scope, until: new Date(now.getTime() + ms), failures });
  }
  for (const b of blocks) {
    const until = sql`${b.until.toISOString()}::timestamptz`;
    await db
      .update(loginThrottle)
      .set({ blockedUntil: sql`greatest(coalesce(${loginThrottle.blockedUntil}, ${until}), ${until})` })
      .where(and(eq(loginThrottle.scope, b.scope), eq(loginThrottle.key, k[b.scope])));
  }
  return blocks;
}

/** A successful sign-in: this name's counter at this address starts again, and the address becomes usual. */
export async function recordLoginSuccess(db: Db, attempt: Attempt): Promise<void> {
  const key = keys(attempt)['account-address'];
  await db
    .insert(loginThrottle)
    .values({ scope: 'account-address', key, failures: 0, windowStartedAt: attempt.now, succeededAt: attempt.now })
    .onConflictDoUpdate({ target: [loginThrottle.scope, loginThrottle.key], set: { failures: 0, windowStartedAt: attempt.now, blockedUntil: null, succeededAt: attempt.now } });
}

/**
 * Deletes at most `batch` counters that no longer change any answer: the counting window is over
 * (`addressWindowMs` for addresses, `windowMs` otherwise), no delay or lock is in force, and the
 * row does not mark a usual address (a success within `usualAddressDays`). Such a row would act
 * exactly like no row (the next failure starts its window again at 1). Answers how many went and
 * whether a full batch leaves more. The worker runs it with its other sweeps.
 */
export async function pruneLoginThrottle(db: Db, config: LoginThrottleConfig, now: Date, batch = 1_000): Promise<{ removed: number; more: boolean }> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const windowMs = sql`(case ${loginThrottle.scope} when 'address' then ${config.addressWindowMs}::bigint else ${config.windowMs}::bigint end)`;
  const expired = and(
    sql`${loginThrottle.windowStartedAt} <= ${at} - ${windowMs} * interval '1 millisecond'`,
    sql`(${loginThrottle.blockedUntil} is null or ${loginThrottle.blockedUntil} <= ${at})`,
    sql`(${loginThrottle.succeededAt} is null or ${loginThrottle.succeededAt} <= ${at} - ${config.usualAddressDays}::int * interval '1 day')`,
  );
  const gone = await db.delete(loginThrottle)
    .where(sql`(${loginThrottle.scope}, ${loginThrottle.key}) in (select scope, key from login_throttle where ${expired} limit ${batch})`)
    .returning({ key: loginThrottle.key });
  return { removed: gone.length, more: gone.length >= batch };
}
