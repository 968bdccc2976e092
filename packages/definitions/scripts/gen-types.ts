/**
 * Turns every `schemas/*.schema.json` into `src/generated/<kind>.ts`: the schema verbatim as an
 * `as const` literal, plus types derived from it by json-schema-to-ts, so no definition type is
 * restated by hand.
 *
 * Why not `FromSchema<typeof schema, { references }>` in one go: json-schema-to-ts resolves a `$ref`
 * by parsing its target twice (an intersection) and resolves `#/…` inside an external reference
 * against the referring root, so the workflow schema hit "type instantiation excessively deep" and
 * common's internal references came out `never`. Instead each `$defs` entry is typed on its own:
 * in a type-only view every `$ref` becomes a marker `{ "$comment": "ref <kind>#/$defs/<Name>" }`,
 * and FromSchema's `deserialize` option maps each marker to the already-derived type of its target.
 * A definition that refers to itself (the workflow's `StateNode`) is unrolled RECURSION_DEPTH
 * levels, the innermost being `unknown`. The views are types (JSON is valid TS type syntax), so they
 * cost nothing at run time.
 *
 * Run: `pnpm --filter @estateflow/definitions gen`; `generated.test.ts` fails when output is stale.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SCHEMAS_DIR = resolve(here, '../../../schemas');
export const GENERATED_DIR = resolve(here, '../src/generated');
const RECURSION_DEPTH = 4;
/** Type names that would shadow a global inside the generated index. */
const SHADOWING = new Set(['Date']);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json } & { $defs?: Record<string, Json> };

const camel = (kind: string): string => kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const pascal = (kind: string): string => camel(kind).replace(/^[a-z]/, (c) => c.toUpperCase());
const literal = (value: Json): string => JSON.stringify(value, null, 2);

/** `{ kind, def }` a `$ref` points at, seen from schema `kind`. */
function target(ref: string, kind: string): { kind: string; def: string } {
  const m = /^(?:(?:https:\/\/estateflow\.dev\/schemas\/)?([a-z-]+)\.schema\.json)?#\/\$defs\/([A-Za-z0-9_]+)$/.exec(ref);
  if (!m) throw new Error(`gen-types: unsupported $ref "${ref}" in ${kind}.schema.json (use "#/$defs/X" or "<kind>.schema.json#/$defs/X")`);
  return { kind: m[1] ?? kind, def: m[2]! };
}
const markerOf = (t: { kind: string; def: string }): string => `ref ${t.kind}#/$defs/${t.def}`;
/** Name of the exported type for a `$defs` entry. */
const typeName = (t: { kind: string; def: string }): string => (t.kind === 'common' ? t.def : `${pascal(t.kind)}${t.def}`);

/** Names of `$defs` entries that refer to themselves (the generator unrolls these). */
export function recursiveDefs(schema: { $defs?: Record<string, Json> }, kind = 'workflow'): string[] {
  return Object.entries(schema.$defs ?? {})
    .filter(([def, node]) => {
      const targets = new Map<string, { kind: string; def: string }>();
      view(node, kind, targets);
      return targets.has(markerOf({ kind, def }));
    })
    .map(([def]) => def)
    .sort();
}

/** Copy of `node` without `examples`, every `$ref` replaced by a marker; collects the targets. */
function view(node: Json, kind: string, seen: Map<string, { kind: string; def: string }>): Json {
  if (Array.isArray(node)) return node.map((n) => view(n, kind, seen));
  if (node && typeof node === 'object') {
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      const t = target(ref, kind);
      seen.set(markerOf(t), t);
      return { $comment: markerOf(t) };
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'examples' && k !== '$defs' && k !== '$id' && k !== '$schema') out[k] = view(v, kind, seen);
    return out;
  }
  return node;
}

const options = (targets: Map<string, { kind: string; def: string }>, output: (t: { kind: string; def: string }) => string): string =>
  targets.size === 0 ? '' : `, { deserialize: [${[...targets].map(([m, t]) => `{ pattern: { $comment: '${m}' }; output: ${output(t)} }`).join(', ')}] }`;

