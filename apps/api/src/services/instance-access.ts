import { and, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Context } from 'hono';
import { definitionVersions, instances, residentLinkActive, residents, units, type DbOrTx, type Instance, type Role } from '@estateflow/db';
import type { AppEnv, Auth } from '../env.ts';
import { ApiError } from '../errors.ts';
import { authOf, requireEstate } from '../route-table.ts';
import { isUuid } from './body.ts';
import type { CompiledCache } from './compiled-cache.ts';

/**
 * Which residents see a request: `household`, every resident of its unit; `private`, only the one
 * who raised it. A workflow says it (`privacy` in schemas/workflow.schema.json); without it, `private`.
 */
export type Privacy = 'household' | 'private';

/** A workflow definition's `privacy`, with the schema's default. */
export const privacyOf = (definition: { privacy?: unknown }): Privacy => (definition.privacy === 'household' ? 'household' : 'private');

/** The rule's `staff` term: a role that sees every request of its estate (every role but `resident`). */
export const isStaff = (role: Role | undefined): boolean => role !== undefined && role !== 'resident';

/** The facts the rule reads, each as a value of the reading's type. */
interface Terms<T> {
  /** the caller holds a staff role in the instance's estate */
  staff: T;
  /** the caller raised the request */
  raisedByMe: T;
  /**
   * a staff member registered the request for the caller ("first asked owns it", PS-12, GN-1): they
   * follow it as if they had raised it (CP-12), whatever its privacy
   */
  forMe: T;
  /** the request is on a unit the caller lives in now (`residents.user_id`, a link not ended: a former resident no longer) */
  onMyUnit: T;
  /** the request's workflow (the version it is pinned to) shares it with the household */
  household: T;
  or(...xs: T[]): T;
  and(...xs: T[]): T;
}

/**
 * May this caller see and act on this instance? Staff of its estate: yes, and what they may do is
 * what their role may do (the engine checks each event's roles; holding or claiming a task adds
 * nothing). A resident: on the requests they raised, and on the requests of a unit they live in
 * when the workflow is household-visible (repairs, paid services), never a neighbour's nor another
 * household member's private request (a complaint, CP-13). Stated once here and read twice:
 * `mayAccess` (one instance, a boolean) and `accessibleInstances` (a SQL condition for lists).
 */
const rule = <T>(t: Terms<T>): T => t.or(t.staff, t.raisedByMe, t.forMe, t.and(t.household, t.onMyUnit));

/** The caller in one estate: their role there, and the units they live in there (residents). */
export interface Viewer {
  userId: string;
  role: Role;
  units: readonly string[];
}

/** What the rule reads of an instance. */
export type InstanceFacts = Pick<Instance, 'tenantId' | 'id' | 'estateId' | 'startedBy' | 'requestedFor' | 'unitId' | 'definitionVersionId'>;

/** The boolean reading of the rule, for one instance (pure). */
export function mayAccess(viewer: Viewer, inst: Pick<Instance, 'startedBy' | 'unitId'> & { requestedFor?: string | null; privacy: Privacy }): boolean {
  return rule<boolean>({
    staff: isStaff(viewer.role),
    raisedByMe: inst.startedBy === viewer.userId,
    forMe: inst.requestedFor != null && inst.requestedFor === viewer.userId,
    onMyUnit: inst.unitId !== null && viewer.units.includes(inst.unitId),
    household: inst.privacy === 'household',
    or: (...xs) => xs.some(Boolean),
    and: (...xs) => xs.every(Boolean),
  });
}

/** The units a user lives in at `at` (links not ended by then), in one estate. */
export async function unitsLivedIn(db: DbOrTx, tenantId: string, estateId: string, userId: string, at: Date): Promise<string[]> {
  const rows = await db.select({ unitId: residents.unitId }).from(residents)
    .where(and(eq(residents.tenantId, tenantId), eq(residents.estateId, estateId), eq(residents.userId, userId), residentLinkActive(at)));
  return rows.map((r) => r.unitId);
}

/**
 * `mayAccess` for a user with `role` in the instance's estate, reading their units and the pinned
 * version's `privacy` (compiled once per version) only for a resident: for staff the rule is true
 * whatever they are.
 */
export async function mayAccessInstance(deps: { db: DbOrTx; cache: CompiledCache }, who: { userId: string; role: Role; at: Date }, inst: InstanceFacts): Promise<boolean> {
  if (isStaff(who.role)) return mayAccess({ ...who, units: [] }, { ...inst, privacy: 'private' });
  const [lived, pinned] = await Promise.all([
    unitsLivedIn(deps.db, inst.tenantId, inst.estateId, who.userId, who.at),
    deps.cache.get(deps.db, inst.tenantId, inst.definitionVersionId),
  ]);
  return mayAccess({ ...who, units: lived }, { ...inst, privacy: privacyOf(pinned.compiled.definition) });
}

/** Whether a request for `auth` may need the instance's facts: it holds a role the rule does not settle alone. */
export const needsInstanceFacts = (auth: Auth): boolean => [...auth.roles.values()].some((role) => !isStaff(role));

