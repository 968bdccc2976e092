import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { validatorFor } from '@estateflow/definitions';
import { describe, expect, it } from 'vitest';
import { defaultPlan } from './default-plan.ts';
import { checkSchedule } from './fee-schedule.ts';
import { checkPlan } from './notice-schedule.ts';
import { SCHEDULE } from './testing/fixtures.ts';
import type { BillingPlan, FeeSchedule } from './types.ts';

const dir = join(import.meta.dirname, '../../../schemas');
const load = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as { examples: unknown[] } & Record<string, unknown>;

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, discriminator: true, allErrors: true });
addFormats(ajv);
ajv.addSchema(load('common.schema.json'));
const feeSchema = load('fee-schedule.schema.json');
const planSchema = load('billing-plan.schema.json');
const validateFee = ajv.compile(feeSchema);
const validatePlan = ajv.compile(planSchema);

describe('schemas/fee-schedule.schema.json and billing-plan.schema.json', () => {
  it('compile under strict ajv 2020-12, with bilingual titles', () => {
    expect(String(feeSchema.title)).toMatch(/收费标准 Fee schedule/);
    expect(String(planSchema.title)).toMatch(/收费计划 Billing plan/);
  });

  it('accept their own examples, which also pass the semantic checks', () => {
    for (const ex of feeSchema.examples) {
      expect(validateFee(ex), JSON.stringify(validateFee.errors)).toBe(true);
      expect(checkSchedule(ex as FeeSchedule)).toEqual([]);
    }
    for (const ex of planSchema.examples) {
      expect(validatePlan(ex), JSON.stringify(validatePlan.errors)).toBe(true);
      expect(checkPlan(ex as BillingPlan)).toEqual([]);
    }
  });

  it('accept the TypeScript-built plans and schedule of the package', () => {
    for (const cadence of ['monthly', 'quarterly', 'semi-annual'] as const) {
      expect(validatePlan(defaultPlan(cadence, { id: `p-${cadence}`, feeSchedule: 'garden-fees' })), JSON.stringify(validatePlan.errors)).toBe(true);
    }
    expect(validateFee(SCHEDULE), JSON.stringify(validateFee.errors)).toBe(true);
  });

  it('pass the platform validators of @estateflow/definitions too', () => {
    const plans = validatorFor('billing-plan');
    for (const cadence of ['monthly', 'quarterly', 'semi-annual'] as const) {
      expect(plans(defaultPlan(cadence, { id: `p-${cadence}`, feeSchedule: 'garden-fees' })), JSON.stringify(plans.errors)).toBe(true);
    }
    const fees = validatorFor('fee-schedule');
    expect(fees(SCHEDULE), JSON.stringify(fees.errors)).toBe(true);
  });

  it('reject fractional fen, a missing translation and an unknown cadence, naming the JSON pointer', () => {
    const fee = structuredClone(feeSchema.examples[0]) as { versions: { management: { fenPerSqmMonth: number; title: { en?: string } }[] }[] };
    fee.versions[0]!.management[0]!.fenPerSqmMonth = 2.5;
    delete fee.versions[0]!.management[0]!.title.en;
    expect(validateFee(fee)).toBe(false);
    const paths = (validateFee.errors ?? []).map((e) => e.instancePath);
    expect(paths).toContain('/versions/0/management/0/fenPerSqmMonth');
    expect(paths).toContain('/versions/0/management/0/title');
    expect(validatePlan({ ...(planSchema.examples[0] as object), cadence: 'weekly' })).toBe(false);
    expect(validatePlan.errors?.[0]?.instancePath).toBe('/cadence');
  });

  it('semantic checks catch what the schema cannot', () => {
    const dup: FeeSchedule = { ...SCHEDULE, versions: [SCHEDULE.versions[0]!, SCHEDULE.versions[0]!] };
    expect(checkSchedule(dup).map((e) => e.path)).toEqual(['/versions/1/effectiveFrom']);
  });
});
