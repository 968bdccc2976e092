import { billingError, type BillingError } from './billing-error.ts';
import { addMonths, compareDates, isCivilDate } from './civil-date.ts';
import { formatYuan, parseAreaHundredths, roundHalfUp, toFen } from './money.ts';
import type { CivilDate, FeeSchedule, FeeScheduleVersion, Fen, Text, Unit } from './types.ts';

/** BL-6: vacant units in custody pay 70 % of the management fee unless the schedule says otherwise. */
export const DEFAULT_CUSTODY_FACTOR_PERMILLE = 700;

/** The version in force on `date`: the latest whose effectiveFrom is on or before it. */
export function scheduleVersionOn(schedule: FeeSchedule, date: CivilDate): FeeScheduleVersion | BillingError {
  let best: FeeScheduleVersion | undefined;
  for (const v of schedule.versions) {
    if (compareDates(v.effectiveFrom, date) <= 0 && (!best || compareDates(v.effectiveFrom, best.effectiveFrom) > 0)) best = v;
  }
  return (
    best ??
    billingError('no-schedule-version', '/versions', `收费标准 "${schedule.id}" 在 ${date} 没有生效的版本`, `Fee schedule "${schedule.id}" has no version in force on ${date}`)
  );
}

export interface ScheduleSegment {
  readonly version: FeeScheduleVersion;
  /** First day of the segment's first month. */
  readonly from: CivilDate;
  readonly months: number;
}

/**
 * The versions covering `months` months from `start`, month by month (the version in force on
 * each month's first day), merged into runs: a version taking effect inside a quarter bills its
 * months at the new rates.
 */
export function scheduleSegments(schedule: FeeSchedule, start: CivilDate, months: number): ScheduleSegment[] | BillingError {
  const segments: { version: FeeScheduleVersion; from: CivilDate; months: number }[] = [];
  for (let m = 0; m < months; m++) {
    const monthStart = addMonths(start, m);
    const version = scheduleVersionOn(schedule, monthStart);
    if ('reason' in version) return version;
    const last = segments[segments.length - 1];
    if (last && last.version === version) last.months += 1;
    else segments.push({ version, from: monthStart, months: 1 });
  }
  return segments;
}

/** Checks amounts, dates and duplicates the JSON Schema cannot; empty array = valid. */
export function checkSchedule(schedule: FeeSchedule): BillingError[] {
  const errors: BillingError[] = [];
  const bad = (path: string, zh: string, en: string) => errors.push(billingError('invalid-schedule', path, zh, en));
  const money = (n: number, path: string) => {
    if (!Number.isSafeInteger(n) || n < 0) bad(path, `金额须为非负整数分：${String(n)}`, `Must be a non-negative integer of fen: ${String(n)}`);
  };
  const seenDates = new Set<string>();
  schedule.versions.forEach((v, i) => {
    const at = `/versions/${i}`;
    if (!isCivilDate(v.effectiveFrom)) bad(`${at}/effectiveFrom`, `日期格式应为 YYYY-MM-DD：${v.effectiveFrom}`, `Date must be YYYY-MM-DD: ${v.effectiveFrom}`);
    if (seenDates.has(v.effectiveFrom)) bad(`${at}/effectiveFrom`, `生效日期重复：${v.effectiveFrom}`, `Duplicate effectiveFrom: ${v.effectiveFrom}`);
    seenDates.add(v.effectiveFrom);
    const types = new Set<string>();
    v.management.forEach((r, j) => {
      money(r.fenPerSqmMonth, `${at}/management/${j}/fenPerSqmMonth`);
      if (types.has(r.unitType)) bad(`${at}/management/${j}/unitType`, `房屋类型重复：${r.unitType}`, `Duplicate unit type: ${r.unitType}`);
      types.add(r.unitType);
    });
    v.parking?.forEach((r, j) => money(r.fenPerMonth, `${at}/parking/${j}/fenPerMonth`));
    v.services?.forEach((s, j) => money(s.priceFen, `${at}/services/${j}/priceFen`));
    if (v.debrisRemoval) money(v.debrisRemoval.amountFen, `${at}/debrisRemoval/amountFen`);
    const f = v.custodyFactorPermille;
    if (f !== undefined && (!Number.isInteger(f) || f < 0 || f > 1000)) bad(`${at}/custodyFactorPermille`, '托管系数须为 0–1000 ‰', 'custodyFactorPermille must be 0–1000');
  });
  if (schedule.versions.length === 0) bad('/versions', '至少需要一个版本', 'At least one version is required');
  return errors;
}

