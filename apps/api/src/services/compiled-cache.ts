import { and, eq } from 'drizzle-orm';
import { bundleInstalls, definitionVersions, type DbOrTx } from '@estateflow/db';
import { compile, defaultParams, DefinitionError, type CompiledWorkflow, type WorkflowDefinition } from '@estateflow/engine';
import { ApiError, notFound } from '../errors.ts';
import { estateCalendarsStamped, formsAsOf } from './definition-store.ts';
import type { InstanceContext } from '../store/index.ts';

/** A pinned workflow version, compiled once, with the parameter values of the estate. */
export interface PinnedWorkflow {
  versionId: string;
  key: string;
  version: number;
  compiled: CompiledWorkflow;
  params: Record<string, unknown>;
}

/**
 * Instances as this process last read or wrote them, with what their events need (calendars
 * fingerprint, SLA binding, armed SLA timers, history), most recently used last, at most `limit`.
 * A copy may be stale (another process wrote the instance, a calendar or SLA policy was published):
 * the event path's write checks the version and the fingerprints in the same statement, and a
 * stale copy costs a fresh read and a second step (issue #9).
 */
export class InstanceCache {
  private readonly entries = new Map<string, InstanceContext>();
  constructor(readonly limit = 5000) {}

  get(tenantId: string, id: string): InstanceContext | undefined {
    const k = `${tenantId}/${id}`;
    const hit = this.entries.get(k);
    if (hit) {
      this.entries.delete(k);
      this.entries.set(k, hit);
    }
    return hit;
  }

  set(ctx: InstanceContext): void {
    const k = `${ctx.row.tenantId}/${ctx.row.id}`;
    this.entries.delete(k);
    this.entries.set(k, ctx);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(tenantId: string, id: string): void {
    this.entries.delete(`${tenantId}/${id}`);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Compiles each published workflow version once per process. Versions are immutable, so the
 * cache never needs invalidating; it is keyed by tenant and version id.
 */
export class CompiledCache {
  private readonly entries = new Map<string, Promise<PinnedWorkflow>>();
  private readonly calendarEntries = new Map<string, { stamp: string; calendars: Promise<Record<string, unknown>> }>();
  /** instances kept in process by the event path (see InstanceCache) */
  readonly instances = new InstanceCache();

  /** The calendars fingerprint of the estate as last read, if any. */
  calendarStamp(tenantId: string, estateId: string): string | undefined {
    return this.calendarEntries.get(`${tenantId}/${estateId}`)?.stamp;
  }

  /**
   * The estate's calendars, the same object for as long as their fingerprint `stamp` (from
   * `ef_instance_context`) is unchanged, so deadlines keep them compiled; read again when it changes.
   */
  calendars(db: DbOrTx, tenantId: string, estateId: string, stamp: string): Promise<Record<string, unknown>> {
    const k = `${tenantId}/${estateId}`;
    const hit = this.calendarEntries.get(k);
    if (hit && hit.stamp === stamp) return hit.calendars;
    const read = estateCalendarsStamped(db, tenantId, estateId);
    // kept under the fingerprint read with the documents (newer than `stamp` if they changed meanwhile)
    const entry = { stamp, calendars: read.then((r) => r.calendars) };
    this.calendarEntries.set(k, entry);
    read.then((r) => {
      entry.stamp = r.stamp;
    }, () => {
      if (this.calendarEntries.get(k) === entry) this.calendarEntries.delete(k);
    });
    return entry.calendars;
  }

  get(db: DbOrTx, tenantId: string, versionId: string): Promise<PinnedWorkflow> {
    const k = `${tenantId}/${versionId}`;
    let hit = this.entries.get(k);
    if (!hit) {
      hit = this.load(db, tenantId, versionId);
      this.entries.set(k, hit);
      hit.then((v) => this.settled.set(k, v), () => this.entries.delete(k));
    }
    return hit;
  }

  private readonly settled = new Map<string, PinnedWorkflow>();
  /** A version already compiled, without waiting (e.g. inside a write's answer, after the event path has loaded it). */
  peek(tenantId: string, versionId: string): PinnedWorkflow | undefined {
    return this.settled.get(`${tenantId}/${versionId}`);
  }

  private async load(db: DbOrTx, tenantId: string, versionId: string): Promise<PinnedWorkflow> {
    const [v] = await db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.id, versionId)));
    if (!v || v.kind !== 'workflow') throw notFound('definition', versionId);
    const forms = await formsAsOf(db, tenantId, v.estateId, v.publishedAt);
    let params: Record<string, unknown> = {};
    if (v.bundleInstallId) {
      const [install] = await db.select().from(bundleInstalls).where(and(eq(bundleInstalls.tenantId, tenantId), eq(bundleInstalls.id, v.bundleInstallId)));
      params = install?.parameters ?? {};
    }
    try {
      const compiled = compile(v.document as unknown as WorkflowDefinition, { forms });
      // step() takes these as the whole parameter set, so the workflow's own defaults go underneath
      return { versionId: v.id, key: v.key, version: v.version, compiled, params: { ...defaultParams(compiled), ...params } };
    } catch (e) {
      if (e instanceof DefinitionError) throw new ApiError('invalid-definition', e.text, { path: e.path, cause: e });
      throw e;
    }
  }
}
