import { civilDate, dateTime, nullableString, optionalDateTime, people, text, uuid } from './common.ts';

const counts = { type: 'integer', minimum: 0 } as const;
const share = { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'a share between 0 and 1; null when nothing was counted' } as const;

export const summary = {
  type: 'object',
  required: ['estateId', 'from', 'to', 'byWorkflow', 'complaints', 'taskDue'],
  properties: {
    estateId: uuid,
    from: dateTime,
    to: dateTime,
    byWorkflow: { type: 'array', items: { type: 'object', required: ['workflow', 'status', 'count'], properties: { workflow: { type: 'string' }, status: { type: 'string' }, count: counts }, additionalProperties: false } },
    complaints: { type: 'array', items: { type: 'object', required: ['grade', 'status', 'count'], properties: { grade: nullableString, status: { type: 'string' }, count: counts }, additionalProperties: false } },
    taskDue: { type: 'array', items: { type: 'object', required: ['workflow', 'closed', 'closedOnTime', 'openOverdue'], properties: { workflow: { type: 'string' }, closed: counts, closedOnTime: counts, openOverdue: counts }, additionalProperties: false } },
  },
  additionalProperties: false,
} as const;

export const slaReport = {
  type: 'object',
  required: ['estateId', 'instances', 'items'],
  properties: {
    estateId: uuid,
    instances: counts,
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['workflow', 'policy', 'metricId', 'met', 'breached', 'running', 'paused', 'pending', 'compliance'],
        properties: { workflow: { type: 'string' }, policy: { type: 'string' }, metricId: { type: 'string' }, met: counts, breached: counts, running: counts, paused: counts, pending: counts, compliance: share }, additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const revisitReport = {
  type: 'object',
  required: ['estateId', 'ended', 'revisited', 'revisitRate', 'revisits', 'onSite', 'onSiteShare', 'onSiteRule', 'byMethod', 'byWorkflow'],
  properties: {
    estateId: uuid,
    ended: counts,
    revisited: counts,
    revisitRate: share,
    revisits: counts,
    onSite: counts,
    onSiteShare: share,
    onSiteRule: { type: 'object', required: ['event', 'field', 'values'], properties: { event: { type: 'string' }, field: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
    byMethod: { type: 'object', additionalProperties: counts, description: 'revisits by the value of their method field' },
    byWorkflow: {
      type: 'array',
      items: { type: 'object', required: ['workflow', 'ended', 'revisited', 'revisits', 'onSite', 'onSiteShare'], properties: { workflow: { type: 'string' }, ended: counts, revisited: counts, revisits: counts, onSite: counts, onSiteShare: share }, additionalProperties: false },
    },
  },
  additionalProperties: false,
} as const;

/** Who a notice is for (the engine's `Recipient`): a role, a user id, the request's resident, or every resident of its building or estate. Open, like the payload: the engine's, not the API's. */
const recipient = {
  type: 'object',
  properties: { role: { type: 'string' }, user: { type: 'string' }, resident: { type: 'boolean' }, residents: { type: 'string', enum: ['building', 'estate'] } },
  additionalProperties: false,
} as const;

/** What a notice says: the delivered effect as the engine (`Effect` of @estateflow/engine: notify, escalate) or the SLA worker (`sla-timers.ts`) wrote it. */
export const noticePayload = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    message: text,
    to: recipient,
    channel: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' }, description: 'an escalation rung\'s roles' },
    ladder: { type: 'string' },
    rung: { type: 'integer' },
    sla: {
      type: 'object',
      required: ['policy', 'metric', 'kind'],
      properties: {
        policy: { type: 'string' }, metric: { type: 'string' }, kind: { type: 'string', enum: ['warning', 'breach', 'escalation'] }, percent: { type: 'number' }, rung: { type: 'integer' },
        serial: { type: 'string' }, dueAt: dateTime, firedFor: { ...dateTime, description: 'the instant the timer was armed for' }, timerKey: { type: 'string' },
      },
      additionalProperties: false,
      description: 'an SLA notice: the clock it is about (and what the worker recorded of it)',
    },
  },
  additionalProperties: false,
} as const;

/** A notice the worker delivered: a notify or escalate effect, an SLA warning, breach or rung. */
export const notice = {
  type: 'object',
  required: ['id', 'estateId', 'instanceId', 'serial', 'workflow', 'definitionVersionId', 'kind', 'payload', 'status', 'createdAt', 'deliveredAt'],
  properties: {
    id: uuid,
    estateId: uuid,
    instanceId: { type: ['string', 'null'], format: 'uuid' },
    serial: nullableString,
    workflow: nullableString,
    definitionVersionId: { type: ['string', 'null'], format: 'uuid', description: "the workflow version the notice's request runs on: its words (GET /definitions/words) name the process" },
    kind: { type: 'string', enum: ['notify', 'escalate'] },
    payload: noticePayload,
    status: { type: 'string' },
    createdAt: dateTime,
    deliveredAt: optionalDateTime,
  },
  additionalProperties: false,
} as const;

export const noticeList = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: notice }, nextCursor: { type: ['string', 'null'], description: 'send it back as `cursor` for the next page; null on the last' }, people }, additionalProperties: false,
} as const;

