import { api, ApiError, newIdempotencyKey } from '$lib/api/client.ts';
import type { FormDefinition } from '$lib/forms/form-document.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import type { Membership } from '$lib/session.svelte.ts';

type Fetch = typeof fetch;

/** A process the user may start in one estate, as `GET /api/processes` lists it. */
export type Startable = {
  key: string;
  estateId: string;
  estateName?: Text | string;
  title: Text;
  description?: Text;
  category: string;
  icon?: string;
  startForm: string | null;
  version: number;
};
export type OwnUnit = { id: string; label: string };

/** The order categories are shown in; unknown ones (a definition's own) come after, then "other". */
export const categoryOrder = ['repair', 'complaint', 'home', 'everyday', 'safety', 'billing'];

/** Every process the user may start, across their estates, and their own units per estate. */
export async function loadStartable(memberships: readonly Membership[], f?: Fetch): Promise<{ processes: Startable[]; units: Map<string, OwnUnit[]> }> {
  const units = new Map<string, OwnUnit[]>();
  const lists = await Promise.all(
    memberships.map(async (m) => {
      try {
        const r = await api<{ items: Omit<Startable, 'estateId' | 'estateName'>[]; units: OwnUnit[] }>(`/processes?estateId=${encodeURIComponent(m.estateId)}`, { fetch: f });
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
  return api<{ title: Text; form: FormDefinition | null }>(`/processes/${encodeURIComponent(key)}/form?estateId=${encodeURIComponent(estateId)}`, { fetch: f });
}

export function startProcess(estateId: string, workflow: string, data: Record<string, unknown>, unitId?: string): Promise<{ id: string; serial: string }> {
  return api('/instances', { body: { estateId, workflow, data, ...(unitId ? { unitId } : {}) }, idempotencyKey: newIdempotencyKey() });
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
