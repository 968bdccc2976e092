import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Failed-sign-in counters, shared by every API process (apps/api `login-throttle.ts`). One row per
 * client address (`address`), per user name and address (`account-address`) and per user name
 * (`account`). Keyed by the name as typed, so an unknown name is counted exactly like a real one.
 * Sign-in happens before the company is known, so these rows have no `tenant_id`.
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    scope: text('scope').$type<'address' | 'account-address' | 'account'>().notNull(),
    key: text('key').notNull(),
    /** failed attempts since `window_started_at` */
    failures: integer('failures').notNull().default(0),
    windowStartedAt: timestamptz('window_started_at').notNull(),
    /** no attempt is checked before this instant */
    blockedUntil: timestamptz('blocked_until'),
    /** `account-address` rows: the last successful sign-in from this address (a usual address) */
    succeededAt: timestamptz('succeeded_at'),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

function timestamptz(name: string) {
  return timestamp(name, { withTimezone: true });
}
