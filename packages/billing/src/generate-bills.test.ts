import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { debrisRemovalFee } from './fee-schedule.ts';
import { generateBills } from './generate-bills.ts';
import { parsePeriod, periodOf, type Period } from './period.ts';
import { FLAT, plan, SCHEDULE, SHOP } from './testing/fixtures.ts';
import type { ServiceCharge, Unit } from './types.ts';

const q = plan('quarterly');
const m = plan('monthly');
const Q1 = parsePeriod(q, '2027-Q1') as Period;
const MAR = parsePeriod(m, '2027-03') as Period;

describe('generateBills', () => {
  it('bills a quarter of 1,234.56 yuan for a 160.75 m² shop at 2.56 yuan/m²/month', () => {
    const { bills, errors } = generateBills(q, SCHEDULE, [SHOP], Q1, []);
    expect(errors).toEqual([]);
    expect(bills).toHaveLength(1);
    expect(bills[0]).toMatchObject({
      key: 'garden-quarterly/s-01/2027-Q1',
      periodStart: '2027-01-01',
      periodEnd: '2027-03-31',
      issueOn: '2026-12-01',
      payBy: '2027-01-01',
      scheduleVersion: '2026-01-01',
      totalFen: 123456,
    });
  });

  it('rounds the management fee half-up once per line and adds parking', () => {
    const unit: Unit = { ...FLAT, parking: [{ kind: 'underground', count: 1 }] };
    const [bill] = generateBills(m, SCHEDULE, [unit], MAR, []).bills;
    expect(bill!.lines.map((l) => [l.no, l.kind, l.amountFen])).toEqual([
      [1, 'management', 22343], // 89.37 × 250 = 22,342.5 → 22,343
      [2, 'parking', 30000],
    ]);
    expect(bill!.totalFen).toBe(52343);
    expect(bill!.lines[0]!.description.zh).toContain('89.37㎡');
  });

  it('charges a vacant unit in custody 70 % of the management fee (BL-6)', () => {
    const [bill] = generateBills(q, SCHEDULE, [{ ...SHOP, custody: true }], Q1, []).bills;
    // 123,456 × 0.7 = 86,419.2 → 86,419
    expect(bill!.totalFen).toBe(86419);
    expect(bill!.lines[0]!.description.en).toContain('custody at 70%');
  });

  it('uses the fee-schedule version in force on the first day of the period', () => {
    const [bill] = generateBills(q, SCHEDULE, [SHOP], periodOf('quarterly', 2028, 1), []).bills;
    expect(bill!.scheduleVersion).toBe('2028-01-01');
    expect(bill!.totalFen).toBe(300 * 16075 * 3 / 100);
    const early = generateBills(q, SCHEDULE, [SHOP], periodOf('quarterly', 2025, 4), []);
    expect(early.bills).toEqual([]);
    expect(early.errors[0]).toMatchObject({ reason: 'no-schedule-version' });
  });

  it('bills the months after a mid-quarter fee change at the new rates', () => {
    const v0 = SCHEDULE.versions[0]!;
    const changed = { ...SCHEDULE, versions: [v0, { ...v0, effectiveFrom: '2027-02-01', management: [{ ...v0.management[1]!, fenPerSqmMonth: 300 }] }] };
    const [bill] = generateBills(q, changed, [SHOP], Q1, []).bills;
    // Jan: 160.75 × 256 = 41,152; Feb..Mar: 160.75 × 300 × 2 = 96,450
    expect(bill!.lines.map((l) => [l.kind, l.amountFen])).toEqual([
      ['management', 41152],
      ['management', 96450],
    ]);
    expect(bill!.lines[1]!.description.zh).toContain('2027-02..2027-03');
    expect(bill!).toMatchObject({ scheduleVersion: '2026-01-01', totalFen: 137602 });
  });

  it('lists completed paid-service orders with serial and amount on the next notice (PS-7, BL-5)', () => {
    const charges: ServiceCharge[] = [
      { orderSerial: 'PS-2027-0002', unitId: FLAT.id, completedOn: '2027-02-10', amountFen: 2000 },
      { orderSerial: 'PS-2027-0001', unitId: FLAT.id, completedOn: '2027-02-03', amountFen: 4550 },
      { orderSerial: 'PS-2027-0003', unitId: FLAT.id, completedOn: '2027-02-15', amountFen: 800 }, // on the notice day: next notice
      { orderSerial: 'PS-2027-0004', unitId: 'other', completedOn: '2027-02-01', amountFen: 999 },
    ];
    const march = generateBills(m, SCHEDULE, [FLAT], MAR, [], { charges }).bills[0]!;
    expect(march.lines.filter((l) => l.kind === 'service').map((l) => [l.orderSerial, l.amountFen])).toEqual([
      ['PS-2027-0001', 4550],
      ['PS-2027-0002', 2000],
    ]);
    expect(march.totalFen).toBe(22343 + 4550 + 2000);
    const billed = march.lines.flatMap((l) => (l.orderSerial ? [l.orderSerial] : []));
    const april = generateBills(m, SCHEDULE, [FLAT], parsePeriod(m, '2027-04') as Period, [], { charges, billedOrderSerials: billed }).bills[0]!;
    expect(april.lines.filter((l) => l.kind === 'service').map((l) => l.orderSerial)).toEqual(['PS-2027-0003']);
  });

  it('reports a unit it cannot bill with the JSON pointer of the field, and bills the others', () => {
    const units: Unit[] = [FLAT, { id: 'x', type: 'garage', areaSqm: '10' }, { id: 'y', type: 'residential', areaSqm: '10.123' }, { id: 'z', type: 'residential', areaSqm: '10', parking: [{ kind: 'roof', count: 1 }] }];
    const { bills, errors } = generateBills(m, SCHEDULE, units, MAR, []);
    expect(bills.map((b) => b.unitId)).toEqual([FLAT.id]);
    expect(errors.map((e) => [e.reason, e.path])).toEqual([
      ['unknown-unit-type', '/units/1/type'],
      ['invalid-area', '/units/2/areaSqm'],
      ['unknown-parking-kind', '/units/3/parking/0/kind'],
    ]);
    expect(errors[0]!.message.zh).toContain('garage');
  });

  it('refuses a period of another cadence or a schedule the plan does not name', () => {
    expect(generateBills(q, SCHEDULE, [SHOP], MAR, []).errors[0]).toMatchObject({ reason: 'cadence-mismatch' });
    expect(generateBills({ ...q, feeSchedule: 'other' }, SCHEDULE, [SHOP], Q1, []).errors[0]).toMatchObject({ reason: 'invalid-plan', path: '/feeSchedule' });
  });

  it('computes the one-off debris-removal fee of a renovation (RN-2)', () => {
    expect(debrisRemovalFee(SCHEDULE, FLAT, '2027-05-01')).toBe(26811); // 89.37 × 300 = 26,811
  });

  const unitArb = fc.record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    type: fc.constantFrom('residential', 'shop'),
    areaSqm: fc.tuple(fc.integer({ min: 1, max: 99999 }), fc.integer({ min: 0, max: 99 })).map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`),
    custody: fc.boolean(),
    parking: fc.array(fc.record({ kind: fc.constant('underground'), count: fc.integer({ min: 1, max: 3 }) }), { maxLength: 2 }),
  });
  const chargesArb = fc.array(
    fc.record({ orderSerial: fc.uuid(), unitId: fc.string({ minLength: 1, maxLength: 6 }), completedOn: fc.constantFrom('2027-01-05', '2027-02-14', '2027-02-16'), amountFen: fc.integer({ min: 0, max: 10_000_000 }) }),
    { maxLength: 10 },
  );

  it('property: every bill total is the exact sum of its lines', () => {
    fc.assert(
      fc.property(fc.array(unitArb, { maxLength: 20 }), chargesArb, (units, charges) => {
        for (const b of generateBills(m, SCHEDULE, units, MAR, [], { charges }).bills) {
          expect(b.totalFen).toBe(b.lines.reduce((s, l) => s + l.amountFen, 0));
          expect(Number.isSafeInteger(b.totalFen)).toBe(true);
        }
      }),
    );
  });

  it('property: rerunning a run changes nothing, and runs split anyhow produce the same bills', () => {
    fc.assert(
      // unit ids are unique, as in the database (two units sharing an id would share their bills' keys)
      fc.property(fc.uniqueArray(unitArb, { selector: (u) => u.id, maxLength: 20 }), fc.array(fc.boolean(), { maxLength: 20 }), (units, split) => {
        const once = generateBills(q, SCHEDULE, units, Q1, []).bills;
        expect(new Set(once.map((b) => b.key)).size).toBe(once.length);
        expect(generateBills(q, SCHEDULE, units, Q1, once.map((b) => b.key)).bills).toEqual([]);
        const firstHalf = units.filter((_, i) => split[i]);
        const first = generateBills(q, SCHEDULE, firstHalf, Q1, []).bills;
        const rest = generateBills(q, SCHEDULE, units, Q1, new Set(first.map((b) => b.key))).bills;
        const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
        expect([...first, ...rest].sort(byKey)).toEqual(once.slice().sort(byKey));
      }),
    );
  });
});
