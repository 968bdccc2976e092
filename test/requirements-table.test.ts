import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRequirementsMd, findSharedRequirementsMd, loadBundleScenarios, requirementIds, tableProblems, tableRows } from './support/requirements-table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const workflows = join(ROOT, 'workflows');

describe("workflows/README.md's requirements table (#22)", () => {
  it('lists every requirement ID of requirements.md once, with its bundle, a scenario that exists and cites it, and "faithful" or "differs because …"', () => {
    const path = findRequirementsMd(ROOT);
    expect(path, `workflows/requirements.md not found under ${ROOT} (set EF_REQUIREMENTS)`).not.toBeNull();
    const ids = requirementIds(readFileSync(path!, 'utf8'));
    expect(ids.length).toBeGreaterThanOrEqual(83);
    const rows = tableRows(readFileSync(join(workflows, 'README.md'), 'utf8'));
    expect(tableProblems(ids, rows, loadBundleScenarios(workflows))).toEqual([]);
    expect(rows.map((r) => r.id).toSorted()).toEqual([...ids].toSorted());
  });

  it('keeps workflows/requirements.md equal to shared/requirements.md wherever the original sits beside the checkout', () => {
    const copy = findRequirementsMd(ROOT);
    const original = findSharedRequirementsMd(ROOT);
    expect(copy).not.toBeNull();
    // A clean clone on a CI machine has no shared/ beside it: the copy in the repository is then the source.
    if (original) expect(readFileSync(copy!, 'utf8'), `copy ${original} to workflows/requirements.md`).toBe(readFileSync(original, 'utf8'));
    else expect(readFileSync(copy!, 'utf8')).toMatch(/PS-1/);
  });

  it('fails when an ID is missing, a scenario does not exist or does not cite the ID, or a row without a scenario claims to be faithful', () => {
    const bundles = loadBundleScenarios(workflows);
    const readme = [
      '## Requirements, one by one',
      '',
      '| ID | bundle | scenario | fidelity |',
      '| --- | --- | --- | --- |',
      '| LF-1 | `lost-and-found` | `lf-claimed-with-lead` | faithful |',
      '| LF-2 | `lost-and-found` | `lf-no-such-scenario` | faithful |',
      '| LF-3 | `lost-and-found` | `lf-cheap-item-expires` | faithful |',
      '| SEC-1 | — | — | faithful |',
      '| XX-9 | `nowhere` | `x` | maybe |',
      '',
      '## Next section',
      '| LF-4 | `lost-and-found` | `lf-refusals` | faithful |',
    ].join('\n');
    const problems = tableProblems(['LF-1', 'LF-2', 'LF-3', 'LF-4', 'SEC-1'], tableRows(readme), bundles);
    expect(problems).toEqual([
      'README line 6 (LF-2): scenario "lf-no-such-scenario" does not exist in bundle "lost-and-found"',
      'README line 7 (LF-3): scenario "lf-cheap-item-expires" does not cite LF-3 in its requirements',
      'README line 8 (SEC-1): a requirement without a scenario cannot be faithful',
      'README line 9 (XX-9): XX-9 is not in requirements.md',
      'README line 9 (XX-9): the last column must read "faithful" or "differs because …", not "maybe"',
      'README line 9 (XX-9): bundle "nowhere" does not exist in workflows/',
      'LF-4 is in requirements.md but not in the table of workflows/README.md',
    ]);
  });

  it('looks a scenario up in every bundle a row names, and fails when it is in none of them', () => {
    const bundles = loadBundleScenarios(workflows);
    const readme = [
      '## Requirements, one by one',
      '',
      '| ID | bundle | scenario | fidelity |',
      '| --- | --- | --- | --- |',
      '| PS-8 | `paid-service`, `quality` | `ps-happy-path`, `sc-three-checks` | faithful |',
      '| PS-9 | `paid-service`, `quality` | `wr-no-such-scenario` | faithful |',
      '| PS-10 | `paid-service`, `nowhere` | `ps-happy-path` | faithful |',
    ].join('\n');
    expect(tableProblems(['PS-8', 'PS-9', 'PS-10'], tableRows(readme), bundles)).toEqual([
      'README line 6 (PS-9): scenario "wr-no-such-scenario" does not exist in bundle "paid-service" or "quality"',
      'README line 7 (PS-10): bundle "nowhere" does not exist in workflows/',
    ]);
  });

  it('reads the IDs as requirements.md lists them', () => {
    expect(requirementIds('- PS-1 Intake by phone\n- SEC-1 Access control\n  - major 重大\n| BL table |\n- BL-11 Income')).toEqual(['PS-1', 'SEC-1', 'BL-11']);
  });
});
