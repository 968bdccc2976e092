import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// #19 publishing like a team and what-if on real history, in Chromium: two tabs saving the same
// draft get a conflict that offers to reload; a roll back shows its change list before it is
// published as a new version; an SLA draft is replayed over the estate's last 90 days of requests.
const RUN = Date.now().toString(36).slice(-5);
const formId = `team-${RUN}`;
let server: Server;
let browser: Browser;
let estateId = '';

async function asAdmin(): Promise<Page> {
  const { page } = await newPage(browser, server.origin);
  page.on('pageerror', (e) => console.error(`[admin] page error: ${e.message}`));
  await login(page, 'admin', DEMO_PASSWORD);
  const me = (await (await page.request.get('/api/auth/me')).json()) as { memberships: { estateId: string; role: string }[] };
  estateId = me.memberships.find((m) => m.role === 'admin')!.estateId;
  return page;
}

const form = (label: string) => ({
  kind: 'form', id: formId, title: { zh: '团队表单', en: 'Team form' },
  schema: { type: 'object', properties: { note: { type: 'string', maxLength: 200 } }, additionalProperties: false },
  layout: { sections: [{ id: 'main', title: { zh: '内容', en: 'Content' }, fields: [{ field: 'note', widget: 'text', label: { zh: label, en: label } }] }] },
});

