import { and, asc, eq } from 'drizzle-orm';
import { calendars } from '@estateflow/db';
import { ApiError, notFound } from '../errors.ts';
import { authOf, everyone, requireEstate, Resource } from '../route-table.ts';
import { param } from '../services/body.ts';
import { checkDefinition } from '../services/definition-check.ts';
import { latestVersion, publishVersion } from '../services/definition-store.ts';
import { reviewOf } from '../services/publishing.ts';
import { rearmNotice } from '../services/sla-rearm-job.ts';
import * as S from '../schemas/calendars.ts';

export const calendarRoutes = new Resource('/calendars', 'Calendars')
  .get('/', { responses: { 200: S.calendarList }, summary: "The estate's business calendars (working hours, holidays, make-up days)", access: everyone, estate: { from: 'query' }, query: { estateId: { type: 'string' } } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const rows = await c.get('deps').db.select().from(calendars).where(and(eq(calendars.tenantId, authOf(c).tenantId), eq(calendars.estateId, estateId!))).orderBy(asc(calendars.key));
    return c.json({ items: rows.map((r) => ({ key: r.key, title: (r.document as { title?: unknown }).title, timeZone: (r.document as { timeZone?: unknown }).timeZone, updatedAt: r.updatedAt.toISOString() })) });
  })
  .get('/:key', { responses: { 200: S.calendar }, summary: 'One calendar document', access: everyone, estate: { from: 'query' }, query: { estateId: { type: 'string' } }, pathExample: { key: 'test-office' } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const key = param(c, 'key');
    const [row] = await c.get('deps').db.select().from(calendars).where(and(eq(calendars.tenantId, authOf(c).tenantId), eq(calendars.estateId, estateId!), eq(calendars.key, key)));
    if (!row) throw notFound('calendar', key);
    return c.json({ key: row.key, document: row.document, updatedAt: row.updatedAt.toISOString() });
  })
  .post(
    '/',
    {
      responses: { 200: S.calendarPublished },
      summary: 'Publish a calendar for an estate (a new version of the calendar definition, made current)',
      access: ['admin', 'consultant', 'property_manager'],
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'document', 'changeNote'], properties: { estateId: { type: 'string', minLength: 1 }, document: { type: 'object' }, changeNote: { type: 'string', minLength: 1 } } },
      example: { changeNote: 'office hours', document: { kind: 'calendar', id: 'test-office', title: { zh: '办公时间', en: 'Office hours' }, timeZone: 'Asia/Shanghai', week: { mon: [['09:00', '17:00']] } } },
    },
    async (c, { body: { estateId, document, changeNote } }) => {
      requireEstate(c, estateId);
      if (document.kind !== 'calendar') throw new ApiError('invalid-definition', { zh: 'kind 必须为 calendar', en: 'kind must be "calendar"' }, { path: '/kind' });
      const issues = checkDefinition(document);
      if (issues.length) throw new ApiError('invalid-definition', { zh: `日历无效：${issues[0]!.message.zh}`, en: `Invalid calendar: ${issues[0]!.message.en}` }, { path: issues[0]!.path, issues });
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const v = await db.transaction(async (tx) => {
        // who published it, with the change list (#19), as a designer's publish keeps it
        const prev = await latestVersion(tx, tenantId, estateId, 'calendar', String(document.id));
        const review = await reviewOf(tx, { tenantId, userId, draft: undefined, document, previous: prev?.document ?? null, now: config.now() });
        return publishVersion(tx, { tenantId, estateId, document, changeNote, publishedBy: userId, now: config.now(), review });
      });
      // how many running requests bound to an SLA policy the worker re-times on the new calendar
      const rearm = await rearmNotice(db, v);
      return c.json({ key: v.key, version: v.version, versionId: v.id, ...(rearm ? { rearm } : {}) });
    },
  );
