import { assertFen } from './money.ts';
import type { Fen } from './types.ts';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['仟', '佰', '拾', ''] as const;

/** 0–9999 in capitals without leading zeros, one 零 for each run of inner zeros: 1005 → 壹仟零伍. */
function group(n: number): string {
  const digits = String(n).padStart(4, '0');
  let out = '';
  let zero = false;
  for (let i = 0; i < 4; i++) {
    const d = Number(digits[i]);
    if (d === 0) {
      zero = out !== '';
      continue;
    }
    out += `${zero ? '零' : ''}${DIGITS[d]}${PLACES[i]}`;
    zero = false;
  }
  return out;
}

/** Below 1 亿: the 万 group and the units group, a 零 where the lower group has no thousands. */
function belowYi(n: number): string {
  const low = n % 10000;
  const high = (n - low) / 10000; // exact: integers only
  if (high === 0) return group(low);
  return `${group(high)}万${low === 0 ? '' : `${low < 1000 ? '零' : ''}${group(low)}`}`;
}

/** Whole yuan in capitals: 亿 over whatever is below it (so 1 万亿 reads 壹万亿, 10001 亿 壹万零壹亿). */
function yuan(n: bigint): string {
  if (n < 100_000_000n) return belowYi(Number(n));
  const low = Number(n % 100_000_000n);
  const head = `${yuan(n / 100_000_000n)}亿`;
  return low === 0 ? head : `${head}${low < 10_000_000 ? '零' : ''}${belowYi(low)}`;
}

/**
 * An amount of fen written in Chinese capitals (大写) as receipts and cheques write it, following
 * the People's Bank of China's rules for amounts in words (《支付结算办法》附件《正确填写票据和结算凭证的基本规定》):
 * 元 after the yuan, 整 when there is no 角 or 分, one 零 for a run of zeros inside the number and
 * before 分 when 角 is zero, and 零 between 元 and 角 when the last yuan digit is zero.
 * Pure; refuses anything but an integer number of fen.
 * @example amountInWords(134882) // '壹仟叁佰肆拾捌元捌角贰分'
 */
export function amountInWords(amountFen: Fen): string {
  assertFen(amountFen, '');
  if (amountFen < 0) return `负${amountInWords(-amountFen)}`;
  const whole = BigInt(amountFen) / 100n;
  const jiao = Number((BigInt(amountFen) / 10n) % 10n);
  const fen = amountFen % 10;
  if (whole === 0n && jiao === 0 && fen === 0) return '零元整';
  let out = whole > 0n ? `${yuan(whole)}元` : '';
  if (jiao === 0 && fen === 0) return `${out}整`;
  if (jiao > 0) out += `${whole > 0n && whole % 10n === 0n ? '零' : ''}${DIGITS[jiao]}角`;
  else if (whole > 0n) out += '零';
  if (fen > 0) out += `${DIGITS[fen]}分`;
  return out;
}
