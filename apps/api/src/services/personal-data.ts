/**
 * Personal information (PIPL, issue #17): which values are phone and ID numbers, how they are
 * masked for roles without the `personal_data` permission, and how an unmasked read is audited.
 * Every route that answers instance data, history, notices or people runs its answer through
 * here: the one place masking is decided.
 *
 * A form field is personal when its data schema says so (`"x-personal": "phone" | "id" | "name"`,
 * schemas/common.schema.json), or, unannotated, when it is a `phone` widget, has a phone-shaped
 * `pattern`, or is named like one (`phone`, `mobilePhone`, `idNo`, `idCardNumber`). Values outside
 * such fields are masked where they have the shape of a mainland mobile number or an 18-character
 * ID-card number, inside free text too (a notice, a "contact and phone" note).
 */
import type { Context } from 'hono';
import type { DbOrTx } from '@estateflow/db';
import type { FormDefinition } from '@estateflow/engine';
import type { AppEnv } from '../env.ts';
import type { PinnedWorkflow } from './compiled-cache.ts';
import { ApiError } from '../errors.ts';
import { authOf } from '../route-table.ts';
import { auditAdmin } from './admin-audit.ts';

export type PersonalKind = 'phone' | 'id' | 'name';
/** Field paths (`phone`, `residents/*\/phone`) → what they hold. */
export type PersonalFields = ReadonlyMap<string, PersonalKind>;

/** Patterns the bundles and the form engine give phone fields (forms' DEFAULT_PHONE_PATTERN included). */
const PHONE_PATTERNS = new Set(['^[0-9+ -]{5,20}$', '^\\+?[0-9][0-9 -]{4,19}$', '^1[3-9][0-9]{9}$', '^1[3-9]\\d{9}$']);
// whole camelCase words only: `phone`, `ownerPhone`, `owner_phone`, but not `hotel` or `telemetry`
const PHONE_NAME = /^(phone|mobile|tel|telephone)$|[a-z0-9](Phone|Mobile|Tel|Telephone)$|_(phone|mobile|tel)$/;
const ID_NAME = /^(idNo|idNumber|idCard|idCardNo|idCardNumber|identityNo)$|[a-z0-9](IdNo|IdNumber|IdCard|IdCardNo)$|_(id_no|id_card)$/;

type AnySchema = Record<string, unknown>;

/** What a scalar field of a form holds, if it is personal. */
export function personalKindOf(key: string, schema: AnySchema, widget?: string): PersonalKind | undefined {
  const declared = schema['x-personal'];
  if (declared === 'phone' || declared === 'id' || declared === 'name') return declared;
  if (schema.type !== 'string' || schema.enum !== undefined || schema.format !== undefined) return undefined;
  if (widget === 'phone') return 'phone';
  if (typeof schema.pattern === 'string' && PHONE_PATTERNS.has(schema.pattern)) return 'phone';
  if (ID_NAME.test(key)) return 'id';
  if (PHONE_NAME.test(key)) return 'phone';
  return undefined;
}

/** The personal fields of some forms by path (a list's items as `*`); a workflow's data holds its forms' fields by name. */
export function personalFieldsOf(forms: Iterable<FormDefinition>): Map<string, PersonalKind> {
  const out = new Map<string, PersonalKind>();
  const visit = (path: string, key: string, schema: AnySchema, widget?: string) => {
    if (schema.type === 'object' && schema.properties && typeof schema.properties === 'object') {
      for (const [k, s] of Object.entries(schema.properties as Record<string, AnySchema>)) visit(`${path}/${k}`, k, s);
    } else if (schema.type === 'array' && schema.items && typeof schema.items === 'object') {
      visit(`${path}/*`, key, schema.items as AnySchema, widget);
    } else {
      const kind = personalKindOf(key, schema, widget);
      if (kind && !out.has(path)) out.set(path, kind);
    }
  };
  for (const form of forms) {
    const widgets = new Map<string, string>();
    for (const section of form.layout?.sections ?? []) for (const f of section.fields ?? []) widgets.set(f.field, f.widget);
    for (const [k, s] of Object.entries((form.schema?.properties ?? {}) as Record<string, AnySchema>)) visit(k, k, s, widgets.get(k));
  }
  return out;
}

const MOBILE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
const ID_CARD = /(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])/g;

/** 138****5678: the first three and last four digits; a short number is all stars. */
export function maskPhone(value: string): string {
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length < 7) return '*'.repeat(Math.max(4, digits.length));
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** 4401**********1234: the first four and last four characters of an ID-card number. */
export function maskId(value: string): string {
  const v = value.replace(/\s/g, '');
  if (v.length <= 8) return '*'.repeat(Math.max(4, v.length));
  return `${v.slice(0, 4)}${'*'.repeat(v.length - 8)}${v.slice(-4)}`;
}

