import { compileForm, FormDefinitionError, renderModel, validateFormData, type FormDefinition } from '@estateflow/forms';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { authOf, everyone, requireEstate, Resource } from '../route-table.ts';
import { param } from '../services/body.ts';
import { latestVersion } from '../services/definition-store.ts';
import * as S from '../schemas/forms.ts';

async function loadForm(c: Context<AppEnv>, estateId: string | undefined, key: string) {
  const role = requireEstate(c, estateId);
  const v = await latestVersion(c.get('deps').db, authOf(c).tenantId, estateId!, 'form', key);
  if (!v) throw notFound('form', key);
  try {
    return { role, version: v, compiled: compileForm(v.document as unknown as FormDefinition) };
  } catch (e) {
    if (e instanceof FormDefinitionError) throw new ApiError('invalid-definition', { zh: `表单“${key}”无效`, en: `Form "${key}" is invalid` }, { cause: e });
    throw e;
  }
}

export const formRoutes = new Resource('/forms', 'Forms')
  .get(
    '/:key/render',
    {
      responses: { 200: S.rendered },
      summary: 'The render model of a published form for a locale (zh-CN default), with field rules evaluated for the caller',
      access: everyone,
      estate: { from: 'query' },
      pathExample: { key: 'ticket-open' },
      query: { estateId: { type: 'string' }, locale: { type: 'string', enum: ['zh-CN', 'en'] }, data: { type: 'string', description: 'current values as JSON (optional)' } },
    },
    async (c) => {
      const key = param(c, 'key');
      const estateId = c.req.query('estateId');
      const { role, version, compiled } = await loadForm(c, estateId, key);
      const auth = authOf(c);
      let data: unknown = {};
      const raw = c.req.query('data');
      if (raw) {
        try {
          data = JSON.parse(raw);
        } catch (cause) {
          throw new ApiError('invalid-request', { zh: 'data 不是有效的 JSON', en: 'data is not valid JSON' }, { field: 'data', cause });
        }
      }
      const model = renderModel(compiled, { locale: c.req.query('locale') ?? auth.locale, data, actor: { id: auth.userId, role }, now: c.get('deps').config.now() });
      return c.json({ form: key, version: version.version, versionId: version.id, model });
    },
  )
  .post(
    '/:key/validate',
    {
      responses: { 200: S.formCheck },
      summary: 'Check form data against a published form: field errors with zh/en messages',
      access: everyone,
      estate: { from: 'body' },
      pathExample: { key: 'ticket-open' },
      body: { type: 'object', required: ['estateId', 'data'], properties: { estateId: { type: 'string', minLength: 1 }, data: { type: 'object' } } },
      example: { data: { summary: '漏水' } },
    },
    async (c, { body: { estateId, data } }) => {
      const { role, compiled } = await loadForm(c, estateId, param(c, 'key'));
      const result = validateFormData(compiled, data, { actor: { id: authOf(c).userId, role }, now: c.get('deps').config.now() });
      return c.json(result);
    },
  );
