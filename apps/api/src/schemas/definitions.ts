import { dateTime, issue, jsonObject, text, uuid } from './common.ts';

/** A published, immutable version of a definition. */
export const versionSummary = {
  type: 'object',
  required: ['id', 'estateId', 'kind', 'key', 'version', 'changeNote', 'bundle', 'publishedAt', 'publishedBy'],
  properties: {
    id: uuid,
    estateId: uuid,
    kind: { type: 'string' },
    key: { type: 'string' },
    version: { type: 'integer' },
    title: text,
    changeNote: { type: 'string' },
    bundle: { anyOf: [{ type: 'null' }, { type: 'object', required: ['installId', 'id', 'version'], properties: { installId: { type: ['string', 'null'] }, id: { type: 'string' }, version: { type: ['string', 'null'] } } }] },
    publishedAt: dateTime,
    publishedBy: { type: ['string', 'null'] },
  },
} as const;

/** The re-timing a publish of an SLA policy or calendar queued: how many running requests the worker re-times. */
export const rearm = { type: 'object', required: ['instances', 'message'], properties: { instances: { type: 'integer' }, message: text }, description: 'how many running requests the worker re-times on this SLA policy or calendar' } as const;

export const definitionList = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'key', 'latest', 'hasDraft'],
        properties: { kind: { type: 'string' }, key: { type: 'string' }, title: text, latest: { anyOf: [{ type: 'null' }, versionSummary] }, hasDraft: { type: 'boolean' }, draftUpdatedAt: dateTime },
      },
    },
  },
} as const;

export const validation = {
  type: 'object',
  required: ['valid', 'issues', 'warnings'],
  properties: { valid: { type: 'boolean' }, issues: { type: 'array', items: issue }, warnings: { type: 'array', items: issue } },
} as const;

export const draftSaved = {
  type: 'object',
  required: ['kind', 'key', 'valid', 'issues', 'updatedAt'],
  properties: { kind: { type: 'string' }, key: { type: 'string' }, valid: { type: 'boolean' }, issues: { type: 'array', items: issue }, warnings: { type: 'array', items: issue }, updatedAt: dateTime },
} as const;

export const draft = {
  type: 'object',
  required: ['kind', 'key', 'document', 'updatedAt'],
  properties: { kind: { type: 'string' }, key: { type: 'string' }, document: { ...jsonObject, description: 'the draft document' }, updatedAt: dateTime },
} as const;

export const published = { ...versionSummary, properties: { ...versionSummary.properties, rearm } } as const;

export const versionList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: versionSummary } } } as const;

export const versionWithDocument = {
  ...versionSummary,
  required: [...versionSummary.required, 'document'],
  properties: { ...versionSummary.properties, document: { ...jsonObject, description: 'the definition document (schema: /api/definitions/schemas/{kind})' } },
} as const;

export const versionDiff = {
  type: 'object',
  required: ['from', 'to', 'changes'],
  properties: {
    from: { anyOf: [{ type: 'null' }, versionSummary] },
    to: versionSummary,
    changes: { type: 'array', items: { type: 'object', required: ['op', 'path'], properties: { op: { type: 'string' }, path: { type: 'string' }, from: {}, to: {} } } },
  },
} as const;

export const jsonSchemaDocument = {
  type: 'object',
  required: ['$schema'],
  properties: { $schema: { type: 'string' }, $id: { type: 'string' }, title: { type: 'string' }, type: { type: 'string' }, properties: { type: 'object' }, $defs: { type: 'object' } },
  description: 'a JSON Schema (2020-12) document',
} as const;

/** What publishing a document reaches: running requests, and a sentence to show before publishing. */
export const impact = {
  type: 'object',
  required: ['impact'],
  properties: { impact: { anyOf: [{ type: 'null' }, { type: 'object', required: ['running', 'message'], properties: { running: { type: 'integer' }, message: text } }] } },
} as const;

const fieldWords = {
  type: 'object',
  required: ['title'],
  properties: { title: text, widget: { type: 'string' }, options: { type: 'array', items: { type: 'object', required: ['value', 'label'], properties: { value: {}, label: text } } } },
} as const;

/** The words people read of a published version: titles of the workflow, states, events, fields and SLA metrics. */
export const words = {
  type: 'object',
  required: ['kind', 'key', 'version'],
  properties: {
    kind: { type: 'string' },
    key: { type: 'string' },
    version: { type: 'integer' },
    title: text,
    description: text,
    states: { type: 'object', additionalProperties: text },
    events: { type: 'object', additionalProperties: { type: 'object', required: ['title'], properties: { title: text, fields: { type: 'object', additionalProperties: fieldWords }, hidden: { type: 'array', items: { type: 'string' } } } } },
    fields: { type: 'object', additionalProperties: fieldWords },
    hidden: { type: 'array', items: { type: 'string' }, description: 'data fields the role may not see' },
    metrics: { type: 'object', additionalProperties: { type: 'object', required: ['title'], properties: { title: text } } },
    summary: { type: 'array', items: { type: 'string' }, description: 'the key fields lists show beside the unit and title (fields marked summary), of those the role may see' },
    timers: { type: 'object', additionalProperties: text, description: "the titles of the workflow's timers by delay name" },
  },
} as const;