/** Free text with every mobile and ID-card number in it masked. */
export function maskText(text: string): string {
  return text.replace(ID_CARD, maskId).replace(MOBILE, maskPhone);
}

const maskAs = (kind: PersonalKind, value: string) => (kind === 'phone' ? maskPhone(value) : kind === 'id' ? maskId(value) : value);

/**
 * A copy of `data` with personal values masked, and the paths masked (`phone`, `residents/0/phone`).
 * Names are left as they are (PIPL masking is for numbers; names are erased on request).
 */
export function maskData(data: Record<string, unknown>, fields: PersonalFields): { data: Record<string, unknown>; masked: string[] } {
  const masked: string[] = [];
  const walk = (value: unknown, pattern: string, path: string): unknown => {
    if (typeof value === 'string') {
      const kind = fields.get(pattern);
      const shown = kind && kind !== 'name' ? maskAs(kind, value) : maskText(value);
      if (shown !== value) masked.push(path);
      return shown;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${pattern}/*`, `${path}/${i}`));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v, pattern ? `${pattern}/${k}` : k, path ? `${path}/${k}` : k)]));
    }
    return value;
  };
  return { data: walk(data, '', '') as Record<string, unknown>, masked: masked.sort() };
}

/** Every string of a value masked by shape (notices, receipts): no field list needed. */
export function maskValue<T>(value: T): T {
  return maskData({ v: value }, new Map()).data.v as T;
}

/** Whether the caller's role in `estateId` holds the `personal_data` permission. */
export function mayReadPersonal(c: Context<AppEnv>, estateId: string): boolean {
  return authOf(c).permissions.get(estateId)?.has('personal_data') ?? false;
}

/**
 * Whether this read answers personal data unmasked: only when asked (`?reveal=1`) and the caller's
 * role holds `personal_data`; asked without it is a 403 naming the permission.
 */
export function revealAsked(c: Context<AppEnv>, estateId: string): boolean {
  const q = c.req.query('reveal');
  if (q === undefined || q === '0' || q === 'false') return false;
  if (!mayReadPersonal(c, estateId)) {
    throw new ApiError('forbidden', {
      zh: '您的角色没有“查看个人信息”权限，不能显示完整的电话和证件号码（参数 reveal）',
      en: 'Your role lacks the "read personal data" permission, so full phone and ID numbers cannot be shown (parameter reveal)',
    }, { field: 'reveal' });
  }
  return true;
}

/**
 * Audits one unmasked read of personal data: who (the caller), whose (`subject`, e.g. `user/<id>` or
 * `instance/<id>` with the person it names), which fields, when. Kept as long as administrative lines (`pii.*`).
 */
export async function auditReveal(
  c: Context<AppEnv>,
  line: { estateId: string | null; target: string; fields: string[]; subject?: Record<string, unknown> },
): Promise<void> {
  const auth = authOf(c);
  const { db, config } = c.get('deps');
  await auditAdmin(db, {
    tenantId: auth.tenantId, actorId: auth.userId, action: 'pii.reveal', target: line.target, estateId: line.estateId, at: config.now(),
    detail: { fields: line.fields, ...(line.subject ?? {}) },
  });
}

const fieldsByCompiled = new WeakMap<object, PersonalFields>();

const fieldsOfPinned = (pinned: PinnedWorkflow): PersonalFields => {
  let hit = fieldsByCompiled.get(pinned.compiled);
  if (!hit) {
    hit = personalFieldsOf(pinned.compiled.formDefinitions.values());
    fieldsByCompiled.set(pinned.compiled, hit);
  }
  return hit;
};

/**
 * The personal fields of a version the process has already compiled, without waiting (a write's
 * answer, computed inside its transaction after the event path loaded the version); none when it
 * has not, and then only the shapes of values are masked.
 */
export function personalFieldsCompiled(c: Context<AppEnv>, tenantId: string, versionId: string): PersonalFields {
  const pinned = c.get('deps').cache.peek(tenantId, versionId);
  return pinned ? fieldsOfPinned(pinned) : new Map();
}

/** The personal fields of the forms a pinned workflow version uses (computed once per compiled version). */
export async function personalFieldsOfVersion(c: Context<AppEnv>, tenantId: string, versionId: string, db: DbOrTx = c.get('deps').db): Promise<PersonalFields> {
  const { cache } = c.get('deps');
  return fieldsOfPinned(await cache.get(db, tenantId, versionId));
}
