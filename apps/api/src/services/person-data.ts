/**
 * A person's data on request (PIPL arts. 45 and 47, issue #17): everything the company holds about
 * them as one JSON document (`exportPerson`), and erasure (`erasePerson`): their identity (name,
 * phone, ID numbers, user name) is replaced by a pseudonym in their account, their links to units,
 * the data and history of requests, tasks, notices, receipts and audit details, while accounting
 * records (bills, payments, receipts) are kept with their amounts: they must be kept 30 years
 * (会计档案管理办法 art. 14), only without the person's identity.
 */
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import {
  attachments, auditLog, billAdjustments, billLines, bills, definitionVersions, estates, events, idempotencyKeys, instances, loginThrottle, memberships, outbox, passwordResets,
  payments, privacyCleanups, receipts, residents, sessions, tasks, timers, streamRows, unitBillingProfiles, units, users, type Db, type DbOrTx, type User,
} from '@estateflow/db';
import { formatYuan, type Fen } from '@estateflow/billing';
import type { EngineSnapshot } from '@estateflow/engine';
import type { ApiConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import { searchTextOf } from '../store/index.ts';
import { auditAdmin } from './admin-audit.ts';
import { attachmentUrl } from './attachment-refs.ts';
import type { CompiledCache } from './compiled-cache.ts';
import { personalFieldsOf, type PersonalFields } from './personal-data.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const yuan = (fen: number) => `¥${formatYuan(fen as Fen)}`;

/** The units a person is linked to (their residents rows), with the kind of link. */
async function linksOf(db: DbOrTx, tenantId: string, userId: string) {
  return db.select({ id: residents.id, estateId: residents.estateId, unitId: residents.unitId, unitLabel: units.label, kind: residents.kind, name: residents.name, phone: residents.phone })
    .from(residents).innerJoin(units, and(eq(units.tenantId, residents.tenantId), eq(units.id, residents.unitId)))
    .where(and(eq(residents.tenantId, tenantId), eq(residents.userId, userId)));
}

/**
 * Everything held about one person: account, roles, links to units, sessions, the requests they
 * started with their history, the notices addressed to them or about their requests, and the
 * bills of their units where they are the payer (household, or their kind of resident) with the
 * payments and receipts against those units.
 */
export async function exportPerson(db: Db, tenantId: string, person: User, now: Date) {
  const roles = await db.select({ estateId: memberships.estateId, estateName: estates.name, role: memberships.role }).from(memberships)
    .innerJoin(estates, and(eq(estates.tenantId, memberships.tenantId), eq(estates.id, memberships.estateId)))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, person.id)));
  const links = await linksOf(db, tenantId, person.id);
  const mySessions = await db.select().from(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.userId, person.id))).orderBy(asc(sessions.createdAt));
  const started = await db.select({ row: instances, unitLabel: units.label }).from(instances)
    .leftJoin(units, and(eq(units.tenantId, instances.tenantId), eq(units.id, instances.unitId)))
    .where(and(eq(instances.tenantId, tenantId), or(eq(instances.startedBy, person.id), eq(instances.requestedFor, person.id)))).orderBy(asc(instances.startedAt));
  const ids = started.map((s) => s.row.id);
  // history and notices are what grows with a person's years: read through a cursor (PGlite: keyset pages), a batch at a time
  const history = new Map<string, { seq: number; type: string; at: string; data: unknown; byThem: boolean }[]>();
  if (ids.length) {
    const idList = sql`${`{${ids.join(',')}}`}::uuid[]`;
    const read = (tail: SQL) => sql`select e.instance_id, e.seq, e.type, ef_ms(e.at) as at_ms, e.data, e.actor_id from events e
      where e.tenant_id = ${tenantId}::uuid and e.instance_id = any(${idList})${tail}`;
    for await (const batch of streamRows<{ instance_id: string; seq: number; type: string; at_ms: number; data: unknown; actor_id: string | null }>(db, {
      all: read(sql` order by e.instance_id, e.seq`),
      page: (after, limit) => read(sql`${after ? sql` and (e.instance_id, e.seq) > (${after.instance_id}::uuid, ${after.seq}::int)` : sql``} order by e.instance_id, e.seq limit ${limit}`),
    })) {
      for (const e of batch) {
        const list = history.get(e.instance_id) ?? [];
        list.push({ seq: Number(e.seq), type: e.type, at: new Date(Number(e.at_ms)).toISOString(), data: e.data, byThem: e.actor_id === person.id });
        history.set(e.instance_id, list);
      }
    }
  }
  const notices: { id: string; estateId: string; instanceId: string | null; kind: string; createdAt: string; payload: unknown }[] = [];
  {
    const read = (tail: SQL) => sql`select o.id, o.estate_id, o.instance_id, o.kind, ef_ms(o.created_at) as at_ms, o.created_at::text as key, o.payload from outbox o
      where o.tenant_id = ${tenantId}::uuid and o.kind in ('notify', 'escalate')
        and (o.payload->'to'->>'user' = ${person.id}${ids.length ? sql` or o.instance_id = any(${sql`${`{${ids.join(',')}}`}::uuid[]`})` : sql``})${tail}`;
    for await (const batch of streamRows<{ id: string; estate_id: string; instance_id: string | null; kind: string; at_ms: number; key: string; payload: unknown }>(db, {
      all: read(sql` order by o.created_at, o.id`),
      page: (after, limit) => read(sql`${after ? sql` and (o.created_at, o.id) > (${after.key}::timestamptz, ${after.id}::uuid)` : sql``} order by o.created_at, o.id limit ${limit}`),
    })) {
      for (const n of batch) notices.push({ id: n.id, estateId: n.estate_id, instanceId: n.instance_id, kind: n.kind, createdAt: new Date(Number(n.at_ms)).toISOString(), payload: n.payload });
    }
  }
  // the units whose bills are this person's: a household account, or one kept for their kind (owner/tenant)
  const profiles = links.length ? await db.select().from(unitBillingProfiles).where(and(eq(unitBillingProfiles.tenantId, tenantId), inArray(unitBillingProfiles.unitId, links.map((l) => l.unitId)))) : [];
  const payerUnits = links.filter((l) => {
    const payer = profiles.find((p) => p.unitId === l.unitId)?.payer ?? 'household';
    return payer === 'household' || payer === l.kind;
  });
  const unitIds = [...new Set(payerUnits.map((l) => l.unitId))];
  const unitBills = unitIds.length ? await db.select().from(bills).where(and(eq(bills.tenantId, tenantId), inArray(bills.unitId, unitIds))).orderBy(asc(bills.periodStart)) : [];
  const lines = unitBills.length ? await db.select().from(billLines).where(and(eq(billLines.tenantId, tenantId), inArray(billLines.billId, unitBills.map((b) => b.id)))).orderBy(asc(billLines.no)) : [];
  const adjustments = unitBills.length ? await db.select().from(billAdjustments).where(and(eq(billAdjustments.tenantId, tenantId), inArray(billAdjustments.billId, unitBills.map((b) => b.id)))) : [];
  const paid = unitIds.length ? await db.select().from(payments).where(and(eq(payments.tenantId, tenantId), inArray(payments.unitId, unitIds))).orderBy(asc(payments.receivedOn)) : [];
  const slips = paid.length ? await db.select().from(receipts).where(and(eq(receipts.tenantId, tenantId), inArray(receipts.paymentId, paid.map((p) => p.id)))) : [];
  const unitLabel = (id: string) => links.find((l) => l.unitId === id)?.unitLabel ?? null;
  const uploaded = await db.select({ id: attachments.id, estateId: attachments.estateId, name: attachments.name, contentType: attachments.contentType, size: attachments.size, createdAt: attachments.createdAt })
    .from(attachments).where(and(eq(attachments.tenantId, tenantId), eq(attachments.createdBy, person.id))).orderBy(asc(attachments.createdAt));
  return {
    exportedAt: now.toISOString(),
    account: {
      id: person.id, username: person.username, displayName: person.displayName, realName: person.realName, phone: person.phone, employeeNo: person.employeeNo,
      locale: person.locale, largeText: person.largeText, status: person.status, demo: person.demo, createdAt: iso(person.createdAt), deactivatedAt: iso(person.deactivatedAt), passwordChangedAt: iso(person.passwordChangedAt),
    },
    roles,
    links: links.map((l) => ({ estateId: l.estateId, unitId: l.unitId, unit: l.unitLabel, kind: l.kind, name: l.name, phone: l.phone })),
    sessions: mySessions.map((s) => ({ createdAt: iso(s.createdAt), lastSeenAt: iso(s.lastSeenAt), expiresAt: iso(s.expiresAt), address: s.address, userAgent: s.userAgent })),
    requests: started.map(({ row, unitLabel: label }) => ({
      id: row.id, serial: row.serial, workflow: row.workflowKey, estateId: row.estateId, unit: label, status: row.status, state: row.state,
      startedAt: iso(row.startedAt), endedAt: iso(row.endedAt), data: (row.snapshot as unknown as EngineSnapshot).context?.data ?? {},
      history: history.get(row.id) ?? [],
    })),
    notices,
    bills: unitBills.map((b) => ({
      id: b.id, unit: unitLabel(b.unitId), period: b.periodId, periodStart: b.periodStart, periodEnd: b.periodEnd, payBy: b.payBy, totalFen: b.totalFen, total: yuan(b.totalFen),
      lines: lines.filter((l) => l.billId === b.id).map((l) => ({ kind: l.kind, description: l.description, amountFen: l.amountFen, amount: yuan(l.amountFen), orderSerial: l.orderSerial })),
      adjustments: adjustments.filter((a) => a.billId === b.id).map((a) => ({ on: a.on, component: a.component, amountFen: a.amountFen, amount: yuan(a.amountFen), reason: a.reason })),
    })),
    payments: paid.map((p) => ({
      id: p.id, unit: unitLabel(p.unitId), kind: p.kind, receivedOn: p.receivedOn, amountFen: p.amountFen, amount: yuan(p.amountFen), method: p.method, reason: p.reason,
      receipt: slips.find((r) => r.paymentId === p.id)?.serial ?? null,
    })),
    files: uploaded.map((f) => ({ ...f, createdAt: f.createdAt.toISOString(), url: attachmentUrl(f.id) })),
  };
}

