/**
 * Working-time additions per second over a year-long horizon on the office calendar
 * (China statutory holidays, 调休, split day). `pnpm bench` calls `run()`; run directly with
 * `pnpm exec tsx packages/calendar/bench/working-time.bench.ts`.
 */
import { addWorkingDays, addWorkingMs, createCalendarRegistry, workingMsBetween } from '../src/index.ts';

const H = 3_600_000;
const office = {
  kind: 'calendar' as const,
  id: 'cn-office',
  inherits: 'cn-statutory',
  week: Object.fromEntries((['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [['08:30', '12:00'], ['13:30', '17:30']] as const])),
};

/** Deterministic inputs: starts over 2025, durations up to one year of working time (~1,830 h). */
function inputs(n: number): [number, number][] {
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const from = Date.parse('2025-01-01T00:00:00+08:00');
  return Array.from({ length: n }, () => [from + Math.floor(next() * 365 * 24) * H, Math.floor(next() * 1830 * 60) * 60_000]);
}

function measure(fn: () => void, minMs = 400): { ops: number; ms: number } {
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    ops += 1;
  }
  return { ops, ms: performance.now() - start };
}

export async function run(): Promise<{ name: string; value: number; unit: string; ratio?: number }[]> {
  const cases = inputs(2_000);
  // Cold: a fresh registry each round, so every day's spans are computed from the time zone.
  let i = 0;
  const cold = measure(() => {
    const calendar = createCalendarRegistry([office]).get('cn-office');
    for (let k = 0; k < 20; k++) {
      const [t, d] = cases[i++ % cases.length] ?? [0, 0];
      addWorkingMs(calendar, t, d);
    }
  });
  const calendar = createCalendarRegistry([office]).get('cn-office');
  const warm = measure(() => {
    const [t, d] = cases[i++ % cases.length] ?? [0, 0];
    addWorkingMs(calendar, t, d);
  });
  const between = measure(() => {
    const [t, d] = cases[i++ % cases.length] ?? [0, 0];
    workingMsBetween(calendar, t, t + d * 4);
  });
  const days = measure(() => {
    const [t, d] = cases[i++ % cases.length] ?? [0, 0];
    addWorkingDays(calendar, new Date(t), Math.floor(d / (7.5 * H)));
  });
  const perSecond = (m: { ops: number; ms: number }, per = 1): number => Math.round((m.ops * per * 1000) / m.ms);
  const warmRate = perSecond(warm);
  return [
    { name: 'calendar: add working time, ≤ 1 year horizon (warm)', value: warmRate, unit: 'ops/s' },
    { name: 'calendar: add working time, ≤ 1 year horizon (cold calendar)', value: perSecond(cold, 20), unit: 'ops/s', ratio: perSecond(cold, 20) / warmRate },
    { name: 'calendar: working time between, ≤ 4 years apart', value: perSecond(between), unit: 'ops/s' },
    { name: 'calendar: add working days, ≤ 244 days', value: perSecond(days), unit: 'ops/s' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.name}: ${r.value.toLocaleString('en-US')} ${r.unit}${r.ratio === undefined ? '' : ` (×${r.ratio.toFixed(3)} of warm)`}`);
}
