import { checkPlan, checkSchedule, type BillingPlan, type FeeSchedule } from '@estateflow/billing';
import type { FeePublished } from '@estateflow/api/schemas';
import { validateDocument } from '@estateflow/definitions';
import { api } from '$lib/api/client.ts';

/** One fee schedule or billing plan as the fee editor reads it: its published version and its draft. */
export interface FeeDefinition<D> {
  key: string;
  published: { version: number; publishedAt: string; document: D } | null;
  draft: { updatedAt: string; document: D } | null;
}

export interface FeeDefinitions {
  schedules: FeeDefinition<FeeSchedule>[];
  plans: FeeDefinition<BillingPlan>[];
}

/** Saves the draft (refused with a JSON pointer when invalid), then publishes it as the next version. */
export async function saveAndPublish(estateId: string, document: FeeSchedule | BillingPlan, changeNote: string): Promise<{ version: number }> {
  await api('/billing/drafts', { method: 'PUT', body: { estateId, document } });
  return api<FeePublished>('/billing/publish', { body: { estateId, kind: document.kind, key: document.id, changeNote } });
}

/** Saves the draft only. */
export function saveDraft(estateId: string, document: FeeSchedule | BillingPlan): Promise<unknown> {
  return api('/billing/drafts', { method: 'PUT', body: { estateId, document } });
}

/** A daily rate in ‰ as typed ("3", "0.5") to the plan's exact ratio (3/1000, 5/10000); undefined if not a number with at most 4 decimals. */
export function perMilleToRatio(text: string): { numerator: number; denominator: number } | undefined {
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!m) return undefined;
  const decimals = m[2] ?? '';
  return { numerator: Number(`${m[1]}${decimals}`), denominator: 1000 * 10 ** decimals.length };
}

/** The ratio as ‰ text: 3/1000 → "3", 5/10000 → "0.5". */
export function ratioToPerMille(r: { numerator: number; denominator: number }): string {
  const v = (r.numerator * 1000) / r.denominator;
  return String(Math.round(v * 10000) / 10000);
}

/** One problem of a fee document: where (a JSON pointer) and what (zh/en). */
export interface FeeIssue {
  path: string;
  message: { zh: string; en: string };
}

/**
 * The server's own check of a fee schedule or billing plan, run in the browser as the editor types:
 * the document's JSON Schema and lint (`validateDocument` of @estateflow/definitions), then, when
 * those pass, billing's semantic checks (`checkSchedule` / `checkPlan`), exactly as `PUT
 * /api/billing/drafts` and `POST /api/billing/publish` check it (apps/api/src/routes/billing.ts).
 */
export function feeIssues(document: FeeSchedule | BillingPlan): FeeIssue[] {
  const found = validateDocument(document).filter((f) => f.severity === 'error').map((f) => ({ path: f.pointer, message: f.message }));
  if (found.length) return found;
  const semantic = document.kind === 'fee-schedule' ? checkSchedule(document) : checkPlan(document);
  return semantic.map((e) => ({ path: e.path, message: e.message }));
}

/** A new fee schedule: one version in force from `from` with the management rates of `like` (or one residential rate to fill in). */
export function newSchedule(id: string, title: { zh: string; en: string }, from: string, like?: FeeSchedule): FeeSchedule {
  const base = like?.versions.reduce((a, b) => (b.effectiveFrom > a.effectiveFrom ? b : a));
  return {
    kind: 'fee-schedule',
    id,
    title,
    versions: [
      base
        ? { ...structuredClone(base), effectiveFrom: from }
        : { effectiveFrom: from, management: [{ unitType: 'residential', title: { zh: '住宅物业管理费', en: 'Residential management fee' }, fenPerSqmMonth: 0 }], services: [] },
    ],
  };
}

/** Kebab-case ids, as definitions name them (common.schema.json `Id`). */
export const ID_PATTERN = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
