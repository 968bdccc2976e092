import type { ApiIssue } from '$lib/api/client.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';

/** The form field an issue names: `field`, or the first segment of its JSON pointer (`/phone` → `phone`). */
export function fieldOfIssue(issue: ApiIssue): string | undefined {
  if (issue.field && !issue.field.startsWith('/')) return issue.field;
  const pointer = issue.pointer ?? issue.path ?? issue.field;
  if (!pointer) return undefined;
  const first = pointer.replace(/^#?\/?(data\/)?/, '').split('/')[0];
  return first ? decodeURIComponent(first.replace(/~1/g, '/').replace(/~0/g, '~')) : undefined;
}

/** Issues grouped by field, first message per field, rendered with `pick` in the user's language. */
export function errorsByField(issues: readonly ApiIssue[], pick: (t: Text | string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = fieldOfIssue(issue) ?? '';
    if (!(field in out)) out[field] = pick(issue.message);
  }
  return out;
}
