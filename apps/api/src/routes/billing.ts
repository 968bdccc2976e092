import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, lte, sql, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import { billAdjustments, bills, buildings, companies, definitionDrafts, definitionVersions, payments, receipts, residentLinkActive, residents, units, users, type DbOrTx, type CustodyAgreement, type Role, type UnitBillingProfile } from '@estateflow/db';
import {
  accountsByUnit,
  arrearsOf,
  checkPlan,
  checkRefundReason,
  checkSchedule,
  estateDate,
  isCivilDate,
  makeReceipt,
  makeRefundSlip,
  noticeSchedule,
  parsePeriod,
  recoveryLadder,
  REFUND_REASON_MAX,
  settleAccount,
  statement,
  type BillingPlan,
  type BillState,
  type FeeSchedule,
  type PaymentMethod,
} from '@estateflow/billing';
import { MAX_AMOUNT_FEN, validateDocument } from '@estateflow/definitions';
import type { AppEnv } from '../env.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { authOf, financeStaff, requireEstate, Resource } from '../route-table.ts';
import { isUuid } from '../services/body.ts';
import { driveRunJob, jobView, loadRunJob, startRunJob } from '../services/billing-run-job.ts';
import { dunningPayment, runDunning } from '../services/billing-dunning.ts';
import { queuePaidEvents } from '../services/one-off-charges.ts';
import { priceList } from '../services/price-list.ts';
import { accountInput, billingDocuments, estateTimeZone, loadPlan, accountUnits, unitPlaces } from '../services/billing-store.ts';
import { exactTotal } from '../services/exact-total.ts';
import { pageStates, refreshUnits, settledStates, unitLockKey } from '../services/bill-paid.ts';
import { saveUnitProfile } from '../services/unit-billing-profile.ts';
import { latestVersion, publishVersion } from '../services/definition-store.ts';
import { reviewOf } from '../services/publishing.ts';
import { issueSerial } from '../services/receipt-serial.ts';
import * as S from '../schemas/billing.ts';
import { afterCursor, decodeCursor, encodeCursor, pageSize, uuidArray } from '../services/keyset.ts';

/** Who configures fees and runs billing; who takes money (BL-7: at the desk or at home); who reads. */
const cashiers: readonly Role[] = ['admin', 'finance', 'property_manager', 'front_desk'];
const readers: readonly Role[] = ['admin', 'finance', 'property_manager', 'cs_manager', 'duty_manager', 'front_desk'];
/** The roles that read any unit's bills (the household file shows its account to them only). */
export const billReaders = readers;
/** Readers plus residents, who see only their own household's bills, receipts and statements. */
const households: readonly Role[] = [...readers, 'resident'];
/** Whose account a unit's bills are (unit_billing_profiles.payer; `accountUnits` reads it). */
type Payer = UnitBillingProfile['payer'];
const payers: readonly Payer[] = ['household', 'owner', 'tenant'];
const METHODS: readonly PaymentMethod[] = ['cash', 'card', 'desk', 'home-collection', 'bank-transfer', 'wechat', 'alipay', 'other'];

const uuid = { type: 'string', format: 'uuid' } as const;
const day = { type: 'string', format: 'date' } as const;
const estateQuery = { estateId: uuid } as const;
const fenSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const text = { type: 'object', required: ['zh', 'en'], properties: { zh: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } } } as const;
/** Bills and receipts per page: 50 by default, at most 200 (not in the field documents: a screen's worth; a household's two years of monthly bills fit in one page). */
const BILL_PAGE = 50;
const BILL_PAGE_MAX = 200;

/** The orders `GET /billing/bills` sorts in (on the server: the list never sorts in the browser). */
const BILL_SORTS = ['period', 'unit', 'due', 'owed'] as const;
type BillSort = (typeof BILL_SORTS)[number];
/** Digit runs padded to this many places in a natural sort key (unit and building numbers below 10⁸). */
const NATURAL_DIGITS = 8;
/** A name as a sort key in natural order: each run of digits left-padded with zeros ("3-1-502" → "00000003-00000001-00000502"). */
const naturalKey = (s: string): string => s.replace(/[0-9]+/g, (d) => d.padStart(NATURAL_DIGITS, '0'));
/** `naturalKey` in SQL, the same text for the same name. */
const naturalSql = (col: SQL): SQL => sql`(select coalesce(string_agg(case when m.p[1] ~ '^[0-9]' then lpad(m.p[1], greatest(${NATURAL_DIGITS}, length(m.p[1])), '0') else m.p[1] end, '' order by m.n), '') from regexp_matches(${col}, '([0-9]+|[^0-9]+)', 'g') with ordinality as m(p, n))`;

type C = Context<AppEnv>;

/** A query parameter the route's schema checked (required ones are present); empty text counts as absent. */
function query(c: C, name: string): string | undefined {
  const v = c.req.query(name);
  return v === '' ? undefined : v;
}

function estateFromQuery(c: C): string {
  const estateId = query(c, 'estateId')!;
  if (!isUuid(estateId)) throw notFound('estate', estateId);
  requireEstate(c, estateId);
  return estateId;
}

/** The body's estate (its schema checked it is a UUID), which the caller must have a role in. */
function estateFromBody(c: C, estateId: string): string {
  requireEstate(c, estateId);
  return estateId;
}

function dateField(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isCivilDate(value)) throw invalid(field, 'must be a date YYYY-MM-DD', '必须是 YYYY-MM-DD 格式的日期');
  return value;
}

/** Amounts are bounded by the definitions' MAX_AMOUNT_FEN (1 亿元), named in yuan in the message (the schema's own bound is the safe integer). */
function boundedFen(value: number, field: string): number {
  if (Math.abs(value) > MAX_AMOUNT_FEN) throw invalid(field, `must be at most ${MAX_AMOUNT_FEN} fen (100,000,000 yuan)`, `不能超过 ${MAX_AMOUNT_FEN} 分（1 亿元）`);
  return value;
}


/**
 * A refund's reason, trimmed (required, 1–200 characters); a payment takes none: its `reason` is
 * refused rather than dropped, so a cashier never believes a reason was kept that was not.
 */
