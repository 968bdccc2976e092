/** An instant as China wall-clock time for the timeline: `2026-06-09 09:15 +08:00` (seconds when not :00). */
export function localTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  const sec = t.slice(17, 19);
  return `${t.slice(0, 10)} ${t.slice(11, 16)}${sec === '00' ? '' : `:${sec}`} +08:00`;
}
