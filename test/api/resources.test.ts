import { beforeAll, expect, it } from 'vitest';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';
import { catchUpRollups } from '../support/rollups.ts';

withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  it(`replays a POST with the same Idempotency-Key and body, and refuses the key with another body on ${kind}`, async () => {
    const fd = w.clients.get('front_desk')!;
    const body = { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: '门禁坏了' } };
    const first = await fd.call('POST', '/api/instances', body, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    const second = await fd.call('POST', '/api/instances', body, { 'idempotency-key': 'k-1' });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const list = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&q=${encodeURIComponent('门禁坏了')}`);
    expect(list.body.items).toHaveLength(1);
    const other = await fd.call('POST', '/api/instances', { ...body, data: { summary: '别的' } }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ reason: 'idempotency-mismatch', field: 'Idempotency-Key' });
    const racing = await Promise.all([1, 2, 3].map(() => fd.call('POST', '/api/instances', { ...body, data: { summary: '并发重试' } }, { 'idempotency-key': 'k-race' })));
    expect(racing.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
    expect(racing.every((r) => r.status === 201 || (r.status === 409 && r.body.error.field === 'Idempotency-Key'))).toBe(true);
    const raced = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&q=${encodeURIComponent('并发重试')}`);
    expect(raced.body.items).toHaveLength(1);
    const tech = w.clients.get('technician')!;
    const ev = { type: 'ACK', data: { note: 'ok' }, expectedVersion: 1 };
    const a = await tech.call('POST', `/api/instances/${first.body.id}/events`, ev, { 'idempotency-key': 'e-1' });
    const b = await tech.call('POST', `/api/instances/${first.body.id}/events`, ev, { 'idempotency-key': 'e-1' });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    const hist = await tech.call('GET', `/api/instances/${first.body.id}/history`);
    expect(hist.body.items.map((e: { type: string }) => e.type)).toEqual(['start', 'ACK']);
  });

  it(`renders a published form per locale and validates data with field errors on ${kind}`, async () => {
    const fd = w.clients.get('front_desk')!;
    const zh = await fd.call('GET', `/api/forms/ticket-open/render?estateId=${w.own.estateId}&locale=zh-CN`);
    expect(zh.status).toBe(200);
    const en = await fd.call('GET', `/api/forms/ticket-open/render?estateId=${w.own.estateId}&locale=en`);
    expect(JSON.stringify(zh.body.model)).toContain('摘要');
    expect(JSON.stringify(en.body.model)).toContain('Summary');
    const bad = await fd.call('POST', '/api/forms/ticket-open/validate', { estateId: w.own.estateId, data: {} });
    expect(bad.status).toBe(200);
    expect(JSON.stringify(bad.body)).toMatch(/summary/);
    const missing = await fd.call('GET', `/api/forms/nope/render?estateId=${w.own.estateId}`);
    expect(missing.status).toBe(404);
  });

  it(`publishes definitions as immutable versions with change notes, and diffs them on ${kind}`, async () => {
    const admin = w.own.admin;
    const layout = { sections: [{ id: 'main', title: { zh: '内容', en: 'Content' }, fields: [{ field: 'text', widget: 'text', label: { zh: '备注', en: 'Note' } }] }] };
    const doc = { kind: 'form', id: 'note', title: { zh: '备注', en: 'Note' }, schema: { type: 'object', properties: { text: { type: 'string', maxLength: 10 } } }, layout };
    const saved = await admin.call('PUT', '/api/definitions/drafts', { estateId: w.own.estateId, document: doc });
    expect(saved.body.issues).toEqual([]);
    const v1 = await admin.call('POST', '/api/definitions/publish', { estateId: w.own.estateId, kind: 'form', key: 'note', changeNote: '初版' });
    expect(v1.body).toMatchObject({ version: 1, changeNote: '初版' });
    const doc2 = { ...doc, schema: { type: 'object', properties: { text: { type: 'string', maxLength: 20 } } } };
    const v2 = await admin.call('POST', '/api/definitions/publish', { estateId: w.own.estateId, kind: 'form', key: 'note', changeNote: '加长', document: doc2 });
    expect(v2.body.version).toBe(2);
    const diff = await admin.call('GET', `/api/definitions/versions/${v2.body.id}/diff`);
    expect(diff.body.changes).toEqual([{ path: '/schema/properties/text/maxLength', op: 'replace', from: 10, to: 20 }]);
    const first = await admin.call('GET', `/api/definitions/versions/${v1.body.id}`);
    expect(first.body.document.schema.properties.text.maxLength).toBe(10);
    const invalid = await admin.call('POST', '/api/definitions/publish', { estateId: w.own.estateId, kind: 'workflow', key: 'broken', changeNote: 'x', document: { kind: 'workflow', id: 'broken', title: { zh: '坏', en: 'Broken' }, events: {}, machine: { initial: 'a', states: { a: { on: { GO: 'nowhere' } } } } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.reason).toBe('invalid-definition');
    expect(typeof invalid.body.error.path).toBe('string');
    expect(invalid.body.error.issues.length).toBeGreaterThan(0);
    expect(invalid.body.error.message.zh).toBeTruthy();
    const schema = await admin.call('GET', '/api/definitions/schemas/workflow');
    expect(schema.body.$schema).toMatch(/2020-12/);
  });

  it(`installs a catalogue bundle, exports it, and refuses bad parameters naming the field on ${kind}`, async () => {
    const admin = w.own.admin;
    const catalogue = await admin.call('GET', '/api/bundles/catalogue');
    expect(catalogue.status).toBe(200);
    const valid = catalogue.body.items.find((b: { valid: boolean }) => b.valid);
    expect(valid).toBeTruthy();
    // paid service prices its quotes from billing-dunning's fee schedule: the catalogue says so in words
    const paid = catalogue.body.items.find((b: { id: string }) => b.id === 'paid-service');
    expect(paid.requires).toEqual([expect.objectContaining({ bundle: 'billing-dunning', title: expect.objectContaining({ zh: expect.any(String) }), reason: expect.objectContaining({ zh: expect.any(String), en: expect.any(String) }) })]);
    // a money parameter's bound reads in yuan, in the same words the designer shows (one check)
    const tooDear = await admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId: 'lost-and-found', parameters: { valuableThresholdFen: 100000001 } });
    expect(tooDear.status).toBe(400);
    expect(tooDear.body.error).toMatchObject({ field: 'parameters.valuableThresholdFen' });
    expect(tooDear.body.error.message.zh).toMatch(/不能大于 ¥1000000\.00$/);
    expect(tooDear.body.error.message.en).toMatch(/must be at most ¥1000000\.00$/);
    const exported = await admin.call('GET', `/api/bundles/installs/${w.own.installId}/export`);
    expect(exported.body.bundle.id).toBe('test-ticket');
    expect(Object.keys(exported.body.files)).toContain('workflow.json');
    const bad = await admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, package: { bundle: exported.body.bundle, files: exported.body.files }, parameters: { ackMinutes: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('parameters.ackMinutes');
    const again = await admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, package: { bundle: exported.body.bundle, files: exported.body.files }, parameters: { ackMinutes: 5 } });
    expect(again.status).toBe(200);
    expect(again.body.versions.find((v: { kind: string }) => v.kind === 'workflow').version).toBe(2);
  });

  it(`keeps running instances on their pinned version after a new version is published on ${kind}`, async () => {
    const tech = w.clients.get('technician')!;
    const res = await tech.call('GET', `/api/instances/${w.own.instanceId}`);
    expect(res.body.workflowVersion).toBe(1);
    const started = await w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: 'new' } });
    expect(started.body.workflowVersion).toBe(2);
  });

  it(`lists calendars, the inbox with due times, claims and reassigns a task, and reports on ${kind}`, async () => {
    const tech = w.clients.get('technician')!;
    const cals = await tech.call('GET', `/api/calendars?estateId=${w.own.estateId}`);
    expect(cals.body.items.map((c: { key: string }) => c.key)).toContain('test-office');
    const inbox = await tech.call('GET', `/api/tasks?estateId=${w.own.estateId}`);
    expect(inbox.status).toBe(200);
    const task = inbox.body.items.find((t: { id: string }) => t.id === w.own.taskId);
    expect(task).toMatchObject({ role: 'technician', status: 'open' });
    expect(task.dueAt).toBeTruthy();
    const claimed = await tech.call('POST', `/api/tasks/${w.own.taskId}/claim`, {});
    expect(claimed.body.assigneeId).toBe(w.userIds.get('technician'));
    const security = w.clients.get('security')!;
    expect((await security.call('POST', `/api/tasks/${w.own.taskId}/claim`, {})).status).toBe(403);
    const dispatcher = w.clients.get('dispatcher')!;
    const members = await dispatcher.call('GET', `/api/estates/${w.own.estateId}/members`);
    expect(members.body.items.map((m: { role: string }) => m.role)).toContain('technician');
    const moved = await dispatcher.call('POST', `/api/tasks/${w.own.taskId}/reassign`, { userId: w.userIds.get('dispatcher') });
    expect(moved.body.assigneeId).toBe(w.userIds.get('dispatcher'));
    const mine = await dispatcher.call('GET', `/api/tasks?scope=mine`);
    expect(mine.body.items.map((t: { id: string }) => t.id)).toContain(w.own.taskId);
    const pm = w.clients.get('property_manager')!;
    // the reports read the rollups the worker keeps
    await catchUpRollups(getDb());
    const summary = await pm.call('GET', `/api/reports/summary?estateId=${w.own.estateId}`);
    expect(summary.status).toBe(200);
    const total = summary.body.byWorkflow.reduce((n: number, r: { count: number }) => n + r.count, 0);
    expect(total).toBeGreaterThanOrEqual(1);
    const revisits = await pm.call('GET', `/api/reports/revisits?estateId=${w.own.estateId}`);
    expect(revisits.status).toBe(200);
    const sla = await pm.call('GET', `/api/reports/sla?estateId=${w.own.estateId}`);
    expect(sla.status).toBe(200);
    expect((await tech.call('GET', `/api/reports/summary?estateId=${w.own.estateId}`)).status).toBe(403);
  });
});

withDatabases((kind, getDb) => {
  it(`shows a resident only the requests they raised on ${kind}`, async () => {
    const w = await buildWorld(getDb());
    const resident = w.clients.get('resident')!;
    const mine = await resident.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: '我家漏水' } });
    expect(mine.status).toBe(201);
    expect((await resident.call('GET', `/api/instances/${mine.body.id}`)).status).toBe(200);
    const others = await resident.call('GET', `/api/instances/${w.own.instanceId}`);
    expect(others.status).toBe(403);
    const list = await resident.call('GET', `/api/instances?estateId=${w.own.estateId}`);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([mine.body.id]);
  });
});
