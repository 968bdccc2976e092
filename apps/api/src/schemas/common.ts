/**
 * Building blocks of the route schemas (JSON Schema 2020-12, declared `as const` so
 * json-schema-to-ts derives their TypeScript types). This folder imports nothing at run time: the
 * web app reads its types from here (`@estateflow/api/schemas`).
 */

export const text = { type: 'object', required: ['zh', 'en'], properties: { zh: { type: 'string' }, en: { type: 'string' } }, additionalProperties: false, description: 'a text in Chinese and English' } as const;
export const uuid = { type: 'string', format: 'uuid' } as const;
export const dateTime = { type: 'string', format: 'date-time' } as const;
export const optionalDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const civilDate = { type: 'string', format: 'date', description: 'a civil date YYYY-MM-DD in the estate\'s time zone' } as const;
/** A month YYYY-MM of the years 2000–2099 (a report's or reconciliation's month; a later year is not a month anyone bills or reports). */
export const yearMonth = { type: 'string', pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$', description: 'a month YYYY-MM of the years 2000–2099', examples: ['2026-12'] } as const;
export const fen = { type: 'integer', description: 'an amount of money in fen (1 yuan = 100 fen)' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
/** A document or value of the definition language: its own schema is in /api/definitions/schemas/{kind}. */
export const jsonObject = { type: 'object', description: 'a JSON object (its shape is defined elsewhere, see the description of the field)' } as const;
/** Any JSON value (a state value of the workflow, a form field's value). */
export const anyValue = { description: 'any JSON value' } as const;

/** A finding about a definition: a JSON pointer and a message in zh and en. */
export const issue = {
  type: 'object',
  required: ['path', 'message'],
  properties: { path: { type: 'string', description: 'JSON pointer into the document' }, message: text, severity: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' }, file: { type: 'string', description: 'the bundle file concerned' } }, additionalProperties: false,
} as const;

/** Every error answer: a tagged reason, a zh/en message, and the field or JSON path it concerns. */
export const apiError = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['reason', 'message'],
      properties: {
        reason: {
          type: 'string',
          enum: ['unauthenticated', 'bad-credentials', 'forbidden', 'not-found', 'invalid-request', 'invalid-definition', 'form-invalid', 'event-refused', 'version-conflict', 'idempotency-mismatch', 'conflict', 'too-large', 'unsupported-type', 'too-many-attempts', 'cross-origin', 'password-change-required', 'amount-out-of-range', 'internal'],
        },
        message: text,
        field: { type: 'string', description: 'the field of the request concerned' },
        path: { type: 'string', description: 'the JSON pointer concerned' },
        issues: {
          type: 'array',
          description: 'every problem found: a form field (field, keyword), an input (field, path), a definition (path, file)',
          items: { type: 'object', properties: { path: { type: 'string' }, field: { type: 'string' }, keyword: { type: 'string' }, file: { type: 'string' }, message: { anyOf: [text, { type: 'string' }] } }, additionalProperties: false },
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
  examples: [{ error: { reason: 'invalid-request', message: { zh: '字段“estateId”：必填项', en: 'Field "estateId": this field is required' }, field: 'estateId', path: '/estateId' } }],
} as const;

/** Display names of the users an answer names by id (actors, an assigned technician): never usernames. */
export const people = { type: 'object', additionalProperties: { type: 'string' }, description: 'display name by user id' } as const;

export const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean', const: true } }, additionalProperties: false } as const;
