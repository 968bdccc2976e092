import { and, eq, sql } from 'drizzle-orm';
import { definitionVersions, type DbOrTx } from '@estateflow/db';
import { serialPrefixOf, type Workflow } from '@estateflow/definitions';
import type { DefinitionIssue } from './definition-check.ts';

/**
 * Serial prefixes already taken in an estate by other workflows, as issues of the workflows being
 * installed or published (`/serialPrefix`, zh/en, naming the workflow that holds it). Every version
 * ever published counts: serials already issued keep their prefix, so a prefix once used by one
 * workflow never numbers another's requests. Workflows of one bundle are checked against each other
 * by `wf validate` and the bundle check (`duplicate-serial-prefix`).
 * @example await serialPrefixIssues(tx, tenantId, estateId, [renovationDoc]) // [{ path: '/serialPrefix', message: … }]
 */
export async function serialPrefixIssues(db: DbOrTx, tenantId: string, estateId: string, workflows: readonly (Pick<Workflow, 'id' | 'serialPrefix'> & { file?: string })[]): Promise<DefinitionIssue[]> {
  if (workflows.length === 0) return [];
  const rows = await db.selectDistinct({ key: definitionVersions.key, prefix: sql<string | null>`${definitionVersions.document}->>'serialPrefix'` }).from(definitionVersions)
    .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, 'workflow')));
  const holders = new Map<string, Set<string>>();
  for (const r of rows) {
    const p = serialPrefixOf({ id: r.key, ...(r.prefix ? { serialPrefix: r.prefix } : {}) });
    holders.set(p, (holders.get(p) ?? new Set()).add(r.key));
  }
  const mine = new Set(workflows.map((w) => w.id));
  const issues: DefinitionIssue[] = [];
  for (const wf of workflows) {
    const prefix = serialPrefixOf(wf);
    const other = [...(holders.get(prefix) ?? [])].find((k) => !mine.has(k));
    if (other === undefined) continue;
    issues.push({
      ...(wf.file !== undefined ? { file: wf.file } : {}),
      path: wf.serialPrefix === undefined ? '/id' : '/serialPrefix',
      message: {
        zh: `工单编号前缀“${prefix}”已被本项目的流程“${other}”使用，两者会发出相同的编号：请在 serialPrefix 中换一个前缀`,
        en: `Serial prefix "${prefix}" is already used by workflow "${other}" in this estate, so both would issue the same serials: choose another serialPrefix`,
      },
    });
  }
  return issues;
}
