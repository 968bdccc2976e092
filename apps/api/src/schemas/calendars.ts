import { dateTime, jsonObject, text, uuid } from './common.ts';
import { rearm } from './definitions.ts';

export const calendarList = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: { type: 'object', required: ['key', 'updatedAt'], properties: { key: { type: 'string' }, title: text, timeZone: { type: 'string' }, updatedAt: dateTime }, additionalProperties: false } } }, additionalProperties: false,
} as const;

export const calendar = {
  type: 'object',
  required: ['key', 'document', 'updatedAt'],
  properties: { key: { type: 'string' }, document: { ...jsonObject, description: 'the calendar document (schema: /api/definitions/schemas/calendar)' }, updatedAt: dateTime }, additionalProperties: false,
} as const;

export const calendarPublished = {
  type: 'object',
  required: ['key', 'version', 'versionId'],
  properties: { key: { type: 'string' }, version: { type: 'integer' }, versionId: uuid, rearm }, additionalProperties: false,
} as const;
