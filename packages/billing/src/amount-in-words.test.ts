import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountInWords } from './amount-in-words.ts';

describe('amountInWords', () => {
  it.each([
    [134882, '壹仟叁佰肆拾捌元捌角贰分'],
    [0, '零元整'],
    [1, '壹分'],
    [50, '伍角'],
    [100, '壹元整'],
    [1000, '壹拾元整'],
    [1030, '壹拾元零叁角'],
    [32504, '叁佰贰拾伍元零肆分'],
    [168032, '壹仟陆佰捌拾元零叁角贰分'],
    [100005, '壹仟元零伍分'],
    [10_700_053, '壹拾万柒仟元零伍角叁分'],
    [10_001_000, '壹拾万零壹拾元整'],
    [10_000_000, '壹拾万元整'],
    [100_500_000, '壹佰万伍仟元整'],
    [10_000_000_000, '壹亿元整'],
    [10_000_000_100, '壹亿零壹元整'],
    [100_001_000_000, '壹拾亿零壹万元整'],
    [100_010_000_000_000, '壹万零壹亿元整'],
    [75123, '柒佰伍拾壹元贰角叁分'],
    [-1500, '负壹拾伍元整'],
  ])('writes %i fen as %s', (fen, words) => {
    expect(amountInWords(fen)).toBe(words);
  });

  it('refuses a fraction of a fen', () => {
    expect(() => amountInWords(1.5)).toThrow(/integer number of fen/);
  });

  it('reads back to the same amount for any amount up to the safe integer', () => {
    const value = Object.fromEntries([...'零壹贰叁肆伍陆柒捌玖'].map((c, i) => [c, i]));
    const unit: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
    // a small reader of the capitals: sections of 万 and 亿, then 元 角 分
    const read = (s: string): bigint => {
      const [yuanPart = '', rest = ''] = s.includes('元') ? s.split('元') : ['', s];
      let total = 0n;
      let section = 0n;
      let digit = 0n;
      for (const c of yuanPart) {
        if (c in value) digit = BigInt(value[c]!);
        else if (c in unit) { section += digit * BigInt(unit[c]!); digit = 0n; }
        else if (c === '万') { total += (section + digit) * 10000n; section = 0n; digit = 0n; }
        else if (c === '亿') { total = (total + section + digit) * 100000000n; section = 0n; digit = 0n; }
      }
      total += section + digit;
      let fen = total * 100n;
      const jiao = /(.)角/.exec(rest);
      const f = /(.)分/.exec(rest);
      if (jiao) fen += BigInt(value[jiao[1]!]!) * 10n;
      if (f) fen += BigInt(value[f[1]!]!);
      return fen;
    };
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })), (fen) => {
      const words = amountInWords(fen);
      expect(read(words)).toBe(BigInt(fen));
      expect(words).not.toMatch(/零零|零元|零$|^零[^元]/);
    }));
  });
});