describe('Publishing like a team and what-if on real history in Chromium (#19)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('a save over a newer draft is a conflict that offers to reload; a roll back shows its changes first and publishes a new version', async () => {
    const a = await asAdmin();
    const b = await asAdmin();
    const post = (path: string, body: unknown) => a.request.post(path, { data: body });
    // v1 and v2 of a form, published through the API
    expect((await post('/api/definitions/publish', { estateId, kind: 'form', key: formId, changeNote: '首版', document: form('备注') })).status()).toBe(200);
    expect((await post('/api/definitions/publish', { estateId, kind: 'form', key: formId, changeNote: '改名', document: form('事项说明') })).status()).toBe(200);

    // both tabs open the form; A saves a draft; B's save, begun before it, is refused and offers to reload
    await a.goto(`/designer/forms/${formId}?estate=${estateId}`);
    await b.goto(`/designer/forms/${formId}?estate=${estateId}`);
    await a.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => a.getByTestId('publish-result').textContent()).toContain('已保存');
    await b.getByRole('button', { name: '保存', exact: true }).click();
    const conflict = b.getByTestId('draft-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/草稿已被.*于 .*保存/);
    await screenshot(b, 'designer-draft-conflict');
    await b.getByTestId('reload-draft').click();
    await b.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => b.getByTestId('publish-result').textContent()).toContain('已保存');
    expect(await b.getByTestId('draft-conflict').count()).toBe(0);

    // roll back to v1: the change list comes first, then v3 is published with v1's words
    await b.getByTestId('versions').locator('summary').first().click();
    await b.getByTestId('rollback-v1').click();
    const changes = b.getByTestId('rollback-changes');
    await changes.waitFor();
    expect(await changes.textContent()).toContain('表单布局或字段文字变更');
    await screenshot(b, 'designer-rollback-review');
    await b.getByTestId('rollback-confirm').click();
    await expect.poll(() => b.getByTestId('publish-result').textContent()).toContain('已回滚');
    const versions = (await (await b.request.get(`/api/definitions/versions?estateId=${estateId}&kind=form&key=${formId}`)).json()) as { items: { id: string; version: number; changeNote: string }[] };
    const v3 = versions.items.find((v) => v.version === 3)!;
    expect(v3.changeNote).toBe('回滚到 v1');
    const doc = (await (await b.request.get(`/api/definitions/versions/${v3.id}`)).json()) as { document: ReturnType<typeof form> };
    expect(doc.document.layout.sections[0]!.fields[0]!.label.zh).toBe('备注');

    // the four-eyes rule, switched on the designer home: the admin who saved a draft cannot publish it
    await a.goto(`/designer?estate=${estateId}`);
    await a.getByTestId('four-eyes-toggle').check();
    await expect.poll(async () => ((await (await a.request.get(`/api/definitions/publish-rules?estateId=${estateId}`)).json()) as { fourEyes: boolean }).fourEyes).toBe(true);
    await a.goto(`/designer/forms/${formId}?estate=${estateId}`);
    expect(await a.getByTestId('four-eyes').textContent()).toContain('第二人审批');
    await a.getByLabel('名称（中文）').fill('团队表单（四眼）');
    await a.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => a.getByTestId('publish-result').textContent()).toContain('已保存');
    await a.getByTestId('change-note').fill('自审');
    await a.getByRole('button', { name: '发布', exact: true }).click();
    await expect.poll(() => a.getByTestId('publish-result').textContent()).toContain('请另一位设计人员审阅发布');
    // a second designer approves it; the version history shows who drafted, who approved, when, and the changes reviewed
    const adminName = ((await (await a.request.get('/api/auth/me')).json()) as { user: { displayName: string } }).user.displayName;
    const approver = { username: `approver-${RUN}`, password: 'Approver-first-2026' };
    const made = await a.request.post('/api/people', { data: { estateId, username: approver.username, realName: '赵审批', displayName: '赵审批', password: approver.password, roles: [{ estateId, role: 'admin' }] } });
    expect(made.status(), await made.text()).toBe(200);
    const { page: c } = await newPage(browser, server.origin);
    expect((await c.request.post('/api/auth/login', { data: approver })).status()).toBe(200);
    expect((await c.request.post('/api/auth/password', { data: { currentPassword: approver.password, newPassword: 'Approver-second-2026' } })).status()).toBe(200);
    await c.goto(`/designer/forms/${formId}?estate=${estateId}`);
    await c.getByTestId('change-note').fill('审批通过');
    await c.getByRole('button', { name: '发布', exact: true }).click();
    await expect.poll(() => c.getByTestId('publish-result').textContent()).toContain('已发布版本 4');
    await c.getByTestId('versions').locator('summary').first().click();
    const row = c.locator('tr[data-version="4"]');
    expect(await row.getByTestId('drafted').textContent()).toContain(`起草 ${adminName}`);
    expect(await row.getByTestId('approved').textContent()).toContain('审批发布 赵审批');
    expect(await row.getByTestId('four-eyes-kept').textContent()).toBe('双人审批');
    await row.getByTestId('reviewed-changes').locator('summary').click();
    expect(await row.getByTestId('reviewed-changes').locator('li').allTextContents()).toEqual(['名称变更']);
    await screenshot(c, 'designer-version-review');
    // the same history in English
    await c.evaluate(() => localStorage.setItem('ef-locale', 'en'));
    await c.reload();
    await c.getByTestId('versions').locator('summary').first().click();
    const rowEn = c.locator('tr[data-version="4"]');
    expect(await rowEn.getByTestId('approved').textContent()).toContain('Approved by 赵审批');
    expect(await rowEn.getByTestId('four-eyes-kept').textContent()).toBe('Four eyes');
    await rowEn.getByTestId('reviewed-changes').locator('summary').click();
    expect(await rowEn.getByTestId('reviewed-changes').locator('li').allTextContents()).toEqual(['title changed']);
    await screenshot(c, 'designer-version-review-en');
    await c.context().close();
    await a.goto(`/designer?estate=${estateId}`);
    await a.getByTestId('four-eyes-toggle').uncheck();
    await expect.poll(async () => ((await (await a.request.get(`/api/definitions/publish-rules?estateId=${estateId}`)).json()) as { fourEyes: boolean }).fourEyes).toBe(false);
    await a.context().close();
    await b.context().close();
  }, 90_000);

  it('what-if: a tighter on-site goal replayed over the last 90 days of repairs, next to the published policy, with the requests that flip linked', async () => {
    const page = await asAdmin();
    await page.goto(`/designer/sla/repair-clocks?estate=${estateId}`);
    // the on-site goal from the parameter to a fixed 1 minute: every on-site visit of the period is late
    await page.getByTestId('m0-goal-0-mode').selectOption('fixed');
    await page.getByTestId('m0-goal-0-amount').fill('1');
    await page.getByTestId('what-if-run').click();
    const summary = page.getByTestId('what-if-summary');
    await summary.waitFor();
    // the same replay through the API, to compare with what the page shows
    const sla = (await (await page.request.get(`/api/definitions/versions?estateId=${estateId}&kind=sla&key=repair-clocks`)).json()) as { items: { id: string; version: number }[] };
    const latest = sla.items.toSorted((x, y) => y.version - x.version)[0]!;
    const published = (await (await page.request.get(`/api/definitions/versions/${latest.id}`)).json()) as { document: { metrics: { id: string; goals: { deadline: unknown }[] }[] } };
    const tight = structuredClone(published.document);
    tight.metrics.find((m) => m.id === 'on-site')!.goals[0]!.deadline = { after: { amount: 1, unit: 'minutes' } };
    const res = await page.request.post('/api/definitions/what-if', { data: { estateId, document: tight } });
    expect(res.status()).toBe(200);
    const api = (await res.json()) as { requests: number; rows: { metricId: string; published: { breached: number; met: number }; draft: { breached: number; met: number } }[]; flips: { serial: string; instanceId: string; published: string; draft: string }[] };
    await page.getByTestId('what-if').screenshot({ path: join(screenshotDir, 'designer-sla-what-if-panel.png') });
    expect(api.requests).toBeGreaterThan(0);
    expect(await summary.textContent()).toContain(`演算 ${api.requests} 个工单`);
    const onSite = api.rows.filter((r) => r.metricId === 'on-site');
    expect(onSite.length).toBeGreaterThan(0);
    const sum = (k: 'published' | 'draft') => onSite.reduce((n, r) => n + r[k].breached, 0);
    expect(sum('draft')).toBeGreaterThanOrEqual(sum('published'));
    expect(await page.getByTestId('what-if-table').locator('tr[data-metric="on-site"]').count()).toBe(onSite.length);
    // every flip is met → breached (or open → breached) and listed with its serial, linking to the request
    for (const f of api.flips.filter((x) => x.published === 'met')) expect(f.draft).toBe('breached');
    if (api.flips.length) {
      const link = page.getByTestId('what-if-flips').locator('a').first();
      expect(await link.textContent()).toContain(api.flips[0]!.serial);
      await screenshot(page, 'designer-sla-what-if');
      await link.click();
      await page.waitForURL(new RegExp(`/instances/${api.flips[0]!.instanceId}`));
    } else {
      expect(sum('draft')).toBe(sum('published'));
      await screenshot(page, 'designer-sla-what-if');
    }
    // a calendar draft is replayed the same way from the calendars page
    const cal = await page.request.post('/api/definitions/what-if', { data: { estateId, document: { kind: 'calendar', id: 'cn-statutory' } } });
    expect(cal.status()).toBe(200);
    // a definition of another kind is refused, naming the field
    const bad = await page.request.post('/api/definitions/what-if', { data: { estateId, document: { kind: 'form', id: 'x' } } });
    expect(bad.status()).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('document.kind');
    await page.context().close();
  }, 90_000);
});
