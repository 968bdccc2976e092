import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, login, newPage, openServerAndBrowser, startServer, type Server } from './harness.ts';
import { DEMO_PASSWORD } from './helpers.ts';

// Browser defences on the real server (`apps/api/src/main.ts`: Hono for /api, the SvelteKit
// handler for pages): security headers on an HTML page and on the API, CSRF refusals over HTTP,
// and the app running under its Content-Security-Policy with no violation.
let server: Server;
let browser: Browser;

const BASE_HEADERS = { 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cross-origin-opener-policy': 'same-origin' };

/** Opens a page that records every CSP violation and console error. */
async function watched(): Promise<{ page: Page; problems: string[] }> {
  const { page } = await newPage(browser, server.origin);
  const problems: string[] = [];
  page.on('console', (m) => {
    // an answer's status (401 before sign-in) is the app's business; a refusal by the policy is ours
    if (/Content Security Policy|Refused to|CSP violation|EvalError/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return { page, problems };
}

describe('security headers and CSRF on the real server', () => {
  beforeAll(async () => {
    ({ server, browser } = await openServerAndBrowser());
  }, 240_000);
  afterAll(async () => {
    await closeServerAndBrowser(server, browser);
  });

  it('serves an HTML page with a CSP that allows only hashed inline script, no framing, nosniff and a referrer policy', async () => {
    const res = await fetch(`${server.origin}/login`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    for (const [name, value] of Object.entries(BASE_HEADERS)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get('strict-transport-security')).toBeNull(); // SECURE_COOKIES is not set
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    const html = await res.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline.length).toBeGreaterThan(0);
    for (const body of inline) expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  });

  it('adds HSTS to pages and API answers when the server runs with SECURE_COOKIES=1', async () => {
    const secure = await startServer({ SECURE_COOKIES: '1', EF_NO_DEMO: '1' });
    try {
      for (const path of ['/login', '/api/auth/me', '/api/openapi.json']) {
        const res = await fetch(`${secure.origin}${path}`);
        expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
        for (const [name, value] of Object.entries(BASE_HEADERS)) expect(res.headers.get(name), `${path} ${name}`).toBe(value);
        if (path === '/login') {
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toMatch(/text\/html/);
          expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        }
      }
    } finally {
      await secure.stop();
    }
  }, 240_000);

  it('puts the same headers and a script-free CSP on API answers, errors included', async () => {
    for (const path of ['/api/auth/me', '/api/no-such-route', '/api/openapi.json']) {
      const res = await fetch(`${server.origin}${path}`);
      for (const [name, value] of Object.entries(BASE_HEADERS)) expect(res.headers.get(name), `${path} ${name}`).toBe(value);
      expect(res.headers.get('content-security-policy'), path).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
    }
  });

  it('refuses a state-changing request from another site or in a non-JSON type, and lets scripts without Origin through', async () => {
    const post = (headers: Record<string, string>, body = JSON.stringify({ username: 'admin', password: 'wrong' })) =>
      fetch(`${server.origin}/api/auth/login`, { method: 'POST', headers, body });
    const foreign = await post({ origin: 'https://evil.example', 'content-type': 'text/plain' });
    expect(foreign.status).toBe(403);
    const body = (await foreign.json()) as { error: { reason: string; message: { zh: string; en: string } } };
    expect(body.error.reason).toBe('cross-origin');
    expect(body.error.message.zh).toContain('其他网站');
    expect((await post({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example', 'content-type': 'application/json' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-site', 'content-type': 'application/json' })).status).toBe(403);
    const plain = await post({ origin: server.origin, 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect((await post({ origin: server.origin, 'content-type': 'application/json' })).status).toBe(401);
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401); // a script: no Origin, no Sec-Fetch-Site
  });

  it('runs the app under its CSP with no violation: sign-in, inbox, requests, designer, simulation, sign-out', async () => {
    const { page, problems } = await watched();
    await login(page, 'admin', DEMO_PASSWORD);
    for (const path of ['/inbox', '/instances', '/start', '/designer', '/designer/calendars', '/dashboard']) {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('main').count(), path).toBeGreaterThan(0);
    }
    await page.goto('/designer');
    await page.waitForSelector('a[href^="/designer/forms/"]');
    const formHref = await page.locator('a[href^="/designer/forms/"]').first().getAttribute('href');
    const simulateHref = await page.locator('a[data-simulate]').first().getAttribute('href');
    const workflowHref = await page.locator('a[href^="/designer/workflows/"][data-key]').first().getAttribute('href');
    // the flow editor, the simulator, and the form designer, which checks the form as the server
    // does (ajv compiles it in the browser)
    for (const href of [workflowHref, simulateHref, formHref]) {
      expect(href).toBeTruthy();
      await page.goto(href!);
      await page.waitForLoadState('networkidle');
    }
    const { page: resident, problems: residentProblems } = await watched();
    await login(resident, 'resident', DEMO_PASSWORD);
    await resident.goto('/start');
    await resident.waitForLoadState('networkidle');
    expect([...problems, ...residentProblems]).toEqual([]);
  }, 120_000);
});
