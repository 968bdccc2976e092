/** Levenshtein distance, O(a·b) time and O(b) memory; inputs are capped so hostile names stay cheap. */
export function levenshtein(a: string, b: string): number {
  const x = a.slice(0, 128);
  const y = b.slice(0, 128);
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/**
 * The closest candidate to `name` when it is close enough to be a typo (distance at most a third
 * of the longer name, at least 1, case-insensitive), else undefined.
 * @example didYouMean('notifyAsignee', ['notifyAssignee', 'assign']) // 'notifyAssignee'
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** " Did you mean …?" suffixes for a message, empty when there is no close candidate. */
export function suggestion(name: string, candidates: Iterable<string>): { zh: string; en: string } {
  const s = didYouMean(name, candidates);
  return s === undefined ? { zh: '', en: '' } : { zh: `，您是不是要写 "${s}"？`, en: `. Did you mean "${s}"?` };
}
