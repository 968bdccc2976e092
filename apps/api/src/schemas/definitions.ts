import { dateTime, issue, jsonObject, text, uuid } from './common.ts';

/** A person behind a version: their id and display name (null when no longer found). */
const person = { type: 'object', required: ['id', 'name'], properties: { id: uuid, name: { type: ['string', 'null'] } }, additionalProperties: false } as const;

/** A published, immutable version of a definition. */
export const versionSummary = {
  type: 'object',
  required: ['id', 'estateId', 'kind', 'key', 'version', 'changeNote', 'bundle', 'publishedAt', 'publishedBy', 'review'],
  properties: {
    id: uuid,
    estateId: uuid,
    kind: { type: 'string' },
    key: { type: 'string' },
    version: { type: 'integer' },
    title: text,
    changeNote: { type: 'string' },
    bundle: { anyOf: [{ type: 'null' }, { type: 'object', required: ['installId', 'id', 'version'], properties: { installId: { type: ['string', 'null'] }, id: { type: 'string' }, version: { type: ['string', 'null'] } }, additionalProperties: false }] },
    publishedAt: dateTime,
    publishedBy: { type: ['string', 'null'] },
    review: {
      description: 'who drafted and who approved this version, when, under which rule, and the change list the approver reviewed (#19); null for versions installed from a bundle or published before it was kept',
      anyOf: [{ type: 'null' }, {
        type: 'object',
        required: ['fourEyes', 'draftedBy', 'draftedAt', 'approvedBy', 'approvedAt', 'changes'],
        properties: {
          fourEyes: { type: 'boolean', description: "the company's four-eyes rule held: the approver is not the drafter" },
          draftedBy: { anyOf: [{ type: 'null' }, person] },
          draftedAt: { ...dateTime, description: 'when the draft published was saved (the publish itself when the document was not a saved draft)' },
          approvedBy: { anyOf: [{ type: 'null' }, person] },
          approvedAt: dateTime,
          changes: { type: 'array', items: { type: 'object', required: ['path', 'text'], properties: { path: { type: 'string' }, text }, additionalProperties: false }, description: 'the change list against the version before, in words (zh/en)' },
        },
        additionalProperties: false,
      }],
    },
  },
  additionalProperties: false,
} as const;

/** The re-timing a publish of an SLA policy or calendar queued: how many running requests the worker re-times. */
export const rearm = { type: 'object', required: ['instances', 'message'], properties: { instances: { type: 'integer' }, message: text }, additionalProperties: false, description: 'how many running requests the worker re-times on this SLA policy or calendar' } as const;

export const definitionList = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'key', 'latest', 'hasDraft'],
        properties: {
          kind: { type: 'string' },
          key: { type: 'string' },
          title: text,
          workflow: { type: 'string', description: 'an SLA policy: the workflow it measures' },
          forms: { type: 'array', items: { type: 'string' }, description: 'a workflow: the forms it names (the designer lists them under it)' },
          latest: { anyOf: [{ type: 'null' }, versionSummary] },
          hasDraft: { type: 'boolean' },
          draftUpdatedAt: dateTime,
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const validation = {
  type: 'object',
  required: ['valid', 'issues', 'warnings'],
  properties: { valid: { type: 'boolean' }, issues: { type: 'array', items: issue }, warnings: { type: 'array', items: issue } }, additionalProperties: false,
} as const;

export const draftSaved = {
  type: 'object',
  required: ['kind', 'key', 'valid', 'issues', 'updatedAt'],
  properties: { kind: { type: 'string' }, key: { type: 'string' }, valid: { type: 'boolean' }, issues: { type: 'array', items: issue }, warnings: { type: 'array', items: issue }, updatedAt: dateTime }, additionalProperties: false,
} as const;

export const draft = {
  type: 'object',
  required: ['kind', 'key', 'document', 'updatedAt'],
  properties: {
    kind: { type: 'string' },
    key: { type: 'string' },
    document: { ...jsonObject, description: 'the draft document' },
    updatedAt: { ...dateTime, description: "the draft's revision: send it back as `baseRevision` when saving, so a save over someone else's is refused (409)" },
    updatedBy: { type: ['string', 'null'], description: 'the name of the person who saved it last' },
  },
  additionalProperties: false,
} as const;

export const published = { ...versionSummary, properties: { ...versionSummary.properties, rearm } } as const;

export const versionList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: versionSummary } }, additionalProperties: false } as const;

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
    changes: { type: 'array', items: { type: 'object', required: ['op', 'path'], properties: { op: { type: 'string' }, path: { type: 'string' }, from: {}, to: {} }, additionalProperties: false } },
  },
  additionalProperties: false,
} as const;

