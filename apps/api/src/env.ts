import type { Db, Role } from '@estateflow/db';
import type { Permission } from '@estateflow/definitions';
import type { ApiConfig } from './config.ts';
import type { RouteMeta } from './route-table.ts';
import type { CompiledCache } from './services/compiled-cache.ts';
import type { IdempotencyClaim } from './services/idempotency.ts';

/** What every handler can reach: the database, settings and the compiled-workflow cache. */
export interface Deps {
  db: Db;
  /**
   * Where read-only reports read (`DATABASE_READ_URL`: a streaming replica), else `db`. A replica
   * lags the primary by its replay delay, so only screens that tolerate a slightly older answer read
   * it: the dashboard's reports. Everything a person reads right after writing reads `db`.
   */
  reportDb: Db;
  config: ApiConfig;
  cache: CompiledCache;
}

/** The signed-in user, with one role per estate of their company. */
export interface Auth {
  tenantId: string;
  userId: string;
  username: string;
  displayName: string;
  locale: string;
  /** the user's large-text preference (适老化) */
  largeText: boolean;
  roles: Map<string, Role>;
  /** per estate, the permissions the company's role catalogue grants the caller's role there */
  permissions: Map<string, ReadonlySet<Permission>>;
  /** the password was given by someone else: every route but changing it (and signing out, `me`) answers 403 */
  mustChangePassword: boolean;
  demo: boolean;
  /** the request's instant (`config.now()` when it was authenticated): resident links are read as of it */
  at: Date;
}

export type AppEnv = {
  Variables: {
    deps: Deps;
    auth: Auth | undefined;
    route: RouteMeta;
    rawBody: string | undefined;
    /** the route's body and query, checked against its schemas (src/route-input.ts) */
    input: { body: Record<string, unknown>; query: Record<string, unknown> };
    /** the JSON body, parsed and checked once by `inputBounds` (input-bounds.ts) */
    jsonBody: unknown;
    /** a keyed start or event: the key its write commits with its answer (services/idempotency.ts) */
    idempotency: IdempotencyClaim | undefined;
  };
};
