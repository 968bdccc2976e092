import { dateTime, issue, jsonObject, text, uuid } from './common.ts';

export const catalogue = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'valid', 'issues'],
        properties: {
          id: { type: 'string' },
          version: { type: ['string', 'integer'] },
          title: text,
          description: text,
          requirements: { type: 'array', items: { type: 'string' } },
          parameters: { ...jsonObject, description: 'parameter specs by name' },
          roles: { type: 'array', description: 'the roles the bundle declares it needs', items: { type: 'object', required: ['key', 'title', 'description'], properties: { key: { type: 'string' }, title: text, description: text }, additionalProperties: false } },
          missingRoles: { type: 'array', items: { type: 'string' }, description: "keys of the declared roles the caller's company lacks: installing creates them only with createRoles" },
          requires: { type: 'array', description: 'the bundles that must be installed in the estate first, each with its reason and (when in the catalogue) its title', items: { type: 'object', required: ['bundle', 'reason'], properties: { bundle: { type: 'string' }, reason: text, title: text }, additionalProperties: false } },
          valid: { type: 'boolean' },
          issues: { type: 'array', items: issue },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const install = {
  type: 'object',
  required: ['id', 'estateId', 'bundleId', 'bundleVersion', 'source', 'parameters', 'installedAt', 'installedBy'],
  properties: {
    id: uuid,
    estateId: uuid,
    bundleId: { type: 'string' },
    bundleVersion: { type: 'string' },
    source: { type: 'string', enum: ['catalogue', 'upload'] },
    parameters: { ...jsonObject, description: 'parameter values by name' },
    installedAt: dateTime,
    installedBy: { type: ['string', 'null'] },
  },
  additionalProperties: false,
} as const;

export const installed = {
  ...install,
  required: [...install.required, 'versions'],
  properties: {
    ...install.properties,
    versions: { type: 'array', items: { type: 'object', required: ['id', 'kind', 'key', 'version'], properties: { id: uuid, kind: { type: 'string' }, key: { type: 'string' }, version: { type: 'integer' } }, additionalProperties: false } },
  },
} as const;

export const installList = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: install } }, additionalProperties: false } as const;

export const bundlePackage = {
  type: 'object',
  required: ['bundle', 'files'],
  properties: { bundle: { ...jsonObject, description: 'the bundle manifest (schema: /api/definitions/schemas/bundle)' }, files: { ...jsonObject, description: 'definition documents by file name' }, parameters: jsonObject }, additionalProperties: false,
} as const;

export const installParams = {
  ...install,
  required: [...install.required, 'specs', 'order'],
  properties: {
    ...install.properties,
    specs: { ...jsonObject, description: 'parameter specs by name' },
    order: {
      anyOf: [
        { type: 'null' },
        { type: 'object', required: ['parameters', 'workflows'], properties: { parameters: { type: 'array', items: { type: 'string' } }, workflows: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } }, additionalProperties: false },
      ],
    },
  },
} as const;
