/**
 * `wf schema [kind] [--out dir]`: prints one schema, or writes every schema to `dir` together with a
 * VS Code `json.schemas` snippet, so editors complete and check definitions (documents in
 * `workflows/` already point at `schemas/` with a relative `"$schema"`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { schemas } from '@estateflow/definitions';
import { processIo, type Command, parseCommandArgs } from './io.ts';

const FILE_MATCH: Record<string, string[]> = {
  workflow: ['**/workflows/**/workflow.json', '**/*.workflow.json'],
  form: ['**/*.form.json'],
  bundle: ['**/bundle.json'],
  sla: ['**/*.sla.json'],
  calendar: ['**/*.calendar.json'],
  scenario: ['**/*.scenario.json'],
  'fee-schedule': ['**/*.fee-schedule.json'],
  'billing-plan': ['**/*.billing-plan.json'],
};

const HELP = `用法 usage: wf schema [kind] [--out dir]
  kind        打印该种类的模式 print the schema of one kind (${Object.keys(schemas).join(', ')})
  --out dir   把全部模式写入目录 write every schema to dir`;

export const schemaCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { out: { type: 'string' } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const all = schemas as Record<string, object>;
  if (positionals.length > 0) {
    for (const kind of positionals) {
      const schema = all[kind];
      if (!schema) {
        io.err(`未知的种类 unknown kind: ${kind} (${Object.keys(all).join(', ')})`);
        return 2;
      }
      if (!values.out) io.out(JSON.stringify(schema, null, 2));
    }
    if (!values.out) return 0;
  }
  if (!values.out) {
    io.out(HELP);
    return 2;
  }
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const kinds = positionals.length > 0 ? positionals : Object.keys(all);
  for (const kind of kinds) {
    // `common` must travel with the others: their `$ref`s point at it by relative file name.
    for (const k of new Set([kind, 'common'])) await writeFile(join(out, `${k}.schema.json`), JSON.stringify(all[k], null, 2) + '\n');
  }
  const snippet = {
    'json.schemas': Object.entries(FILE_MATCH)
      .filter(([k]) => kinds.includes(k))
      .map(([k, fileMatch]) => ({ fileMatch, url: `./${join(values.out!, `${k}.schema.json`)}` })),
  };
  io.out(`已写入 wrote ${new Set([...kinds, 'common']).size} schemas to ${out}`);
  io.out('VS Code settings.json（可选 optional; documents with "$schema" need nothing）:');
  io.out(JSON.stringify(snippet, null, 2));
  return 0;
};
