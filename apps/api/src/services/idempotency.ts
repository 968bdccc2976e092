import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { idempotencyKeys, type DbOrTx, type Instance } from '@estateflow/db';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { IdempotencyRace, type IdempotencyInput } from '../store/index.ts';

const isJsonBody = (type: string | undefined): boolean => !type || /^application\/([\w.+-]*\+)?json\b/i.test(type.trim());

/** The request body read from a clone, or undefined past `max` bytes (the route refuses such a body itself; no key is stored). */
async function boundedCopy(req: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  const stream = req.clone().body;
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * POSTs whose write commits the key with its effect (the start and event routes): no key is
 * reserved beforehand, so a process killed mid-request never leaves one "in progress"; a retry
 * finds the stored answer, or nothing (the effect was not applied either) and runs again.
 */
const committedWithWrite = [/^\/api\/instances\/?$/, /^\/api\/instances\/[^/]+\/events\/?$/];

/** The key of a request whose write stores it (see `committedWithWrite`); the route adds how its answer is made. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  method: 'POST';
  path: string;
  requestHash: string;
}

/** The claim as the event path takes it: the answer the route sends, made from the row the write leaves. */
export function withAnswer(claim: IdempotencyClaim | undefined, answer: (row: Instance) => { status: number; body: unknown }): IdempotencyInput | undefined {
  return claim ? { ...claim, answer } : undefined;
}

/** Whether the request's key has been stored (by another run of it) since it was looked up. */
export async function keyStored(db: DbOrTx, tenantId: string, claim: Pick<IdempotencyInput, 'userId' | 'key'>): Promise<boolean> {
  const [row] = await db.select({ key: idempotencyKeys.key }).from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.userId, claim.userId), eq(idempotencyKeys.key, claim.key)));
  return row !== undefined;
}

const mismatch = (key: string) => new ApiError(
  'idempotency-mismatch',
  { zh: `幂等键“${key}”已用于另一个请求`, en: `Idempotency-Key "${key}" was already used for a different request` },
  { field: 'Idempotency-Key' },
);

/**
 * `Idempotency-Key` on a POST: the first answer (any status below 500) is stored; the same key
 * with the same method, path and body replays it; the same key with another request is a 422.
 * Starts and events store it with their write (`committedWithWrite`); other routes reserve it first
 * (in progress: 409) and store the answer after.
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  const auth = c.get('auth');
  if (c.req.method !== 'POST' || !key || !auth) return next();
  const path = new URL(c.req.url).pathname;
  const hash = createHash('sha256').update(`POST ${path}\n`);
  if (isJsonBody(c.req.header('content-type'))) {
    const raw = await c.req.text();
    c.set('rawBody', raw);
    hash.update(raw);
  } else {
    // a binary body (an upload) is hashed from a copy, so the route still reads the original stream with its own size limit
    const bytes = await boundedCopy(c.req.raw, c.get('deps').config.attachmentMaxBytes + 64 * 1024);
    if (!bytes) return next();
    hash.update(bytes);
  }
  const requestHash = hash.digest('hex');
  const { db } = c.get('deps');
  const where = and(eq(idempotencyKeys.tenantId, auth.tenantId), eq(idempotencyKeys.userId, auth.userId), eq(idempotencyKeys.key, key));
  const replay = async (): Promise<Response | undefined> => {
    const [seen] = await db.select().from(idempotencyKeys).where(where);
    if (!seen) return undefined;
    if (seen.requestHash !== requestHash) throw mismatch(key);
    if (seen.statusCode === 0) {
      throw new ApiError('conflict', { zh: `幂等键“${key}”的请求仍在处理中，请稍后重试`, en: `The request with Idempotency-Key "${key}" is still in progress; retry shortly` }, { field: 'Idempotency-Key' });
    }
    return c.json(seen.response as object, seen.statusCode as 200, { 'idempotent-replayed': 'true' });
  };
  if (committedWithWrite.some((r) => r.test(path))) {
    const stored = await replay();
    if (stored) return stored;
    c.set('idempotency', { userId: auth.userId, key, method: 'POST', path, requestHash });
    await next();
    // the same request ran alongside and committed first: its answer is this one's
    if (c.error instanceof IdempotencyRace) {
      const raced = await replay();
      if (raced) c.res = raced;
    }
    return;
  }
  // reserve the key first (status 0 = in progress), so two concurrent retries cannot both run
  const reserved = await db
    .insert(idempotencyKeys)
    .values({ tenantId: auth.tenantId, userId: auth.userId, key, method: 'POST', path, requestHash, statusCode: 0, response: {} })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (reserved.length === 0) {
    const stored = await replay();
    if (stored) return stored;
    throw mismatch(key);
  }
  try {
    await next();
  } finally {
    const res = c.res;
    if (res.status >= 500 || !res.headers.get('content-type')?.includes('application/json')) {
      await db.delete(idempotencyKeys).where(where);
    } else {
      const response = await res.clone().json();
      await db.update(idempotencyKeys).set({ statusCode: res.status, response }).where(where);
    }
  }
};
