import { randomUUID } from 'node:crypto';
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import { calendars, definitionVersions, type DbOrTx, type DefinitionVersion, type VersionReview } from '@estateflow/db';
import type { FormDefinition } from '@estateflow/engine';
import { enqueueSlaRearm } from './sla-rearm-job.ts';
import { recomputeEstate } from './bill-paid.ts';

export interface PublishInput {
  tenantId: string;
  estateId: string;
  document: Record<string, unknown>;
  changeNote: string;
  publishedBy?: string | undefined;
  bundle?: { installId: string; id: string; version: string };
  now: Date;
  /** who drafted and approved it, with the change list reviewed (a designer's publish, #19) */
  review?: VersionReview;
}

/**
 * Publishes the next immutable version of (kind, id) in an estate; calendars are also made current.
 * An SLA policy or calendar also enqueues, in the same transaction, the re-arming of the running
 * instances' SLA timers (`enqueueSlaRearm`); a billing plan settles the estate's per-bill paid
 * totals again (`recomputeEstate`). Call inside a transaction.
 */
export async function publishVersion(db: DbOrTx, input: PublishInput): Promise<DefinitionVersion> {
  const kind = String(input.document.kind);
  const key = String(input.document.id);
  // concurrent publishes of one definition take turns (call inside a transaction): versions stay 1, 2, 3…
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`${input.tenantId}/${input.estateId}/${kind}/${key}`}))`);
  const [last] = await db
    .select({ version: definitionVersions.version })
    .from(definitionVersions)
    .where(and(eq(definitionVersions.tenantId, input.tenantId), eq(definitionVersions.estateId, input.estateId), eq(definitionVersions.kind, kind), eq(definitionVersions.key, key)))
    .orderBy(desc(definitionVersions.version))
    .limit(1);
  const [row] = await db
    .insert(definitionVersions)
    .values({
      tenantId: input.tenantId,
      id: randomUUID(),
      estateId: input.estateId,
      kind,
      key,
      version: (last?.version ?? 0) + 1,
      document: input.document,
      changeNote: input.changeNote,
      bundleInstallId: input.bundle?.installId,
      bundleId: input.bundle?.id,
      bundleVersion: input.bundle?.version,
      publishedAt: input.now,
      publishedBy: input.publishedBy,
      review: input.review ?? null,
    })
    .returning();
  if (kind === 'calendar') {
    await db
      .insert(calendars)
      .values({ tenantId: input.tenantId, estateId: input.estateId, key, document: input.document, updatedAt: input.now })
      .onConflictDoUpdate({ target: [calendars.tenantId, calendars.estateId, calendars.key], set: { document: input.document, updatedAt: input.now } });
  }
  if (!row) throw new Error('insert returned no row');
  await enqueueSlaRearm(db, row);
  // a billing plan's late-fee and allocation rules settle the estate's accounts: its per-bill paid totals again, in this transaction
  if (kind === 'billing-plan') await recomputeEstate(db, input.tenantId, input.estateId, input.now);
  return row;
}

/** The latest published version of (kind, key) in an estate, optionally as of an instant. */
export async function latestVersion(db: DbOrTx, tenantId: string, estateId: string, kind: string, key: string, asOf?: Date): Promise<DefinitionVersion | undefined> {
  const conds = [eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, kind), eq(definitionVersions.key, key)];
  if (asOf) conds.push(lte(definitionVersions.publishedAt, asOf));
  const [row] = await db.select().from(definitionVersions).where(and(...conds)).orderBy(desc(definitionVersions.version)).limit(1);
  return row;
}

/** The forms of an estate as they stood at an instant (the latest version of each, published by then). */
export async function formsAsOf(db: DbOrTx, tenantId: string, estateId: string, asOf?: Date): Promise<FormDefinition[]> {
  const conds = [eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, 'form')];
  if (asOf) conds.push(lte(definitionVersions.publishedAt, asOf));
  const rows = await db.select().from(definitionVersions).where(and(...conds)).orderBy(desc(definitionVersions.version));
  const byKey = new Map<string, FormDefinition>();
  for (const r of rows) if (!byKey.has(r.key)) byKey.set(r.key, r.document as unknown as FormDefinition);
  return [...byKey.values()];
}

/** The estate's calendars by key. */
export async function estateCalendars(db: DbOrTx, tenantId: string, estateId: string): Promise<Record<string, unknown>> {
  const rows = await db.select().from(calendars).where(and(eq(calendars.tenantId, tenantId), eq(calendars.estateId, estateId)));
  return Object.fromEntries(rows.map((r) => [r.key, r.document]));
}

/**
 * The estate's calendars by key with their fingerprint (`ef_calendar_fingerprint`, as `ef_instance_context`
 * answers it), in one statement: the compiled cache keeps them until the fingerprint changes.
 */
export async function estateCalendarsStamped(db: DbOrTx, tenantId: string, estateId: string): Promise<{ stamp: string; calendars: Record<string, unknown> }> {
  const [row] = await db.select({
    // the fingerprint's one definition (packages/db/sql/ef_calendar_fingerprint.sql), in the same statement as the documents
    stamp: sql<string>`ef_calendar_fingerprint(${tenantId}::uuid, ${estateId}::uuid)`,
    docs: sql<unknown>`coalesce(jsonb_object_agg(${calendars.key}, ${calendars.document}), '{}'::jsonb)`,
  }).from(calendars).where(and(eq(calendars.tenantId, tenantId), eq(calendars.estateId, estateId)));
  const docs = typeof row?.docs === 'string' ? JSON.parse(row.docs) : row?.docs;
  return { stamp: row?.stamp ?? '', calendars: (docs ?? {}) as Record<string, unknown> };
}

// one structural diff, shared with the designer's review before publishing
export { diffJson, type Change } from '@estateflow/definitions';
