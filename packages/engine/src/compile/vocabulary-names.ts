import { DefinitionError } from '../errors.ts';

/** The fixed action vocabulary of the definition language (schemas/README.md). */
export const ACTION_NAMES = [
  'assign', 'openTask', 'assignTask', 'closeTask', 'notify', 'charge',
  'startChild', 'schedule', 'cancel', 'escalate', 'recordIncident',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest known name, for "did you mean" hints. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function assertActionName(type: string, path: string): asserts type is ActionName {
  if ((ACTION_NAMES as readonly string[]).includes(type)) return;
  const hint = closest(type, ACTION_NAMES);
  throw new DefinitionError(path, {
    zh: `未知动作“${type}”${hint ? `，是否为“${hint}”？` : ''}`,
    en: `Unknown action "${type}"${hint ? `. Did you mean "${hint}"?` : ''}`,
  });
}
