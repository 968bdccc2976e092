import { Hono } from 'hono';
import type { Db } from '@estateflow/db';
import { FILE_BODY_PATHS, sameOrigin } from './auth/same-origin.ts';
import { sessionMiddleware } from './auth/session.ts';
import { defaultConfig, type ApiConfig } from './config.ts';
import type { AppEnv, Deps } from './env.ts';
import { notFound, onError } from './errors.ts';
import { inputBounds } from './input-bounds.ts';
import { docsPage, openApiDocument } from './openapi.ts';
import { apiSecurityHeaders } from './security-headers.ts';
import type { Resource, RouteMeta } from './route-table.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { authRoutes } from './routes/auth.ts';
import { billingRoutes } from './routes/billing.ts';
import { billingDeskRoutes } from './routes/billing-desk.ts';
import { billingCashierRoutes } from './routes/billing-cashier.ts';
import { financeReportRoutes } from './routes/finance-reports.ts';
import { bundleRoutes } from './routes/bundles.ts';
import { calendarRoutes } from './routes/calendars.ts';
import { formRoutes } from './routes/forms.ts';
import { noticeRoutes, reportRoutes } from './routes/reports.ts';
import { definitionRoutes } from './routes/definitions.ts';
import { estateRoutes } from './routes/estates.ts';
import { instanceRoutes } from './routes/instances.ts';
import { processRoutes } from './routes/processes.ts';
import { peopleRoutes, roleRoutes } from './routes/people.ts';
import { residentRoutes } from './routes/residents.ts';
import { taskRoutes } from './routes/tasks.ts';
import { idempotency } from './services/idempotency.ts';
import { CompiledCache } from './services/compiled-cache.ts';

/** The route table: every resource, mounted once under `/api`. Billing (helper D) adds its own here. */
export const resources: readonly Resource[] = [authRoutes, estateRoutes, definitionRoutes, bundleRoutes, instanceRoutes, taskRoutes, formRoutes, calendarRoutes, reportRoutes, noticeRoutes, billingRoutes, billingDeskRoutes, billingCashierRoutes, financeReportRoutes, processRoutes, attachmentRoutes, peopleRoutes, roleRoutes, residentRoutes];

export const routeTable: readonly RouteMeta[] = resources.flatMap((r) => r.routes);

export interface AppOptions {
  db: Db;
  /** a read replica for reports (`DATABASE_READ_URL`); reports read `db` without one */
  reportDb?: Db;
  config?: Partial<ApiConfig>;
  cache?: CompiledCache;
}

/**
 * The Hono app serving `/api/*`; test it with `app.request()`.
 * @example const app = createApp({ db }); const res = await app.request('/api/auth/me');
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const config = defaultConfig(options.config);
  const deps: Deps = { db: options.db, reportDb: options.reportDb ?? options.db, config, cache: options.cache ?? new CompiledCache() };
  const api = new Hono<AppEnv>();
  api.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  api.use('*', sameOrigin(config.trustedOrigins));
  api.use('*', inputBounds(config.inputBounds, FILE_BODY_PATHS));
  api.use('*', sessionMiddleware);
  api.use('*', idempotency);
  for (const r of resources) api.route(r.base, r.app);
  api.get('/openapi.json', (c) => c.json(openApiDocument(routeTable)));
  api.get('/docs', (c) => c.html(docsPage(routeTable)));
  api.notFound((c) => c.json(notFound('route', c.req.path).toBody(), 404));
  api.onError(onError);
  const app = new Hono<AppEnv>();
  app.use('*', apiSecurityHeaders(config.secureCookies));
  app.route('/api', api);
  app.notFound((c) => c.json(notFound('route', c.req.path).toBody(), 404));
  app.onError(onError);
  return app;
}
