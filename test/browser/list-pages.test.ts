import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshot, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

let server: Server;
let browser: Browser;

async function as(username: string): Promise<Page> {
  const { page } = await newPage(browser, server.origin);
  page.on('pageerror', (e) => console.error(`[${username}] page error: ${e.message}`));
  await login(page, username, DEMO_PASSWORD);
  return page;
}

describe('long lists come a page at a time, in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  it('the request list shows the newest 50 and loads the rest with 加载更多, each request once', async () => {
    const page = await as('duty-manager');
    const estateId = (await (await page.request.get('/api/auth/me')).json()).memberships[0].estateId as string;
    // enough found items that the demo's requests and these fill more than one page
    for (let n = 0; n < 55; n++) {
      const res = await page.request.post('/api/instances', { data: { estateId, workflow: 'lost-and-found', data: { item: `钥匙 ${n}`, quantity: 1, foundAt: '地下车库', finderName: '李经理' } } });
      expect(res.status(), await res.text()).toBe(201);
    }
    const total = (await (await page.request.get(`/api/instances?estateId=${estateId}&total=true&limit=1`)).json()).total as number;
    expect(total).toBeGreaterThan(55);
    await page.goto('/instances');
    const rows = page.locator('table.data tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(50);
    // newest first: the last found item started is on top
    await expect.poll(() => rows.first().textContent()).toBeTruthy();
    const more = page.getByTestId('instances-more');
    await expect.poll(() => more.textContent()).toBe('加载更多');
    await more.click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(Math.min(total, 100));
    while (await more.count()) {
      await more.click();
      await page.waitForTimeout(200);
    }
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(total);
    const serials = await page.locator('table.data tbody tr td:first-child a').allTextContents();
    expect(new Set(serials).size).toBe(total);
    await screenshot(page, 'request-list-pages');
  }, 180_000);

  it('the notices page makes one call for every estate (and one for the titles of its processes) and shows them newest first', async () => {
    // the first demo user with notices (the demo's requests notify several roles)
    let page: Page | undefined;
    for (const user of ['dispatcher', 'technician', 'cs-manager', 'duty-manager', 'front-desk', 'property-manager', 'resident', 'admin']) {
      const p = await as(user);
      if ((await (await p.request.get('/api/notices?limit=1')).json()).items.length > 0) {
        page = p;
        break;
      }
      await p.context().close();
    }
    if (!page) throw new Error('no demo user has notices');
    const calls: string[] = [];
    const perEstate: string[] = [];
    const words: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/notices') calls.push(r.url());
      else if (url.pathname === '/api/definitions/words') words.push(r.url());
      else if (url.pathname.startsWith('/api/') && url.searchParams.has('estateId')) perEstate.push(r.url());
    });
    await page.goto('/notices');
    const items = page.getByTestId('notices').locator('li');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(calls).toHaveLength(1);
    // the processes' titles come from the words of the notices' versions in one batch, not a catalogue per estate
    expect(words.length).toBeLessThanOrEqual(1);
    expect(perEstate).toEqual([]);
    expect(new URL(calls[0]!).searchParams.get('estateId')).toBeNull();
    const times = await items.locator('time').evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime') ?? '')));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    await screenshot(page, 'notices-one-call');
  }, 60_000);

  it("the inbox's filters ask the server, so a matching task past the first page is found, and each filter shows what the API answers", async () => {
    const RUN = Date.now().toString(36).slice(-5);
    const resident = await as('resident');
    const estateId = (await (await resident.request.get('/api/auth/me')).json()).memberships[0].estateId as string;
    const dispatcher = await as('dispatcher');
    const apiAll = async (query: string): Promise<string[]> => {
      const serials: string[] = [];
      let cursor: string | null = null;
      do {
        const body = (await (await dispatcher.request.get(`/api/tasks?scope=role&limit=200&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as { items: { serial: string }[]; nextCursor: string | null };
        serials.push(...body.items.map((i) => i.serial));
        cursor = body.nextCursor;
      } while (cursor);
      return serials;
    };
    // enough repairs that the dispatcher's inbox holds more than a page; the last one, due last, says something unique
    for (let n = 0; n <= 55; n++) {
      const fault = n === 55 ? `天窗漏雨 ${RUN}` : `水龙头滴水 ${n}`;
      const res = await resident.request.post('/api/instances', { data: { estateId, workflow: 'repair', data: { name: '王志强', unit: '1-1-101', phone: '13800000000', fault } } });
      expect(res.status(), await res.text()).toBe(201);
    }
    const everything = await apiAll('');
    expect(everything.length).toBeGreaterThan(50);
    const [unique] = await apiAll(`q=${encodeURIComponent(`天窗漏雨 ${RUN}`)}`);
    expect(unique).toBeTruthy();

    const asked: string[] = [];
    dispatcher.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/tasks') asked.push(url.search);
    });
    await dispatcher.goto('/inbox');
    const rows = dispatcher.locator('table[data-testid="inbox"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(50);
    expect(await dispatcher.locator(`tr[data-serial="${unique}"]`).count()).toBe(0);
    // the search box: the server finds it, though it was not among the rows loaded
    await dispatcher.locator('.filters input[type="search"]').fill(`天窗漏雨 ${RUN}`);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => dispatcher.locator(`tr[data-serial="${unique}"]`).count()).toBe(1);
    expect(asked.some((q) => new URLSearchParams(q).get('q') === `天窗漏雨 ${RUN}`)).toBe(true);
    await screenshot(dispatcher, 'inbox-search-server');
    await dispatcher.locator('.filters input[type="search"]').fill('');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(50);

    // each select: the rows shown, every page loaded, are the API's answer for the same filter
    const shown = async (): Promise<string[]> => {
      const more = dispatcher.getByTestId('inbox-more');
      while (await more.count()) {
        await more.click();
        await dispatcher.waitForTimeout(300);
      }
      return rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-serial') ?? ''));
    };
    let narrowed = 0;
    for (const [label, value, query] of [['按流程', 'repair', 'workflow=repair'], ['按状态', 'ok', 'due=ok'], ['按状态', 'overdue', 'due=overdue'], ['按等级', 'major', 'grade=major']] as const) {
      await dispatcher.getByLabel(label).selectOption(value);
      const want = await apiAll(query);
      await expect.poll(async () => (await shown()).sort().join(','), { timeout: 20_000 }).toBe([...want].sort().join(','));
      expect(asked.some((q) => new URLSearchParams(q).toString().includes(query)), query).toBe(true);
      if (want.length < everything.length) narrowed++;
      // once shown, the page asks nothing more (a filter's answer does not ask again)
      const calls = asked.length;
      await dispatcher.waitForTimeout(1500);
      expect(asked.length, query).toBe(calls);
      await dispatcher.getByLabel(label).selectOption('');
    }
    expect(narrowed).toBeGreaterThan(0);
    await dispatcher.context().close();
    await resident.context().close();
  }, 240_000);
});