/** What replaces an erased value in data, history, notices and receipts. */
export const ERASED = '（已删除）';

/** The pseudonym an erased account keeps: its user name and the name screens show. */
export const pseudonymOf = (userId: string) => ({ username: `erased-${userId.slice(0, 8)}`, displayName: `已注销用户 ${userId.slice(0, 4).toUpperCase()}` });

/**
 * Replaces the person's identity in a JSON value: any text containing their phone, ID numbers or
 * real name has those parts replaced; a value equal to their display name is replaced whole (a
 * display name like 王师傅 is only theirs as a whole value). Their user name is replaced only where
 * it is a reference (the audit line's target `user/<name>`). Answers the new value and whether anything changed.
 */
function scrub(value: unknown, who: Identity): { value: unknown; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let out = v;
      if (who.exact.has(out)) out = who.exact.get(out)!;
      for (const part of who.parts) if (out.includes(part)) out = out.split(part).join(ERASED);
      if (out !== v) changed = true;
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), changed };
}

interface Identity {
  /** substrings replaced wherever they occur: phone numbers, ID numbers, the real name */
  parts: string[];
  /** whole values replaced: the display name → the pseudonym's */
  exact: Map<string, string>;
}

/** Every personal field of a data value (by the forms' personal fields) set to ERASED. */
function erasePersonalFields(data: Record<string, unknown>, fields: PersonalFields): Record<string, unknown> {
  const walk = (value: unknown, pattern: string): unknown => {
    if (typeof value === 'string') return fields.has(pattern) && value !== '' ? ERASED : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, `${pattern}/*`));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v, pattern ? `${pattern}/${k}` : k)]));
    return value;
  };
  return walk(data, '') as Record<string, unknown>;
}

