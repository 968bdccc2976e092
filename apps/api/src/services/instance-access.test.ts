import { describe, expect, it } from 'vitest';
import { roles } from '@estateflow/db';
import { mayAccess, privacyOf } from './instance-access.ts';

const me = 'u-me';
const home = 'unit-home';

describe('who may see and act on a request', () => {
  it('lets every staff role see every request of its estate, whoever raised it and whatever its privacy', () => {
    for (const role of roles.filter((r) => r !== 'resident')) {
      expect(mayAccess({ userId: me, role, units: [] }, { startedBy: 'someone', unitId: 'elsewhere', privacy: 'private' }), role).toBe(true);
    }
  });

  it('lets a resident see what they raised, and their unit\'s requests only when the workflow shares them with the household', () => {
    const resident = { userId: me, role: 'resident' as const, units: [home] };
    const cases: [string | null, string | null, 'household' | 'private', boolean][] = [
      [me, null, 'private', true], // raised it, no unit
      [me, 'elsewhere', 'private', true], // raised it, whatever the unit
      ['other', home, 'household', true], // a repair of the home raised by another member or the front desk
      ['other', home, 'private', false], // another member's complaint from the same home (CP-13)
      ['other', 'elsewhere', 'household', false], // a neighbour's repair
      ['other', null, 'household', false], // no unit: only its raiser
      [null, home, 'household', true], // raised by the system for the home
    ];
    for (const [startedBy, unitId, privacy, expected] of cases) {
      expect(mayAccess(resident, { startedBy, unitId, privacy }), `${startedBy} ${unitId} ${privacy}`).toBe(expected);
    }
  });

  it('reads a definition without privacy as private', () => {
    expect(privacyOf({})).toBe('private');
    expect(privacyOf({ privacy: 'household' })).toBe('household');
    expect(privacyOf({ privacy: 'HOUSEHOLD' })).toBe('private');
  });
});
