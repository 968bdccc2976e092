import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createCompany, createEstate } from '@estateflow/api';
import { units, type Db } from '@estateflow/db';
import { and, eq } from 'drizzle-orm';
import { findBundles, loadBundle } from '@estateflow/cli';
import { readableText } from '../../apps/web/src/lib/present/format.ts';
import { freshDatabase, type FreshDatabase } from '../support/db.ts';
import { testApp } from '../support/api.ts';
import { driveScenario, finishedScenarios, type FinishedScenario } from '../support/scenario-drive.ts';
import { axeViolations, sidewaysOverflow } from './a11y.ts';
import { buildWebIfNeeded, launchBrowser, screenshotDir } from './harness.ts';

/**
 * The screens never show the machinery (issue #18). Per bundle, one of its scenarios is driven
 * through the API on a PGlite database, and after the start and every step the pages a person
 * reaches — the request, /me, the request list and the inbox — are loaded as each role involved
 * (whoever acted, whoever a task waits for, the request's resident) and every text a person can
 * read (visible text, title, aria-label, placeholder, option labels, the document title) is
 * matched against the words the definitions use internally: state ids, event codes, field keys,
 * workflow keys, timer keys, requirement ids, raw ISO timestamps and the fen amounts the scenario
 * sent. The same check runs on the texts of the notices each role has by then.
 *
 * Runtime: one server, one browser and one context per role and step; the four language and width
 * combinations (zh/en × 360/1366 px) rotate over the steps, and the request at the last step of
 * each bundle is looked at in all four. Every page at 360 px must fit the width (no sideways
 * scrolling); axe-core's WCAG 2 A/AA rules run on the pages of the last step (each role's four pages
 * in that step's combination, the request in all four): the pages of earlier steps are the same
 * components with other data, and running axe on every step would triple the run.
 *
 * The people the scan signs in as have display names (the demo's, "维修工 王师傅"); their usernames,
 * the scenario's actor ids and the workflow's role keys are forbidden on screen too.
 */

const root = join(import.meta.dirname, '../..');

/**
 * Internal names that are also plain words a page may say: a state `closed`, a field `name` or a
 * workflow `repair` read as English ("Closed", "Name", "Repair"). Only names shaped like
 * identifiers are forbidden (a dot, an underscore, a hyphen, a colon or an inner capital: `work.dispatched`,
 * `priceFen`, `lost-and-found`, `sla:…`) and event codes in capitals of four letters or more. Reviewed list:
 */
const ALLOWED = new Set([
  'SLA', // the product's own word for service levels, in both languages' headings
  'App', 'WeChat', // channel option titles
  'move-in', // the move-in workflow's key is also the English word ("the booked move-in slot")
  'lost-and-found', // likewise ("Fill the lost-and-found form", a task title)
]);

const identifierShaped = (s: string): boolean => /[._:-]/.test(s) || /[a-z][A-Z]/.test(s);

type Forbidden = { tokens: Map<string, string>; patterns: [RegExp, string][] };

/** The forbidden words of a bundle, from its own definitions, and the fen amounts its scenario sends. */
function forbiddenOf(dir: string, scenario: FinishedScenario['scenario'], tag = 'scan'): Forbidden {
  const b = loadBundle(dir);
  const tokens = new Map<string, string>();
  const add = (word: unknown, what: string) => {
    if (typeof word !== 'string' || word.length < 3 || ALLOWED.has(word)) return;
    if (identifierShaped(word) || /^[A-Z][A-Z0-9_]{3,}$/.test(word)) tokens.set(word, what);
  };
  const walkStates = (node: { states?: Record<string, unknown> } | undefined, prefix: string) => {
    for (const [k, v] of Object.entries(node?.states ?? {})) {
      const path = prefix ? `${prefix}.${k}` : k;
      add(k, 'state id');
      add(path, 'state id');
      walkStates(v as { states?: Record<string, unknown> }, path);
    }
  };
  for (const wf of b.workflows as unknown as Record<string, unknown>[]) {
    add(wf['id'], 'workflow key');
    walkStates(wf['machine'] as { states?: Record<string, unknown> }, '');
    for (const e of Object.keys((wf['events'] ?? {}) as object)) add(e, 'event code');
    for (const k of Object.keys((wf['context'] ?? {}) as object)) add(k, 'field key');
    for (const k of Object.keys((wf['contextFields'] ?? {}) as object)) add(k, 'field key');
    for (const k of Object.keys((wf['delays'] ?? {}) as object)) add(k, 'timer key');
    for (const k of Object.keys((wf['params'] ?? {}) as object)) add(k, 'parameter key');
    // role keys (a field whose value is a role shows the role's title: "前台", not front_desk), and the
    // usernames of the people the scan signs in as (screens name people by display name)
    for (const r of (wf['roles'] ?? []) as string[]) {
      add(r, 'role key');
      add(`${tag}-${r}`, 'username');
    }
  }
  // the scenario's own names for people (actor ids such as tech-zhao) become users; their names never show
  for (const a of [scenario.start.actor, ...scenario.steps.map((x) => x.actor)]) {
    if (a?.id) add(a.id, 'actor id');
    if (a?.role) add(`${tag}-${a.role}`, 'username');
  }
  for (const form of b.forms as unknown as { schema?: { properties?: object } }[]) for (const k of Object.keys(form.schema?.properties ?? {})) add(k, 'field key');
  for (const sla of b.slas as unknown as { metrics?: { id: string }[] }[]) for (const m of sla.metrics ?? []) add(m.id, 'metric id');
  const patterns: [RegExp, string][] = [
    [/\b[A-Z]{2,3}-\d{1,3}\b(?!-)/, 'requirement id'],
    [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'raw ISO timestamp'],
    [/\bsla:[\w:-]+/, 'timer key'],
  ];
  // the scenario's amounts in fen: the page shows yuan ("¥150.00"), never the integer ("15000" or "15,000")
  const fen = new Set<number>();
  const collect = (v: unknown, key = '') => {
    if (typeof v === 'number' && /Fen$/.test(key) && Math.abs(v) >= 1000 && v % 100 !== 0) fen.add(v);
    else if (typeof v === 'number' && /Fen$/.test(key) && Math.abs(v) >= 10000) fen.add(v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, k);
  };
  collect(scenario.start.data);
  for (const s of scenario.steps) collect(s.data);
  for (const n of fen) {
    patterns.push([new RegExp(`(?<![\\d.,])(${n}|${n.toLocaleString('en')})(?![\\d.,]*\\d)`), `amount in fen ${n}`]);
  }
  return { tokens, patterns };
}

