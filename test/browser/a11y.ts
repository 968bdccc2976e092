import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// axe-core's own build, evaluated in the page under test through the DevTools protocol (no network, no
// bundler): the app's Content-Security-Policy refuses an inline <script> (page.addScriptTag), rightly
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.0 and 2.1 level A and AA rules (issue #18: "pass axe-core's WCAG 2 A/AA rules"). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core's WCAG 2 A/AA violations of the page as it stands, one line each
 * ("color-contrast: Elements must meet minimum color contrast ratio thresholds — .badge.warn (2.9:1)"), so a
 * failing assertion names the rule, the element and, for contrast, the ratio found.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (tags) => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown[]; any: { data?: { contrastRatio?: number; fgColor?: string; bgColor?: string } }[] }[] }[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), data: n.any[0]?.data })) }));
  }, WCAG_TAGS);
  return violations.flatMap((v) => v.nodes.map((n) => {
    const c = n.data?.contrastRatio ? ` (${n.data.contrastRatio}:1, ${n.data.fgColor} on ${n.data.bgColor})` : '';
    return `${v.id}: ${v.help} — ${n.target}${c}`;
  }));
}

/** How wide the page is when it is wider than its window (it scrolls sideways), else 0; with the widest elements, to name the culprit. */
export async function sidewaysOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const sw = document.documentElement.scrollWidth;
    if (sw <= w) return null;
    const wide = Array.from(document.body.querySelectorAll('*'))
      .filter((el) => el.getBoundingClientRect().right > w + 1)
      // what a scrolling box (a wide table in .table-wrap) holds scrolls inside it, not the page
      .filter((el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (/auto|scroll|hidden/.test(getComputedStyle(p).overflowX)) return false; return true; })
      .filter((el) => !Array.from(el.children).some((c) => c.getBoundingClientRect().right > w + 1))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} → ${Math.round(el.getBoundingClientRect().right)}px`);
    return `scrollWidth ${sw} > ${w}: ${wide.join(', ')}`;
  });
}
