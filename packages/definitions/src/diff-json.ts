/** One difference between two JSON documents, at a JSON pointer. */
export type Change = { path: string; op: 'add' | 'remove' | 'replace'; from?: unknown; to?: unknown };

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** A structural diff of two JSON documents, as JSON-pointer changes (pure; the API's version diff and the designer's review). */
export function diffJson(a: unknown, b: unknown, path = ''): Change[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => {
      const p = `${path}/${escape(k)}`;
      if (!(k in a)) return [{ path: p, op: 'add' as const, to: b[k] }];
      if (!(k in b)) return [{ path: p, op: 'remove' as const, from: a[k] }];
      return diffJson(a[k], b[k], p);
    });
  }
  return [{ path, op: 'replace', from: a, to: b }];
}