/** The 403 of an instance in the caller's estate that is not theirs (zh/en, with the reason). */
export const notYours = (): ApiError => new ApiError('forbidden', {
  zh: '住户只能查看和办理自己提交的事项，以及自家房屋中全户可见的事项（如报修、有偿服务）；投诉等个人事项只有提交人本人可见',
  en: 'Residents see and act on the requests they raised, and on the household requests of a unit they live in (such as repairs and paid services); complaints and other personal requests only their own',
});

/**
 * The caller's role in the instance's estate, once they may see it: another estate or company is
 * 404 (as absent), the route's role list 403 (`requireEstate`), someone else's request in their own
 * estate 403 with the reason.
 */
export async function requireInstanceAccess(c: Context<AppEnv>, inst: InstanceFacts): Promise<Role> {
  const role = requireEstate(c, inst.estateId);
  const { db, cache } = c.get('deps');
  const auth = authOf(c);
  if (!(await mayAccessInstance({ db, cache }, { userId: auth.userId, role, at: auth.at }, inst))) throw notYours();
  return role;
}

/** The facts of one instance of the tenant, or undefined. */
export async function instanceFacts(db: DbOrTx, tenantId: string, id: string): Promise<InstanceFacts | undefined> {
  const [row] = await db.select({
    tenantId: instances.tenantId, id: instances.id, estateId: instances.estateId, startedBy: instances.startedBy, requestedFor: instances.requestedFor,
    unitId: instances.unitId, definitionVersionId: instances.definitionVersionId,
  }).from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, id)));
  return row;
}

/** The columns of an instance row the SQL reading refers to. */
export interface InstanceColumns {
  tenantId: SQLWrapper;
  estateId: SQLWrapper;
  unitId: SQLWrapper;
  startedBy: SQLWrapper;
  requestedFor: SQLWrapper;
  definitionVersionId: SQLWrapper;
}

/** The `instances` table's own columns (drizzle queries over `instances`). */
export const instanceColumns: InstanceColumns = instances;

/** The columns of `instances` under an alias in hand-written SQL (`from outbox o join instances i`). */
export const aliasedInstanceColumns = (alias: string): InstanceColumns => ({
  tenantId: sql.raw(`${alias}.tenant_id`),
  estateId: sql.raw(`${alias}.estate_id`),
  unitId: sql.raw(`${alias}.unit_id`),
  startedBy: sql.raw(`${alias}.started_by`),
  requestedFor: sql.raw(`${alias}.requested_for`),
  definitionVersionId: sql.raw(`${alias}.definition_version_id`),
});

/** A SQL term that folds the constants true and false, so a staff-only caller's lists keep their plain estate filter. */
type Cond = SQL | boolean;
const toSql = (c: Cond): SQL => (c === true ? sql`true` : c === false ? sql`false` : c);
const combine = (xs: Cond[], unit: boolean, op: string): Cond => {
  if (xs.includes(!unit)) return !unit;
  const rest = xs.filter((x): x is SQL => x !== unit);
  if (rest.length === 0) return unit;
  return rest.length === 1 ? rest[0]! : sql`(${sql.join(rest, sql.raw(` ${op} `))})`;
};

/**
 * The SQL reading of the rule: the instances of `estateIds` (estates where the caller holds a role)
 * that the caller may see, as a condition over `cols` (by default the `instances` table).
 */
export function accessibleInstances(auth: Auth, estateIds: readonly string[], cols: InstanceColumns = instanceColumns): SQL {
  if (estateIds.length === 0) return sql`false`;
  const staffIn = estateIds.filter((id) => isStaff(auth.roles.get(id)));
  const inEstates = sql`${cols.estateId} in ${estateIds}`;
  const residentIn = estateIds.filter((id) => !isStaff(auth.roles.get(id)));
  // the caller's units and the household-visible versions are read once per query (uncorrelated, so each
  // becomes an InitPlan array and the terms use instances_started_by_idx / instances_unit_idx)
  const condition = rule<Cond>({
    staff: residentIn.length === 0 ? true : staffIn.length === 0 ? false : sql`${cols.estateId} in ${staffIn}`,
    raisedByMe: sql`${cols.startedBy} = ${auth.userId}`,
    forMe: sql`${cols.requestedFor} = ${auth.userId}`,
    onMyUnit: sql`${cols.unitId} = any(array(select ${residents.unitId} from ${residents}
      where ${residents.tenantId} = ${auth.tenantId} and ${residents.estateId} in ${residentIn} and ${residents.userId} = ${auth.userId}
        and ${residentLinkActive(auth.at)}))`,
    household: sql`${cols.definitionVersionId} = any(array(select ${definitionVersions.id} from ${definitionVersions}
      where ${definitionVersions.tenantId} = ${auth.tenantId} and ${definitionVersions.estateId} in ${residentIn} and ${definitionVersions.kind} = 'workflow'
        and ${definitionVersions.document}->>'privacy' = 'household'))`,
    or: (...xs) => combine(xs, false, 'or'),
    and: (...xs) => combine(xs, true, 'and'),
  });
  return condition === true ? inEstates : sql`(${inEstates} and ${toSql(condition)})`;
}

