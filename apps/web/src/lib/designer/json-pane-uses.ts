/**
 * How often the JSON pane was opened or applied in this browser session (sessionStorage
 * `ef.jsonPaneUses`): the designer's promise is that a process can be built without it, and the
 * browser tests assert this count stays 0 (#19).
 */
const KEY = 'ef.jsonPaneUses';

export function countJsonPaneUse(): void {
  try {
    sessionStorage.setItem(KEY, String(jsonPaneUses() + 1));
  } catch {
    // storage unavailable (private mode): nothing to count
  }
}

export function jsonPaneUses(): number {
  try {
    return Number(sessionStorage.getItem(KEY) ?? 0) || 0;
  } catch {
    return 0;
  }
}
