import { and, eq } from 'drizzle-orm';
import { users } from '@estateflow/db';
import { invalid } from '../errors.ts';
import { authOf, requireEstate, residentLinkers, Resource } from '../route-table.ts';
import { isUuid } from '../services/body.ts';
import { createResidentAccount, parseStaffInput } from '../services/people.ts';
import {
  DOCUMENTS, endLink, findResidentAccounts, issueLinkCode, LINK_CODE_TTL_MS, linksOf, parseKind, redeemLinkCode, unitResidents, verifyResident,
} from '../services/resident-links.ts';
import * as R from '../schemas/residents.ts';

const kind = { type: 'string', enum: ['owner', 'tenant', 'family'] } as const;
const days = LINK_CODE_TTL_MS / 86_400_000;

/**
 * Residents' links to units (the `residents_link` permission, narrower than `people`: the front desk
 * links residents without managing staff; but `/link` and `/mine`, which are the resident's own): a unit's residents with their periods, one-time link codes, front-desk verification, move-out.
 */
export const residentRoutes = new Resource('/residents', 'Residents')
  .get('/', { responses: { 200: R.residentLinkList }, summary: "A unit's residents, current and past, each with the period they lived there, how the link was made and who vouched for it (the unit's history)", access: residentLinkers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, unitId: { type: 'string', format: 'uuid' } }, queryRequired: ['unitId'] }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const auth = authOf(c);
    return c.json({ items: await unitResidents(c.get('deps').db, auth.tenantId, estateId!, c.req.query('unitId')!, auth.at) });
  })
  .get('/mine', { responses: { 200: R.residentLinkList }, summary: 'The units the caller lives or lived in, each with its period', access: 'signed-in', estate: { from: 'none' } }, async (c) => {
    const auth = authOf(c);
    return c.json({ items: await linksOf(c.get('deps').db, auth.tenantId, auth.userId, auth.at) });
  })
  .post('/codes', { responses: { 200: R.linkCode }, summary: `Issue a one-time link code for a unit and relation (owner, tenant, family member) to hand to a resident, who enters it on their page (valid ${days} days, used once)`, access: residentLinkers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'unitId', 'kind'], properties: { estateId: { type: 'string' }, unitId: { type: 'string' }, kind } }, example: { unitId: '00000000-0000-4000-8000-000000000000', kind: 'tenant' } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    return c.json(await db.transaction((tx) => issueLinkCode(tx, config, { tenantId: auth.tenantId, estateId: body.estateId, unitId: body.unitId, kind: parseKind(body.kind) }, auth.userId)));
  })
  .post('/link', { responses: { 200: R.linked }, errors: [429], summary: 'Link your account to a unit with the one-time code the front desk gave you (a wrong, used or expired code is refused and counted: 5 within 15 minutes stop further tries for a while)', access: 'signed-in', estate: { from: 'none' }, body: { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 40 } } }, example: { code: 'K7QP2-XM9RD' } }, async (c, { body }) => {
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    return c.json(await redeemLinkCode(db, config, { tenantId: auth.tenantId, userId: auth.userId }, body.code));
  })
  .get('/accounts', { responses: { 200: R.residentAccountList }, summary: 'Find resident accounts to link, by user name, name or phone (accounts holding no staff role)', access: residentLinkers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, q: { type: 'string' } }, queryRequired: ['q'] }, async (c) => {
    requireEstate(c, c.req.query('estateId'));
    const auth = authOf(c);
    return c.json({ items: await findResidentAccounts(c.get('deps').db, auth.tenantId, c.req.query('q') ?? '', auth.at) });
  })
  .post('/verify', {
    responses: { 200: R.verified },
    summary: `Front-desk verification: after checking the papers (documents: ${DOCUMENTS.join(', ')}), link a resident's account to a unit (userId), or create the account and link it (account); records who verified and when`,
    access: residentLinkers,
    estate: { from: 'body' },
    body: {
      type: 'object',
      required: ['estateId', 'unitId', 'kind', 'documents'],
      properties: {
        estateId: { type: 'string' }, unitId: { type: 'string' }, kind, userId: { type: 'string' },
        documents: { type: 'array', minItems: 1, items: { type: 'string', enum: [...DOCUMENTS] } },
        account: { type: 'object', required: ['username', 'realName'], properties: { username: { type: 'string' }, realName: { type: 'string' }, displayName: { type: 'string' }, phone: { type: 'string' }, password: { type: 'string' } } },
      },
    },
    example: { unitId: '00000000-0000-4000-8000-000000000000', kind: 'owner', documents: ['id_card'], userId: '00000000-0000-4000-8000-000000000000' },
  }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    const k = parseKind(body.kind);
    if (body.account !== undefined && body.userId !== undefined) throw invalid('account', 'or userId: name an existing account or a new one, not both', '与 userId 只能二选一：已有账号或新账号');
    if (body.account) {
      const input = parseStaffInput({ ...body.account, roles: [{ estateId: body.estateId, role: 'resident' }] });
      const made = await db.transaction((tx) => createResidentAccount(tx, config, auth.tenantId, { ...input, estateId: body.estateId, unitId: body.unitId, kind: k, documents: body.documents }, { userId: auth.userId }));
      return c.json({ linkId: made.linkId, userId: made.userId, unitLabel: made.unitLabel, username: input.username, ...(made.initialPassword ? { initialPassword: made.initialPassword } : {}) });
    }
    if (!isUuid(body.userId)) throw invalid('userId', 'is required: the account to link (or give account to create one)', '为必填项：要绑定的账号（或填写 account 新建账号）');
    const [person] = await db.select({ username: users.username }).from(users).where(and(eq(users.tenantId, auth.tenantId), eq(users.id, body.userId)));
    const done = await db.transaction((tx) => verifyResident(tx, config, { tenantId: auth.tenantId, estateId: body.estateId, unitId: body.unitId, userId: body.userId, kind: k, documents: body.documents }, auth.userId));
    return c.json({ linkId: done.linkId, userId: body.userId!, unitLabel: done.unitLabel, ...(person ? { username: person.username } : {}) });
  })
  .post('/move-out', { responses: { 200: R.movedOut }, summary: "Move-out: end a resident's link to a unit, now or when the given last day ends (estate time); the link stays in the unit's history, and from then the former resident no longer sees the unit's household requests (their own requests stay theirs)", access: residentLinkers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'linkId'], properties: { estateId: { type: 'string' }, linkId: { type: 'string' }, lastDay: { type: 'string', format: 'date', description: 'the last day lived there (YYYY-MM-DD); omitted: now' } } }, example: { linkId: '00000000-0000-4000-8000-000000000000' } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const { db, config } = c.get('deps');
    const auth = authOf(c);
    return c.json(await db.transaction((tx) => endLink(tx, config, { tenantId: auth.tenantId, estateId: body.estateId, linkId: body.linkId, lastDay: body.lastDay }, auth.userId)));
  });
