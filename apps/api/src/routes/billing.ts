import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { billAdjustments, billingPlans, bills, feeSchedules, payments, receipts, unitBillingProfiles, units, users, type DbOrTx, type Role, type UnitBillingProfile } from '@estateflow/db';
import {
  accountsByUnit,
  arrearsReport,
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
import { authOf, requireEstate, Resource } from '../route-table.ts';
import { isUuid, obj, readBody, str } from '../services/body.ts';
import { runBilling } from '../services/billing-run.ts';
import { accountInput, estateTimeZone, loadPlan, accountUnits } from '../services/billing-store.ts';
import { issueSerial } from '../services/receipt-serial.ts';
import { afterCursor, decodeCursor, encodeCursor, pageSize, uuidArray } from '../services/keyset.ts';

/** Who configures fees and runs billing; who takes money (BL-7: at the desk or at home); who reads. */
const finance: readonly Role[] = ['admin', 'finance', 'property_manager'];
const cashiers: readonly Role[] = ['admin', 'finance', 'property_manager', 'front_desk'];
const readers: readonly Role[] = ['admin', 'finance', 'property_manager', 'cs_manager', 'duty_manager', 'front_desk'];
/** Readers plus residents, who see only their own household's bills, receipts and statements. */
const households: readonly Role[] = [...readers, 'resident'];
/** Whose account a unit's bills are (unit_billing_profiles.payer; `accountUnits` reads it). */
type Payer = UnitBillingProfile['payer'];
const payers: readonly Payer[] = ['household', 'owner', 'tenant'];
const METHODS: readonly PaymentMethod[] = ['cash', 'card', 'desk', 'home-collection', 'bank-transfer', 'wechat', 'alipay', 'other'];

const uuid = { type: 'string', format: 'uuid' };
const day = { type: 'string', format: 'date' };
const estateQuery = { estateId: uuid };
/** Bills and receipts per page: 50 by default, at most 200 (not in the field documents: a screen's worth; a household's two years of monthly bills fit in one page). */
const BILL_PAGE = 50;
const BILL_PAGE_MAX = 200;
const fenSchema = { type: 'integer', minimum: 0, maximum: MAX_AMOUNT_FEN };

type C = Context<AppEnv>;

function query(c: C, name: string, required = true): string | undefined {
  const v = c.req.query(name);
  if (required && (v === undefined || v === '')) throw invalid(name, 'is required', '为必填项');
  return v === '' ? undefined : v;
}

function estateFromQuery(c: C): string {
  const estateId = query(c, 'estateId')!;
  if (!isUuid(estateId)) throw notFound('estate', estateId);
  requireEstate(c, estateId);
  return estateId;
}

async function estateFromBody(c: C): Promise<{ estateId: string; body: Record<string, unknown> }> {
  const body = await readBody(c);
  const estateId = str(body, 'estateId');
  if (!isUuid(estateId)) throw notFound('estate', estateId);
  requireEstate(c, estateId);
  return { estateId, body };
}

function dateField(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isCivilDate(value)) throw invalid(field, 'must be a date YYYY-MM-DD', '必须是 YYYY-MM-DD 格式的日期');
  return value;
}

function fenField(value: unknown, field: string, allowNegative = false): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (!allowNegative && value < 0)) {
    throw invalid(field, `must be ${allowNegative ? 'an' : 'a non-negative'} integer number of fen (1 yuan = 100)`, `必须是${allowNegative ? '' : '非负'}整数分（1 元 = 100 分）`);
  }
  if (Math.abs(value) > MAX_AMOUNT_FEN) {
    throw invalid(field, `must be at most ${MAX_AMOUNT_FEN} fen (100,000,000 yuan)`, `不能超过 ${MAX_AMOUNT_FEN} 分（1 亿元）`);
  }
  return value;
}

function textField(value: unknown, field: string): { zh: string; en: string } {
  const t = value as { zh?: unknown; en?: unknown } | null;
  if (typeof t !== 'object' || t === null || typeof t.zh !== 'string' || typeof t.en !== 'string' || !t.zh || !t.en) {
    throw invalid(field, 'must be { zh, en } with both texts', '必须是包含 zh 与 en 的双语文本');
  }
  return { zh: t.zh, en: t.en };
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
  const own = await accountUnits(db, tenantId, estateId, auth.userId);
  if (unitId === undefined) return own;
  if (!own.includes(unitId)) throw notFound('unit', unitId);
  return [unitId];
}

