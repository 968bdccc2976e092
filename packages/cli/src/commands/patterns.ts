/**
 * `wf patterns <file|dir>… | --database [--json] [--locale zh|en]`: lists every pattern the
 * linear-time engine (re2js) refuses: a form's `pattern` or a CEL `.matches()` using lookaround or a
 * back-reference, or too large, with its JSON path and how to rewrite it. Over files and bundles, or
 * over every published version and draft in the database (DATABASE_URL, else PGlite in PGLITE_DIR
 * or `.data/pglite`; stop the server first when it is PGlite). Exit 1 when any is found.
 */
import { createDb, definitionDrafts, definitionVersions, estates, companies, type Db } from '@estateflow/db';
import { validateDocument, validatePath, type Finding } from '@estateflow/definitions';
import { and, eq } from 'drizzle-orm';
import { processIo, type Command, parseCommandArgs } from './io.ts';

const HELP = `用法 usage: wf patterns <file|dir>… | --database [--json] [--locale zh|en]
  --database     检查数据库中已发布的版本和草稿 check published versions and drafts in the database
                 (DATABASE_URL，否则 PGlite 目录 PGLITE_DIR 或 .data/pglite / else PGlite PGLITE_DIR or .data/pglite)
  --json         以 JSON 输出 print as JSON
  --locale zh|en 只用一种语言 print one language only (default: both)`;

const RULE = 'unsupported-pattern';

/** One refused pattern: where it is (file, or company / estate / definition and version) and why. */
export type PatternSite = { where: string; pointer: string; message: Finding['message'] };

const sites = (findings: readonly Finding[], where: (f: Finding) => string): PatternSite[] =>
  findings.filter((f) => f.rule === RULE).map((f) => ({ where: where(f), pointer: f.pointer, message: f.message }));

/** Refused patterns in definition files and bundles. */
export async function patternsInPaths(paths: readonly string[]): Promise<PatternSite[]> {
  const out: PatternSite[] = [];
  for (const path of paths) out.push(...sites(await validatePath(path), (f) => f.file));
  return out;
}

/** Refused patterns in every published version and draft of the database, oldest company first. */
export async function patternsInDatabase(db: Db): Promise<PatternSite[]> {
  const scope = { company: companies.name, estate: estates.name };
  const published = await db
    .select({ ...scope, kind: definitionVersions.kind, key: definitionVersions.key, version: definitionVersions.version, document: definitionVersions.document })
    .from(definitionVersions)
    .innerJoin(estates, and(eq(estates.tenantId, definitionVersions.tenantId), eq(estates.id, definitionVersions.estateId)))
    .innerJoin(companies, eq(companies.id, definitionVersions.tenantId))
    .orderBy(companies.name, estates.name, definitionVersions.kind, definitionVersions.key, definitionVersions.version);
  const drafts = await db
    .select({ ...scope, kind: definitionDrafts.kind, key: definitionDrafts.key, document: definitionDrafts.document })
    .from(definitionDrafts)
    .innerJoin(estates, and(eq(estates.tenantId, definitionDrafts.tenantId), eq(estates.id, definitionDrafts.estateId)))
    .innerJoin(companies, eq(companies.id, definitionDrafts.tenantId))
    .orderBy(companies.name, estates.name, definitionDrafts.kind, definitionDrafts.key);
  const out: PatternSite[] = [];
  for (const row of [...published, ...drafts.map((d) => ({ ...d, version: undefined }))]) {
    const where = `${row.company} / ${row.estate} / ${row.kind} ${row.key} ${row.version === undefined ? 'draft 草稿' : `v${row.version}`}`;
    out.push(...sites(validateDocument(row.document, { file: where }), () => where));
  }
  return out;
}

const FIX = {
  zh: '修复：在设计器中（或定义文件里）按上面的提示改写这些模式，校验通过后发布新版本；新的工单使用新版本。',
  en: 'Fix: rewrite each pattern as its message says, in the designer (or the definition file), validate and publish a new version; new requests use it.',
};

export const patternsCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { database: { type: 'boolean' }, json: { type: 'boolean' }, locale: { type: 'string' } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const locale = values.locale;
  if ((positionals.length === 0) === !values.database || (locale !== undefined && locale !== 'zh' && locale !== 'en')) {
    io.err(HELP);
    return 2;
  }
  let found: PatternSite[];
  if (values.database) {
    const url = process.env['DATABASE_URL'];
    const handle = await createDb(url ? { url, migrate: false } : { dataDir: process.env['PGLITE_DIR'] ?? '.data/pglite', migrate: false });
    try {
      found = await patternsInDatabase(handle.db);
    } finally {
      await handle.close();
    }
  } else {
    found = await patternsInPaths(positionals);
  }
  if (values.json) {
    io.out(JSON.stringify(found, null, 2));
    return found.length ? 1 : 0;
  }
  for (const s of found) {
    if (locale === 'zh' || locale === 'en') io.out(`${s.where}:${s.pointer}: ${s.message[locale]}`);
    else io.out(`${s.where}:${s.pointer}: ${s.message.zh}\n    ${s.message.en}`);
  }
  if (found.length === 0) {
    io.out('✓ 没有线性引擎无法编译的模式 / no pattern the linear-time engine refuses');
    return 0;
  }
  io.out(`✗ ${found.length} 个模式需要改写 / ${found.length} pattern(s) to rewrite`);
  if (locale !== 'en') io.out(FIX.zh);
  if (locale !== 'zh') io.out(FIX.en);
  return 1;
};
