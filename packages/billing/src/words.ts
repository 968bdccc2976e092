import { formatYuan, roundHalfUp } from './money.ts';
import type { BillingPlan, CivilDate, Text } from './types.ts';

/** A ratio as people read a daily rate: 3/1000 → "3‰", 1/2000 → "0.5‰" (exact to 4 decimals). */
function perMille(r: { numerator: number; denominator: number }): string {
  const tenThousandths = Number(roundHalfUp(BigInt(r.numerator) * 10_000_000n, BigInt(r.denominator)));
  const whole = Math.trunc(tenThousandths / 10000);
  const frac = String(tenThousandths % 10000).padStart(4, '0').replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}‰`;
}

const STARTS: Record<BillingPlan['lateFee']['startsOn'], Text> = {
  'period-start': { zh: '自计费期首日起', en: "from the period's first day" },
  'payment-notice-pay-by': { zh: '自付款通知书缴款期限次日起', en: "from the day after the payment notice's pay-by date" },
  'reminder-pay-by': { zh: '自催款通知书缴款期限次日起', en: "from the day after the reminder's pay-by date" },
  'final-notice-pay-by': { zh: '自最后缴款通知书缴款期限次日起', en: "from the day after the final notice's pay-by date" },
};

/**
 * BL-2's late-fee rule of a plan in words, as its page and notices show it: the daily rate, from
 * when it counts, through the day paid, when it is charged, and the cap and waivers if any.
 *
 * @example lateFeeRuleWords(defaultPlan('quarterly', …)).zh
 * // "每日按欠费的 3‰ 计收滞纳金，自计费期首日起至缴清之日止；最后缴款通知书发出后计入账单；不设上限"
 */
export function lateFeeRuleWords(plan: BillingPlan): Text {
  const r = plan.lateFee;
  const rate = perMille(r.dailyRate);
  const start = STARTS[r.startsOn];
  const charged = r.chargedFrom === 'final-notice'
    ? { zh: '最后缴款通知书发出后计入账单（此前缴清的不计）', en: 'charged on the bill from the final notice (nothing if paid before it)' }
    : { zh: '逐日计入账单', en: 'charged on the bill day by day' };
  const caps: Text[] = [];
  if (r.cap?.ratioOfPrincipal) {
    const percent = roundHalfUp(BigInt(r.cap.ratioOfPrincipal.numerator) * 100n, BigInt(r.cap.ratioOfPrincipal.denominator));
    caps.push({ zh: `不超过欠费的 ${percent}%`, en: `at most ${percent} % of the arrears` });
  }
  if (r.cap?.maxFen !== undefined) caps.push({ zh: `不超过 ¥${formatYuan(r.cap.maxFen)}`, en: `at most ¥${formatYuan(r.cap.maxFen)}` });
  const cap = caps.length ? { zh: caps.map((c) => c.zh).join('且'), en: caps.map((c) => c.en).join(' and ') } : { zh: '不设上限', en: 'no cap' };
  const waivers: Text[] = [];
  if (r.waiver?.belowFen !== undefined) waivers.push({ zh: `不足 ¥${formatYuan(r.waiver.belowFen)} 免收`, en: `waived below ¥${formatYuan(r.waiver.belowFen)}` });
  if (r.waiver?.graceDays !== undefined) waivers.push({ zh: `${r.waiver.graceDays} 天内缴清免收`, en: `waived if paid within ${r.waiver.graceDays} days` });
  const w = waivers.length ? { zh: `；${waivers.map((x) => x.zh).join('；')}`, en: `; ${waivers.map((x) => x.en).join('; ')}` } : { zh: '', en: '' };
  return {
    zh: `每日按欠费的 ${rate} 计收滞纳金，${start.zh}至缴清之日止；${charged.zh}；${cap.zh}${w.zh}`,
    en: `A late fee of ${rate} of the arrears a day, ${start.en} through the day paid; ${charged.en}; ${cap.en}${w.en}`,
  };
}

/**
 * The rule as a notice warns of it for one bill: "自 2027-01-01 起每日按欠费的 3‰ 计收滞纳金，至缴清之日止"
 * (`startsOn` is `lateFeeStart(plan, periodStart)`).
 */
export function lateFeeWarning(plan: BillingPlan, startsOn: CivilDate): Text {
  const rate = perMille(plan.lateFee.dailyRate);
  return {
    zh: `自 ${startsOn} 起每日按欠费的 ${rate} 计收滞纳金，至缴清之日止`,
    en: `a late fee of ${rate} a day counts from ${startsOn} until the day paid`,
  };
}

/** A period id in words: 2026-Q4 → "2026年第4季度" / "Q4 2026"; 2027-H1 → "2027年上半年"; 2027-03 → "2027年3月". */
export function periodWords(periodId: string): Text {
  let m = /^(\d{4})-Q([1-4])$/.exec(periodId);
  if (m) return { zh: `${m[1]}年第${m[2]}季度`, en: `Q${m[2]} ${m[1]}` };
  m = /^(\d{4})-H([12])$/.exec(periodId);
  if (m) return { zh: `${m[1]}年${m[2] === '1' ? '上' : '下'}半年`, en: `${m[2] === '1' ? 'First' : 'Second'} half of ${m[1]}` };
  m = /^(\d{4})-(\d{2})$/.exec(periodId);
  if (m) {
    const month = Number(m[2]);
    const en = new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' });
    return { zh: `${m[1]}年${month}月`, en: `${en} ${m[1]}` };
  }
  return { zh: periodId, en: periodId };
}