function renderKind(kind: string, schema: Schema): { text: string; types: string[] } {
  const c = camel(kind);
  const types: string[] = [];
  const imports = new Map<string, Set<string>>();
  const body: string[] = [];
  const external = (t: { kind: string; def: string }): string => {
    if (t.kind !== kind) {
      if (!imports.has(t.kind)) imports.set(t.kind, new Set());
      imports.get(t.kind)!.add(typeName(t));
    }
    return typeName(t);
  };
  for (const [def, node] of Object.entries(schema.$defs ?? {})) {
    const targets = new Map<string, { kind: string; def: string }>();
    const v = view(node, kind, targets);
    const self = markerOf({ kind, def });
    const name = typeName({ kind, def });
    body.push(`type ${name}View = ${literal(v)};`);
    if (targets.has(self)) {
      for (let depth = 1; depth <= RECURSION_DEPTH; depth++) {
        const inner = depth === 1 ? 'unknown' : `${name}Depth${depth - 1}`;
        body.push(`type ${name}Depth${depth} = FromSchema<${name}View${options(targets, (t) => (t.kind === kind && t.def === def ? inner : external(t)))}>;`);
      }
      body.push(`/** \`$defs/${def}\` of ${kind}.schema.json, typed ${RECURSION_DEPTH} levels deep (deeper levels are \`unknown\`). */`);
      body.push(`export type ${name} = ${name}Depth${RECURSION_DEPTH};`, '');
    } else {
      body.push(`/** \`$defs/${def}\` of ${kind}.schema.json. */`);
      body.push(`export type ${name} = FromSchema<${name}View${options(targets, external)}>;`, '');
    }
    types.push(name);
  }
  if (kind !== 'common') {
    const targets = new Map<string, { kind: string; def: string }>();
    const v = view(schema, kind, targets);
    body.push(`type ${pascal(kind)}View = ${literal(v)};`);
    body.push(`/** A document of kind \`${kind}\`. */`);
    body.push(`export type ${pascal(kind)} = FromSchema<${pascal(kind)}View${options(targets, external)}>;`, '');
    types.push(pascal(kind));
  }
  const head = [
    `// Generated by packages/definitions/scripts/gen-types.ts from schemas/${kind}.schema.json. Do not edit.`,
    `import type { FromSchema } from 'json-schema-to-ts';`,
    ...[...imports].map(([k, names]) => `import type { ${[...names].sort().join(', ')} } from './${k}.ts';`),
    '',
    `/** The JSON Schema of kind \`${kind}\`, verbatim. */`,
    `export const ${c}Schema = ${literal(schema)} as const;`,
    '',
  ];
  // An empty schema (`{}`, any value) reads as the `{}` type in a view; FromSchema turns it into unknown.
  if (body.some((l) => /: \{\}/.test(l))) head.splice(1, 0, '/* eslint-disable @typescript-eslint/no-empty-object-type -- `{}` here is the empty JSON Schema */');
  return { text: [...head, ...body].join('\n'), types };
}

/** Every generated file (name -> content) for the schemas currently in `schemasDir`. */
export function renderAll(schemasDir = SCHEMAS_DIR): Map<string, string> {
  const kinds = readdirSync(schemasDir).filter((f) => f.endsWith('.schema.json')).map((f) => f.slice(0, -'.schema.json'.length)).sort();
  const out = new Map<string, string>();
  const exported: string[] = [];
  for (const kind of kinds) {
    const schema = JSON.parse(readFileSync(join(schemasDir, `${kind}.schema.json`), 'utf8')) as Schema;
    const { text, types } = renderKind(kind, schema);
    out.set(`${kind}.ts`, text);
    const names = types.filter((n) => !SHADOWING.has(n));
    if (names.length > 0) exported.push(`export type { ${names.join(', ')} } from './${kind}.ts';`);
  }
  const index = [
    '// Generated by packages/definitions/scripts/gen-types.ts. Do not edit.',
    ...kinds.map((k) => `import { ${camel(k)}Schema } from './${k}.ts';`),
    ...exported,
    '',
    '/** Every schema in `schemas/`, by kind (`common` holds the shared `$defs`). */',
    `export const generatedSchemas = {\n${kinds.map((k) => `  '${k}': ${camel(k)}Schema,`).join('\n')}\n} as const;`,
    '',
  ].join('\n');
  out.set('index.ts', index);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = renderAll();
  rmSync(GENERATED_DIR, { recursive: true, force: true });
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const [name, content] of files) writeFileSync(join(GENERATED_DIR, name), content);
  console.log(`wrote ${files.size} files to ${GENERATED_DIR}`);
}