function refundReason(kind: 'payment' | 'refund', value: unknown): string | null {
  if (kind === 'payment') {
    if (value === undefined) return null;
    throw new ApiError('form-invalid', { zh: '字段“reason”只用于退款；缴费不记录原因，请去掉此字段', en: 'Field "reason" is for refunds only; a payment keeps no reason, leave it out' }, { field: 'reason' });
  }
  const checked = checkRefundReason(value);
  if (typeof checked === 'string') return checked;
  throw new ApiError('form-invalid', { zh: `字段“reason”：${checked.message.zh}`, en: `Field "reason": ${checked.message.en}` }, { field: 'reason' });
}

/** The estate's civil date today (or `asOf` from the query), in its time zone. */
async function asOfDate(c: C, db: DbOrTx, tenantId: string, estateId: string, given?: string): Promise<{ asOf: string }> {
  const timeZone = await estateTimeZone(db, tenantId, estateId);
  return { asOf: given !== undefined ? dateField(given, 'asOf') : estateDate(c.get('deps').config.now(), timeZone) };
}

function definitionIssues(document: Record<string, unknown>, kind: 'fee-schedule' | 'billing-plan'): void {
  if (document.kind !== kind) throw invalid('document', `must have kind "${kind}"`, `的 kind 必须为“${kind}”`);
  const issues = validateDocument(document).filter((f) => f.severity === 'error');
  const semantic = kind === 'fee-schedule' ? checkSchedule(document as unknown as FeeSchedule) : checkPlan(document as unknown as BillingPlan);
  const all = [...issues.map((f) => ({ path: f.pointer, message: f.message })), ...(issues.length ? [] : semantic.map((e) => ({ path: e.path, message: e.message })))];
  if (all.length) {
    const first = all[0]!;
    throw new ApiError('invalid-definition', { zh: `定义无效：${first.message.zh}（${first.path}）`, en: `Invalid definition: ${first.message.en} (at ${first.path})` }, { path: first.path, issues: all });
  }
}

/**
 * The units a request may read: `undefined` = all (staff), else a list. A resident gets only their
 * household's accounts (`accountUnits`: the units they live in, or only those whose payer they are
 * when the unit keeps owner and tenant accounts apart); any other unit is answered as not found.
 */
async function unitsInScope(c: C, db: DbOrTx, tenantId: string, estateId: string, unitId: string | undefined): Promise<string[] | undefined> {
  if (unitId !== undefined && !isUuid(unitId)) throw notFound('unit', unitId);
  const auth = authOf(c);
  if (auth.roles.get(estateId) !== 'resident') return unitId === undefined ? undefined : [unitId];
  const own = await accountUnits(db, tenantId, estateId, auth.userId, auth.at);
  if (unitId === undefined) return own;
  if (!own.includes(unitId)) throw notFound('unit', unitId);
  return [unitId];
}

/**
 * The older document routes, kept for scripts and tests: they read and write the one definition
 * store billing reads (`definition_versions`, as bundles install and the fee editor publishes), so
 * `POST` publishes the document as the key's next version (its `revision`), with a change note.
 */
function documentRoutes(resource: Resource, path: '/schedules' | '/plans', kind: 'fee-schedule' | 'billing-plan') {
  return resource
    .get(path, { responses: { 200: S.billingDocuments }, summary: `The estate's ${kind} documents: each key's latest published version (what billing uses; the same store the fee editor and bundles publish to)`, access: readers, estate: { from: 'query' }, query: estateQuery, queryRequired: ['estateId'] }, async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const rows = await c.get('deps').db.select().from(definitionVersions)
        .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, kind)))
        .orderBy(asc(definitionVersions.key), desc(definitionVersions.version));
      const latest = rows.filter((r, i) => i === 0 || rows[i - 1]!.key !== r.key);
      return c.json({ items: latest.map((r) => ({ key: r.key, revision: r.version, updatedAt: r.publishedAt, document: r.document })) });
    })
    .post(
      path,
      {
        responses: { 200: S.billingDocumentSaved },
        summary: `Publish a ${kind} document as its key's next version in the estate's definition store (the one billing reads; validated by its JSON Schema and billing's semantic checks); \`revision\` is the version`,
        access: financeStaff,
        estate: { from: 'body' },
        body: { type: 'object', required: ['estateId', 'document'], properties: { estateId: uuid, document: { type: 'object' }, changeNote: { type: 'string', minLength: 1, maxLength: 500, description: 'what changed (default: "saved through the API")' } } },
      },
      async (c, { body: { estateId: id, document, changeNote } }) => {
        const estateId = estateFromBody(c, id);
        definitionIssues(document, kind);
        const { tenantId, userId } = authOf(c);
        const { db, config } = c.get('deps');
        const row = await db.transaction(async (tx) => {
          if (kind === 'billing-plan') await scheduleExists(tx, tenantId, estateId, String(document.feeSchedule));
          return publishFeeDocument(tx, { tenantId, estateId, document, changeNote: changeNote?.trim() || `saved through POST /api/billing${path}`, userId, now: config.now() });
        });
        return c.json({ key: row.key, revision: row.version });
      },
    );
}

/**
 * Publishes a fee schedule or billing plan as its key's next version; a key a bundle installed stays
 * linked to its install. Who drafted (the fee editor's draft, else the caller) and who published it
 * are kept with the change list (#19), as a designer's publish keeps them.
 */
async function publishFeeDocument(tx: DbOrTx, input: { tenantId: string; estateId: string; document: Record<string, unknown>; changeNote: string; userId: string; now: Date; draft?: Parameters<typeof reviewOf>[1]['draft'] }) {
  const { tenantId, estateId, document, userId, now } = input;
  const prev = await latestVersion(tx, tenantId, estateId, String(document.kind), String(document.id));
  const bundle = prev?.bundleInstallId && prev.bundleId && prev.bundleVersion ? { installId: prev.bundleInstallId, id: prev.bundleId, version: prev.bundleVersion } : undefined;
  const review = await reviewOf(tx, { tenantId, userId, draft: input.draft, document, previous: prev?.document ?? null, now });
  return publishVersion(tx, { tenantId, estateId, document, changeNote: input.changeNote, publishedBy: userId, now, review, ...(bundle ? { bundle } : {}) });
}

const resource = new Resource('/billing', 'Billing');
documentRoutes(resource, '/schedules', 'fee-schedule');
documentRoutes(resource, '/plans', 'billing-plan');