export interface ComputedLine {
  readonly kind: 'management' | 'parking';
  readonly description: Text;
  readonly amountFen: Fen;
}

/**
 * The periodic fee lines of one unit for `months` months: the management fee (rate × area ×
 * months, × the custody factor for BL-6 units) rounded half-up once to the fen, then parking.
 */
export function periodicLines(version: FeeScheduleVersion, unit: Unit, months: number, unitPath: string, label = ''): ComputedLine[] | BillingError {
  const rate = version.management.find((r) => r.unitType === unit.type);
  if (!rate) {
    const known = version.management.map((r) => r.unitType).join(', ');
    return billingError('unknown-unit-type', `${unitPath}/type`, `收费标准中没有房屋类型 "${unit.type}" 的管理费（已有：${known}）`, `No management rate for unit type "${unit.type}" (known: ${known})`);
  }
  const area = parseAreaHundredths(unit.areaSqm);
  if (area === undefined) {
    return billingError('invalid-area', `${unitPath}/areaSqm`, `面积应为最多两位小数的数字，例如 "89.37"：${unit.areaSqm}`, `Area must be a number with at most 2 decimals such as "89.37": ${unit.areaSqm}`);
  }
  const factor = unit.custody ? BigInt(version.custodyFactorPermille ?? DEFAULT_CUSTODY_FACTOR_PERMILLE) : 1000n;
  const exact = BigInt(rate.fenPerSqmMonth) * area * BigInt(months) * factor;
  const management = toFen(roundHalfUp(exact, 100n * 1000n), `${unitPath}/areaSqm`);
  const custody = unit.custody ? { zh: `，托管按 ${Number(factor) / 10}%`, en: `, custody at ${Number(factor) / 10}%` } : { zh: '', en: '' };
  const lines: ComputedLine[] = [
    {
      kind: 'management',
      description: {
        // the rate as people read it on a bill: yuan, never fen (#18)
        zh: `${rate.title.zh}${label}：${unit.areaSqm}㎡ × ${formatYuan(rate.fenPerSqmMonth)}元/㎡·月 × ${months}个月${custody.zh}`,
        en: `${rate.title.en}${label}: ${unit.areaSqm} m² × ¥${formatYuan(rate.fenPerSqmMonth)}/m²/month × ${months} month(s)${custody.en}`,
      },
      amountFen: management,
    },
  ];
  for (const [i, p] of (unit.parking ?? []).entries()) {
    const pr = version.parking?.find((r) => r.kind === p.kind);
    if (!pr) {
      return billingError('unknown-parking-kind', `${unitPath}/parking/${i}/kind`, `收费标准中没有车位类型 "${p.kind}"`, `No parking rate for kind "${p.kind}"`);
    }
    lines.push({
      kind: 'parking',
      description: { zh: `${pr.title.zh}${label}：${p.count} 个 × ${months} 个月`, en: `${pr.title.en}${label}: ${p.count} × ${months} month(s)` },
      amountFen: toFen(BigInt(pr.fenPerMonth) * BigInt(p.count) * BigInt(months), `${unitPath}/parking/${i}`),
    });
  }
  return lines;
}

/** RN-2: the one-off debris-removal fee of a renovation, from the version in force on `on`. */
export function debrisRemovalFee(schedule: FeeSchedule, unit: Unit, on: CivilDate): Fen | BillingError {
  const version = scheduleVersionOn(schedule, on);
  if ('reason' in version) return version;
  const rate = version.debrisRemoval;
  if (!rate) return billingError('invalid-schedule', '/versions/debrisRemoval', '收费标准未定义装修垃圾清运费', 'The fee schedule defines no debris-removal fee');
  if (rate.basis === 'per-unit') return rate.amountFen;
  const area = parseAreaHundredths(unit.areaSqm);
  if (area === undefined) return billingError('invalid-area', '/unit/areaSqm', `面积格式错误：${unit.areaSqm}`, `Malformed area: ${unit.areaSqm}`);
  return toFen(roundHalfUp(BigInt(rate.amountFen) * area, 100n));
}