export const jsonSchemaDocument = {
  type: 'object',
  required: ['$schema'],
  properties: { $schema: { type: 'string' }, $id: { type: 'string' }, title: { type: 'string' }, type: { type: 'string' }, properties: { type: 'object' }, $defs: { type: 'object' } },
  // its keywords are JSON Schema's, not the API's: open on purpose
  additionalProperties: true,
  description: 'a JSON Schema (2020-12) document',
} as const;

/** What publishing a document reaches: running requests, and a sentence to show before publishing. */
export const impact = {
  type: 'object',
  required: ['impact'],
  properties: { impact: { anyOf: [{ type: 'null' }, { type: 'object', required: ['running', 'message'], properties: { running: { type: 'integer' }, message: text }, additionalProperties: false }] } }, additionalProperties: false,
} as const;

const optionWords = { type: 'array', items: { type: 'object', required: ['value', 'label'], properties: { value: {}, label: text }, additionalProperties: false } } as const;
/** One column of a repeatable group: how each item's field reads. */
const columnWords = { type: 'object', required: ['title'], properties: { title: text, widget: { type: 'string' }, options: optionWords }, additionalProperties: false } as const;
/** How one field of a request's data reads: its title, how to show it, its option texts, a repeatable group's columns by item field. */
export const fieldWords = {
  type: 'object',
  required: ['title'],
  properties: { title: text, widget: { type: 'string' }, options: optionWords, columns: { type: 'object', additionalProperties: columnWords }, figure: { type: 'string', description: 'a figure of the month the server computed and froze (#22); a table reads as a table' } }, additionalProperties: false,
} as const;

/**
 * The words people read of a published workflow version as a role reads them: titles of the
 * workflow, its states, events and SLA metrics; labels and option texts of the data fields the
 * role may see, and the names of those it may not (`hidden`); the description. Produced by
 * `definitionWords` (src/services/definition-words.ts), read by every screen ($lib/present).
 */
export const workflowWords = {
  type: 'object',
  required: ['key', 'version', 'title', 'states', 'events', 'fields', 'hidden', 'metrics'],
  properties: {
    key: { type: 'string' },
    version: { type: 'integer' },
    title: text,
    description: text,
    states: { type: 'object', additionalProperties: text },
    events: { type: 'object', additionalProperties: { type: 'object', required: ['title'], properties: { title: text, fields: { type: 'object', additionalProperties: fieldWords }, hidden: { type: 'array', items: { type: 'string' } } }, additionalProperties: false } },
    fields: { type: 'object', additionalProperties: fieldWords },
    hidden: { type: 'array', items: { type: 'string' }, description: 'data fields the role may not see' },
    metrics: { type: 'object', additionalProperties: { type: 'object', required: ['title'], properties: { title: text }, additionalProperties: false } },
    summary: { type: 'array', items: { type: 'string' }, description: 'the key fields lists show beside the unit and title (fields marked summary), of those the role may see' },
    timers: { type: 'object', additionalProperties: text, description: "the titles of the workflow's timers by delay name" },
    initial: { type: 'object', description: "the workflow's starting value of the fields the role may see that a later step decides (a context default such as kind \"minor\" or a price of 0): a request still at this value, that no event has written, shows the field as not yet decided" },
  },
  additionalProperties: false,
} as const;

/** `GET /definitions/versions/{id}/words`: a workflow's words (`workflowWords`, with its kind), or another kind's key, version and title. */
export const words = {
  anyOf: [
    { ...workflowWords, required: [...workflowWords.required, 'kind'], properties: { kind: { type: 'string', const: 'workflow' }, ...workflowWords.properties } },
    { type: 'object', required: ['kind', 'key', 'version'], properties: { kind: { type: 'string', not: { const: 'workflow' } }, key: { type: 'string' }, version: { type: 'integer' }, title: text }, additionalProperties: false },
  ],
} as const;

