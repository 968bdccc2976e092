/**
 * Benchmark: a billing run of 10,000 units × 12 monthly periods (generateBills), then the same
 * run again with every key present (the idempotent rerun), then settling 1,000 units' accounts
 * for the year. Called by the root `pnpm bench`; runnable alone with
 * `pnpm --filter @estateflow/billing bench`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { settleAccount } from '../src/account.ts';
import { generateBills } from '../src/generate-bills.ts';
import { periodOf } from '../src/period.ts';
import { plan, SCHEDULE } from '../src/testing/fixtures.ts';
import type { Bill, Payment, Unit } from '../src/types.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

const UNITS = 10_000;
const PERIODS = 12;

function estate(n: number): Unit[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `u-${String(i).padStart(5, '0')}`,
    type: i % 10 === 0 ? 'shop' : 'residential',
    areaSqm: `${60 + (i % 140)}.${String(i % 100).padStart(2, '0')}`,
    custody: i % 17 === 0,
    ...(i % 3 === 0 ? { parking: [{ kind: 'underground', count: 1 }] } : {}),
  }));
}

export async function run(): Promise<BenchResult[]> {
  const monthly = plan('monthly');
  const units = estate(UNITS);
  const periods = Array.from({ length: PERIODS }, (_, i) => periodOf('monthly', 2027, i + 1));
  const keys = new Set<string>();
  const bills: Bill[] = [];

  let t0 = performance.now();
  for (const period of periods) {
    const result = generateBills(monthly, SCHEDULE, units, period, keys);
    if (result.errors.length > 0) throw new Error(result.errors[0]!.message.en);
    for (const b of result.bills) {
      keys.add(b.key);
      bills.push(b);
    }
  }
  const runMs = performance.now() - t0;
  if (bills.length !== UNITS * PERIODS) throw new Error(`expected ${UNITS * PERIODS} bills, got ${bills.length}`);

  t0 = performance.now();
  let again = 0;
  for (const period of periods) again += generateBills(monthly, SCHEDULE, units, period, keys).bills.length;
  const rerunMs = performance.now() - t0;
  if (again !== 0) throw new Error('rerun produced bills');

  const SETTLE = 1_000;
  const byUnit = new Map<string, Bill[]>();
  for (const b of bills) if (byUnit.size < SETTLE || byUnit.has(b.unitId)) byUnit.set(b.unitId, [...(byUnit.get(b.unitId) ?? []), b]);
  t0 = performance.now();
  for (const [unitId, own] of byUnit) {
    const payments: Payment[] = own
      .filter((_, i) => i % 2 === 0)
      .map((b, i) => ({ id: `${unitId}-${i}`, unitId, kind: 'payment', receivedOn: b.payBy, amountFen: b.totalFen * 2, method: 'desk' }));
    settleAccount({ plans: [monthly], bills: own, payments, asOf: '2027-12-31' });
  }
  const settleMs = performance.now() - t0;

  const perSecond = (count: number, ms: number) => Math.trunc((count * 1000) / Math.max(ms, 0.001));
  return [
    { name: 'billing run: 10,000 units × 12 months', value: perSecond(UNITS * PERIODS, runMs), unit: 'unit-periods/s', target: '≥ 10,000 unit-periods/s (a 10,000-unit estate billed for a year in 12 s)' },
    { name: 'billing rerun (idempotent, nothing new)', value: perSecond(UNITS * PERIODS, rerunMs), unit: 'unit-periods/s' },
    { name: 'settle account: 12 bills + 6 payments', value: perSecond(byUnit.size, settleMs), unit: 'accounts/s' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