const name = { type: 'string' } as const;
/** The month's statistics (#22: PS-8, PS-9, RP-5, SV-1, SV-5), from the report rollups. */
export const monthlyStatistics = {
  type: 'object',
  required: ['estateId', 'month', 'from', 'to', 'requests', 'byCategory', 'byChannel', 'onTime', 'revisits', 'rework', 'complaints', 'surveys'],
  properties: {
    estateId: uuid,
    month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
    from: dateTime,
    to: dateTime,
    requests: { type: 'array', items: { type: 'object', required: ['workflow', 'started', 'finished'], properties: { workflow: name, started: counts, finished: counts }, additionalProperties: false } },
    byCategory: { type: 'array', items: { type: 'object', required: ['workflow', 'category', 'count'], properties: { workflow: name, category: nullableString, count: counts }, additionalProperties: false } },
    byChannel: { type: 'array', items: { type: 'object', required: ['workflow', 'channel', 'count'], properties: { workflow: name, channel: nullableString, count: counts }, additionalProperties: false } },
    onTime: {
      type: 'array',
      items: { type: 'object', required: ['workflow', 'policy', 'metricId', 'met', 'breached', 'rate'], properties: { workflow: name, policy: name, metricId: name, met: counts, breached: counts, rate: share }, additionalProperties: false },
    },
    revisits: {
      type: 'array',
      description: 'per workflow: requests finished in the month and revisited (coverage), revisits on site (share; PS-8 ≥ 5 %), satisfied and dissatisfied answers',
      items: {
        type: 'object',
        required: ['workflow', 'finished', 'revisited', 'coverage', 'revisits', 'onSite', 'onSiteShare', 'satisfied', 'dissatisfied', 'satisfaction'],
        properties: { workflow: name, finished: counts, revisited: counts, coverage: share, revisits: counts, onSite: counts, onSiteShare: share, satisfied: counts, dissatisfied: counts, satisfaction: share },
        additionalProperties: false,
      },
    },
    rework: { type: 'array', items: { type: 'object', required: ['workflow', 'started', 'reworked', 'reworks', 'rate'], properties: { workflow: name, started: counts, reworked: counts, reworks: counts, rate: share }, additionalProperties: false } },
    complaints: { type: 'array', items: { type: 'object', required: ['grade', 'count'], properties: { grade: nullableString, count: counts }, additionalProperties: false } },
    surveys: {
      type: 'object',
      required: ['households', 'returned', 'returnRate', 'target', 'met'],
      properties: { households: counts, returned: counts, returnRate: share, target: { type: 'number', minimum: 0, maximum: 1 }, met: { type: ['boolean', 'null'] } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** One line of the 物业工程遗留问题统计表: a value (category, party or state) with its words and counts. */
const countLine = {
  type: 'object',
  required: ['value', 'label', 'count', 'open', 'overdue'],
  properties: { value: { type: 'string' }, label: text, count: counts, open: counts, overdue: counts },
  additionalProperties: false,
} as const;

export const defectStatistics = {
  type: 'object',
  required: ['estateId', 'asOf', 'requests', 'total', 'open', 'overdue', 'byState', 'byCategory', 'byParty'],
  properties: {
    estateId: uuid,
    asOf: civilDate,
    requests: { ...counts, description: 'requests with at least one defect item' },
    total: counts,
    open: { ...counts, description: 'items not yet accepted' },
    overdue: { ...counts, description: 'open items past their fix-by date on asOf' },
    byState: { type: 'array', items: countLine },
    byCategory: { type: 'array', items: countLine },
    byParty: { type: 'array', items: countLine },
  },
  additionalProperties: false,
} as const;

/** The month's accountability records per person (#22: CP-9), from the complaints' histories. */
export const accountabilityReport = {
  type: 'object',
  required: ['estateId', 'month', 'from', 'to', 'people'],
  properties: {
    estateId: uuid,
    month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
    from: dateTime,
    to: dateTime,
    people: {
      type: 'array',
      description: 'one row per person held accountable in the month (as the record names them), most records first: counts by reason (late: handled late; upheld: the complaint was upheld; careless: careless handling) and each record',
      items: {
        type: 'object',
        required: ['person', 'personId', 'departments', 'late', 'upheld', 'careless', 'total', 'records'],
        properties: {
          person: { ...name, description: 'the display name of the staff member picked on the record (as typed on a record made before people were picked)' },
          personId: { ...nullableString, description: 'the picked staff member\'s user id; null on a record that names them as typed' },
          departments: { type: 'array', items: name },
          late: counts, upheld: counts, careless: counts, total: counts,
          records: {
            type: 'array',
            items: {
              type: 'object',
              required: ['instanceId', 'serial', 'workflow', 'at', 'reason', 'department', 'measure', 'recordedBy'],
              properties: { instanceId: uuid, serial: name, workflow: name, at: dateTime, reason: name, department: nullableString, measure: nullableString, recordedBy: { ...nullableString, description: 'display name of who recorded it' } },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;
