/** Form ids a definition names (a workflow's start, events, tasks and openTask actions: every `form` property), sorted. */
export function formsNamed(document: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, key?: string): void => {
    if (typeof v === 'string' && key === 'form') out.add(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(document);
  return [...out].sort();
}
