import { Hono, type Context } from 'hono';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Role } from '@estateflow/db';
import type { Permission } from '@estateflow/definitions';
import type { AppEnv, Auth } from './env.ts';
import { ApiError, forbidden, notFound } from './errors.ts';
import { validateInput } from './route-input.ts';

export type JsonSchema = Readonly<Record<string, unknown>>;

/** The kinds of row a path parameter names; the tenant matrix test substitutes one per estate. */
export type ResourceKind = 'estate' | 'instance' | 'task' | 'definition-version' | 'bundle-install' | 'calendar' | 'form' | 'attachment' | 'unit';

/** Where a route finds the estate it acts in. */
export type EstateScope =
  | { from: 'query' | 'body'; optional?: boolean }
  | { from: 'param'; param: string }
  | { from: 'none' };

/**
 * Who may use a route: anyone, anyone signed in, any role of the estate (`any-role`, a company's
 * own roles included), its staff (every role but `resident`), a list of built-in roles, or a
 * permission granted to the caller's role in that estate (the company's role catalogue).
 */
export type Access = 'public' | 'signed-in' | 'any-role' | 'staff' | readonly Role[] | { readonly permission: Permission };

/** Hand-maintained metadata of one route: drives authorisation, OpenAPI and the tenant matrix test. */
export interface RouteMeta {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path, e.g. `/api/instances/{id}` */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  estate: EstateScope;
  /** path parameter name → the kind of row it names */
  params?: Record<string, ResourceKind>;
  /** example values of path parameters that name no row (e.g. a definition kind) */
  pathExample?: Record<string, string>;
  /** query parameters by name, each with its schema; validated (and coerced from text) before the handler runs */
  query?: Readonly<Record<string, JsonSchema>>;
  /** query parameters that must be present */
  queryRequired?: readonly string[];
  /** the JSON request body's schema; validated before the handler runs (src/route-input.ts) */
  body?: JsonSchema;
  /** a request body that is not JSON (e.g. a file upload): media type → schema */
  requestContent?: Record<string, JsonSchema>;
  /** a valid request body (estateId is filled in by callers); used by docs and tests */
  example?: Record<string, unknown>;
  /** the answers by HTTP status: a schema for a JSON body, `'binary'` for bytes, `null` for no body */
  responses: Readonly<Record<number, JsonSchema | 'binary' | null>>;
  /** error statuses this route answers besides those every route of its kind does (see openapi.ts) */
  errors?: readonly number[];
}

export const staff = 'staff' as const;
export const everyone = 'any-role' as const;
/** Designing and publishing definitions, installing bundles: the `design` permission. */
export const designers = { permission: 'design' } as const;
/** Managing people and roles. */
export const peopleManagers = { permission: 'people' } as const;
/** Fee schedules and billing plans, billing runs, adjustments, waivers and finance reports: the `finance` permission (built in for admin, finance and property_manager). */
export const financeStaff = { permission: 'finance' } as const;
/** Linking residents to units: link codes, front-desk verification, a unit's residents, move-out. */
export const residentLinkers = { permission: 'residents_link' } as const;

/** Whether `access` lets a holder of `role` with `permissions` in an estate use a route (one rule for checks, lists and tests). */
export function accessAllows(access: Access, role: Role, permissions: ReadonlySet<Permission>): boolean {
  if (access === 'public' || access === 'signed-in' || access === 'any-role') return true;
  if (access === 'staff') return role !== 'resident';
  if ('permission' in access) return permissions.has(access.permission);
  return access.includes(role);
}

/** The access of a route as people read it (OpenAPI's x-roles, the docs page). */
export function describeAccess(access: Access): string {
  if (typeof access === 'string') return access === 'any-role' ? 'any role' : access === 'staff' ? 'staff (all but resident)' : access;
  if ('permission' in access) return `permission: ${access.permission}`;
  return access.join(', ');
}
export const managers: readonly Role[] = ['admin', 'property_manager', 'cs_manager', 'duty_manager', 'finance'];

/** What a signed-in user who must change their password may still do (OpenAPI paths). */
export const PASSWORD_CHANGE_PATHS = new Set(['/api/auth/me', '/api/auth/logout', '/api/auth/logout-everywhere', '/api/auth/sessions', '/api/auth/password', '/api/auth/login', '/api/auth/reset', '/api/auth/sign-up']);

