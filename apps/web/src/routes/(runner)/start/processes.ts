import { api, ApiError, newIdempotencyKey } from '$lib/api/client.ts';
import type { Process, ProcessList, StartForm, UnitFile, UnitPage } from '@estateflow/api/schemas';
import type { FormDefinition } from '$lib/forms/form-document.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import type { Membership } from '$lib/session.svelte.ts';

type Fetch = typeof fetch;

/** A process the user may start in one estate, as `GET /api/processes` lists it (its route schema), with the estate the UI joins in. */
export type Startable = Process & { estateId: string; estateName?: Text | string };
export type OwnUnit = ProcessList['units'][number];

/** The order categories are shown in; unknown ones (a definition's own) come after, then "other". */
export const categoryOrder = ['repair', 'complaint', 'home', 'everyday', 'safety', 'billing'];

/** Every process the user may start, across their estates, and their own units per estate. */
export async function loadStartable(memberships: readonly Membership[], f?: Fetch): Promise<{ processes: Startable[]; units: Map<string, OwnUnit[]> }> {
  const units = new Map<string, OwnUnit[]>();
  const lists = await Promise.all(
    memberships.map(async (m) => {
      try {
        const r = await api<ProcessList>(`/processes?estateId=${encodeURIComponent(m.estateId)}`, { fetch: f });
        units.set(m.estateId, r.units);
        return r.items.map((p) => ({ ...p, estateId: m.estateId, estateName: m.estateName }));
      } catch (e) {
        if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return [];
        throw e;
      }
    }),
  );
  return { processes: lists.flat(), units };
}

/** The start form of a process (the version its latest workflow validates with). */
export async function loadStartForm(estateId: string, key: string, f?: Fetch): Promise<{ title: Text; form: FormDefinition | null }> {
  const r = await api<StartForm>(`/processes/${encodeURIComponent(key)}/form?estateId=${encodeURIComponent(estateId)}`, { fetch: f });
  // the form document's reader type (lib/forms/form-document.ts): the answer declares it as a JSON object
  return { title: r.title, form: r.form as FormDefinition | null };
}

/**
 * Starts a request. Staff registering it for a resident (first asked owns it, PS-12) name the
 * resident's account as `requestedFor`, with the unit they live in.
 */
export function startProcess(estateId: string, workflow: string, data: Record<string, unknown>, unitId?: string, requestedFor?: string): Promise<{ id: string; serial: string }> {
  return api('/instances', { body: { estateId, workflow, data, ...(unitId ? { unitId } : {}), ...(requestedFor ? { requestedFor } : {}) }, idempotencyKey: newIdempotencyKey() });
}

/** A resident account living in a unit now, whom staff may register a request for. */
export type UnitResident = { userId: string; name: string; kind: 'owner' | 'tenant' | 'family' };

/** Up to 8 units of the estate whose label contains `q` as people type it (`GET /estates/{id}/units?q=`). */
export async function findUnits(estateId: string, q: string, f?: Fetch): Promise<OwnUnit[]> {
  const qs = new URLSearchParams({ limit: '8', q: q.trim() });
  const page = await api<UnitPage>(`/estates/${encodeURIComponent(estateId)}/units?${qs}`, { fetch: f });
  return page.items.map((u) => ({ id: u.id, label: u.label }));
}

/** The unit's residents living there now with an account of their own, by display name (its household file). */
export async function residentsOf(estateId: string, unitId: string, f?: Fetch): Promise<UnitResident[]> {
  const file = await api<UnitFile>(`/estates/${encodeURIComponent(estateId)}/units/${encodeURIComponent(unitId)}`, { fetch: f });
  return file.residents
    .filter((r): r is typeof r & { userId: string } => r.active && r.userId !== null)
    .map((r) => ({ userId: r.userId, name: r.displayName ?? r.name, kind: r.kind }));
}

/** Processes grouped by category in display order, filtered by a search over titles, descriptions and keys (both languages). */
export function groupProcesses(processes: readonly Startable[], query: string): { category: string; items: Startable[] }[] {
  const q = query.trim().toLowerCase();
  const hit = (p: Startable) =>
    !q || [p.key, p.title.zh, p.title.en, p.description?.zh ?? '', p.description?.en ?? ''].some((s) => s.toLowerCase().includes(q));
  const groups = new Map<string, Startable[]>();
  for (const p of processes.filter(hit)) (groups.get(p.category) ?? groups.set(p.category, []).get(p.category)!).push(p);
  const rank = (c: string) => (c === 'other' ? 1000 : categoryOrder.includes(c) ? categoryOrder.indexOf(c) : 100);
  return [...groups].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([category, items]) => ({ category, items }));
}
