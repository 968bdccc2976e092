import { dateTime, jsonObject, nullableString, optionalDateTime, text, uuid } from './common.ts';

/** A task: work a role (or one user) owes on a request. The inbox adds the request's serial and workflow. */
export const task = {
  type: 'object',
  required: ['id', 'instanceId', 'key', 'title', 'role', 'assigneeId', 'form', 'events', 'dueAt', 'status', 'createdAt', 'claimedAt'],
  properties: {
    id: uuid,
    estateId: uuid,
    instanceId: uuid,
    key: { type: 'string' },
    title: text,
    role: nullableString,
    assigneeId: { type: ['string', 'null'], format: 'uuid' },
    form: nullableString,
    events: { type: 'array', items: { type: 'string' } },
    dueAt: optionalDateTime,
    status: { type: 'string', enum: ['open', 'done', 'cancelled'] },
    createdAt: dateTime,
    claimedAt: optionalDateTime,
    closedAt: optionalDateTime,
    serial: { type: 'string' },
    workflow: { type: 'string' },
    definitionVersionId: { ...uuid, description: "the request's pinned definition version (its words: GET /definitions/versions/{id}/words)" },
    state: { description: "the request's state value" },
    unitLabel: { ...nullableString, description: "the request's unit as people say it" },
    grade: { type: ['string', 'null'], description: "the request's grade (complaints: major, important, minor)" },
    summary: { ...jsonObject, description: "the request's key fields its definition marks summary (form fields `summary: true`), of those the caller's role may see, by field name" },
  },
  additionalProperties: false,
} as const;

export const taskList = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: task }, nextCursor: { type: ['string', 'null'], description: 'send it back as `cursor` for the next page; null on the last' } },
  additionalProperties: false,
} as const;

export const taskCounts = {
  type: 'object',
  required: ['open', 'overdue'],
  properties: {
    open: { type: 'integer', minimum: 0, description: "the caller's open tasks of the query (all of them, not a page)" },
    overdue: { type: 'integer', minimum: 0, description: 'of those, due now or earlier' },
  },
  additionalProperties: false,
} as const;