/** The words of several versions at once, by version id, and the ids the caller may not read. */
export const wordsBatch = {
  type: 'object',
  required: ['items', 'refused'],
  properties: {
    items: { type: 'object', additionalProperties: words },
    refused: { type: 'array', items: { type: 'string' }, description: 'versions left out: not found, or not readable by the caller' },
    same: { type: 'object', additionalProperties: { type: 'string' }, description: 'versions whose words are word for word those of another version in `items` (the same workflow installed in several estates), by version id: the id in `items` to read them from' },
  },
  additionalProperties: false,
} as const;

/** One line of the change list in words (`changeList` of @estateflow/definitions): where, and what, in zh/en. */
export const changeLine = { type: 'object', required: ['path', 'text'], properties: { path: { type: 'string', description: 'JSON pointer into the draft' }, text }, additionalProperties: false } as const;

/** The company's publishing rules (#19): `fourEyes`, a publish approved by someone other than the drafter. */
export const publishRules = {
  type: 'object',
  required: ['fourEyes'],
  properties: { fourEyes: { type: 'boolean', description: 'true: the person who saved the draft cannot publish it; another designer approves it (off by default)' } },
  additionalProperties: false,
} as const;

/** A roll back: published as the next version, or (four-eyes) stored as the caller's draft for someone else to approve. */
export const rolledBack = {
  type: 'object',
  required: ['message'],
  properties: {
    published: { ...published, description: 'the new version (the company does not ask for a second person)' },
    draftUpdatedAt: { ...dateTime, description: 'four-eyes: the earlier version is now the draft (its revision), for another designer to approve' },
    message: text,
  },
  additionalProperties: false,
} as const;

/** The review of one document for several estates at once: per estate, the change list against its published version and the running requests reached. */
export const estatesReview = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['estateId', 'estateName', 'latestVersion', 'changes', 'issues', 'impact'],
        properties: {
          estateId: uuid,
          estateName: { type: 'string' },
          latestVersion: { type: ['integer', 'null'], description: 'the version published there now, null when none' },
          changes: { type: 'array', items: changeLine },
          issues: { type: 'array', items: issue, description: 'why it cannot be published there (empty: it can)' },
          impact: impact.properties.impact,
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const estatesPublished = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: published } }, additionalProperties: false } as const;

const tally = {
  type: 'object',
  required: ['met', 'breached', 'open', 'stopped'],
  properties: {
    met: { type: 'integer' },
    breached: { type: 'integer' },
    open: { type: 'integer', description: 'still running or paused now' },
    stopped: { type: 'integer', description: 'the request ended (cancelled, withdrawn) within its goal before the stop condition held' },
  },
  additionalProperties: false,
} as const;
const outcome = { type: 'string', enum: ['met', 'breached', 'open', 'stopped'] } as const;
/** How the estate's requests of the last 90 days would have fared under a draft SLA policy or calendar, next to the published one. */
export const whatIf = {
  type: 'object',
  required: ['from', 'to', 'requests', 'leftOut', 'rows', 'flips'],
  properties: {
    from: dateTime,
    to: dateTime,
    requests: { type: 'integer', description: 'requests replayed (started in the window)' },
    leftOut: { type: 'integer', description: 'older requests of the window not replayed (at most 2000 are)' },
    rows: {
      type: 'array',
      items: { type: 'object', required: ['metricId', 'metric', 'grade', 'published', 'draft'], properties: { metricId: { type: 'string' }, metric: text, grade: { ...text, description: 'the goal chosen (its title)' }, published: tally, draft: tally }, additionalProperties: false },
    },
    flips: {
      type: 'array',
      description: 'requests whose outcome differs (at most 500)',
      items: { type: 'object', required: ['instanceId', 'serial', 'title', 'metricId', 'metric', 'published', 'draft'], properties: { instanceId: uuid, serial: { type: 'string' }, title: text, metricId: { type: 'string' }, metric: text, published: outcome, draft: outcome }, additionalProperties: false },
    },
  },
  additionalProperties: false,
} as const;
