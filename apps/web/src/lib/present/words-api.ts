import { api, ApiError } from '$lib/api/client.ts';
import { session } from '$lib/session.svelte.ts';
import type { Words } from '@estateflow/api/schemas';

type Fetch = typeof fetch;

// Versions are immutable and a role's words of one do not change while a page is open: keep them for the session.
const cache = new Map<string, Promise<Words | undefined>>();

/**
 * The words of one workflow version for the signed-in role, or undefined when it has none to give
 * (not a workflow, or refused): screens then fall back to humanised keys rather than failing.
 */
export function wordsOf(versionId: string | null | undefined, f?: Fetch): Promise<Words | undefined> {
  if (!versionId) return Promise.resolve(undefined);
  const key = `${session.me?.id ?? ''}/${versionId}`; // words are the role's
  let hit = cache.get(key);
  if (!hit) {
    hit = api<Words & { kind: string }>(`/definitions/versions/${encodeURIComponent(versionId)}/words`, { fetch: f }).then(
      (w) => (w.kind === 'workflow' ? w : undefined),
      (e) => {
        cache.delete(key);
        if (e instanceof ApiError) return undefined;
        throw e;
      },
    );
    cache.set(key, hit);
  }
  return hit;
}

/**
 * The words of several versions at once (the rows of a list), by version id: the ones not yet in
 * the session's cache in one call (`GET /api/definitions/words`, at most 50 a call), not one per version;
 * versions that read alike (`same`) share one copy.
 */
export async function wordsOfAll(versionIds: readonly (string | null | undefined)[], f?: Fetch): Promise<Record<string, Words>> {
  const ids = [...new Set(versionIds.filter((v): v is string => !!v))];
  const who = session.me?.id ?? '';
  const missing = ids.filter((id) => !cache.has(`${who}/${id}`));
  for (let i = 0; i < missing.length; i += 50) {
    const chunk = missing.slice(i, i + 50);
    // `same`: versions worded word for word like one in `items` (one workflow installed in many estates), sent once
    type Batch = { items: Record<string, Words & { kind: string }>; refused: string[]; same?: Record<string, string> };
    const batch = api<Batch>(`/definitions/words?versions=${chunk.map(encodeURIComponent).join(',')}`, { fetch: f }).catch((e: unknown) => {
      if (e instanceof ApiError) return { items: {}, refused: chunk } as Batch;
      throw e;
    });
    for (const id of chunk) {
      const key = `${who}/${id}`;
      const one = batch.then((b) => {
        const w = b.items[id] ?? b.items[b.same?.[id] ?? ''];
        return w && w.kind === 'workflow' ? w : undefined;
      });
      // a failed call is not remembered, so the next screen asks again
      one.catch(() => cache.delete(key));
      cache.set(key, one);
    }
  }
  const all = await Promise.all(ids.map((id) => wordsOf(id, f)));
  return Object.fromEntries(ids.flatMap((id, i) => (all[i] ? [[id, all[i]]] : [])));
}