/** The values of personal fields of a kind in a data value (the ID numbers a person gave in their own requests). */
function personalValues(data: unknown, fields: PersonalFields, kind: 'phone' | 'id'): string[] {
  const out: string[] = [];
  const walk = (value: unknown, pattern: string) => {
    if (typeof value === 'string' && fields.get(pattern) === kind && value.length >= 6) out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, `${pattern}/*`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, pattern ? `${pattern}/${k}` : k);
  };
  walk(data, '');
  return out;
}

export interface ErasureResult {
  pseudonym: string;
  requests: number;
  events: number;
  notices: number;
  receipts: number;
  /** files they uploaded, deleted */
  files: number;
  auditLines: number;
  sessionsEnded: number;
}

/**
 * Erases a person (in the caller's transaction; irreversible). Refused while they hold open
 * tasks (deactivating hands them over first). Their account keeps its id under a pseudonym and
 * can no longer sign in; roles and sessions end; their links to units stay as history under the
 * pseudonym; in the requests they started every personal field (phone, ID, name) is erased, and
 * anywhere else in the company their phone, ID numbers and name are replaced. The files they
 * uploaded are deleted and every reference to them replaced. Bills, bill lines,
 * adjustments and payments are not touched (they hold no identity); receipts keep their amounts.
 */