function documentRoutes(resource: Resource, path: '/schedules' | '/plans', kind: 'fee-schedule' | 'billing-plan') {
  const table = kind === 'fee-schedule' ? feeSchedules : billingPlans;
  return resource
    .get(path, { summary: `The estate's ${kind} documents`, access: readers, estate: { from: 'query' }, query: estateQuery }, async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const rows = await c.get('deps').db.select().from(table).where(and(eq(table.tenantId, tenantId), eq(table.estateId, estateId))).orderBy(asc(table.key));
      return c.json({ items: rows.map((r) => ({ key: r.key, revision: r.revision, updatedAt: r.updatedAt, document: r.document })) });
    })
    .post(
      path,
      {
        summary: `Save a ${kind} document (validated by its JSON Schema and billing's semantic checks)`,
        access: finance,
        estate: { from: 'body' },
        body: { type: 'object', required: ['estateId', 'document'], properties: { estateId: uuid, document: { type: 'object' } } },
      },
      async (c) => {
        const { estateId, body } = await estateFromBody(c);
        const document = obj(body, 'document');
        definitionIssues(document, kind);
        const { tenantId, userId } = authOf(c);
        const { db, config } = c.get('deps');
        if (kind === 'billing-plan') {
          const ref = String(document.feeSchedule);
          const [s] = await db.select({ key: feeSchedules.key }).from(feeSchedules).where(and(eq(feeSchedules.tenantId, tenantId), eq(feeSchedules.estateId, estateId), eq(feeSchedules.key, ref)));
          if (!s) throw new ApiError('invalid-definition', { zh: `收费标准“${ref}”不存在（/feeSchedule）`, en: `Fee schedule "${ref}" does not exist (at /feeSchedule)` }, { path: '/feeSchedule' });
        }
        const key = String(document.id);
        const now = config.now();
        const [row] = await db.insert(table).values({ tenantId, estateId, key, document, revision: 1, updatedAt: now, updatedBy: userId })
          .onConflictDoUpdate({ target: [table.tenantId, table.estateId, table.key], set: { document, revision: sql`${table.revision} + 1`, updatedAt: now, updatedBy: userId } })
          .returning();
        return c.json({ key, revision: row!.revision });
      },
    );
}

const resource = new Resource('/billing', 'Billing');
documentRoutes(resource, '/schedules', 'fee-schedule');
documentRoutes(resource, '/plans', 'billing-plan');

