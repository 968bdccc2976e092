import { tzOffset } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetMs } from './local-time.ts';

// zones with DST, half-hour DST (Lord Howe), a 45-minute offset (Kathmandu), a date-line jump (Apia), none (Shanghai)
const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'America/Sao_Paulo'];
const from = Date.UTC(1985, 0, 1);
const to = Date.UTC(2040, 0, 1);

describe('zone offsets kept per hour', () => {
  it('agree with Intl at every instant, also inside hours that hold a transition', () => {
    fc.assert(fc.property(fc.constantFrom(...zones), fc.integer({ min: from, max: to }), (zone, instant) => {
      // asked twice: the second answer may come from what the first kept
      expect(offsetMs(zone, instant)).toBe(tzOffset(zone, new Date(instant)) * 60_000);
      expect(offsetMs(zone, instant)).toBe(tzOffset(zone, new Date(instant)) * 60_000);
    }), { numRuns: 5_000 });
  });

  it('are exact on both sides of a transition within the same hour', () => {
    // New York sprang forward at 2026-03-08 07:00 UTC; Lord Howe falls back 30 minutes at 2026-04-05 15:00 UTC
    for (const [zone, at] of [['America/New_York', Date.UTC(2026, 2, 8, 7)], ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)]] as const) {
      for (const d of [-3_600_000, -1, 0, 1, 1_800_000, 3_599_999]) {
        expect(offsetMs(zone, at + d), `${zone} ${new Date(at + d).toISOString()}`).toBe(tzOffset(zone, new Date(at + d)) * 60_000);
      }
      expect(offsetMs(zone, at - 1)).not.toBe(offsetMs(zone, at));
    }
  });
});