export async function erasePerson(
  db: DbOrTx,
  deps: { config: Pick<ApiConfig, 'now'>; cache: CompiledCache; fieldsOf: (versionId: string) => Promise<PersonalFields> },
  tenantId: string,
  person: User,
  by: { userId: string; estateId: string; reason?: string | undefined },
): Promise<ErasureResult> {
  const now = deps.config.now();
  const open = await db.select({ id: tasks.id }).from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.assigneeId, person.id), eq(tasks.status, 'open')));
  if (open.length) {
    throw new ApiError('conflict', {
      zh: `此人还有 ${open.length} 项未完成的任务：请先停用此人并把任务交给他人，再删除个人信息`,
      en: `This person still holds ${open.length} open task(s): deactivate them first, handing the tasks to someone, then erase their data`,
    }, { field: 'userId' });
  }
  const links = await linksOf(db, tenantId, person.id);
  const pseudo = pseudonymOf(person.id);
  // files they uploaded (photos of a repair, a scanned paper): deleted, bytes and all; wherever a
  // request, its history or a notice names one, the reference is replaced like their phone is
  const files = await db.delete(attachments).where(and(eq(attachments.tenantId, tenantId), eq(attachments.createdBy, person.id))).returning({ id: attachments.id });
  // their requests: raised by them, or registered for them by staff (first asked owns it)
  const started = await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), or(eq(instances.startedBy, person.id), eq(instances.requestedFor, person.id))));

  // who they are, as text: their phones (account, unit links, their own requests' phone fields), ID numbers, real name
  const ids: string[] = [];
  const phones = [person.phone, ...links.map((l) => l.phone)].filter((p): p is string => !!p && p.length >= 6);
  for (const row of started) {
    const fields = await deps.fieldsOf(row.definitionVersionId);
    const data = (row.snapshot as unknown as EngineSnapshot).context?.data ?? {};
    ids.push(...personalValues(data, fields, 'id'));
  }
  const names = [person.realName, ...links.map((l) => l.name)].filter((n): n is string => !!n && n.trim().length >= 2);
  const who: Identity = {
    parts: [...new Set([...phones, ...ids, ...names, ...files.map((f) => attachmentUrl(f.id))])].sort((a, b) => b.length - a.length),
    // not the user name: demo and many real user names are plain words (`technician`, `admin`) that are also role keys in data
    exact: new Map([[person.displayName, pseudo.displayName]]),
  };
  const like = (column: unknown) => or(...who.parts.map((p) => sql`${column}::text like ${`%${p.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`}`), ...[...who.exact.keys()].map((e) => sql`${column}::text like ${`%${JSON.stringify(e).slice(1, -1).replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`}`));

  // requests: their own (every personal field) and any other that names them
  const others = who.parts.length || who.exact.size
    ? await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), like(instances.snapshot)))
    : [];
  const touched = new Map(started.map((r) => [r.id, r]));
  for (const r of others) touched.set(r.id, r);
  let requests = 0;
  let eventsChanged = 0;
  for (const row of touched.values()) {
    const own = row.startedBy === person.id || row.requestedFor === person.id;
    const fields = own ? await deps.fieldsOf(row.definitionVersionId) : new Map();
    const snapshot = row.snapshot as unknown as EngineSnapshot;
    const data = snapshot.context?.data ?? {};
    const scrubbed = scrub(own ? erasePersonalFields(data, fields) : data, who);
    const next = { ...snapshot, context: { ...snapshot.context, data: scrubbed.value as Record<string, unknown> } } as EngineSnapshot;
    if (JSON.stringify(next) === JSON.stringify(snapshot)) continue;
    requests++;
    await db.update(instances).set({ snapshot: next as unknown as Record<string, unknown>, searchText: searchTextOf(row.serial, next) })
      .where(and(eq(instances.tenantId, tenantId), eq(instances.id, row.id)));
    // this process's copy of the request must not write the old data back with its next event
    deps.cache.instances.delete(tenantId, row.id);
    const evs = await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, row.id)));
    for (const e of evs) {
      const s = scrub(own ? erasePersonalFields(e.data, fields) : e.data, who);
      if (JSON.stringify(s.value) === JSON.stringify(e.data)) continue;
      eventsChanged++;
      await db.update(events).set({ data: s.value as Record<string, unknown> }).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, row.id), eq(events.seq, e.seq)));
    }
  }
  const instanceIds = [...touched.keys()];
  // history rows of any request that name them (an event's note quoting their phone)
  if (who.parts.length) {
    for (const e of await db.select().from(events).where(and(eq(events.tenantId, tenantId), like(events.data)))) {
      const s = scrub(e.data, who);
      if (!s.changed) continue;
      eventsChanged++;
      await db.update(events).set({ data: s.value as Record<string, unknown> }).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, e.instanceId), eq(events.seq, e.seq)));
    }
  }
  // task titles and timer data of those requests; notices addressed to them or naming them
  if (instanceIds.length) {
    for (const t of await db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), inArray(tasks.instanceId, instanceIds)))) {
      const s = scrub(t.title, who);
      if (s.changed) await db.update(tasks).set({ title: s.value as typeof t.title }).where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, t.id)));
    }
    for (const t of await db.select().from(timers).where(and(eq(timers.tenantId, tenantId), inArray(timers.instanceId, instanceIds)))) {
      const s = scrub(t.data, who);
      if (s.changed) await db.update(timers).set({ data: s.value as Record<string, unknown> }).where(and(eq(timers.tenantId, tenantId), eq(timers.id, t.id)));
    }
  }
  let notices = 0;
  for (const n of await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), like(outbox.payload)))) {
    const s = scrub(n.payload, who);
    if (!s.changed) continue;
    notices++;
    await db.update(outbox).set({ payload: s.value as Record<string, unknown> }).where(and(eq(outbox.tenantId, tenantId), eq(outbox.id, n.id)));
  }
  // receipts are accounting records: kept, amounts and serials untouched, names replaced (a cashier's name on a refund slip)
  let receiptCount = 0;
  for (const r of await db.select().from(receipts).where(and(eq(receipts.tenantId, tenantId), like(receipts.content)))) {
    const s = scrub(r.content, who);
    if (!s.changed) continue;
    receiptCount++;
    await db.update(receipts).set({ content: s.value as Record<string, unknown> }).where(and(eq(receipts.tenantId, tenantId), eq(receipts.id, r.id)));
  }
  // files others uploaded keep their bytes (the request's evidence), not a file name naming the person
  if (who.parts.length) {
    for (const f of await db.select({ id: attachments.id, name: attachments.name }).from(attachments).where(and(eq(attachments.tenantId, tenantId), like(attachments.name)))) {
      const s = scrub(f.name, who);
      if (s.changed) await db.update(attachments).set({ name: s.value as string }).where(and(eq(attachments.tenantId, tenantId), eq(attachments.id, f.id)));
    }
  }
  // audit lines stay (who did what, when), their details and targets without the identity
  let auditLines = 0;
  for (const a of await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), or(like(auditLog.detail), eq(auditLog.target, `user/${person.username}`))))) {
    const s = scrub(a.detail, who);
    const target = a.target === `user/${person.username}` ? `user/${pseudo.username}` : a.target;
    if (!s.changed && target === a.target) continue;
    auditLines++;
    await db.update(auditLog).set({ detail: s.value as Record<string, unknown>, target }).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.id, a.id)));
  }
  // stored answers of keyed requests may repeat their data; throttle counters are keyed by their user name
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, tenantId), or(eq(idempotencyKeys.userId, person.id), like(idempotencyKeys.response))));
  await db.delete(loginThrottle).where(or(eq(loginThrottle.key, person.username), sql`${loginThrottle.key} like ${`${person.username.replace(/[%_\\]/g, (ch) => `\\${ch}`)}\n%`}`));
  // links to units stay as history (who lived where when) under the pseudonym
  await db.update(residents).set({ name: pseudo.displayName, phone: null }).where(and(eq(residents.tenantId, tenantId), eq(residents.userId, person.id)));
  await db.delete(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, person.id)));
  await db.delete(passwordResets).where(and(eq(passwordResets.tenantId, tenantId), eq(passwordResets.userId, person.id)));
  const ended = await db.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.userId, person.id))).returning({ t: sessions.tokenHash });
  await db.update(users).set({
    username: pseudo.username, displayName: pseudo.displayName, realName: null, phone: null, employeeNo: null,
    // no password can match this: the account cannot sign in again
    passwordHash: '!erased', status: 'inactive', deactivatedAt: person.deactivatedAt ?? now, demo: false, mustChangePassword: false,
  }).where(and(eq(users.tenantId, tenantId), eq(users.id, person.id)));
  const result: ErasureResult = { pseudonym: pseudo.displayName, requests, events: eventsChanged, notices, receipts: receiptCount, files: files.length, auditLines, sessionsEnded: ended.length };
  await auditAdmin(db, {
    tenantId, actorId: by.userId, action: 'pii.erase', target: `user/${person.id}`, estateId: by.estateId, at: now,
    detail: { ...result, ...(by.reason ? { reason: scrub(by.reason, who).value } : {}), units: links.map((l) => l.unitId), kept: ['bills', 'bill_lines', 'bill_adjustments', 'payments', 'receipts'] },
  });
  return result;
}

