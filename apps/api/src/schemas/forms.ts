import { anyValue, jsonObject, text, uuid } from './common.ts';

const renderField = {
  type: 'object',
  required: ['field', 'pointer', 'widget', 'label', 'value', 'visible', 'enabled', 'required', 'constraints', 'errors'],
  properties: {
    field: { type: 'string' },
    pointer: { type: 'string', description: 'JSON pointer of the value, as in a field error' },
    widget: { type: 'string' },
    label: { type: 'string' },
    help: { type: 'string' },
    placeholder: { type: 'string' },
    options: { type: 'array', items: { type: 'object', required: ['value', 'label'], properties: { value: { type: ['string', 'number', 'boolean'] }, label: { type: 'string' } }, additionalProperties: false } },
    value: anyValue,
    display: { type: 'string', description: 'money fields: the value in yuan' },
    visible: { type: 'boolean' },
    enabled: { type: 'boolean' },
    required: { type: 'boolean' },
    constraints: {
      type: 'object',
      properties: {
        type: { type: 'string' }, minLength: { type: 'integer' }, maxLength: { type: 'integer' }, pattern: { type: 'string' }, format: { type: 'string' },
        minimum: { type: 'number' }, maximum: { type: 'number' }, minItems: { type: 'integer' }, maxItems: { type: 'integer' }, items: jsonObject,
      },
      additionalProperties: false,
    },
    rows: { type: 'integer' },
    max: { type: 'number' },
    accept: { type: 'array', items: { type: 'string' } },
    maxFiles: { type: 'integer' },
    errors: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
} as const;

/** A form laid out for one locale, with its rules evaluated for the caller (`GET /api/forms/{key}/render`). */
export const renderModel = {
  type: 'object',
  required: ['id', 'locale', 'title', 'sections'],
  properties: {
    id: { type: 'string' },
    locale: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    sections: {
      type: 'array',
      items: { type: 'object', required: ['id', 'title', 'visible', 'fields'], properties: { id: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, visible: { type: 'boolean' }, fields: { type: 'array', items: renderField } }, additionalProperties: false },
    },
  },
  additionalProperties: false,
} as const;

export const rendered = {
  type: 'object',
  required: ['form', 'version', 'versionId', 'model'],
  properties: { form: { type: 'string' }, version: { type: 'integer' }, versionId: uuid, model: renderModel }, additionalProperties: false,
} as const;

export const fieldError = {
  type: 'object',
  required: ['field', 'keyword', 'message'],
  properties: { field: { type: 'string', description: 'JSON pointer of the value' }, keyword: { type: 'string' }, message: text }, additionalProperties: false,
} as const;

export const formCheck = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { type: 'boolean' }, data: { ...jsonObject, description: 'the accepted data (when ok)' }, errors: { type: 'array', items: fieldError } }, additionalProperties: false,
} as const;
