import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { generatedSchemas } from './generated/index.ts';
import { patternRegExp } from '@estateflow/expr';

/** Every schema in `schemas/`, by kind (`common` holds the shared `$defs` and is not a document kind). */
export const schemas = generatedSchemas;

export type SchemaKind = keyof typeof schemas;
/** Kinds a document may declare in its `kind` field. */
export type DocumentKind = Exclude<SchemaKind, 'common'>;
export const DOCUMENT_KINDS: readonly DocumentKind[] = Object.keys(schemas).filter((k): k is DocumentKind => k !== 'common');

const SCHEMA_BASE = 'https://estateflow.dev/schemas/';

/**
 * A strict ajv (2020-12) with ajv-formats, `$data` off. With `untrustedPatterns` (the default) it
 * compiles `pattern` on the linear-time engine (`patternRegExp` of @estateflow/expr, re2js): use
 * that for data schemas written in definitions. The platform's own schemas in `schemas/` are
 * reviewed code and compile with the plain engine.
 */
export function createAjv(options: { untrustedPatterns?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    discriminator: true,
    allErrors: true,
    verbose: true,
    $data: false,
    ...(options.untrustedPatterns === false ? {} : { code: { regExp: patternRegExp } }),
  });
  addFormats(ajv);
  // annotations a form's data schema may carry (schemas/common.schema.json#/$defs/ScalarSchema):
  // they validate nothing, strict mode only has to know them
  for (const keyword of DATA_ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv;
}

/** Annotation keywords of data schemas: `x-personal` marks a field holding personal data (phone, id, name). */
export const DATA_ANNOTATIONS = ['x-personal'] as const;

let definitionsAjv: Ajv2020 | undefined;
const validators = new Map<DocumentKind, ValidateFunction>();

/** The compiled validator of a kind; each schema is compiled once per process. */
export function validatorFor(kind: DocumentKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    if (!definitionsAjv) {
      definitionsAjv = createAjv({ untrustedPatterns: false });
      for (const schema of Object.values(schemas)) definitionsAjv.addSchema(schema as object);
    }
    v = definitionsAjv.getSchema(`${SCHEMA_BASE}${kind}.schema.json`);
    if (!v) throw new Error(`no schema for kind "${kind}"`);
    validators.set(kind, v);
  }
  return v;
}

const DATA_CACHE_LIMIT = 500;
const dataValidators = new Map<string, { schema: object; validate: ValidateFunction }>();
let dataAjv: Ajv2020 | undefined;

/**
 * Compiles a data schema from a definition (a form's `schema`, a parameter's `schema`) with the same
 * strict settings, patterns on the linear-time engine; cached by content (bounded). Throws on a
 * schema ajv rejects, or `PatternError` on a pattern the engine cannot compile.
 */
export function compileDataSchema(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = dataValidators.get(key);
  if (hit) return hit.validate;
  dataAjv ??= createAjv();
  const validate = dataAjv.compile(schema);
  if (dataValidators.size >= DATA_CACHE_LIMIT) {
    const [oldest, entry] = dataValidators.entries().next().value as [string, { schema: object }];
    dataValidators.delete(oldest);
    dataAjv.removeSchema(entry.schema);
  }
  dataValidators.set(key, { schema, validate });
  return validate;
}

export type { ErrorObject };
