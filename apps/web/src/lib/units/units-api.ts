import type { UnitFile, UnitOptions, UnitPage, UnitProfile } from '@estateflow/api/schemas';
import { api, ApiError, withCursor, type Page } from '$lib/api/client.ts';
import { FINANCE_ROLES } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';

export type { UnitFile, UnitOptions };
/** One row of the unit register (`GET /api/estates/{id}/units`): the unit, its floor area and billing profile. */
export type UnitRow = UnitPage['items'][number];
export type Profile = NonNullable<UnitRow['profile']>;
export type Payer = Profile['payer'];
export const PAYERS: readonly Payer[] = ['household', 'owner', 'tenant'];

type Fetch = typeof fetch;

/** The estates whose units the caller may read: every estate where they are staff (not a resident). */
export const staffEstates = () => session.estates.filter((e) => session.me?.memberships.some((m) => m.estateId === e.id && m.role !== 'resident'));

/** Whether the caller may edit units' areas and profiles in an estate (finance roles, as `POST /api/billing/units` allows). */
export const mayEditUnits = (estateId: string) => FINANCE_ROLES.includes(session.me?.memberships.find((m) => m.estateId === estateId)?.role ?? '');

/** One page of the register: units whose label contains `q` as people type it, in label order. */
export function unitPage(estateId: string, q: { q?: string; buildingId?: string }, cursor: string | null, f?: Fetch): Promise<Page<UnitRow>> {
  const qs = new URLSearchParams({ limit: '50' });
  if (q.q?.trim()) qs.set('q', q.q.trim());
  if (q.buildingId) qs.set('buildingId', q.buildingId);
  return api<Page<UnitRow>>(withCursor(`/estates/${encodeURIComponent(estateId)}/units?${qs}`, cursor), { fetch: f });
}

/**
 * A unit's household file. A link names the unit alone (`/units/<id>`, from a request, a bill or
 * the arrears report), so the estate is the one given, else the first of the caller's estates that has it.
 */
export async function loadUnitFile(unitId: string, estateHint: string | null, f?: Fetch, reveal = false): Promise<UnitFile> {
  const estates = staffEstates().map((e) => e.id);
  const order = estateHint ? [estateHint, ...estates.filter((e) => e !== estateHint)] : estates;
  let last: unknown = new ApiError(404, 'not-found', { zh: '未找到该房屋，或它不在您任职的项目中', en: 'No such unit in the estates you work in' });
  for (const estateId of order) {
    try {
      return await api<UnitFile>(`/estates/${encodeURIComponent(estateId)}/units/${encodeURIComponent(unitId)}${reveal ? '?reveal=1' : ''}`, { fetch: f });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      last = e;
    }
  }
  throw last;
}

/** BL-10: a signed custody agreement (托管协议): who signed, when, custody from and until (null: until ended), the paper's reference. */
export type CustodyAgreement = { party: string; signedOn: string; from: string; to: string | null; reference: string };
export type ProfileInput = { estateId: string; unitId: string; unitType: string; custody: boolean; parking: { kind: string; count: number }[]; payer: Payer; areaSqm?: string; effectiveFrom: string; custodyAgreement?: CustodyAgreement | null };

/** Saves a unit's area and profile from a date; the API records each changed field (old → new, who, when). */
export function saveProfile(input: ProfileInput): Promise<{ changed: string[] }> {
  return api<UnitProfile>('/billing/units', { body: input });
}

/** Floor area as people read it: 89.37 m². */
export const areaText = (areaSqm: string | null | undefined): string => (areaSqm ? `${areaSqm} m²` : '—');
