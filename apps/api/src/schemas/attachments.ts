import { dateTime, uuid } from './common.ts';

export const attachment = {
  type: 'object',
  required: ['id', 'url', 'name', 'size', 'contentType', 'sha256'],
  properties: { id: uuid, url: { type: 'string', description: '/api/attachments/<id>: the value form fields keep' }, name: { type: 'string' }, size: { type: 'integer' }, contentType: { type: 'string' }, sha256: { type: 'string' }, createdAt: dateTime }, additionalProperties: false,
} as const;
