/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment, the
 * Damerau variant of Levenshtein), so "dnoe" is one typo from "done". O(a·b) time; inputs are
 * capped at 128 characters so hostile names stay cheap.
 */
export function levenshtein(a: string, b: string): number {
  const x = a.slice(0, 128);
  const y = b.slice(0, 128);
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    prev2 = prev;
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