export const billingRoutes = resource
  .post(
    '/units',
    {
      summary: "Set a unit's billing profile: fee type, custody (BL-6), parking spaces, and optionally the floor area (m², 2 decimals) the management fee is charged on",
      access: finance,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'unitId', 'unitType'], properties: { estateId: uuid, unitId: uuid, unitType: { type: 'string' }, custody: { type: 'boolean' }, parking: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, count: { type: 'integer', minimum: 1 } } } }, areaSqm: { type: 'string', pattern: '^[0-9]{1,7}(\\.[0-9]{1,2})?$', examples: ['89.37'] }, payer: { enum: ['household', 'owner', 'tenant'], description: 'whose account the bills are: household (default: every resident of the unit), or only its owner(s) or tenant(s)' } } },
    },
    async (c) => {
      const { estateId, body } = await estateFromBody(c);
      const { tenantId } = authOf(c);
      const { db, config } = c.get('deps');
      const unitId = str(body, 'unitId');
      const unitType = str(body, 'unitType');
      const custody = body.custody === undefined ? false : body.custody;
      if (typeof custody !== 'boolean') throw invalid('custody', 'must be true or false', '必须是 true 或 false');
      const parking = (body.parking ?? []) as { kind?: unknown; count?: unknown }[];
      if (!Array.isArray(parking) || parking.some((p) => typeof p?.kind !== 'string' || typeof p.count !== 'number' || !Number.isSafeInteger(p.count) || p.count < 1)) {
        throw invalid('parking', 'must be a list of { kind, count ≥ 1 }', '必须是 { kind, count ≥ 1 } 的列表');
      }
      // the area is text with at most 2 decimals, so no floating point reaches the fee (BL-8)
      const areaSqm = body.areaSqm === undefined ? undefined : body.areaSqm;
      if (areaSqm !== undefined && (typeof areaSqm !== 'string' || !/^\d{1,7}(\.\d{1,2})?$/.test(areaSqm) || !/[1-9]/.test(areaSqm))) {
        throw invalid('areaSqm', 'must be a floor area in m² above 0 with at most 2 decimals, as text such as "89.37"', '必须是大于 0、最多两位小数的建筑面积（平方米），以文本填写，如 "89.37"');
      }
      const [unit] = isUuid(unitId) ? await db.select({ id: units.id, areaSqm: units.areaSqm }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId))) : [];
      if (!unit) throw notFound('unit', unitId);
      const payer = body.payer ?? 'household';
      if (!payers.includes(payer as Payer)) throw invalid('payer', 'must be "household", "owner" or "tenant"', '必须是 household（全户）、owner（业主）或 tenant（租户）');
      const values = { unitType, custody, parking: parking as { kind: string; count: number }[], payer: payer as Payer, updatedAt: config.now() };
      await db.transaction(async (tx) => {
        if (areaSqm !== undefined) await tx.update(units).set({ areaSqm }).where(and(eq(units.tenantId, tenantId), eq(units.id, unitId)));
        await tx.insert(unitBillingProfiles).values({ tenantId, estateId, unitId, ...values })
          .onConflictDoUpdate({ target: [unitBillingProfiles.tenantId, unitBillingProfiles.unitId], set: values });
      });
      return c.json({ unitId, ...values, areaSqm: areaSqm ?? unit.areaSqm });
    },
  )
  .get(
    '/notices',
    { summary: "A period's dunning timeline: payment notice, reminder, final notice, recovery and BL-4's ladder", access: readers, estate: { from: 'query' }, query: { ...estateQuery, plan: { type: 'string' }, period: { type: 'string' } } },
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
      summary: "Generate a period's bills for every profiled unit; idempotent (one bill per plan, unit and period); pending paid-service charges join the bills",
      access: finance,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'plan', 'period'], properties: { estateId: uuid, plan: { type: 'string' }, period: { type: 'string', examples: ['2027-Q1', '2027-03', '2027-H1'] } } },
    },
    async (c) => {
      const { estateId, body } = await estateFromBody(c);
      const { tenantId } = authOf(c);
      const { db, config } = c.get('deps');
      const planKey = str(body, 'plan');
      const periodId = str(body, 'period');
      const now = config.now();
      const result = await db.transaction((tx) => runBilling(tx, { tenantId, estateId, planKey, periodId, now }));
      return c.json(result);
    },
  )
  .get(
    '/bills',
    {
      summary: 'Bills issued by a date with lines and their state (paid, late fee, outstanding) as of it, newest period first, a page at a time (`limit` ≤ 200, default 50; pass `nextCursor` back as `cursor` for the next page); residents see their own household only',
      access: households, estate: { from: 'query' },
      query: { ...estateQuery, unitId: uuid, period: { type: 'string' }, asOf: day, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: BILL_PAGE_MAX } },
    },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const scope = await unitsInScope(c, db, tenantId, estateId, query(c, 'unitId', false));
      const { asOf } = await asOfDate(c, db, tenantId, estateId, query(c, 'asOf', false));
      const period = query(c, 'period', false);
      const limit = pageSize(query(c, 'limit', false), BILL_PAGE, BILL_PAGE_MAX);
      const cursor = decodeCursor(query(c, 'cursor', false));
      if (scope?.length === 0) return c.json({ asOf, items: [], nextCursor: null });
      // the page in SQL on bills_estate_period_idx / bills_period_idx / bills_unit_idx, then only its units' accounts are settled
      const page = await db.select({ id: bills.id, key: bills.key, unitId: bills.unitId, at: sql<string>`${bills.periodStart}::text` }).from(bills)
        .where(and(
          eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), lte(bills.issueOn, asOf),
          ...(scope ? [scope.length === 1 ? eq(bills.unitId, scope[0]!) : sql`${bills.unitId} = any(${uuidArray(scope)})`] : []),
          ...(period ? [eq(bills.periodId, period)] : []),
          afterCursor(bills.periodStart, bills.id, cursor, 'date', 'desc'),
        ))
        .orderBy(desc(bills.periodStart), desc(bills.id))
        .limit(limit + 1);
      const more = page.length > limit;
      const shown = page.slice(0, limit);
      const units = [...new Set(shown.map((b) => b.unitId))];
      const states = new Map<string, BillState>();
      if (units.length > 0) {
        for (const account of accountsByUnit(await accountInput(db, tenantId, estateId, units)).values()) {
          for (const s of settleAccount({ ...account, asOf }).bills) states.set(s.bill.key, s);
        }
      }
      const items = shown.flatMap((b) => {
        const s = states.get(b.key);
        return s ? [{ ...s.bill, principalFen: s.principalFen, principalPaidFen: s.principalPaidFen, lateFeeFen: s.lateFee.amountFen, lateFeeAccruedFen: s.lateFee.accruedFen, lateFeePaidFen: s.lateFeePaidFen, outstandingFen: s.outstandingFen, clearedOn: s.clearedOn ?? null }] : [];
      });
      const last = shown[shown.length - 1];
      return c.json({ asOf, items, nextCursor: more && last ? encodeCursor({ key: last.at, id: last.id }) : null });
    },
  )
  .post(
    '/payments',
    {
      summary: 'Record a payment and issue its receipt SJ-<year>-<seq>, or a refund from credit with its reason and its slip TK-<year>-<seq> (BL-7); dated today or earlier, never later; payments are allocated oldest bill first, principal before late fee unless the plan says otherwise; a refund above the credit is refused (409) and a refund without a reason, a payment with one, or a future date are refused (422), writing nothing',
      access: cashiers,
      estate: { from: 'body' },
      body: {
        type: 'object',
        required: ['estateId', 'unitId', 'amountFen', 'method'],
        properties: {
          estateId: uuid, unitId: uuid, kind: { enum: ['payment', 'refund'] }, receivedOn: day, amountFen: fenSchema, method: { enum: [...METHODS] },
          reason: { type: 'string', minLength: 1, maxLength: REFUND_REASON_MAX, description: 'refunds only, required for them: 退款原因, 1–200 characters after trimming; a payment with a reason is refused' },
        },
      },
    },
    async (c) => {
      const { estateId, body } = await estateFromBody(c);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const unitId = str(body, 'unitId');
      const kind = body.kind === undefined ? 'payment' : body.kind;
      if (kind !== 'payment' && kind !== 'refund') throw invalid('kind', 'must be "payment" or "refund"', '必须是 payment 或 refund');
      const amountFen = fenField(body.amountFen, 'amountFen');
      if (amountFen === 0) throw invalid('amountFen', 'must be more than 0', '必须大于 0');
      const method = str(body, 'method') as PaymentMethod;
      if (!METHODS.includes(method)) throw invalid('method', `must be one of ${METHODS.join(', ')}`, `必须是 ${METHODS.join('、')} 之一`);
      const reason = refundReason(kind, body.reason);
      const [unit] = isUuid(unitId) ? await db.select({ id: units.id, label: units.label }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.id, unitId))) : [];
      if (!unit) throw notFound('unit', unitId);
      const now = config.now();
      const result = await db.transaction(async (tx) => {
        const { asOf: today } = await asOfDate(c, tx, tenantId, estateId);
        const receivedOn = body.receivedOn === undefined ? today : dateField(body.receivedOn, 'receivedOn');
        if (receivedOn > today) throw new ApiError('form-invalid', { zh: `字段“receivedOn”不得晚于今天（${today}）`, en: `Field "receivedOn" must not be after today (${today})` }, { field: 'receivedOn' });
        // one writer per unit at a time: the refund check and the allocation read the unit's whole history
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing:${tenantId}:${unitId}`}))`);
        const id = randomUUID();
        await tx.insert(payments).values({ tenantId, id, estateId, unitId, kind, receivedOn, amountFen, method, reason, createdAt: now, createdBy: userId });
        const input = await accountInput(tx, tenantId, estateId, unitId);
        const state = settleAccount({ ...input, asOf: receivedOn });
        const refused = state.errors.find((e) => e.reason === 'refund-exceeds-credit' && e.path.includes(id));
        if (refused) throw new ApiError('conflict', refused.message, { field: 'amountFen' });
        const recorded = input.payments.find((p) => p.id === id)!;
        const serial = await issueSerial(tx, tenantId, estateId, kind, receivedOn);
        const payment = { ...recorded, serial };
        if (kind === 'refund') {
          const [cashier] = await tx.select({ name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
          const slip = makeRefundSlip({ ...payment, reason: reason! }, state, serial, { unitLabel: unit.label, cashier: { id: userId, name: cashier?.name ?? '' } });
          await tx.insert(receipts).values({ tenantId, id: randomUUID(), estateId, paymentId: id, serial, content: slip as unknown as Record<string, unknown>, issuedAt: now });
          return { payment, receipt: null, slip, balanceFen: state.balanceFen, creditFen: state.creditFen };
        }
        const receipt = makeReceipt(payment, state.allocations, serial);
        await tx.insert(receipts).values({ tenantId, id: randomUUID(), estateId, paymentId: id, serial, content: receipt as unknown as Record<string, unknown>, issuedAt: now });
        return { payment, receipt, slip: null, balanceFen: state.balanceFen, creditFen: state.creditFen };
      });
      return c.json(result);
    },
  )
  .get(
    '/receipts',
    {
      summary: 'Receipts of payments (kind "payment", SJ-…) and slips of refunds (kind "refund", TK-…, with reason and cashier) of the estate, or of one unit, newest first, a page at a time (`limit` ≤ 200, default 50; `nextCursor` back as `cursor`) (BL-7); residents see their own household only',
      access: households, estate: { from: 'query' },
      query: { ...estateQuery, unitId: uuid, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: BILL_PAGE_MAX } },
    },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const scope = await unitsInScope(c, c.get('deps').db, tenantId, estateId, query(c, 'unitId', false));
      const limit = pageSize(query(c, 'limit', false), BILL_PAGE, BILL_PAGE_MAX);
      const cursor = decodeCursor(query(c, 'cursor', false));
      if (scope?.length === 0) return c.json({ items: [], nextCursor: null });
      const rows = await c.get('deps').db.select({ id: receipts.id, at: sql<string>`${receipts.issuedAt}::text`, kind: payments.kind, serial: receipts.serial, content: receipts.content, issuedAt: receipts.issuedAt }).from(receipts)
        .innerJoin(payments, and(eq(payments.tenantId, receipts.tenantId), eq(payments.id, receipts.paymentId)))
        .where(and(
          eq(receipts.tenantId, tenantId), eq(receipts.estateId, estateId),
          ...(scope ? [scope.length === 1 ? eq(payments.unitId, scope[0]!) : sql`${payments.unitId} = any(${uuidArray(scope)})`] : []),
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
      summary: 'Append a signed correction, discount or late-fee waiver to a bill (the bill itself is never edited)',
      access: finance,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'billKey', 'component', 'amountFen', 'reason'], properties: { estateId: uuid, billKey: { type: 'string' }, on: day, component: { enum: ['principal', 'late-fee'] }, amountFen: { type: 'integer', minimum: -MAX_AMOUNT_FEN, maximum: MAX_AMOUNT_FEN }, reason: { type: 'object' } } },
    },
    async (c) => {
      const { estateId, body } = await estateFromBody(c);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const billKey = str(body, 'billKey');
      const component = body.component;
      if (component !== 'principal' && component !== 'late-fee') throw invalid('component', 'must be "principal" or "late-fee"', '必须是 principal 或 late-fee');
      const amountFen = fenField(body.amountFen, 'amountFen', true);
      const reason = textField(body.reason, 'reason');
      const [bill] = await db.select().from(bills).where(and(eq(bills.tenantId, tenantId), eq(bills.estateId, estateId), eq(bills.key, billKey)));
      if (!bill) throw notFound('bill', billKey);
      const { asOf } = await asOfDate(c, db, tenantId, estateId);
      const on = body.on === undefined ? asOf : dateField(body.on, 'on');
      if (on < bill.issueOn) throw invalid('on', `must not be before the bill's issue date ${bill.issueOn}`, `不得早于账单开出日 ${bill.issueOn}`);
      const id = randomUUID();
      await db.insert(billAdjustments).values({ tenantId, id, estateId, billId: bill.id, on, component, amountFen, reason, createdAt: config.now(), createdBy: userId });
      return c.json({ id, billKey, on, component, amountFen, reason });
    },
  )
  .get(
    '/statements',
    { summary: "A unit's statement for [from, to]: balance brought forward, charges, late fee, payments, closing balance; residents only their own", access: households, estate: { from: 'query' }, query: { ...estateQuery, unitId: uuid, from: day, to: day } },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const unitId = query(c, 'unitId')!;
      await unitsInScope(c, c.get('deps').db, tenantId, estateId, unitId);
      const from = dateField(query(c, 'from'), 'from');
      const to = dateField(query(c, 'to'), 'to');
      if (to < from) throw invalid('to', 'must not be before "from"', '不得早于 from');
      const input = await accountInput(c.get('deps').db, tenantId, estateId, unitId);
      return c.json(statement(unitId, input, from, to));
    },
  )
  .get(
    '/arrears',
    { summary: "The estate's arrears by unit in ageing buckets 0–30, 31–90, 91–180, 180+ days", access: readers, estate: { from: 'query' }, query: { ...estateQuery, asOf: day } },
    async (c) => {
      const estateId = estateFromQuery(c);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const { asOf } = await asOfDate(c, db, tenantId, estateId, query(c, 'asOf', false));
      const input = await accountInput(db, tenantId, estateId);
      const labels = new Map((await db.select({ id: units.id, label: units.label }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)))).map((u) => [u.id, u.label]));
      const report = arrearsReport({ ...input, asOf });
      return c.json({ ...report, rows: report.rows.map((r) => ({ ...r, unitLabel: labels.get(r.unitId) ?? null })) });
    },
  );