/**
 * Whether an open task, of a request the caller may see (`accessibleInstances` chose it), waits in
 * their inbox: for staff, every task their inbox's scope selected; for a resident, a task for
 * their role or assigned to them, or one every event of which a resident may send (the repair's
 * sign-off, which the technician may also collect on site), never one some of whose events only
 * the office sends (a classify, though a resident may cancel there). The pinned version's events
 * are compiled once per version.
 */
export async function taskWaitsFor(
  deps: { db: DbOrTx; cache: CompiledCache },
  auth: Pick<Auth, 'tenantId' | 'userId' | 'roles'>,
  task: { estateId: string; role: string | null; assigneeId: string | null; events: readonly string[] | null },
  definitionVersionId: string,
): Promise<boolean> {
  const role = auth.roles.get(task.estateId);
  if (isStaff(role) || task.role === role || task.assigneeId === auth.userId) return true;
  const events = (await deps.cache.get(deps.db, auth.tenantId, definitionVersionId)).compiled.definition.events ?? {};
  const answers = task.events ?? [];
  return answers.length > 0 && answers.every((e) => (events[e]?.roles as readonly string[] | undefined)?.includes(role!));
}

/** A 422 naming `/unitId` (zh/en): the start names a unit the caller may not name. */
const unitRefused = (why: { zh: string; en: string }): ApiError => new ApiError(
  'form-invalid',
  { zh: `所选房屋${why.zh}`, en: `The chosen unit ${why.en}` },
  { field: '/unitId', issues: [{ field: '/unitId', keyword: 'unit', message: { zh: `所选房屋${why.zh}`, en: `The chosen unit ${why.en}` } }] },
);

/**
 * The unit a start names, checked: it must be a unit of the estate, and a resident may name only
 * a unit they live in now. Anything else is 422 naming `/unitId`, before anything is written.
 */
export async function checkStartUnit(db: DbOrTx, who: { tenantId: string; estateId: string; userId: string; role: Role; at: Date }, unitId: unknown): Promise<string | undefined> {
  if (unitId === undefined || unitId === null) return undefined;
  if (typeof unitId !== 'string' || !isUuid(unitId)) {
    throw unitRefused({ zh: '无效', en: 'is not valid' });
  }
  const [unit] = await db.select({ id: units.id }).from(units)
    .where(and(eq(units.tenantId, who.tenantId), eq(units.estateId, who.estateId), eq(units.id, unitId)));
  if (!unit) throw unitRefused({ zh: '不属于本项目', en: 'is not a unit of this estate' });
  if (!isStaff(who.role)) {
    const lived = await db.select({ id: residents.id }).from(residents)
      .where(and(eq(residents.tenantId, who.tenantId), eq(residents.estateId, who.estateId), eq(residents.userId, who.userId), eq(residents.unitId, unitId), residentLinkActive(who.at)));
    if (lived.length === 0) throw unitRefused({ zh: '不是您登记居住的房屋', en: 'is not a unit you live in' });
  }
  return unitId;
}

/** A 422 naming `/requestedFor` (zh/en): the start names someone it may not be registered for. */
const forRefused = (why: { zh: string; en: string }): ApiError => new ApiError(
  'form-invalid',
  { zh: `登记对象${why.zh}`, en: `The resident it is for ${why.en}` },
  { field: '/requestedFor', issues: [{ field: '/requestedFor', keyword: 'requestedFor', message: { zh: `登记对象${why.zh}`, en: `The resident it is for ${why.en}` } }] },
);

/**
 * Whom a staff member registers a request for ("first asked owns it", PS-12, GN-1, seed 001
 * 2.2.5–2.2.6): a resident account that lives in the estate now, and in the request's unit when it
 * names one. Only staff register for someone else; anything else is 422 naming `/requestedFor`,
 * before anything is written. The resident then follows the request as if they had raised it (`forMe`).
 */
export async function checkRequestedFor(
  db: DbOrTx, who: { tenantId: string; estateId: string; role: Role; at: Date }, requestedFor: unknown, unitId: string | undefined,
): Promise<string | undefined> {
  if (requestedFor === undefined || requestedFor === null) return undefined;
  if (!isStaff(who.role)) throw forRefused({ zh: '只能由员工代为登记', en: 'can be named only by staff registering the request for them' });
  if (typeof requestedFor !== 'string' || !isUuid(requestedFor)) throw forRefused({ zh: '无效', en: 'is not valid' });
  const lives = await db.select({ unitId: residents.unitId }).from(residents)
    .where(and(eq(residents.tenantId, who.tenantId), eq(residents.estateId, who.estateId), eq(residents.userId, requestedFor), residentLinkActive(who.at)));
  if (lives.length === 0) throw forRefused({ zh: '不是本项目在住的住户', en: 'is not a resident living in this estate' });
  if (unitId !== undefined && !lives.some((l) => l.unitId === unitId)) throw forRefused({ zh: '不住在所选房屋', en: 'does not live in the chosen unit' });
  return requestedFor;
}
