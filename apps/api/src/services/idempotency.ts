import { createHash } from 'node:crypto';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { idempotencyKeys, type Db, type DbOrTx, type Instance } from '@estateflow/db';
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
 * Deletes the key's row if it is an "in progress" reservation (status 0, no answer) older than the
 * lease, by the database's clock: such a row is left by a version before keys were committed with
 * their effect, whose process died mid-request. True when it was deleted (the key is then absent).
 */
async function releaseStaleKey(db: DbOrTx, where: SQL | undefined, leaseMs: number): Promise<boolean> {
  const released = await db.delete(idempotencyKeys)
    .where(and(where, eq(idempotencyKeys.statusCode, 0), sql`${idempotencyKeys.createdAt} < now() - ${leaseMs}::bigint * interval '1 millisecond'`))
    .returning({ key: idempotencyKeys.key });
  return released.length > 0;
}

/** Thrown inside a keyed request's transaction to undo it: a 5xx stores neither the key nor the effect. */
class UndoRequest extends Error {}

/**
 * `Idempotency-Key` on a POST: the first answer (any status below 500) is stored; the same key
 * with the same method, path and body replays it; the same key with another request is a 422.
 * The key is recorded in the same transaction as the request's effect, so a process killed
 * mid-request (kill -9, a crash) leaves either both or neither: a retry finds the stored answer, or
 * nothing, and runs again. No key ever stays "in progress": a reservation an older version left
 * (status 0, no answer) counts as absent once older than `ApiConfig.idempotencyLeaseMs`.
 * - Starts and events (`committedWithWrite`) commit it inside their one write (the WritePlan).
 * - Every other keyed POST runs whole in one transaction: the key's row is inserted first (a
 *   concurrent retry with the same key waits on its unique index until this one commits, then
 *   replays its answer, or runs if this one rolled back), the route runs on that transaction
 *   (`deps.db` is the transaction for the request), and the answer is stored before commit. A 5xx
 *   rolls back the key and the effect together.
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
  const deps = c.get('deps');
  const where = and(eq(idempotencyKeys.tenantId, auth.tenantId), eq(idempotencyKeys.userId, auth.userId), eq(idempotencyKeys.key, key));
  const inProgress = () => new ApiError('conflict', { zh: `幂等键“${key}”的请求仍在处理中，请稍后重试`, en: `The request with Idempotency-Key "${key}" is still in progress; retry shortly` }, { field: 'Idempotency-Key' });
  /** The stored answer of this key, or undefined when the key is absent (or was a stale reservation, now released). */
  const replay = async (db: DbOrTx): Promise<Response | undefined> => {
    const [seen] = await db.select().from(idempotencyKeys).where(where);
    if (!seen) return undefined;
    if (seen.statusCode === 0) {
      // only a version before keys were committed with their effect stored "in progress" rows;
      // past the lease nobody holds it (that version deleted or answered its keys within seconds)
      if (await releaseStaleKey(db, where, deps.config.idempotencyLeaseMs)) return undefined;
      const [now] = await db.select().from(idempotencyKeys).where(where);
      if (!now) return undefined; // another retry released it and has not committed: this one runs too, and one write wins
      if (now.requestHash !== requestHash) throw mismatch(key);
      if (now.statusCode === 0) throw inProgress();
      return answered(now);
    }
    return answered(seen);
  };
  const answered = (seen: typeof idempotencyKeys.$inferSelect): Response => {
    if (seen.requestHash !== requestHash) throw mismatch(key);
    return c.json(seen.response as object, seen.statusCode as 200, { 'idempotent-replayed': 'true' });
  };
  if (committedWithWrite.some((r) => r.test(path))) {
    const stored = await replay(deps.db);
    if (stored) return stored;
    c.set('idempotency', { userId: auth.userId, key, method: 'POST', path, requestHash });
    await next();
    // the same request ran alongside and committed first: its answer is this one's
    if (c.error instanceof IdempotencyRace) {
      const raced = await replay(deps.db);
      if (raced) c.res = raced;
    }
    return;
  }
  let replayed: Response | undefined;
  try {
    await deps.db.transaction(async (tx) => {
      // statusCode 0 is never seen by another request: this row commits only with the answer below
      const reserve = async () => (await tx
        .insert(idempotencyKeys)
        .values({ tenantId: auth.tenantId, userId: auth.userId, key, method: 'POST', path, requestHash, statusCode: 0, response: {} })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key })).length > 0;
      if (!(await reserve())) {
        replayed = await replay(tx);
        if (replayed) return;
        // a stale reservation was released: take the key now (or replay whoever took it first)
        if (!(await reserve())) {
          replayed = await replay(tx);
          if (!replayed) throw inProgress();
          return;
        }
      }
      c.set('deps', { ...deps, db: tx as unknown as Db });
      try {
        await next();
      } finally {
        c.set('deps', deps);
      }
      const res = c.res;
      if (res.status >= 500) throw new UndoRequest();
      // an answer that is not JSON is not stored (as before): the effect commits, the key does not
      if (!res.headers.get('content-type')?.includes('application/json')) await tx.delete(idempotencyKeys).where(where);
      else await tx.update(idempotencyKeys).set({ statusCode: res.status, response: await res.clone().json() }).where(where);
    });
  } catch (e) {
    if (!(e instanceof UndoRequest)) throw e;
  }
  if (replayed) return replayed;
};
