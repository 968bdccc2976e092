import { jsonObject, text, uuid } from './common.ts';

/** A process the caller may start: the latest published version of a workflow. */
export const process = {
  type: 'object',
  required: ['key', 'title', 'category', 'startForm', 'version', 'versionId'],
  properties: {
    key: { type: 'string' },
    title: text,
    description: text,
    category: { type: 'string', description: "repair | complaint | home | everyday | safety | billing | other (or the definition's own)" },
    icon: { type: 'string' },
    startForm: { type: ['string', 'null'] },
    version: { type: 'integer' },
    versionId: uuid,
  },
  additionalProperties: false,
} as const;

export const processList = {
  type: 'object',
  required: ['items', 'units'],
  properties: {
    items: { type: 'array', items: process },
    units: { type: 'array', items: { type: 'object', required: ['id', 'label'], properties: { id: uuid, label: { type: 'string' } }, additionalProperties: false } },
  },
  additionalProperties: false,
} as const;

export const startForm = {
  type: 'object',
  required: ['process', 'title', 'version', 'form'],
  properties: { process: { type: 'string' }, title: text, version: { type: 'integer' }, form: { anyOf: [{ type: 'null' }, { ...jsonObject, description: 'the form definition (schema: /api/definitions/schemas/form)' }] } }, additionalProperties: false,
} as const;
