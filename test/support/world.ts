import { billingRuns, roles, type Db, type Role } from '@estateflow/db';

/** The path example of `GET /api/billing/runs/{id}` (apps/api/src/routes/billing.ts). */
const BILLING_RUN_EXAMPLE = '00000000-0000-4000-8000-000000000000';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import type { Hono } from 'hono';
import type { AppEnv } from '@estateflow/api';
import { ticketBundle } from './bundle.ts';
import { signIn, testApp, testConfig, type Client } from './api.ts';

export interface Place {
  tenantId: string;
  estateId: string;
  admin: Client;
  instanceId: string;
  taskId: string;
  versionId: string;
  installId: string;
  attachmentId: string;
  /** a unit of the estate (the household file's path names it) */
  unitId: string;
}

export interface World {
  app: Hono<AppEnv>;
  /** company A, estate 1: one user per role */
  own: Place;
  /** company A, estate 2 (no membership for the role users) */
  otherEstate: Place;
  /** company B */
  otherCompany: Place;
  clients: Map<Role, Client>;
  userIds: Map<Role, string>;
}

let seq = 0;

async function populate(app: Hono<AppEnv>, tenantId: string, estateId: string, admin: Client): Promise<Omit<Place, 'tenantId' | 'estateId' | 'admin'>> {
  const install = await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle, parameters: { ackMinutes: 1 } });
  if (install.status !== 200) throw new Error(`install: ${JSON.stringify(install.body)}`);
  const started = await admin.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: '漏水', grade: 'major' } });
  if (started.status !== 201) throw new Error(`start: ${JSON.stringify(started.body)}`);
  const detail = await admin.call('GET', `/api/instances/${started.body.id}`);
  const draft = await admin.call('PUT', '/api/definitions/drafts', { estateId, document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } });
  if (draft.status !== 200) throw new Error(`draft: ${JSON.stringify(draft.body)}`);
  // a 1×1 PNG, uploaded as a raw body
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const upload = await app.request(`/api/attachments?estateId=${estateId}&name=dot.png`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'image/png' }, body: png });
  if (upload.status !== 201) throw new Error(`upload: ${await upload.text()}`);
  const units = await admin.call('GET', `/api/estates/${estateId}/units?limit=1`);
  if (units.status !== 200 || !units.body.items[0]) throw new Error(`units: ${JSON.stringify(units.body)}`);
  return {
    unitId: units.body.items[0].id,
    attachmentId: ((await upload.json()) as { id: string }).id,
    instanceId: started.body.id,
    taskId: detail.body.tasks[0].id,
    versionId: install.body.versions.find((v: { kind: string }) => v.kind === 'workflow').id,
    installId: install.body.id,
  };
}

/**
 * Two companies, three estates, one bundle installed and one instance started in each; a user
 * per role in company A's first estate. For tenant-isolation and event-path tests.
 */
export async function buildWorld(db: Db, options: { now?: () => Date } = {}): Promise<World> {
  const app = testApp(db, options.now ? { now: options.now } : {});
  const tag = `${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 7)}`;
  const a = await createCompany(db, `A ${tag}`);
  const b = await createCompany(db, `B ${tag}`);
  const e1 = await createEstate(db, a, { name: '颐园世家', buildings: [{ name: '1栋', units: ['1-101', '1-102'] }] });
  const e2 = await createEstate(db, a, { name: '第二项目', buildings: [{ name: '2栋', units: ['2-201'] }] });
  const e3 = await createEstate(db, b, { name: '别家项目', buildings: [{ name: '3栋', units: ['3-301'] }] });
  const cfg = testConfig as never;
  const userIds = new Map<Role, string>();
  for (const role of roles) {
    userIds.set(role, await createUser(db, cfg, { tenantId: a, username: `${role}-${tag}`, password: 'pw', roles: [{ estateId: e1, role }] }));
  }
  await createUser(db, cfg, { tenantId: a, username: `admin2-${tag}`, password: 'pw', roles: [{ estateId: e2, role: 'admin' }] });
  await createUser(db, cfg, { tenantId: b, username: `adminb-${tag}`, password: 'pw', roles: [{ estateId: e3, role: 'admin' }] });
  const clients = new Map<Role, Client>();
  for (const role of roles) clients.set(role, await signIn(app, `${role}-${tag}`, 'pw'));
  const admin1 = clients.get('admin')!;
  const admin2 = await signIn(app, `admin2-${tag}`, 'pw');
  const adminB = await signIn(app, `adminb-${tag}`, 'pw');
  // a billing run of the own estate, under the id `GET /api/billing/runs/{id}` takes as its path example
  await db.insert(billingRuns).values({ tenantId: a, id: BILLING_RUN_EXAMPLE, estateId: e1, planKey: 'quarterly', periodId: '2027-Q1', status: 'done', createdAt: new Date(), updatedAt: new Date() });
  return {
    app,
    clients,
    userIds,
    own: { tenantId: a, estateId: e1, admin: admin1, ...(await populate(app, a, e1, admin1)) },
    otherEstate: { tenantId: a, estateId: e2, admin: admin2, ...(await populate(app, a, e2, admin2)) },
    otherCompany: { tenantId: b, estateId: e3, admin: adminB, ...(await populate(app, b, e3, adminB)) },
  };
}