/** The workflow parameter that turns the periodic privacy clean-up on for a workflow (CP-13): days after a request ends. */
export const RETENTION_PARAM = 'personalDataRetentionDays';

/** Paths of `data` whose value differs in `next` (the personal fields a clean-up cleared). */
function changedPaths(data: unknown, next: unknown, path = ''): string[] {
  if (data && typeof data === 'object' && next && typeof next === 'object') {
    return Object.keys(data as Record<string, unknown>).flatMap((k) => changedPaths((data as Record<string, unknown>)[k], (next as Record<string, unknown>)[k], path ? `${path}/${Array.isArray(data) ? '*' : k}` : k));
  }
  return data === next ? [] : [path];
}

export interface CleanupResult { requests: number; events: number }

/**
 * The periodic privacy clean-up (CP-13, with CP-8's archive): for every workflow whose parameters
 * hold `personalDataRetentionDays` (the complaint bundle), the requests that ended longer ago than
 * that have every personal field of their data and history cleared (the complainant's name and
 * phone, the staff member complained about: the forms' `x-personal` fields), and those values
 * wherever the request's task titles and notices quote them, while the case is kept (what happened,
 * grade, handling, result, who acted and when). State, version and history entries stay; each
 * request cleaned gets its own record (`privacy_cleanups`), which is also what makes it done.
 * Up to `batch` requests per call (the worker calls it again while a batch comes back full).
 */