const feeKinds = ['fee-schedule', 'billing-plan'] as const;
type FeeKind = (typeof feeKinds)[number];

/** A billing plan's fee schedule must be one the estate has (published, saved, or the draft published with it). */
async function scheduleExists(db: DbOrTx, tenantId: string, estateId: string, ref: string): Promise<void> {
  if ((await billingDocuments(db, tenantId, estateId, 'fee-schedule')).has(ref)) return;
  throw new ApiError('invalid-definition', { zh: `收费标准“${ref}”不存在（/feeSchedule）`, en: `Fee schedule "${ref}" does not exist (at /feeSchedule)` }, { path: '/feeSchedule' });
}

// the fee editor: fee schedules and billing plans are definitions like any other — a draft, then a
// published version in the store bundles install into (what billing reads, `billingDocuments`)
resource
  .get(
    '/definitions',
    { responses: { 200: S.feeDefinitions }, summary: "The estate's fee schedules and billing plans for the fee editor: each key's latest published version (what billing uses) and its draft, if any", access: readers, estate: { from: 'query' }, query: estateQuery, queryRequired: ['estateId'] },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const [versions, drafts] = await Promise.all([
        db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), sql`${definitionVersions.kind} in ('fee-schedule', 'billing-plan')`)).orderBy(asc(definitionVersions.key), asc(definitionVersions.version)),
        db.select().from(definitionDrafts).where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), sql`${definitionDrafts.kind} in ('fee-schedule', 'billing-plan')`)),
      ]);
      const out = { 'fee-schedule': new Map<string, { key: string; published: unknown; draft: unknown }>(), 'billing-plan': new Map<string, { key: string; published: unknown; draft: unknown }>() };
      const entry = (kind: FeeKind, key: string) => {
        const m = out[kind];
        let e = m.get(key);
        if (!e) m.set(key, (e = { key, published: null, draft: null }));
        return e;
      };
      for (const v of versions) entry(v.kind as FeeKind, v.key).published = { version: v.version, publishedAt: v.publishedAt.toISOString(), document: v.document };
      for (const d of drafts) entry(d.kind as FeeKind, d.key).draft = { updatedAt: d.updatedAt.toISOString(), document: d.document };
      const list = (kind: FeeKind) => [...out[kind].values()].sort((a, b) => (a.key < b.key ? -1 : 1));
      return c.json({ schedules: list('fee-schedule'), plans: list('billing-plan') });
    },
  )
  .put(
    '/drafts',
    {
      responses: { 200: S.feeDraftSaved },
      summary: 'Save the draft of a fee schedule or billing plan from the fee editor; checked as publishing checks it (its JSON Schema and billing\'s semantic checks), so an invalid draft is refused (422 with the JSON pointer) and nothing is written',
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'document'], properties: { estateId: uuid, document: { type: 'object', required: ['kind', 'id'], properties: { kind: { enum: [...feeKinds] }, id: { type: 'string', minLength: 1 } }, description: 'a fee-schedule or billing-plan document' } } },
    },
    async (c, { body: { estateId: id, document } }) => {
      const estateId = estateFromBody(c, id);
      const kind = document.kind as FeeKind;
      definitionIssues(document, kind);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      if (kind === 'billing-plan') await scheduleExists(db, tenantId, estateId, String(document.feeSchedule));
      const now = config.now();
      const key = String(document.id);
      await db.insert(definitionDrafts).values({ tenantId, estateId, kind, key, document, updatedAt: now, updatedBy: userId })
        .onConflictDoUpdate({ target: [definitionDrafts.tenantId, definitionDrafts.estateId, definitionDrafts.kind, definitionDrafts.key], set: { document, updatedAt: now, updatedBy: userId } });
      return c.json({ kind, key, updatedAt: now.toISOString() });
    },
  )
  .post(
    '/publish',
    {
      responses: { 200: S.feePublished },
      summary: 'Publish the draft of a fee schedule or billing plan as its next version, with a change note; billing uses it from then on (a version installed by a bundle stays linked to its install)',
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'kind', 'key', 'changeNote'], properties: { estateId: uuid, kind: { enum: [...feeKinds] }, key: { type: 'string', minLength: 1 }, changeNote: { type: 'string', minLength: 1, maxLength: 500 } } },
    },
    async (c, { body }) => {
      const estateId = estateFromBody(c, body.estateId);
      const { kind, key } = body;
      const changeNote = body.changeNote.trim();
      if (!changeNote) throw invalid('changeNote', 'must say what changed', '须写明改了什么');
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const row = await db.transaction(async (tx) => {
        const [d] = await tx.select().from(definitionDrafts).where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)));
        if (!d) throw notFound('definition', `${kind}/${key}`);
        definitionIssues(d.document, kind);
        if (kind === 'billing-plan') await scheduleExists(tx, tenantId, estateId, String(d.document.feeSchedule));
        const v = await publishFeeDocument(tx, { tenantId, estateId, document: d.document, changeNote, userId, now: config.now(), draft: d });
        await tx.delete(definitionDrafts).where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)));
        return v;
      });
      return c.json({ kind, key, version: row.version, publishedAt: row.publishedAt.toISOString() });
    },
  );

/**
 * BL-10: a custody agreement as given (trimmed), or undefined (keep it) or null (remove it): party and
 * reference 1–60 characters, signed on or before today, custody from no earlier than it was signed,
 * and until (when given) no earlier than from.
 */
function custodyAgreementOf(given: { party: string; signedOn: string; from: string; to?: string | null; reference: string } | null | undefined, today: string): CustodyAgreement | null | undefined {
  if (given === undefined || given === null) return given;
  const party = given.party.trim();
  const reference = given.reference.trim();
  if (!party) throw invalid('custodyAgreement.party', 'must name who signed the agreement', '须写明签订人');
  if (!reference) throw invalid('custodyAgreement.reference', "must give the signed paper's reference", '须填写协议编号或存档号');
  if (given.signedOn > today) throw invalid('custodyAgreement.signedOn', `must not be after today (${today})`, `不得晚于今天（${today}）`);
  if (given.from < given.signedOn) throw invalid('custodyAgreement.from', `must not be before the day it was signed (${given.signedOn})`, `不得早于签订日（${given.signedOn}）`);
  const to = given.to ?? null;
  if (to !== null && to < given.from) throw invalid('custodyAgreement.to', `must not be before custody begins (${given.from})`, `不得早于托管开始日（${given.from}）`);
  return { party, signedOn: given.signedOn, from: given.from, to, reference };
}

