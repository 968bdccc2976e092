import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLE_DEFINITIONS } from '@estateflow/definitions';
import { permissionsByRole } from './role-catalogue.ts';

describe('permissionsByRole', () => {
  it('gives a role with people the narrower residents_link too (roles a company saved before it existed keep linking residents)', () => {
    const saved = { key: 'office_head', title: { zh: '办公室主任', en: 'Office head' }, description: { zh: '', en: '' }, kind: 'staff' as const, permissions: ['people' as const] };
    const clerk = { ...saved, key: 'clerk', permissions: ['finance' as const] };
    const byRole = permissionsByRole([...BUILT_IN_ROLE_DEFINITIONS, saved, clerk]);
    expect([...byRole.get('office_head')!].sort()).toEqual(['people', 'residents_link']);
    expect([...byRole.get('clerk')!]).toEqual(['finance']);
    expect(byRole.get('front_desk')!.has('residents_link')).toBe(true);
    expect(byRole.get('technician')!.has('residents_link')).toBe(false);
  });
});