/** What on a text is forbidden, as "what: word" findings. */
function findings(text: string, f: Forbidden): string[] {
  const out: string[] = [];
  for (const raw of text.match(/[A-Za-z0-9_.:-]+/g) ?? []) {
    const token = raw.replace(/^[.:-]+|[.:-]+$/g, '');
    const what = f.tokens.get(token);
    if (what) out.push(`${what}: ${token}`);
  }
  for (const [re, what] of f.patterns) {
    const m = re.exec(text);
    if (m) out.push(`${what}: ${m[0]}`);
  }
  return out;
}

const combos = [
  { locale: 'zh-CN', width: 360 },
  { locale: 'en', width: 1366 },
  { locale: 'zh-CN', width: 1366 },
  { locale: 'en', width: 360 },
] as const;

let fresh: FreshDatabase;
let server: Server;
let origin: string;
let browser: Browser;
const clock = { now: new Date() };

beforeAll(async () => {
  buildWebIfNeeded();
  fresh = await freshDatabase('pglite');
  const app = testApp(fresh.handle.db, { now: () => clock.now });
  const api = getRequestListener(app.fetch);
  type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  const web = ((await import(pathToFileURL(join(root, 'apps/web/build/handler.js')).href)) as { handler: NodeHandler }).handler;
  server = createServer((req, res) => (req.url?.startsWith('/api') ? void api(req, res) : web(req, res, () => res.end())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await fresh?.dispose();
});

/** One scenario per bundle: the first that ends. */
function oneScenarioPerBundle(): FinishedScenario[] {
  const seen = new Set<string>();
  return finishedScenarios().filter((s) => !seen.has(s.bundle) && seen.add(s.bundle));
}

describe('no screen shows the machinery', () => {
  const scenarios = oneScenarioPerBundle();
  it('finds what it looks for: the words are derived from the definitions and matched as whole tokens', () => {
    const repair = scenarios.find((x) => x.bundle === 'repair')!;
    const f = forbiddenOf(repair.dir, { ...repair.scenario, steps: [{ send: 'QUOTE', data: { priceFen: 12345 }, actor: { role: 'technician', id: 'tech-zhao' } }] } as never, 'scan-repair');
    const said = 'work.dispatched CLASSIFY priceFen 2026-12-08T02:00:00Z RP-2 sla:repair-clocks:complete:breach:0 12345 12,345 lost-and-found front_desk scan-repair-technician tech-zhao';
    expect(findings(said, f).map((x) => x.split(':')[0])).toEqual(expect.arrayContaining(['state id', 'event code', 'field key', 'requirement id', 'raw ISO timestamp', 'timer key', 'amount in fen 12345', 'role key', 'username', 'actor id']));
    // what people read is not flagged: titles, yuan, local times, plain words that are also ids
    expect(findings('已派单，待到场 分类派单 ¥123.45 2026年12月8日 10:00 Closed Repair SLA 时限 1栋1单元101室', f)).toEqual([]);
  });

  it('covers every bundle of the catalogue: one scenario of each bundle in workflows/', () => {
    const bundles = findBundles(join(root, 'workflows')).map((d) => loadBundle(d).manifest.id).sort();
    expect(bundles.length).toBeGreaterThanOrEqual(14);
    expect(scenarios.map((x) => x.bundle).sort()).toEqual(bundles);
  });

  for (const [n, s] of scenarios.entries()) {
    it(`${s.bundle} (${s.scenario.id}): instance, /me, requests and inbox as each role at every step, zh and en, 360 and 1366 px, and the notices`, async () => {
      const db: Db = fresh.handle.db;
      const forbidden = forbiddenOf(s.dir, s.scenario, `scan-${s.bundle}`);
      // named without the bundle's key, which the scan forbids on screen
      const tenantId = await createCompany(db, `扫描物业 ${n + 1}`);
      const estateId = await createEstate(db, tenantId, { name: `扫描小区 ${n + 1}`, buildings: [{ name: '1栋', units: ['1-1-101'] }] });
      const [unit] = await db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
      const problems: string[] = [];
      let pagesSeen = 0;
      let last = 0;
      // steps that send nothing only move the clock: the pages are looked at after those that send
      const lastSent = s.scenario.steps.reduce((n, step, i) => (step.send ? i + 1 : n), 0);
      await driveScenario(db, testApp(db, { now: () => clock.now }), clock, { tenantId, estateId, unitId: unit!.id, tag: `scan-${s.bundle}` }, s, async (at) => {
        last = at.index;
        const isLast = at.index === lastSent;
        const client = await at.as(at.actorRole);
        const inst = (await client.call('GET', `/api/instances/${at.instanceId}`)).body as { tasks?: { role?: string | null; status?: string }[] };
        const roles = new Set<string>([at.actorRole, ...(inst.tasks ?? []).filter((t) => t.status === 'open' && t.role).map((t) => t.role!)]);
        if (at.starter === 'resident' || at.privacy === 'household') roles.add('resident');
        for (const role of roles) {
          const who = await at.as(role);
          const [name, value] = who.cookie.split('=') as [string, string];
          // the notices this role has by now, as the screens word them
          const notices = (await who.call('GET', `/api/notices?estateId=${estateId}`)).body as { items?: { payload: { message?: { zh: string; en: string } } }[]; people?: Record<string, string> };
          for (const n of notices.items ?? []) {
            for (const locale of ['zh-CN', 'en'] as const) {
              const m = n.payload.message;
              if (!m) continue;
              const said = readableText(locale === 'en' ? m.en : m.zh, { locale, timeZone: 'Asia/Shanghai', ...(notices.people ? { people: notices.people } : {}) });
              for (const p of findings(said, forbidden)) problems.push(`notice to ${role} (${locale}): ${p} in "${said}"`);
            }
          }
          const rotating = combos[at.index % combos.length]!;
          for (const combo of isLast ? combos : [rotating]) {
            const context = await browser.newContext({ baseURL: origin, viewport: { width: combo.width, height: 800 }, locale: combo.locale, timezoneId: 'Asia/Shanghai' });
            await context.addCookies([{ name, value, url: origin }]);
            await context.addInitScript((l) => localStorage.setItem('ef-locale', l), combo.locale);
            const page = await context.newPage();
            page.setDefaultTimeout(15_000);
            // the lists in the step's combination; the request itself, at the end, in all four
            for (const path of combo === rotating ? [`/instances/${at.instanceId}`, '/me', '/instances', '/inbox'] : [`/instances/${at.instanceId}`]) {
              const res = await page.goto(path);
              expect(res?.status(), `${path} as ${role}`).toBeLessThan(500);
              // a page has loaded its data when its heading is drawn (load functions run before the page renders)
              await page.locator('h1').first().waitFor();
              await page.waitForTimeout(50);
              const text = await page.evaluate(() => {
                const parts = [document.title, document.body.innerText];
                for (const el of Array.from(document.querySelectorAll('[title],[aria-label],[placeholder]'))) {
                  for (const a of ['title', 'aria-label', 'placeholder']) if (el.getAttribute(a)) parts.push(el.getAttribute(a)!);
                }
                for (const o of Array.from(document.querySelectorAll('option'))) parts.push(o.textContent ?? '');
                return parts.join('\n');
              });
              pagesSeen++;
              const where = `${path} as ${role} (${combo.locale}, ${combo.width} px, step ${at.index})`;
              for (const p of findings(text, forbidden)) problems.push(`${where}: ${p}`);
              // a phone shows the whole page (no sideways scrolling), at every step
              if (combo.width === 360) {
                const over = await sidewaysOverflow(page);
                if (over) problems.push(`${where}: scrolls sideways, ${over}`);
              }
              // WCAG 2 A/AA at the last step: every page in the step's combination, the request in all four
              if (isLast) for (const v of await axeViolations(page)) problems.push(`${where}: ${v}`);
              if (isLast && combo.width === 360 && path.startsWith('/instances/')) {
                await page.screenshot({ path: join(screenshotDir, `scan-${s.bundle}-${role}-${combo.locale}-360.png`), fullPage: true });
              }
            }
            await context.close();
          }
        }
      });
      expect(last).toBe(lastSent);
      expect(pagesSeen).toBeGreaterThan(0);
      expect([...new Set(problems)]).toEqual([]);
      // a long scenario (move-in's defect items: 33 steps) looks at more pages: 20 s a step, at least 5 minutes
    }, Math.max(300_000, s.scenario.steps.length * 20_000));
  }
});
