import { describe, expect, it } from 'vitest';
import { addFact, emptyRollups, hasOpenClocks, type Fact, type FactClock } from './rollups.ts';

const fact = (clocks: FactClock[]): Fact => ({
  tenantId: 't', instanceId: 'i', estateId: 'e', version: 1, startedAt: new Date('2026-05-06T01:00:00Z'), day: '2026-05-06',
  workflowKey: 'repair', category: '', channel: '', grade: '', status: 'done',
  figures: { methods: {}, satisfied: 0, dissatisfied: 0, reworks: 0, clocks },
});

describe('SLA rollups (#18 audit)', () => {
  it("count a clock its request's end stopped (cancelled, withdrawn) neither met nor breached nor open", () => {
    const f = fact([{ p: 'repair-clocks', m: 'on-site', s: 'stopped', due: null }, { p: 'repair-clocks', m: 'complete', s: 'met', due: null }]);
    expect(hasOpenClocks(f)).toBe(false);
    for (const now of [undefined, Date.parse('2026-05-07T00:00:00Z')]) {
      const r = emptyRollups();
      addFact(r, f, 1, now);
      const byMetric = Object.fromEntries([...r.sla.values()].map((e) => [e.metricId, { met: e.met, breached: e.breached, open: e.running + e.paused + e.pending }]));
      expect(byMetric).toEqual({ complete: { met: 1, breached: 0, open: 0 } });
    }
  });
});
