import type { BillingPlan, FeeSchedule } from '@estateflow/billing';
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
  return api<{ version: number }>('/billing/publish', { body: { estateId, kind: document.kind, key: document.id, changeNote } });
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
