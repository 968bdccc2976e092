import { beforeAll, describe, expect, it } from 'vitest';
import { roles } from '@estateflow/db';
import { accessAllows, routeTable, type RouteMeta } from '@estateflow/api';
import { builtInRole } from '@estateflow/definitions';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type Place, type World } from '../support/world.ts';

/** The request a route gets when aimed at `place`: path ids, `estateId` in query or body. */
function requestFor(route: RouteMeta, place: Place): { path: string; body: unknown } {
  const ids: Record<string, string> = {
    estate: place.estateId,
    instance: place.instanceId,
    task: place.taskId,
    'definition-version': place.versionId,
    'bundle-install': place.installId,
    attachment: place.attachmentId,
    unit: place.unitId,
  };
  let path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const kind = route.params?.[name];
    const value = kind ? ids[kind] : route.pathExample?.[name];
    if (!value) throw new Error(`route ${route.method} ${route.path}: no value for {${name}}`);
    return value;
  });
  if (route.estate.from === 'query') path += `?estateId=${place.estateId}`;
  let body: unknown;
  if (route.method !== 'get') body = { ...(route.example ?? {}), ...(route.estate.from === 'body' ? { estateId: place.estateId } : {}) };
  return { path, body };
}

const scoped = routeTable.filter((r) => r.estate.from !== 'none');
/** Routes about one request, task or file: the access rule of services/instance-access.ts guards each. */
const objectRoutes = routeTable.filter((r) => Object.values(r.params ?? {}).some((k) => k === 'instance' || k === 'task' || k === 'attachment'));

describe('the route table', () => {
  it('declares, for every route with path parameters, what each parameter names', () => {
    for (const r of routeTable) {
      for (const [, name] of r.path.matchAll(/\{(\w+)\}/g)) {
        expect(r.params?.[name!] ?? r.pathExample?.[name!], `${r.method} ${r.path} {${name}}`).toBeTruthy();
      }
    }
    expect(scoped.length).toBeGreaterThan(10);
    expect(objectRoutes.length).toBeGreaterThanOrEqual(6);
  });
});

withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  for (const route of scoped) {
    it(`${route.method.toUpperCase()} ${route.path}: every role sees only its own estate on ${kind}`, async () => {
      const failures: string[] = [];
      await Promise.all(roles.map(async (role) => {
        const client = w.clients.get(role)!;
        for (const [where, place] of [['another estate', w.otherEstate], ['another company', w.otherCompany]] as const) {
          const { path, body } = requestFor(route, place);
          const res = await client.call(route.method.toUpperCase(), path, body);
          if (res.status !== 404) failures.push(`${role} → ${where}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          else if (res.body?.error?.reason !== 'not-found') failures.push(`${role} → ${where}: 404 without reason not-found`);
        }
        const { path, body } = requestFor(route, w.own);
        const res = await client.call(route.method.toUpperCase(), path, body);
        const allowed = accessAllows(route.access, role, new Set(builtInRole(role)?.permissions ?? []));
        // an allowed role may still meet a finer, per-object rule (who may start this workflow, whose task
        // this is): a 403 with a reason, never a 404 for its own estate's rows
        if (allowed && [401, 404].includes(res.status)) failures.push(`${role} → own estate (allowed): ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        if (!allowed && res.status !== 403) failures.push(`${role} → own estate (not allowed): ${res.status}`);
        if (res.status >= 500) failures.push(`${role} → own estate: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }));
      expect(failures).toEqual([]);
    });
  }

  // object-level authorisation: the world's request, its task and the admin's upload are not the estate's resident's
  for (const route of objectRoutes) {
    it(`${route.method.toUpperCase()} ${route.path}: a resident of the estate meets 403 on a request, task or file that is not theirs, on ${kind}`, async () => {
      const { path, body } = requestFor(route, w.own);
      const res = await w.clients.get('resident')!.call(route.method.toUpperCase(), path, body);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(403);
      expect(res.body.error.reason).toBe('forbidden');
    });
  }

  it(`lets nobody in another company list or read this company's instances, by id or by search, on ${kind}`, async () => {
    const outsider = w.otherCompany.admin;
    const list = await outsider.call('GET', '/api/instances');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((i: { id: string }) => i.id);
    expect(ids).toContain(w.otherCompany.instanceId);
    expect(ids).not.toContain(w.own.instanceId);
    expect(ids).not.toContain(w.otherEstate.instanceId);
    const inbox = await outsider.call('GET', '/api/tasks?scope=all');
    expect(inbox.body.items.map((t: { id: string }) => t.id)).not.toContain(w.own.taskId);
    const bogus = await outsider.call('GET', '/api/instances/not-a-uuid');
    expect(bogus.status).toBe(404);
  });
});
