/**
 * Writes a new custom migration from packages/db/sql/ when a function file changed (see
 * src/sql-functions.ts). `--check` only says whether one is due (exit 1 when it is).
 * Usage: pnpm --filter @estateflow/db gen:sql [--name sql_functions] [--check]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pendingFunctionMigration } from '../src/sql-functions.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const pending = pendingFunctionMigration();
if (!pending) {
  console.log('SQL functions: the migrations already match packages/db/sql/');
  process.exit(0);
}
if (args.includes('--check')) {
  console.error('SQL functions: packages/db/sql/ changed since the last migration; run `pnpm --filter @estateflow/db gen:sql`');
  process.exit(1);
}
const name = args[args.indexOf('--name') + 1] && args.includes('--name') ? args[args.indexOf('--name') + 1]! : 'sql_functions';
const before = new Set(readdirSync(join(root, 'drizzle')));
execFileSync(join(root, 'node_modules/.bin/drizzle-kit'), ['generate', '--custom', `--name=${name}`], { cwd: root, stdio: 'inherit' });
const created = readdirSync(join(root, 'drizzle')).filter((f) => f.endsWith('.sql') && !before.has(f));
if (created.length !== 1) throw new Error(`drizzle-kit made ${created.length} migration files; expected one`);
writeFileSync(join(root, 'drizzle', created[0]!), pending);
console.log(`SQL functions: wrote drizzle/${created[0]}`);
