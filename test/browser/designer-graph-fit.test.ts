import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, screenshotDir, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// Issue #19 "a graph that reads at a glance": the largest bundles (incident: 21 states, 4 of them
// compound; complaint: 14) open at 1366×768 fitted whole: every state, or the collapsed compound
// state that holds it, inside the graph's box, labels at least 12 px on screen, the initial state at
// the top. A long process opens with its compound states collapsed; expanding one shows its children.
// Roles: a role the company adds to its catalogue is a checkbox of the designer and saves on a transition.
let server: Server;
let browser: Browser;
let page: Page;

type Measure = { zoom: number; minLabelPx: number; outside: string[]; initialTop: boolean; initialInside: boolean; nodes: number; shown: string[] };

/** Every state of a bundle's workflow as a dotted path. */
function statesOf(wf: string): string[] {
  type S = { states?: Record<string, S> };
  const doc = JSON.parse(readFileSync(join(import.meta.dirname, '../../workflows', wf, 'workflow.json'), 'utf8')) as { machine: S };
  const out: string[] = [];
  const walk = (s: S, pre: string) => { for (const [k, c] of Object.entries(s.states ?? {})) { out.push(pre + k); walk(c, `${pre}${k}.`); } };
  walk(doc.machine, '');
  return out;
}
/** The state itself or its nearest ancestor drawn as a box. */
const boxOf = (p: string, shown: string[]) => { const parts = p.split('.'); for (let i = parts.length; i > 0; i--) { const a = parts.slice(0, i).join('.'); if (shown.includes(a)) return a; } return null; };

async function measure(p: Page): Promise<Measure> {
  return p.evaluate(() => {
    const graph = document.querySelector('[data-testid="workflow-graph"]')!.getBoundingClientRect();
    const vp = document.querySelector<HTMLElement>('.svelte-flow__viewport')!;
    const zoom = new DOMMatrix(getComputedStyle(vp).transform).a;
    const nodes = [...document.querySelectorAll<HTMLElement>('.svelte-flow__node')];
    const labels = [...nodes, ...document.querySelectorAll<HTMLElement>('.svelte-flow__edge-label')];
    const minLabelPx = Math.min(...labels.map((el) => parseFloat(getComputedStyle(el).fontSize) * zoom));
    const outside = nodes.filter((n) => { const r = n.getBoundingClientRect(); return r.top < graph.top - 1 || r.bottom > graph.bottom + 1 || r.left < graph.left - 1 || r.right > graph.right + 1; }).map((n) => n.dataset['id'] ?? '');
    const initial = nodes.find((n) => n.classList.contains('initial'));
    const initialTop = !!initial && nodes.every((n) => n.getBoundingClientRect().top >= initial.getBoundingClientRect().top - 1);
    const initialInside = !!initial && !outside.includes(initial.dataset['id'] ?? '');
    return { zoom, minLabelPx, outside, initialTop, initialInside, nodes: nodes.length, shown: nodes.map((n) => n.dataset['id'] ?? '') };
  });
}

describe('the graph of the largest bundles reads at a glance at 1366×768 (#19)', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
    ({ page } = await newPage(browser, server.origin, { width: 1366, height: 768 }));
    await login(page, 'admin', DEMO_PASSWORD);
  }, 240_000);
  afterAll(() => closeServerAndBrowser(server, browser));

  async function open(wf: string): Promise<Measure> {
    await page.goto(`/designer/workflows/${wf}`);
    await page.locator('[data-testid="workflow-graph"][data-fitted="true"] .svelte-flow__node').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(800); // the collapse and its new layout and fit
    return measure(page);
  }
  /** The graph alone, as it shows at 1366×768. */
  const shoot = async (name: string) => { await page.getByTestId('workflow-graph').scrollIntoViewIfNeeded(); await page.screenshot({ path: join(screenshotDir, `${name}.png`) }); };

  for (const wf of ['incident', 'complaint']) {
    it(`${wf}: opens fitted whole, every state or its collapsed parent inside, labels ≥ 12 px, the initial state at the top`, async () => {
      const m = await open(wf);
      await shoot(`designer-graph-${wf}-1366`);
      console.log(wf, JSON.stringify(m));
      const states = statesOf(wf);
      expect(states.length).toBeGreaterThan(10);
      const missing = states.filter((s) => { const b = boxOf(s, m.shown); return !b || m.outside.includes(b); });
      expect(missing).toEqual([]);
      expect(m.outside).toEqual([]);
      expect(m.initialTop).toBe(true);
      expect(m.initialInside).toBe(true);
      expect(m.minLabelPx).toBeGreaterThanOrEqual(12);
    }, 120_000);
  }

  it('incident: expanding a collapsed compound state shows its children; collapsing it hides them', async () => {
    const before = await open('incident');
    expect(before.shown).toContain('damage');
    expect(before.shown).not.toContain('damage.assessing'); // opened collapsed
    const toggle = page.locator('.svelte-flow__node[data-id="damage"] [data-testid="compound-toggle"]');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.textContent()).toContain('3'); // its children counted
    await toggle.click();
    await page.locator('.svelte-flow__node[data-id="damage.assessing"]').waitFor();
    await page.waitForTimeout(800);
    const after = await measure(page);
    await shoot('designer-graph-incident-expanded-1366');
    console.log('incident expanded', JSON.stringify(after));
    expect(after.shown).toEqual(expect.arrayContaining(['damage', 'damage.assessing', 'damage.confirming', 'damage.disputed']));
    expect(after.minLabelPx).toBeGreaterThanOrEqual(12);
    await page.locator('.svelte-flow__node[data-id="damage"] [data-testid="compound-toggle"]').click();
    await expect.poll(() => page.locator('.svelte-flow__node[data-id="damage.assessing"]').count()).toBe(0);
  }, 120_000);

  it("a role the company adds to its catalogue is a checkbox of the designer, with its title, and saves on a transition", async () => {
    const estateId = (await page.evaluate(async () => (await fetch('/api/auth/me')).json()) as { memberships: { estateId: string; role: string }[] }).memberships.find((m) => m.role === 'admin')!.estateId;
    const added = await page.evaluate(async (body) => (await fetch('/api/roles', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status, { estateId, key: 'parking_warden', title: { zh: '停车管理员', en: 'Parking warden' }, description: { zh: '管理车位', en: 'Looks after parking spaces' }, permissions: [] });
    expect(added).toBe(200);
    await page.goto(`/designer/workflows/complaint?estate=${estateId}`);
    await page.locator('[data-testid="workflow-graph"][data-fitted="true"] .svelte-flow__node').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('tr-from').selectOption('revisit');
    await page.getByTestId('tr-event').fill('PARKING_CHECK');
    await page.getByTestId('tr-to').selectOption('reporting');
    await page.getByRole('button', { name: /添加流转/ }).click();
    await page.getByTestId('event-label-zh').fill('车位核查');
    await page.getByTestId('event-label-en').fill('Parking check');
    const box = page.getByTestId('event-roles').getByLabel('停车管理员');
    await box.waitFor();
    await box.check();
    await page.getByRole('button', { name: /^保存$/ }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent()).toBe('已保存');
    const draft = await page.evaluate(async (q) => (await fetch(`/api/definitions/drafts/workflow/complaint?estateId=${q}`)).json(), estateId) as { document: { roles: string[]; events: Record<string, { roles?: string[] }> } };
    expect(draft.document.events['PARKING_CHECK']!.roles).toEqual(['parking_warden']);
    expect(draft.document.roles).toContain('parking_warden');
  }, 180_000);
});
