/** An XState-style state value: "a", "a.b", ["a.b", "c"], or { a: "b" } / { a: { b: {} } }. */
export type StateValue = string | readonly string[] | { readonly [key: string]: StateValue | Record<string, never> };

/**
 * One accepted event of an instance, as the SLA clocks read it: when, which event, the state
 * value after it, and (optionally) the event data and the instance context after it. The engine
 * maps its history rows to this: `{ at: row.at, type: row.event.type, data: row.event.data, state: row.to }`.
 * The first entry (the start) should carry the initial state.
 */
export interface SlaHistoryEntry {
  readonly at: Date | string;
  readonly type: string;
  readonly state: StateValue;
  readonly data?: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
}

/** Every active state path ("a", "a.b") of a state value, ancestors included. */
export function statePaths(value: StateValue): string[] {
  const out = new Set<string>();
  const addPath = (path: string): void => {
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  };
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === 'string') addPath(prefix ? `${prefix}.${v}` : v);
    else if (Array.isArray(v)) for (const x of v) walk(x, prefix);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const path = prefix ? `${prefix}.${k}` : k;
        addPath(path);
        walk(child, path);
      }
    }
  };
  walk(value, '');
  return [...out];
}

/**
 * The active states as one readable string, the way the engine shows a state value to CEL as
 * `instance.state`: the deepest paths, `work.rework`, or `a.x + b.y` for parallel states.
 */
export function describePaths(paths: readonly string[]): string {
  return paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`))).join(' + ');
}

/** Whether a state name is active: an exact path ("a.b") or any state of that key ("b" matches "a.b"). */
export function inState(paths: readonly string[], name: string): boolean {
  return paths.some((p) => p === name || p.endsWith(`.${name}`));
}

export function instantOf(at: Date | string): number {
  return at instanceof Date ? at.getTime() : Date.parse(at);
}
