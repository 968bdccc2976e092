import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The requirements table of `workflows/README.md` checked against `requirements.md` (issue #22):
 * every requirement ID has exactly one row naming its bundle, the scenarios `wf test` runs for it
 * (each of which cites the ID in its `requirements`) and "faithful" or "differs because …".
 */

/**
 * One row of the table: `| PS-1 | `paid-service` | `ps-happy-path` | faithful |`. A rule two bundles carry
 * names both (`| PS-8 | `paid-service`, `quality` | … |`): each scenario is looked up in the bundles named.
 */
export type TableRow = { id: string; bundle: string | null; bundles: string[]; scenarios: string[]; fidelity: string; line: number };

/** The table's heading in workflows/README.md. */
export const TABLE_HEADING = '## Requirements, one by one';

/** Requirement IDs as requirements.md lists them: a bullet starting with the ID (`- PS-1 Intake …`). */
export function requirementIds(markdown: string): string[] {
  return [...markdown.matchAll(/^- ([A-Z]{2,3}-\d+) /gm)].map((m) => m[1]!);
}

/** The rows of the table under TABLE_HEADING (up to the next `## ` heading). */
export function tableRows(readme: string): TableRow[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === TABLE_HEADING);
  if (start < 0) return [];
  const rows: TableRow[] = [];
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const cells = lines[i]!.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 4 || !/^[A-Z]{2,3}-\d+$/.test(cells[0]!)) continue;
    const ticks = (c: string) => [...c.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const bundles = ticks(cells[1]!);
    rows.push({ id: cells[0]!, bundle: bundles[0] ?? null, bundles, scenarios: ticks(cells[2]!), fidelity: cells[3]!, line: i + 1 });
  }
  return rows;
}

/** Scenario id → the requirement IDs it cites, for every scenario a bundle's bundle.json lists. */
export type BundleScenarios = Map<string, Map<string, string[]>>;

export function loadBundleScenarios(workflowsDir: string): BundleScenarios {
  const out: BundleScenarios = new Map();
  for (const entry of readdirSync(workflowsDir, { withFileTypes: true })) {
    const manifest = join(workflowsDir, entry.name, 'bundle.json');
    if (!entry.isDirectory() || !existsSync(manifest)) continue;
    const bundle = JSON.parse(readFileSync(manifest, 'utf8')) as { contents: { scenario?: string[] } };
    const scenarios = new Map<string, string[]>();
    for (const file of bundle.contents.scenario ?? []) {
      const s = JSON.parse(readFileSync(join(workflowsDir, entry.name, file), 'utf8')) as { id: string; requirements?: string[] };
      scenarios.set(s.id, s.requirements ?? []);
    }
    out.set(entry.name, scenarios);
  }
  return out;
}

/** What is wrong with the table, one line each; empty when every ID is there and every row holds. */
export function tableProblems(ids: readonly string[], rows: readonly TableRow[], bundles: BundleScenarios): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const at = `README line ${row.line} (${row.id})`;
    if (seen.has(row.id)) problems.push(`${at}: ${row.id} is listed twice (also line ${seen.get(row.id)})`);
    seen.set(row.id, row.line);
    if (!ids.includes(row.id)) problems.push(`${at}: ${row.id} is not in requirements.md`);
    if (!/^(faithful\b|differs because \S)/.test(row.fidelity)) problems.push(`${at}: the last column must read "faithful" or "differs because …", not "${row.fidelity}"`);
    if (row.scenarios.length === 0 && !row.fidelity.startsWith('differs because')) problems.push(`${at}: a requirement without a scenario cannot be faithful`);
    if (row.scenarios.length > 0 && row.bundle === null) problems.push(`${at}: scenarios are named but no bundle`);
    if (row.bundle === null) continue;
    const named = row.bundles.length > 0 ? row.bundles : [row.bundle];
    const missing = named.filter((b) => !bundles.has(b));
    for (const b of missing) problems.push(`${at}: bundle "${b}" does not exist in workflows/`);
    if (missing.length > 0) continue;
    for (const s of row.scenarios) {
      const cites = named.map((b) => bundles.get(b)!.get(s)).find((c) => c !== undefined);
      if (!cites) problems.push(`${at}: scenario "${s}" does not exist in bundle ${named.map((b) => `"${b}"`).join(' or ')}`);
      else if (!cites.includes(row.id)) problems.push(`${at}: scenario "${s}" does not cite ${row.id} in its requirements`);
    }
  }
  for (const id of ids) if (!seen.has(id)) problems.push(`${id} is in requirements.md but not in the table of workflows/README.md`);
  return problems;
}

/**
 * The field documents' requirements: `workflows/requirements.md`, a copy of `shared/requirements.md`
 * (which lives outside the repository, beside the checkout) kept in the repository so that a clean
 * clone tests alone. `EF_REQUIREMENTS` names another file.
 */
export function findRequirementsMd(from: string): string | null {
  if (process.env['EF_REQUIREMENTS']) return process.env['EF_REQUIREMENTS'];
  const copy = join(resolve(from), 'workflows', 'requirements.md');
  return existsSync(copy) ? copy : null;
}

/** The nearest `shared/requirements.md` up the tree from `from` (the original the copy follows), or null. */
export function findSharedRequirementsMd(from: string): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'requirements.md');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
