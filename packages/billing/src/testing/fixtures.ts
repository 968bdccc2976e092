import { defaultPlan } from '../default-plan.ts';
import type { BillingPlan, Cadence, FeeSchedule, Unit } from '../types.ts';

/** A two-version fee schedule of a fictional estate, used by the tests and the benchmark. */
export const SCHEDULE: FeeSchedule = {
  kind: 'fee-schedule',
  id: 'garden-fees',
  title: { zh: '花园小区收费标准', en: 'Garden estate fee schedule' },
  versions: [
    {
      effectiveFrom: '2026-01-01',
      management: [
        { unitType: 'residential', title: { zh: '住宅物业管理费', en: 'Residential management fee' }, fenPerSqmMonth: 250 },
        { unitType: 'shop', title: { zh: '商铺物业管理费', en: 'Shop management fee' }, fenPerSqmMonth: 256 },
      ],
      parking: [{ kind: 'underground', title: { zh: '地下车位管理费', en: 'Underground parking' }, fenPerMonth: 30000 }],
      debrisRemoval: { title: { zh: '装修垃圾清运费', en: 'Renovation debris removal' }, basis: 'per-sqm', amountFen: 300 },
      custodyFactorPermille: 700,
      services: [{ code: 'lamp-replace', title: { zh: '更换日光灯', en: 'Replace a fluorescent lamp' }, priceFen: 2000, per: { zh: '次', en: 'each' } }],
    },
    {
      effectiveFrom: '2028-01-01',
      management: [
        { unitType: 'residential', title: { zh: '住宅物业管理费', en: 'Residential management fee' }, fenPerSqmMonth: 280 },
        { unitType: 'shop', title: { zh: '商铺物业管理费', en: 'Shop management fee' }, fenPerSqmMonth: 300 },
      ],
    },
  ],
};

export function plan(cadence: Cadence): BillingPlan {
  return defaultPlan(cadence, { id: `garden-${cadence}`, feeSchedule: 'garden-fees' });
}

/** 89.37 m² × 2.50 yuan × 1 month = 223.425 yuan: the monthly fee needs rounding (→ 22,343 fen). */
export const FLAT: Unit = { id: 'b1-0101', type: 'residential', areaSqm: '89.37' };
/** 160.75 m² × 2.56 yuan × 3 months = 1,234.56 yuan exactly. */
export const SHOP: Unit = { id: 's-01', type: 'shop', areaSqm: '160.75' };