export async function cleanUpClosedCases(db: DbOrTx, cache: CompiledCache, now: Date, batch = 200, scope?: { tenantId: string }): Promise<CleanupResult> {
  const result: CleanupResult = { requests: 0, events: 0 };
  // the few workflow versions that ask for it, found by their document
  const versions = await db.select({ id: definitionVersions.id, tenantId: definitionVersions.tenantId, estateId: definitionVersions.estateId, key: definitionVersions.key }).from(definitionVersions)
    .where(and(eq(definitionVersions.kind, 'workflow'), sql`${definitionVersions.document}->'params' ? ${RETENTION_PARAM}`, ...(scope ? [eq(definitionVersions.tenantId, scope.tenantId)] : [])));
  for (const v of versions) {
    if (result.requests >= batch) break;
    const pinned = await cache.get(db, v.tenantId, v.id);
    const days = Number(pinned.params[RETENTION_PARAM]);
    if (!Number.isInteger(days) || days < 1) continue;
    const before = new Date(now.getTime() - days * 86_400_000);
    const due = await db.select().from(instances).where(and(
      eq(instances.tenantId, v.tenantId), eq(instances.estateId, v.estateId), eq(instances.workflowKey, v.key), eq(instances.status, 'done'),
      eq(instances.definitionVersionId, v.id), sql`${instances.endedAt} < ${before.toISOString()}::timestamptz`,
      sql`not exists (select 1 from privacy_cleanups p where p.tenant_id = ${instances.tenantId} and p.instance_id = ${instances.id})`,
    )).limit(batch - result.requests);
    if (due.length === 0) continue;
    const fields = personalFieldsOf(pinned.compiled.formDefinitions.values() as Iterable<Parameters<typeof personalFieldsOf>[0] extends Iterable<infer F> ? F : never>);
    for (const row of due) {
      await db.transaction(async (tx) => {
        const snapshot = row.snapshot as unknown as EngineSnapshot;
        const data = snapshot.context?.data ?? {};
        const cleared = erasePersonalFields(data, fields);
        const paths = new Set(changedPaths(data, cleared));
        // the values cleared, wherever this request's history, tasks and notices quote them
        const values = new Set<string>();
        const collect = (before: unknown, after: unknown) => {
          if (typeof before === 'string' && before !== after && before.trim().length >= 2) values.add(before);
          else if (before && typeof before === 'object' && after && typeof after === 'object') for (const k of Object.keys(before)) collect((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k]);
        };
        collect(data, cleared);
        const evs = await tx.select().from(events).where(and(eq(events.tenantId, row.tenantId), eq(events.instanceId, row.id)));
        for (const e of evs) collect(e.data, erasePersonalFields(e.data, fields));
        const who: Identity = { parts: [...values].sort((a, b) => b.length - a.length), exact: new Map() };
        const next = { ...snapshot, context: { ...snapshot.context, data: scrub(cleared, who).value as Record<string, unknown> } } as EngineSnapshot;
        await tx.update(instances).set({ snapshot: next as unknown as Record<string, unknown>, searchText: searchTextOf(row.serial, next) })
          .where(and(eq(instances.tenantId, row.tenantId), eq(instances.id, row.id)));
        cache.instances.delete(row.tenantId, row.id);
        let changed = 0;
        for (const e of evs) {
          const erased = erasePersonalFields(e.data, fields);
          for (const p of changedPaths(e.data, erased)) paths.add(p);
          const s = scrub(erased, who);
          if (JSON.stringify(s.value) === JSON.stringify(e.data)) continue;
          changed++;
          await tx.update(events).set({ data: s.value as Record<string, unknown> }).where(and(eq(events.tenantId, row.tenantId), eq(events.instanceId, row.id), eq(events.seq, e.seq)));
        }
        if (who.parts.length) {
          for (const t of await tx.select().from(tasks).where(and(eq(tasks.tenantId, row.tenantId), eq(tasks.instanceId, row.id)))) {
            const s = scrub(t.title, who);
            if (s.changed) await tx.update(tasks).set({ title: s.value as typeof t.title }).where(and(eq(tasks.tenantId, row.tenantId), eq(tasks.id, t.id)));
          }
          for (const n of await tx.select().from(outbox).where(and(eq(outbox.tenantId, row.tenantId), eq(outbox.instanceId, row.id)))) {
            const s = scrub(n.payload, who);
            if (s.changed) await tx.update(outbox).set({ payload: s.value as Record<string, unknown> }).where(and(eq(outbox.tenantId, row.tenantId), eq(outbox.id, n.id)));
          }
        }
        await tx.insert(privacyCleanups).values({
          tenantId: row.tenantId, instanceId: row.id, estateId: row.estateId, workflowKey: row.workflowKey, serial: row.serial,
          endedAt: row.endedAt ?? row.updatedAt, retentionDays: days, cleanedAt: now, fields: [...paths].sort(), events: changed,
        });
        result.requests++;
        result.events += changed;
      });
    }
  }
  return result;
}
