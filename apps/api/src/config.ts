import { auditRetentionDays } from './services/admin-audit.ts';
import { attachmentOrphanHours } from './services/attachment-sweep.ts';
import { defaultInputBounds, type InputBounds } from './input-bounds.ts';
import { defaultLoginThrottle, type LoginThrottleConfig } from './services/login-throttle.ts';
/** Settings of one API process; tests lower the argon2 cost and session lifetime. */
export interface ApiConfig {
  /** argon2id cost (defaults: OWASP-recommended 19 MiB, 2 passes) */
  argon2: { memoryCost: number; timeCost: number };
  /** absolute session lifetime from sign-in (default 12 h: one working day; not in the field documents) */
  sessionTtlMs: number;
  /** a session unused this long ends (env EF_SESSION_IDLE_MINUTES, default 120; not in the field documents) */
  sessionIdleMs: number;
  /** days the audit log of administrative actions is kept at least (env EF_AUDIT_RETENTION_DAYS, default 180: Cybersecurity Law art. 21 asks ≥ 6 months) */
  auditRetentionDays: number;
  /** set the Secure flag on the session cookie (true when served over https) */
  secureCookies: boolean;
  /** folder of the template bundle catalogue (`workflows/`) */
  workflowsDir: string;
  /** largest accepted upload in bytes (POST /api/attachments); env EF_ATTACHMENT_MAX_BYTES, default 10 MiB */
  attachmentMaxBytes: number;
  /** hours an upload no start or event has named is kept (env EF_ATTACHMENT_ORPHAN_HOURS, default 72): the worker deletes it after, and a submission naming it is refused a margin before */
  attachmentOrphanHours: number;
  /**
   * an "in progress" Idempotency-Key row (left by a version before keys were committed with their
   * effect) older than this has no live holder and counts as absent (default 2 minutes; not in the
   * field documents: that version answered or deleted its keys within a request's run, seconds)
   */
  idempotencyLeaseMs: number;
  /** request body size and JSON nesting (input-bounds.ts; env EF_BODY_MAX_BYTES) */
  inputBounds: InputBounds;
  /** failed sign-in delays and locks (services/login-throttle.ts) */
  loginThrottle: LoginThrottleConfig;
  /** origins besides the API's own whose pages may send state-changing requests (env EF_TRUSTED_ORIGINS, comma-separated) */
  trustedOrigins: string[];
  /** behind one trusted reverse proxy: the client address is the last X-Forwarded-For entry (env EF_TRUST_PROXY=1) */
  trustProxy: boolean;
  /** instances a report reads per batch (its memory bound; every instance of the range is read, batch after batch). Not in the field documents. */
  reportBatchSize: number;
  /** the clock; the only place the API reads time */
  now: () => Date;
}

export function defaultConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    argon2: { memoryCost: 19456, timeCost: 2 },
    sessionTtlMs: 12 * 60 * 60 * 1000,
    sessionIdleMs: (Number(process.env.EF_SESSION_IDLE_MINUTES) || 120) * 60 * 1000,
    auditRetentionDays: auditRetentionDays(),
    secureCookies: false,
    workflowsDir: new URL('../../../workflows', import.meta.url).pathname,
    attachmentMaxBytes: Number(process.env.EF_ATTACHMENT_MAX_BYTES) || 10 * 1024 * 1024,
    attachmentOrphanHours: overrides.attachmentOrphanHours ?? attachmentOrphanHours(),
    idempotencyLeaseMs: 2 * 60_000,
    inputBounds: defaultInputBounds(),
    loginThrottle: defaultLoginThrottle,
    trustProxy: process.env.EF_TRUST_PROXY === '1',
    trustedOrigins: (process.env.EF_TRUSTED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    reportBatchSize: 500,
    now: () => new Date(),
    ...overrides,
  };
}
