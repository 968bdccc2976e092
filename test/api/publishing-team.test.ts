import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// #19 publishing like a team: a save over someone else's draft is a conflict (409 naming who saved
// it when), a roll back publishes an earlier version as the next one, the company's four-eyes rule
// keeps a drafter from publishing their own draft, and one document goes to several estates at once.
const form = (label: string) => ({
  kind: 'form', id: 'team-form', title: { zh: '团队表单', en: 'Team form' },
  schema: { type: 'object', properties: { note: { type: 'string', maxLength: 200 } }, additionalProperties: false },
  layout: { sections: [{ id: 'main', title: { zh: '内容', en: 'Content' }, fields: [{ field: 'note', widget: 'text', label: { zh: label, en: label } }] }] },
});

withDatabases((kind, getDb) => {
  it(`refuses a stale draft save, rolls back, keeps four eyes and publishes to several estates, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '团队物业');
    const estateId = await createEstate(db, tenantId, { name: '东苑' });
    const other = await createEstate(db, tenantId, { name: '西苑' });
    const roles = [{ estateId, role: 'admin' as const }, { estateId: other, role: 'admin' as const }];
    await createUser(db, testConfig as never, { tenantId, username: `pt-a-${kind}`, password: 'pw', displayName: '李工', roles });
    await createUser(db, testConfig as never, { tenantId, username: `pt-b-${kind}`, password: 'pw', displayName: '王工', roles });
    const app = testApp(db);
    const a = await signIn(app, `pt-a-${kind}`, 'pw');
    const b = await signIn(app, `pt-b-${kind}`, 'pw');

    // both begin with no draft; A saves first, B's save based on "no draft" is refused, naming A
    const first = await a.call('PUT', '/api/definitions/drafts', { estateId, document: form('备注'), baseRevision: null });
    expect(first.status).toBe(200);
    const stale = await b.call('PUT', '/api/definitions/drafts', { estateId, document: form('说明'), baseRevision: null });
    expect(stale.status).toBe(409);
    expect(stale.body.error.field).toBe('baseRevision');
    expect(stale.body.error.message.zh).toContain('李工');
    expect(stale.body.error.message.en).toContain('李工');
    const draft = await b.call('GET', `/api/definitions/drafts/form/team-form?estateId=${estateId}`);
    expect(draft.body.document.layout.sections[0].fields[0].label.zh).toBe('备注');
    expect(draft.body.updatedBy).toBe('李工');
    // B reloads and saves on the revision read: accepted; A's next save on its old revision is refused
    expect((await b.call('PUT', '/api/definitions/drafts', { estateId, document: form('说明'), baseRevision: draft.body.updatedAt })).status).toBe(200);
    const late = await a.call('PUT', '/api/definitions/drafts', { estateId, document: form('备注 2'), baseRevision: first.body.updatedAt });
    expect(late.status).toBe(409);
    expect(late.body.error.message.en).toContain('王工');

    // publish v1 (说明), then v2, and roll back to v1: v3 carries v1's document
    const p1 = await b.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '首版' });
    expect(p1.body.error).toBeUndefined();
    const v2 = await a.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '改名', document: form('事项') });
    expect(v2.body.version).toBe(2);
    const versions = await a.call('GET', `/api/definitions/versions?estateId=${estateId}&kind=form&key=team-form`);
    const v1 = versions.body.items.find((v: { version: number }) => v.version === 1);
    const back = await a.call('POST', `/api/definitions/versions/${v1.id}/rollback`, { changeNote: '回滚到 v1' });
    expect(back.status).toBe(200);
    expect(back.body.published.version).toBe(3);
    const v3 = await a.call('GET', `/api/definitions/versions/${back.body.published.id}`);
    expect(v3.body.document.layout.sections[0].fields[0].label.zh).toBe('说明');
    expect(v3.body.changeNote).toBe('回滚到 v1');

    // four eyes: off by default; an admin turns it on; A saves, A cannot publish, B can
    expect((await a.call('GET', `/api/definitions/publish-rules?estateId=${estateId}`)).body).toEqual({ fourEyes: false });
    expect((await a.call('PUT', '/api/definitions/publish-rules', { estateId, fourEyes: true })).body).toEqual({ fourEyes: true });
    const saved = await a.call('PUT', '/api/definitions/drafts', { estateId, document: form('四眼') });
    expect(saved.status).toBe(200);
    const own = await a.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '自审' });
    expect(own.status).toBe(403);
    expect(own.body.error.message.zh).toContain('另一位设计人员');
    // B may not slip another document in under the approval
    expect((await b.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '审批', document: form('别的') })).status).toBe(403);
    const approved = await b.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '审批', document: form('四眼') });
    expect(approved.status).toBe(200);
    expect(approved.body.version).toBe(4);
    // a roll back under four eyes becomes A's draft; A cannot publish it, B approves it
    const back2 = await a.call('POST', `/api/definitions/versions/${v1.id}/rollback`, { changeNote: '回滚' });
    expect(back2.body.published).toBeUndefined();
    expect(back2.body.draftUpdatedAt).toBeTruthy();
    expect((await a.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '回滚' })).status).toBe(403);
    const v5 = await b.call('POST', '/api/definitions/publish', { estateId, kind: 'form', key: 'team-form', changeNote: '回滚' });
    expect(v5.body.version).toBe(5);

    // the approval is kept beyond publishedBy: who drafted, who approved, when, and the change list reviewed
    const history = (await a.call('GET', `/api/definitions/versions?estateId=${estateId}&kind=form&key=team-form`)).body.items as { version: number; publishedBy: string; review: { fourEyes: boolean; draftedBy: { id: string; name: string } | null; draftedAt: string; approvedBy: { id: string; name: string } | null; approvedAt: string; changes: { path: string; text: { zh: string; en: string } }[] } | null }[];
    const rev = (n: number) => history.find((v) => v.version === n)!.review!;
    // v1: B published the draft B saved, no rule: drafted and approved by B; the first version's change list
    expect(rev(1)).toMatchObject({ fourEyes: false, draftedBy: { name: '王工' }, approvedBy: { name: '王工' } });
    expect(rev(1).changes.map((l) => l.text.zh)).toEqual(['首次发布']);
    // v2: a document typed straight into the publish: the publisher drafted it, at the publish
    expect(rev(2)).toMatchObject({ fourEyes: false, draftedBy: { name: '李工' }, approvedBy: { name: '李工' } });
    expect(rev(2).draftedAt).toBe(rev(2).approvedAt);
    // v4 and v5: under four eyes, A drafted (saved / rolled back), B approved, after the draft was saved
    for (const n of [4, 5]) {
      expect(rev(n)).toMatchObject({ fourEyes: true, draftedBy: { name: '李工' }, approvedBy: { name: '王工' } });
      expect(new Date(rev(n).draftedAt).getTime()).toBeLessThanOrEqual(new Date(rev(n).approvedAt).getTime());
      expect(rev(n).changes.length).toBeGreaterThan(0);
      expect(rev(n).changes[0]!.text.en).not.toBe('');
    }
    expect(history.find((v) => v.version === 4)!.publishedBy).toBe(rev(4).approvedBy!.id);
    // the single version and the publish's own answer carry the same record
    expect((await a.call('GET', `/api/definitions/versions/${v5.body.id}`)).body.review).toEqual(rev(5));
    expect(v5.body.review).toEqual(rev(5));
    await a.call('PUT', '/api/definitions/publish-rules', { estateId, fourEyes: false });

    // several estates, one review: east has v5, west nothing; both are published in one call
    const doc = form('两苑');
    const review = await a.call('POST', '/api/definitions/review-estates', { estateId, estateIds: [estateId, other], document: doc });
    expect(review.status).toBe(200);
    const byName = Object.fromEntries(review.body.items.map((i: { estateName: string }) => [i.estateName, i]));
    expect(byName['东苑'].latestVersion).toBe(5);
    expect(byName['东苑'].changes.length).toBeGreaterThan(0);
    expect(byName['西苑'].latestVersion).toBeNull();
    expect(byName['西苑'].changes[0].text.zh).toBe('首次发布');
    expect(byName['西苑'].issues).toEqual([]);
    const both = await a.call('POST', '/api/definitions/publish-estates', { estateId, estateIds: [estateId, other], kind: 'form', key: 'team-form', changeNote: '两苑同发', document: doc });
    expect(both.status).toBe(200);
    expect(both.body.items.map((v: { estateId: string; version: number }) => [v.estateId, v.version])).toEqual([[estateId, 6], [other, 1]]);
    // an invalid document publishes nowhere, naming the estate
    const bad = await a.call('POST', '/api/definitions/publish-estates', { estateId, estateIds: [estateId, other], kind: 'form', key: 'team-form', changeNote: '坏', document: { ...doc, layout: { sections: [{ id: 'main', title: { zh: '内容', en: 'Content' }, fields: [{ field: 'missing', widget: 'text', label: { zh: '无', en: 'None' } }] }] } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message.zh).toContain('东苑');
    expect((await a.call('GET', `/api/definitions/versions?estateId=${other}&kind=form&key=team-form`)).body.items).toHaveLength(1);
  });
});
