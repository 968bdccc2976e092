/**
 * SQL functions have one home: `packages/db/sql/`, one file per rule with its current body,
 * commented. Migrations are history: a function's text in them is what it was when that migration
 * ran. `pendingFunctionMigration` compares the files with the functions as the migrations leave
 * them (each migration's CREATE and DROP FUNCTION statements, in order) and writes the SQL of a new
 * migration that brings the database to the files: the functions no file defines any more dropped,
 * each changed or new file's functions dropped (the signature or result may change) and created
 * again from the file. `pnpm --filter @estateflow/db gen:sql` writes it as a drizzle-kit custom migration.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sqlFolder = fileURLToPath(new URL('../sql', import.meta.url));
const migrations = fileURLToPath(new URL('../drizzle', import.meta.url));

/** One function as a file or a migration defines it. */
export interface SqlFunction {
  name: string;
  /** `name(argtype, …)`, as DROP FUNCTION takes it */
  signature: string;
  /** the CREATE statement, from CREATE to its end */
  statement: string;
  /** the body between the dollar quotes */
  body: string;
}

/** Whitespace folded, so layout alone is no change. */
export const normalise = (sqlText: string): string => sqlText.replace(/\s+/g, ' ').replace(/\s*([(),;])\s*/g, '$1').trim();

const statements = (text: string): string[] => text.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);

const createPattern = /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(\w+)\s*\(([^)]*)\)/i;
const dropPattern = /DROP\s+FUNCTION\s+(?:IF\s+EXISTS\s+)?(\w+)\s*\(([^)]*)\)/gi;

/** `(t uuid, e uuid)` → `uuid, uuid`: every argument of ours is named. */
function argTypes(args: string): string {
  return args.split(',').map((a) => a.trim()).filter(Boolean).map((a) => a.replace(/\s+DEFAULT\s+.*$/i, '').split(/\s+/).slice(1).join(' ')).join(', ');
}

/** The functions one statement (a file's or a migration's chunk) creates. */
export function functionsIn(statement: string): SqlFunction[] {
  const m = createPattern.exec(statement);
  if (!m) return [];
  const from = statement.slice(m.index);
  const body = /\$(\w*)\$([\s\S]*)\$\1\$/.exec(from);
  return [{ name: m[1]!, signature: `${m[1]}(${argTypes(m[2]!)})`, statement: from.trim(), body: body ? body[2]!.trim() : '' }];
}

/** Every function the files of `sql/` define, by name, with the file that holds it. */
export function functionFiles(folder = sqlFolder): Map<string, SqlFunction & { file: string }> {
  const out = new Map<string, SqlFunction & { file: string }>();
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.sql')).sort()) {
    for (const chunk of statements(readFileSync(join(folder, file), 'utf8'))) {
      for (const f of functionsIn(chunk)) {
        if (out.has(f.name)) throw new Error(`${f.name} is defined twice (${out.get(f.name)!.file} and ${file}): one home per function`);
        out.set(f.name, { ...f, file });
      }
    }
  }
  return out;
}

/** The functions as the migrations leave them (created or replaced, and not dropped after). */
export function functionsAfterMigrations(folder = migrations): Map<string, SqlFunction> {
  const state = new Map<string, SqlFunction>();
  for (const file of readdirSync(folder).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort()) {
    for (const chunk of statements(readFileSync(join(folder, file), 'utf8'))) {
      for (const d of chunk.matchAll(dropPattern)) state.delete(d[1]!);
      for (const f of functionsIn(chunk)) state.set(f.name, f);
    }
  }
  return state;
}

/**
 * The SQL of a migration that brings the functions to the files, or undefined when they already
 * match (layout aside). Each chunk is followed by drizzle's statement breakpoint.
 */
export function pendingFunctionMigration(sqlDir = sqlFolder, migrationsDir = migrations): string | undefined {
  const files = functionFiles(sqlDir);
  const current = functionsAfterMigrations(migrationsDir);
  const drops: string[] = [];
  for (const [name, f] of current) if (!files.has(name)) drops.push(`-- ${name}: no file in packages/db/sql defines it any more\nDROP FUNCTION IF EXISTS ${f.signature};`);
  const changedFiles = new Set<string>();
  for (const [name, f] of files) {
    const was = current.get(name);
    if (!was || normalise(was.statement) !== normalise(f.statement)) changedFiles.add(f.file);
  }
  if (drops.length === 0 && changedFiles.size === 0) return undefined;
  const creates: string[] = [];
  for (const file of [...changedFiles].sort()) {
    for (const [name, f] of files) {
      const was = current.get(name);
      // a trigger function keeps its signature and result, and its trigger depends on it: replaced in place
      if (f.file === file && was && !/RETURNS\s+trigger/i.test(f.statement)) drops.push(`DROP FUNCTION IF EXISTS ${was.signature};`);
    }
    creates.push(...statements(readFileSync(join(sqlDir, file), 'utf8')).map((s) => `-- from packages/db/sql/${file}\n${s}`));
  }
  return [
    '-- Generated by `pnpm --filter @estateflow/db gen:sql` from packages/db/sql/ (the functions\' one home); edit those files, not this one.',
    ...drops,
    ...creates,
  ].join('\n--> statement-breakpoint\n') + '\n';
}
