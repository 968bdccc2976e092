import { anyValue, dateTime, jsonObject, nullableString, optionalDateTime, people, text, uuid } from './common.ts';
import { task } from './tasks.ts';

/** What of an answer's personal data is masked (services/personal-data.ts), and whether the caller may reveal it. */
export const personalView = {
  type: 'object',
  required: ['masked', 'revealed', 'mayReveal'],
  properties: {
    masked: { type: 'array', items: { type: 'string' }, description: 'the data paths holding phone or ID numbers, masked in this answer unless revealed (`residents/0/phone`; in history prefixed by the event seq)' },
    revealed: { type: 'boolean', description: 'true when this answer shows them unmasked (`reveal=1`; the read is audited)' },
    mayReveal: { type: 'boolean', description: "the caller's role holds the personal-data permission" },
  },
  additionalProperties: false,
} as const;

/** An instance (a request) as every instance route answers it. */
export const instanceSummary = {
  type: 'object',
  required: ['id', 'estateId', 'unitId', 'workflow', 'workflowVersion', 'definitionVersionId', 'serial', 'state', 'status', 'grade', 'version', 'data', 'startedAt', 'updatedAt', 'endedAt'],
  properties: {
    id: uuid,
    estateId: uuid,
    unitId: { type: ['string', 'null'], format: 'uuid' },
    workflow: { type: 'string', description: 'the workflow key' },
    workflowVersion: { type: 'integer' },
    definitionVersionId: uuid,
    serial: { type: 'string', description: 'the request number, e.g. RP-000001' },
    state: { ...anyValue, description: 'the state value: a state name, or an object for parallel and nested states' },
    status: { type: 'string', enum: ['active', 'done'] },
    grade: nullableString,
    version: { type: 'integer', description: 'send it back as expectedVersion' },
    data: { ...jsonObject, description: 'the context data: every accepted form field' },
    startedAt: dateTime,
    updatedAt: dateTime,
    endedAt: optionalDateTime,
    unitLabel: { ...nullableString, description: 'the unit as people say it (lists and the detail)' },
    personal: personalView,
  },
  additionalProperties: false,
} as const;


export const instanceList = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: instanceSummary },
    nextCursor: { type: ['string', 'null'], description: 'send it back as `cursor` for the next page; null on the last' },
    total: { type: 'integer', description: 'with `total=true` only' },
  },
  additionalProperties: false,
} as const;

/** One SLA clock of an instance, computed from its history. */
export const clock = {
  type: 'object',
  required: ['policy', 'metricId', 'status', 'timeBase', 'startedAt', 'stoppedAt', 'dueAt', 'budgetMs', 'goalKind', 'elapsedMs', 'remainingMs', 'pausedMs'],
  properties: {
    policy: { type: 'string' },
    metricId: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'running', 'paused', 'met', 'breached', 'stopped'], description: 'stopped: the request ended before the clock\'s stop condition held and within its goal (neither met nor breached)' },
    timeBase: { type: 'string' },
    startedAt: optionalDateTime,
    stoppedAt: optionalDateTime,
    dueAt: optionalDateTime,
    budgetMs: { type: ['number', 'null'] },
    goalKind: { type: ['string', 'null'], enum: ['duration', 'instant', null], description: 'a duration goal ("within 30 minutes") is shown as its length, an instant goal ("by the 10th") as its due time' },
    elapsedMs: { type: 'number' },
    remainingMs: { type: ['number', 'null'] },
    pausedMs: { type: 'number' },
  },
  additionalProperties: false,
} as const;

/** An event the caller may send now. */
export const action = {
  type: 'object',
  required: ['type', 'form'],
  properties: { type: { type: 'string' }, label: text, form: { ...nullableString, description: 'the form its data must pass' } }, additionalProperties: false,
} as const;

export const instanceDetail = {
  ...instanceSummary,
  required: [...instanceSummary.required, 'title', 'clocks', 'clockIssues', 'actions', 'tasks', 'timers', 'startedByName', 'requestedForName'],
  properties: {
    ...instanceSummary.properties,
    startedByName: { ...nullableString, description: "who registered it, by display name (null: the system)" },
    requestedForName: { ...nullableString, description: 'the resident a staff member registered it for (PS-12), by display name (null: registered for themselves)' },
    title: { ...text, description: "the workflow's title" },
    clocks: { type: 'array', items: clock },
    clockIssues: { type: 'array', items: { type: 'object', required: ['policy', 'message'], properties: { policy: { type: 'string' }, path: { type: 'string' }, message: { anyOf: [text, { type: 'array' }] } }, additionalProperties: false } },
    actions: { type: 'array', items: action },
    formParams: { type: 'object', description: "the estate's values of the parameters the caller's action forms read (their labels' {{params.x}}, their rules' params.x), so a form reads 7 days, never its placeholder" },
    tasks: { type: 'array', items: { ...task, properties: { ...task.properties, assigneeName: { type: ['string', 'null'], description: "the holder's display name" } } } },
    timers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'event', 'dueAt', 'sla'],
        properties: { key: { type: 'string' }, event: { type: 'string' }, dueAt: dateTime, sla: { type: 'boolean', description: 'an SLA timer (the key scheme is ef_sla_timer_key\'s): screens show its clock instead' } },
        additionalProperties: false,
      },
    },
    people,
  },
} as const;

/** One accepted event of the append-only history. */
export const historyEntry = {
  type: 'object',
  required: ['seq', 'type', 'data', 'actorId', 'actorRole', 'at', 'state'],
  properties: {
    seq: { type: 'integer' },
    type: { type: 'string' },
    data: jsonObject,
    actorId: { type: ['string', 'null'], format: 'uuid' },
    actorName: { ...nullableString, description: "the actor's display name" },
    actorRole: { type: 'string' },
    at: dateTime,
    state: { ...anyValue, description: 'the state value after the event' },
  },
  additionalProperties: false,
} as const;

export const history = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: historyEntry }, people, personal: personalView }, additionalProperties: false } as const;

/** The figures of the month an event would freeze now (`GET /api/instances/:id/figures`, #22). */
export const eventFigures = {
  type: 'object',
  required: ['event', 'month', 'data'],
  properties: {
    event: { type: 'string' },
    month: { ...nullableString, description: "the request's month (YYYY-MM), null when it names none" },
    data: { ...jsonObject, description: "the event form's fields marked `figure`, by field name: a number, a yes/no, or a table's rows" },
  },
  additionalProperties: false,
} as const;