export const billingRoutes = resource
  .post(
    '/units',
    {
      responses: { 200: S.unitProfile },
      summary: "Set a unit's billing profile: fee type, custody (BL-6), parking spaces, and optionally the floor area (m², 2 decimals) the management fee is charged on; `effectiveFrom` (default today, never later) is the date the values hold from, and each changed field is recorded with its old and new value, who and when (the unit's history: `GET /estates/{id}/units/{unitId}`); bills already issued keep their amounts (correct them with an adjustment)",
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'unitId', 'unitType'], properties: { estateId: uuid, unitId: { type: 'string', minLength: 1 }, unitType: { type: 'string', minLength: 1 }, custody: { type: 'boolean' }, parking: { type: 'array', items: { type: 'object', required: ['kind', 'count'], properties: { kind: { type: 'string' }, count: { type: 'integer', minimum: 1, maximum: 10000 } } } }, areaSqm: { type: 'string', pattern: '^[0-9]{1,7}(\\.[0-9]{1,2})?$', examples: ['89.37'] }, effectiveFrom: { ...day, description: 'the date the new values hold from (estate time); default today, never later' }, payer: { enum: payers, description: 'whose account the bills are: household (default: every resident of the unit), or only its owner(s) or tenant(s)' }, custodyAgreement: { anyOf: [{ type: 'null' }, { type: 'object', required: ['party', 'signedOn', 'from', 'reference'], properties: { party: { type: 'string', minLength: 1, maxLength: 60 }, signedOn: day, from: day, to: { anyOf: [day, { type: 'null' }] }, reference: { type: 'string', minLength: 1, maxLength: 60 } } }], description: 'BL-10: the signed custody agreement (托管协议) a custody plan needs: who signed, signed on, custody from and until (null: until ended), the paper\'s reference; absent keeps it, null removes it. A unit in custody without one is not billed' } } },
    },
    async (c, { body }) => {
      const estateId = estateFromBody(c, body.estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const { unitId, unitType, custody = false, parking = [], areaSqm, payer = 'household' } = body;
      const { asOf: today } = await asOfDate(c, db, tenantId, estateId);
      const effectiveFrom = body.effectiveFrom ?? today;
      if (effectiveFrom > today) throw invalid('effectiveFrom', `must not be after today (${today}): enter a change on or after the day it takes effect`, `不得晚于今天（${today}）：请在变更生效当日或之后录入`);
      // the area is text with at most 2 decimals (its schema's pattern), so no floating point reaches the fee (BL-8)
      if (areaSqm !== undefined && !/[1-9]/.test(areaSqm)) {
        throw invalid('areaSqm', 'must be a floor area in m² above 0 with at most 2 decimals, as text such as "89.37"', '必须是大于 0、最多两位小数的建筑面积（平方米），以文本填写，如 "89.37"');
      }
      const [unit] = isUuid(unitId) ? await db.select({ id: units.id, areaSqm: units.areaSqm }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId))) : [];
      if (!unit) throw notFound('unit', unitId);
      const agreement = custodyAgreementOf(body.custodyAgreement, today);
      const values = { unitType, custody, parking: parking.map((p) => ({ kind: p.kind, count: p.count })), payer, updatedAt: config.now() };
      const { changed, custodyAgreement } = await db.transaction((tx) => saveUnitProfile(tx, { tenantId, estateId, unitId, ...values, ...(areaSqm === undefined ? {} : { areaSqm }), ...(agreement === undefined ? {} : { custodyAgreement: agreement }), effectiveFrom, changedBy: userId }));
      return c.json({ unitId, ...values, custodyAgreement, areaSqm: areaSqm ?? unit.areaSqm, effectiveFrom, changed });
    },
  )
  .get(
    '/service-items',
    { responses: { 200: S.serviceItems }, summary: "The estate's paid-service price list (有偿服务收费标准, PS-10) in force on a date (default today): the service items of its fee schedules, which quotes are priced from", access: [...readers, 'dispatcher', 'technician', 'area_cs_assistant'], estate: { from: 'query' }, query: { ...estateQuery, asOf: { type: 'string' } }, queryRequired: ['estateId'] },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const { asOf } = await asOfDate(c, db, tenantId, estateId, query(c, 'asOf'));
      return c.json({ asOf, items: [...(await priceList(db, tenantId, estateId, asOf)).values()] });
    },
  )
  .get(
    '/notices',
    { responses: { 200: S.dunning }, summary: "A period's dunning timeline: payment notice, reminder, final notice, recovery and BL-4's ladder", access: readers, estate: { from: 'query' }, query: { ...estateQuery, plan: { type: 'string', minLength: 1 }, period: { type: 'string', minLength: 1 } }, queryRequired: ['estateId', 'plan', 'period'] },
    async (c) => {
      const estateId = estateFromQuery(c);
      const plan = await loadPlan(c.get('deps').db, authOf(c).tenantId, estateId, query(c, 'plan')!);
      const period = parsePeriod(plan, query(c, 'period')!);
      if ('reason' in period) throw new ApiError('invalid-request', period.message, { field: 'period' });
      return c.json({ period, notices: noticeSchedule(plan, period), recovery: recoveryLadder(plan, period) });
    },
  )
  .post(
    '/runs',
    {
      responses: { 200: S.runJob },
      summary: "Start a billing run of a plan and period for every profiled unit, as a job recorded in billing_runs (queued → running → done / failed) and billed in batches, each its own transaction; `background: true` answers at once with the job's id (poll `GET /api/billing/runs/{id}` for its progress), otherwise the answer waits for the end. Idempotent (one bill per plan, unit and period): a rerun answers `nothingNew` (已是最新). One bad unit fails alone, reported with the reason; pending paid-service charges join the bills. A missing plan is 404 naming it and how to install or create it",
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'plan', 'period'], properties: { estateId: uuid, plan: { type: 'string', minLength: 1 }, period: { type: 'string', minLength: 1, examples: ['2027-Q1', '2027-03', '2027-H1'] }, buildingId: { ...uuid, description: "only this building's units" }, background: { type: 'boolean', description: 'answer at once with the queued job (the run page polls it); default false: answer when it ends' } } },
    },
    async (c, { body }) => {
      const estateId = estateFromBody(c, body.estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const { plan: planKey, period: periodId, buildingId } = body;
      if (buildingId !== undefined) {
        const [b] = await db.select({ id: buildings.id }).from(buildings).where(and(eq(buildings.tenantId, tenantId), eq(buildings.estateId, estateId), eq(buildings.id, buildingId)));
        if (!b) throw notFound('building', buildingId);
      }
      const { row, started } = await startRunJob(db, { tenantId, estateId, planKey, periodId, userId, now: config.now(), ...(buildingId ? { buildingId } : {}) });
      if (!started) return c.json(jobView(row));
      const driving = driveRunJob(db, tenantId, row.id, config.now);
      if (body.background === true) {
        // the API process drives the job it started; the worker takes it over if this process ends (billing-run-job.ts)
        driving.catch((e: unknown) => console.error('[billing-run]', e));
        return c.json(jobView(row));
      }
      return c.json(jobView(await driving));
    },
  )
  .get(
    '/runs/:id',
    { responses: { 200: S.runJob }, summary: "A billing run's status (queued, running, done, failed), its progress in units done of all, and its result so far: bills made by building and unit, bills already there, units not billed and why; `nothingNew` when it made none", access: financeStaff, estate: { from: 'query' }, query: estateQuery, queryRequired: ['estateId'], pathExample: { id: '00000000-0000-4000-8000-000000000000' } },
    async (c) => {
      const estateId = estateFromQuery(c);
      const id = c.req.param('id')!;
      if (!isUuid(id)) throw notFound('billing run', id);
      return c.json(jobView(await loadRunJob(c.get('deps').db, authOf(c).tenantId, estateId, id)));
    },
  )
  .post(
    '/dunning',
    {
      responses: { 200: S.dunningRun },
      summary: "Dun the estate's overdue bills as of today (or `asOf`, not after today): start the dunning process for each bill still unpaid on its reminder day and issue every notice due (reminder, final notice, recovery) with the bill's figures that day; the worker runs it too; rerunning sends nothing new",
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId'], properties: { estateId: uuid, asOf: day } },
    },
    async (c, { body }) => {
      const estateId = estateFromBody(c, body.estateId);
      const { tenantId } = authOf(c);
      const { db, cache, config } = c.get('deps');
      const deps = { db, cache, now: config.now };
      const result = await db.transaction(async (tx) => {
        const { asOf: today } = await asOfDate(c, tx, tenantId, estateId);
        if (body.asOf !== undefined && body.asOf > today) throw new ApiError('form-invalid', { zh: `字段“asOf”不得晚于今天（${today}）`, en: `Field "asOf" must not be after today (${today})` }, { field: 'asOf' });
        return runDunning(deps, tx, { tenantId, estateId, asOf: body.asOf ?? today });
      });
      return c.json(result);
    },
  )
  .get(
    '/bills',
    {
      responses: { 200: S.billList },
      summary: 'Bills issued by a date with lines and their state (paid, late fee, outstanding) as of it, sorted by the server (`sort`: `period` newest period first, then building and unit in natural order (default); `unit` building and unit in natural order (2栋 before 10栋, 1-1-2 before 1-1-10), newest period first; `due` pay-by date, earliest first; `owed` what is still owed as of the date, most first), a page at a time (`limit` ≤ 200, default 50; pass `nextCursor` back as `cursor` with the same `sort` for the next page); residents see their own household only',
      access: households, estate: { from: 'query' },
      query: { ...estateQuery, unitId: { type: 'string' }, period: { type: 'string' }, asOf: { type: 'string' }, sort: { enum: [...BILL_SORTS] }, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: BILL_PAGE_MAX } },
      queryRequired: ['estateId'],
    },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const scope = await unitsInScope(c, db, tenantId, estateId, query(c, 'unitId'));
      const { asOf } = await asOfDate(c, db, tenantId, estateId, query(c, 'asOf'));
      const period = query(c, 'period');
      const sort = (query(c, 'sort') ?? 'period') as BillSort;
      const limit = pageSize(query(c, 'limit'), BILL_PAGE, BILL_PAGE_MAX);
      const cursor = decodeCursor(query(c, 'cursor'));
      if (scope?.length === 0) return c.json({ asOf, items: [], nextCursor: null });
      const where = and(
        eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), lte(bills.issueOn, asOf),
        ...(scope ? [scope.length === 1 ? eq(bills.unitId, scope[0]!) : sql`${bills.unitId} = any(${uuidArray(scope)})`] : []),
        ...(period ? [eq(bills.periodId, period)] : []),
      );
      const settle = async (unitIds: string[]) => {
        const states = new Map<string, BillState>();
        if (unitIds.length > 0) {
          for (const account of accountsByUnit(await accountInput(db, tenantId, estateId, unitIds)).values()) {
            for (const s of settleAccount({ ...account, asOf }).bills) states.set(s.bill.key, s);
          }
        }
        return states;
      };
      // the page in SQL: a text sort key (collation "C") and the id, so the cursor resumes exactly where the page ended.
      // Each unit's place (building, then unit, in natural order) is computed once per unit in scope, not once per bill (a
      // unit has a bill per period): a subquery with a LIMIT is one the planner cannot fold back into the join (drizzle
      // drops `offset 0`), and no estate holds 2³¹ units
      const placed = db.select({ unitId: sql<string>`${units.id}`.as('placed_unit'), key: sql<string>`${naturalSql(sql`${buildings.name}`)} || chr(1) || ${naturalSql(sql`${units.label}`)}`.as('place_key') })
        .from(units).innerJoin(buildings, and(eq(buildings.tenantId, units.tenantId), eq(buildings.id, units.buildingId)))
        .where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), ...(scope ? [sql`${units.id} = any(${uuidArray(scope)})`] : [])))
        .limit(2 ** 31 - 1).as('placed');
      const place = sql`${placed.key}`;
      const newest = sql`to_char(date '2999-12-31' - ${bills.periodStart}, 'FM000000')`;
      const owedKey = (fen: number) => String(Number.MAX_SAFE_INTEGER - fen).padStart(16, '0');
      const sortKey = sort === 'unit' ? sql`(${place} || chr(1) || ${newest}) collate "C"`
        : sort === 'due' ? sql`(${bills.payBy}::text || chr(1) || ${place}) collate "C"`
          // owing nothing: after every bill that owes, by place (the bills that owe are keyed in Node, below)
          : sort === 'owed' ? sql`(${owedKey(0)} || chr(1) || ${place}) collate "C"`
            : sql`(${newest} || chr(1) || ${place}) collate "C"`;
      const read = (extra: SQL | undefined, n: number, after = cursor) => db.select({ id: bills.id, key: bills.key, unitId: bills.unitId, sortKey: sql<string>`${sortKey}` }).from(bills)
        .innerJoin(placed, eq(placed.unitId, bills.unitId))
        .where(and(where, extra, afterCursor(sortKey, bills.id, after, 'text', 'asc')))
        .orderBy(sql`${sortKey}`, asc(bills.id))
        .limit(n);
      let page: Awaited<ReturnType<typeof read>>;
      if (sort === 'owed') {
        // what is owed is billing's own figure (settleAccount: allocations, adjustments, late fee as of the date), not a column:
        // the bills that owe anything are the states the arrears read (settledStates: the per-bill paid totals, late fees as of
        // the date), keyed and sorted here, largest first; after them, in SQL, the bills that owe nothing, by place
        // the places of the units in scope are read while the estate settles (which of them owe is known after)
        const [settled, homes] = await Promise.all([settledStates(db, tenantId, estateId, asOf, scope), unitPlaces(db, tenantId, scope ?? { estateId })]);
        const owing = settled.states.filter((st) => st.outstandingFen > 0 && (!period || st.bill.periodId === period));
        // each unit's place key once (a unit owes on several bills)
        const placeKeys = new Map<string, string>();
        const placeKey = (unitId: string) => {
          let k = placeKeys.get(unitId);
          if (k === undefined) {
            const home = homes.get(unitId);
            placeKeys.set(unitId, (k = `${naturalKey(home?.building ?? '')}\u0001${naturalKey(home?.unitLabel ?? '')}`));
          }
          return k;
        };
        // equal amounts of one unit by bill key (unique in the estate: plan, unit, period), so no bill's id is needed
        // but the page's (and the cursor's, looked up by its id)
        const keyed = owing.map((st) => ({ key: st.bill.key, unitId: st.bill.unitId, sortKey: `${owedKey(st.outstandingFen)}\u0001${placeKey(st.bill.unitId)}` }))
          .sort((x, y) => (x.sortKey < y.sortKey ? -1 : x.sortKey > y.sortKey ? 1 : x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
        // a cursor among the bills that owe (its key below the owing-nothing prefix), or among those after them (in SQL)
        const owingCursor = cursor && cursor.key < owedKey(0) ? cursor : undefined;
        let after = keyed;
        if (owingCursor) {
          const [at] = await db.select({ key: bills.key }).from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.id, owingCursor.id)));
          after = keyed.filter((r) => r.sortKey > owingCursor.key || (r.sortKey === owingCursor.key && at !== undefined && r.key > at.key));
        } else if (cursor) after = [];
        const owingPage = after.slice(0, limit + 1);
        const ids = owingPage.length
          ? await db.select({ id: bills.id, key: bills.key }).from(bills)
            .where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), sql`${bills.key} in (select jsonb_array_elements_text(${JSON.stringify(owingPage.map((r) => r.key))}::jsonb))`))
          : [];
        const idOf = new Map(ids.map((r) => [r.key, r.id]));
        page = owingPage.map((r) => ({ id: idOf.get(r.key)!, key: r.key, unitId: r.unitId, sortKey: r.sortKey }));
        if (page.length <= limit) {
          page.push(...(await read(keyed.length ? sql`not (${bills.key} in (select jsonb_array_elements_text(${JSON.stringify(keyed.map((r) => r.key))}::jsonb)))` : undefined, limit + 1 - page.length, owingCursor ? undefined : cursor)));
        }
      } else if (sort === 'period' && !scope && !period) {
        // newest period first, then by place: one period's bills (one bill per unit) are sorted at a time, period after
        // older period until the page is full, never the estate's years of bills at once (24,000 in a 2,000-unit estate
        // after three years: 0.5 s). The cursor's key starts with its period (`newest`), where the next page resumes.
        page = [];
        let from = cursor ? sql`${bills.periodStart} <= date '2999-12-31' - ${Number(cursor.key.slice(0, 6))}::int` : undefined;
        while (page.length <= limit) {
          const [next] = await db.select({ start: sql<string | null>`max(${bills.periodStart})` }).from(bills).where(and(where, from));
          if (!next?.start) break;
          page.push(...(await read(eq(bills.periodStart, next.start), limit + 1 - page.length)));
          from = sql`${bills.periodStart} < ${next.start}::date`;
        }
      } else page = await read(undefined, limit + 1);
      const more = page.length > limit;
      const shown = page.slice(0, limit);
      // the estate's pages from the bills' paid-total rows (a row answers any day from its issue), a household's own
      // list (one unit, or a resident's few) by settling its account; either way the state settleAccount gives
      const shownUnits = [...new Set(shown.map((b) => b.unitId))];
      const [states, places] = await Promise.all([
        (scope ? Promise.resolve(undefined) : pageStates(db, tenantId, estateId, asOf, shown)).then(async (fromRows) => fromRows ?? settle(shownUnits)),
        unitPlaces(db, tenantId, shownUnits),
      ]);
      const items = shown.flatMap((b) => {
        const s = states.get(b.key);
        return s ? [{ ...s.bill, ...places.get(b.unitId), principalFen: s.principalFen, principalPaidFen: s.principalPaidFen, lateFeeFen: s.lateFee.amountFen, lateFeeAccruedFen: s.lateFee.accruedFen, lateFeePaidFen: s.lateFeePaidFen, outstandingFen: s.outstandingFen, clearedOn: s.clearedOn ?? null }] : [];
      });
      const last = shown[shown.length - 1];
      return c.json({ asOf, items, nextCursor: more && last ? encodeCursor({ key: last.sortKey, id: last.id }) : null });
    },
  )
  .post(
    '/payments',
    {
      responses: { 200: S.paid },
      summary: 'Record a payment and issue its receipt SJ-<year>-<seq>, or a refund from credit with its reason and its slip TK-<year>-<seq> (BL-7); dated today or earlier, never later; payments are allocated oldest bill first, principal before late fee unless the plan says otherwise; a refund above the credit is refused (409) and a refund without a reason, a payment with one, or a future date are refused (422), writing nothing',
      access: cashiers,
      estate: { from: 'body' },
      body: {
        type: 'object',
        required: ['estateId', 'unitId', 'amountFen', 'method'],
        properties: {
          estateId: uuid, unitId: { type: 'string', minLength: 1 }, kind: { enum: ['payment', 'refund'] }, receivedOn: day, amountFen: fenSchema, method: { enum: METHODS },
          payer: { type: 'string', maxLength: 50, description: '交款人 as the receipt names them; by default the names of the unit\'s residents' },
          reason: { description: `text; checked by the route, not the schema (a refusal is 422 form-invalid): refunds only, required for them: 退款原因, 1–${REFUND_REASON_MAX} characters after trimming; a payment with a reason is refused` },
        },
      },
    },
    async (c, { body }) => {
      const estateId = estateFromBody(c, body.estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const { unitId, kind = 'payment', amountFen, method } = body;
      if (amountFen === 0) throw invalid('amountFen', 'must be more than 0', '必须大于 0');
      boundedFen(amountFen, 'amountFen');
      const reason = refundReason(kind, body.reason);
      const [unit] = isUuid(unitId) ? await db.select({ id: units.id, label: units.label }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId))) : [];
      if (!unit) throw notFound('unit', unitId);
      const now = config.now();
      const result = await db.transaction(async (tx) => {
        const { asOf: today } = await asOfDate(c, tx, tenantId, estateId);
        const receivedOn = body.receivedOn ?? today;
        if (receivedOn > today) throw new ApiError('form-invalid', { zh: `字段“receivedOn”不得晚于今天（${today}）`, en: `Field "receivedOn" must not be after today (${today})` }, { field: 'receivedOn' });
        // one writer per unit at a time: the refund check and the allocation read the unit's whole history
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${unitLockKey(tenantId, unitId)}))`);
        const id = randomUUID();
        await tx.insert(payments).values({ tenantId, id, estateId, unitId, kind, receivedOn, amountFen, method, reason, createdAt: now, createdBy: userId });
        const input = await accountInput(tx, tenantId, estateId, unitId);
        const state = settleAccount({ ...input, asOf: receivedOn });
        const refused = state.errors.find((e) => e.reason === 'refund-exceeds-credit' && e.path.includes(id));
        if (refused) throw new ApiError('conflict', refused.message, { field: 'amountFen' });
        // the paid totals from this same reading, settled once when the payment's day is the account's last (#21)
        await refreshUnits(tx, tenantId, estateId, [unitId], now, { unitId, input, settled: { asOf: receivedOn, state } });
        const recorded = input.payments.find((p) => p.id === id)!;
        const serial = await issueSerial(tx, tenantId, estateId, kind, receivedOn);
        const payment = { ...recorded, serial };
        // the bill's dunning process hears of it from billing, the one ledger (BL-2)
        if (kind === 'payment') await dunningPayment({ db, cache: c.get('deps').cache, now: config.now }, tx, { tenantId, estateId, payment, state });
        if (kind === 'refund') {
          const [cashier] = await tx.select({ name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
          const slip = makeRefundSlip({ ...payment, reason: reason! }, state, serial, { unitLabel: unit.label, cashier: { id: userId, name: cashier?.name ?? '' } });
          await tx.insert(receipts).values({ tenantId, id: randomUUID(), estateId, paymentId: id, serial, content: slip as unknown as Record<string, unknown>, issuedAt: now });
          return { payment, receipt: null, slip, balanceFen: state.balanceFen, creditFen: state.creditFen };
        }
        // the receipt names who issued it, who paid and who took the money (BL-7), as it was on the day
        const [[company], [cashier], people] = await Promise.all([
          tx.select({ name: companies.name }).from(companies).where(eq(companies.id, tenantId)),
          tx.select({ name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId))),
          tx.select({ name: residents.name }).from(residents).where(and(eq(residents.tenantId, tenantId), eq(residents.estateId, estateId), eq(residents.unitId, unitId), residentLinkActive(now))).orderBy(asc(residents.name)),
        ]);
        const payer = body.payer?.trim() || people.map((p) => p.name).join('、') || unit.label;
        const receipt = { ...makeReceipt(payment, state.allocations, serial), unitLabel: unit.label, payer, company: company?.name ?? '', cashier: { id: userId, name: cashier?.name ?? '' } };
        await tx.insert(receipts).values({ tenantId, id: randomUUID(), estateId, paymentId: id, serial, content: receipt as unknown as Record<string, unknown>, issuedAt: now });
        // a bill this payment cleared tells the requests whose charges it carries (their onPaid event, once)
        await queuePaidEvents(tx, tenantId, estateId, state, now);
        return { payment, receipt, slip: null, balanceFen: state.balanceFen, creditFen: state.creditFen };
      });
      return c.json(result);
    },
  )
  .get(
    '/receipts',
    {
      responses: { 200: S.receiptList },
      summary: 'Receipts of payments (kind "payment", SJ-…) and slips of refunds (kind "refund", TK-…, with reason and cashier) of the estate, or of one unit, newest first, a page at a time (`limit` ≤ 200, default 50; `nextCursor` back as `cursor`) (BL-7); residents see their own household only',
      access: households, estate: { from: 'query' },
      query: { ...estateQuery, unitId: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: BILL_PAGE_MAX } },
      queryRequired: ['estateId'],
    },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const scope = await unitsInScope(c, c.get('deps').db, tenantId, estateId, query(c, 'unitId'));
      const limit = pageSize(query(c, 'limit'), BILL_PAGE, BILL_PAGE_MAX);
      const cursor = decodeCursor(query(c, 'cursor'));
      if (scope?.length === 0) return c.json({ items: [], nextCursor: null });
      const rows = await c.get('deps').db.select({ id: receipts.id, at: sql<string>`${receipts.issuedAt}::text`, kind: payments.kind, serial: receipts.serial, content: receipts.content, issuedAt: receipts.issuedAt }).from(receipts)
        .innerJoin(payments, and(eq(payments.tenantId, receipts.tenantId), eq(payments.id, receipts.paymentId)))
        .where(and(
          eq(receipts.tenantId, tenantId), eq(receipts.estateId, estateId),
          // the payment's own estate too, so one unit's receipts read payments_unit_idx (tenant, estate, unit)
          ...(scope ? [eq(payments.estateId, estateId), scope.length === 1 ? eq(payments.unitId, scope[0]!) : sql`${payments.unitId} = any(${uuidArray(scope)})`] : []),
          afterCursor(receipts.issuedAt, receipts.id, cursor, 'timestamptz', 'desc'),
        ))
        .orderBy(desc(receipts.issuedAt), desc(receipts.id))
        .limit(limit + 1);
      const shown = rows.slice(0, limit);
      const last = shown[shown.length - 1];
      return c.json({ items: shown.map((r) => ({ kind: r.kind, ...r.content, issuedAt: r.issuedAt })), nextCursor: rows.length > limit && last ? encodeCursor({ key: last.at, id: last.id }) : null });
    },
  )
  .post(
    '/adjustments',
    {
      responses: { 200: S.adjustment },
      summary: 'Append a signed correction, discount or late-fee waiver to a bill (the bill itself is never edited)',
      access: financeStaff,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'billKey', 'component', 'amountFen', 'reason'], properties: { estateId: uuid, billKey: { type: 'string', minLength: 1 }, on: day, component: { enum: ['principal', 'late-fee'] }, amountFen: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }, reason: text } },
    },
    async (c, { body }) => {
      const estateId = estateFromBody(c, body.estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const { billKey, component, amountFen, reason } = body;
      boundedFen(amountFen, 'amountFen');
      const [bill] = await db.select().from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.key, billKey)));
      if (!bill) throw notFound('bill', billKey);
      const { asOf } = await asOfDate(c, db, tenantId, estateId);
      const on = body.on ?? asOf;
      if (on < bill.issueOn) throw invalid('on', `must not be before the bill's issue date ${bill.issueOn}`, `不得早于账单开出日 ${bill.issueOn}`);
      const id = randomUUID();
      await db.transaction(async (tx) => {
        await tx.insert(billAdjustments).values({ tenantId, id, estateId, billId: bill.id, on, component, amountFen, reason, createdAt: config.now(), createdBy: userId });
        await refreshUnits(tx, tenantId, estateId, [bill.unitId], config.now());
      });
      return c.json({ id, billKey, on, component, amountFen, reason });
    },
  )
  .get(
    '/statements',
    { responses: { 200: S.statement }, summary: "A unit's statement for [from, to]: balance brought forward, charges, late fee, payments, closing balance; residents only their own. `to` defaults to the estate's today, `from` to the unit's first bill's issue date by then (1 January of `to`'s year when it has none), so a household's whole statement is one call", access: households, estate: { from: 'query' }, query: { ...estateQuery, unitId: { type: 'string', minLength: 1 }, from: day, to: day }, queryRequired: ['estateId', 'unitId'] },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const unitId = query(c, 'unitId')!;
      const [, today, input] = await Promise.all([
        unitsInScope(c, db, tenantId, estateId, unitId),
        query(c, 'to') === undefined ? asOfDate(c, db, tenantId, estateId, undefined).then((d) => d.asOf) : Promise.resolve(undefined),
        accountInput(db, tenantId, estateId, unitId),
      ]);
      const to = query(c, 'to') ?? today!;
      const firstIssue = input.bills.map((b) => b.issueOn).filter((d) => d <= to).sort()[0];
      const from = query(c, 'from') ?? (firstIssue && firstIssue < to ? firstIssue : `${to.slice(0, 4)}-01-01`);
      if (to < from) throw invalid('to', 'must not be before "from"', '不得早于 from');
      return c.json(statement(unitId, input, from, to));
    },
  )
  .get(
    '/arrears',
    { responses: { 200: S.arrears }, summary: "The estate's arrears (欠费: unpaid after the due date) in ageing buckets 0–30, 31–90, 91–180, 181–365 and over 365 days past the due date (ageArrears, the rule of the arrears by building), totals over every unit; the units in arrears, largest first, a page at a time (`limit` ≤ 200, default 50; `nextCursor` back as `cursor`; `unitsInArrears` counts them all); with what all issued bills still owe (未缴) and how many bills are issued", access: readers, estate: { from: 'query' }, query: { ...estateQuery, asOf: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: BILL_PAGE_MAX } }, queryRequired: ['estateId'] },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const { asOf } = await asOfDate(c, db, tenantId, estateId, query(c, 'asOf'));
      const limit = pageSize(query(c, 'limit'), BILL_PAGE, BILL_PAGE_MAX);
      const cursor = decodeCursor(query(c, 'cursor'));
      // the estate's open bills from the per-bill paid totals (services/bill-paid.ts), late fees as of `asOf`
      const { states, billsIssued } = await settledStates(db, tenantId, estateId, asOf);
      const report = arrearsOf(states, asOf);
      // unpaid (未缴): every issued bill's outstanding, settled as GET /billing/bills settles each row
      const unpaidFen = exactTotal('unpaidFen', states.filter((s) => s.bill.issueOn <= asOf).map((s) => s.outstandingFen));
      // the rows come largest first (then by unit id): the page resumes after the cursor's row in that order
      const after = cursor ? report.rows.filter((r) => r.totalFen < Number(cursor.key) || (r.totalFen === Number(cursor.key) && r.unitId > cursor.id)) : report.rows;
      const page = after.slice(0, limit);
      const last = page[page.length - 1];
      const places = await unitPlaces(db, tenantId, page.map((r) => r.unitId));
      const labels = new Map([...places].map(([id, p]) => [id, p.unitLabel]));
      return c.json({
        ...report, unpaidFen, billsIssued, unitsInArrears: report.rows.length,
        rows: page.map((r) => ({ ...r, unitLabel: labels.get(r.unitId) ?? null })),
        nextCursor: after.length > limit && last ? encodeCursor({ key: String(last.totalFen), id: last.unitId }) : null,
      });
    },
  );
