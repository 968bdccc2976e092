/** ISO 8601 durations (`PT15M`, `P3D`, `P1M`) added to an instant on the virtual clock, in UTC+08:00 for months. */
const RE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const OFFSET = 8 * 3600_000;

export function isDuration(s: string): boolean {
  return RE.test(s) && s !== 'P' && !s.endsWith('T');
}

/** `from` + duration; throws naming the text when it is not an ISO 8601 duration. */
export function addDuration(from: string, duration: string): string {
  const m = RE.exec(duration);
  if (!m || !isDuration(duration)) throw new Error(`"${duration}" is not an ISO 8601 duration such as PT15M or P3D`);
  const n = (i: number) => Number(m[i] ?? 0);
  const t = new Date(Date.parse(from) + OFFSET);
  const months = n(1) * 12 + n(2);
  if (months) {
    // month arithmetic clamps to the month's last day (31 Jan + P1M = 28/29 Feb), as calendars do
    const day = t.getUTCDate();
    t.setUTCDate(1);
    t.setUTCMonth(t.getUTCMonth() + months);
    const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
    t.setUTCDate(Math.min(day, last));
  }
  const ms = ((n(3) * 7 + n(4)) * 24 * 3600 + n(5) * 3600 + n(6) * 60 + n(7)) * 1000;
  return new Date(t.getTime() - OFFSET + ms).toISOString();
}