/** A schema's TypeScript type when it is declared `as const` (json-schema-to-ts), else a plain record. */
type TypeOf<S, Else> = S extends JSONSchema ? (JSONSchema extends S ? Else : FromSchema<S>) : Else;
type QueryOf<Q> = Q extends Readonly<Record<string, unknown>> ? { [K in keyof Q]?: TypeOf<Q[K], unknown> } : Record<string, string | undefined>;
/** What a handler receives after validation: the body and query, typed from the route's schemas. */
export type RouteInputOf<B, Q> = { body: TypeOf<B, Record<string, unknown>>; query: QueryOf<Q> };
type Handler<B, Q> = (c: Context<AppEnv>, input: RouteInputOf<B, Q>) => Response | Promise<Response>;
type RouteInput<B, Q> = Omit<RouteMeta, 'method' | 'path' | 'tag' | 'body' | 'query'> & { body?: B; query?: Q };

/** A resource: a Hono sub-app plus the metadata of each of its routes. */
export class Resource {
  readonly app = new Hono<AppEnv>();
  readonly routes: RouteMeta[] = [];
  constructor(
    readonly base: string,
    readonly tag: string,
  ) {}

  private add<B, Q>(method: RouteMeta['method'], path: string, input: RouteInput<B, Q>, handler: Handler<B, Q>): this {
    const openApiPath = `/api${this.base}${path === '/' ? '' : path}`.replace(/:([A-Za-z]+)/g, '{$1}');
    const meta = { method, path: openApiPath || '/api', tag: this.tag, ...input } as RouteMeta;
    this.routes.push(meta);
    this.app.on(
      method.toUpperCase(),
      path,
      async (c, next) => {
        c.set('route', meta);
        const auth = c.get('auth');
        if (meta.access !== 'public' && !auth) {
          throw new ApiError('unauthenticated', { zh: '请先登录', en: 'Please sign in first' });
        }
        if (auth?.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(meta.path)) {
          throw new ApiError('password-change-required', {
            zh: '请先修改密码：此密码由他人设置，首次登录必须改为只有您知道的密码',
            en: 'Change your password first: it was set by someone else, so the first sign-in must replace it with one only you know',
          });
        }
        await next();
      },
      validateInput(meta),
      (c) => handler(c, c.get('input') as RouteInputOf<B, Q>),
    );
    return this;
  }
  get<const B = undefined, const Q = undefined>(path: string, input: RouteInput<B, Q>, handler: Handler<B, Q>): this {
    return this.add('get', path, input, handler);
  }
  post<const B = undefined, const Q = undefined>(path: string, input: RouteInput<B, Q>, handler: Handler<B, Q>): this {
    return this.add('post', path, input, handler);
  }
  put<const B = undefined, const Q = undefined>(path: string, input: RouteInput<B, Q>, handler: Handler<B, Q>): this {
    return this.add('put', path, input, handler);
  }
  delete<const B = undefined, const Q = undefined>(path: string, input: RouteInput<B, Q>, handler: Handler<B, Q>): this {
    return this.add('delete', path, input, handler);
  }
}

/** The signed-in user (routes that are not public always have one). */
export function authOf(c: Context<AppEnv>): Auth {
  const auth = c.get('auth');
  if (!auth) throw new ApiError('unauthenticated', { zh: '请先登录', en: 'Please sign in first' });
  return auth;
}

/**
 * The caller's role in `estateId`, checked against the route's access list. An estate the caller
 * has no membership in (another estate, another company) is answered as not found, never 403.
 */
const none: ReadonlySet<Permission> = new Set();

export function requireEstate(c: Context<AppEnv>, estateId: string | undefined, allowed?: Access): Role {
  const auth = authOf(c);
  const role = estateId ? auth.roles.get(estateId) : undefined;
  if (!estateId || !role) throw notFound('estate', estateId);
  const access = allowed ?? c.get('route').access;
  if (!accessAllows(access, role, auth.permissions.get(estateId) ?? none)) throw forbidden(role);
  return role;
}

/** The estates the caller may act in with this route's access list. */
export function visibleEstates(c: Context<AppEnv>): string[] {
  const auth = authOf(c);
  const access = c.get('route').access;
  return [...auth.roles].filter(([id, role]) => accessAllows(access, role, auth.permissions.get(id) ?? none)).map(([id]) => id);
}

/**
 * For a route that names no estate: the caller must be allowed it in at least one. Someone with
 * roles, none of which allows it (a resident at the bundle catalogue), is 403 as in an estate;
 * someone with no role anywhere, 404.
 */
export function requireSomeEstate(c: Context<AppEnv>): void {
  if (visibleEstates(c).length > 0) return;
  const [role] = authOf(c).roles.values();
  if (role) throw forbidden(role);
  requireEstate(c, undefined);
}

/** The estates a list route reads: the one named by `?estateId=` (404/403 as `requireEstate`), else every visible one. */
export function queriedEstates(c: Context<AppEnv>): string[] {
  const estateId = c.req.query('estateId');
  if (!estateId) return visibleEstates(c);
  requireEstate(c, estateId);
  return [estateId];
}
