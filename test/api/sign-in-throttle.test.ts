import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, loginThrottle } from '@estateflow/db';
import { createCompany, createEstate, createUser, defaultLoginThrottle, runWorkerOnce, type ApiConfig } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { testApp, testConfig } from '../support/api.ts';

// Failed sign-ins: a per-address lock, a growing delay per (account, address), and an account-wide
// delay that spares the account's usual addresses. Counted in the database, so every API process
// sees them. The clock is the config's; addresses come from X-Forwarded-For (trustProxy).
withDatabases((kind, getDb) => {
  let tenantId: string;
  let now = new Date('2026-03-02T01:00:00Z');
  const later = (ms: number) => (now = new Date(now.getTime() + ms));
  const config: Partial<ApiConfig> = { trustProxy: true, now: () => now };
  const app = () => testApp(getDb(), config);
  const login = async (username: string, password: string, address: string, via = app()) => {
    const res = await via.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.250, ${address}` },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { reason: string; message: { zh: string; en: string } } } };
  };
  const user = async (username: string) => {
    const estateId = await createEstate(getDb(), tenantId, { name: `E-${username}` });
    await createUser(getDb(), testConfig as never, { tenantId, username, password: 'right-pw', roles: [{ estateId, role: 'finance' }] });
  };

  beforeAll(async () => {
    tenantId = await createCompany(getDb(), '长城物业');
  });

  it(`delays an account at one address more after each failure past the third, answering 429 without checking the password, on ${kind}`, async () => {
    await user(`backoff-${kind}`);
    const name = `backoff-${kind}`;
    for (let i = 0; i < 3; i++) expect((await login(name, 'guess', '198.51.100.1')).status).toBe(401);
    const seen: string[] = [];
    for (const wait of [1, 2, 4, 8, 16]) {
      expect((await login(name, 'guess', '198.51.100.1')).status).toBe(401);
      const refused = await login(name, 'right-pw', '198.51.100.1');
      expect(refused.status).toBe(429);
      expect(refused.body.error?.reason).toBe('too-many-attempts');
      seen.push(refused.retryAfter ?? '');
      expect(refused.body.error?.message.zh).toContain(`${wait} 秒后再试`);
      expect(refused.body.error?.message.en).toContain(`try again in ${wait} seconds`);
      later(wait * 1000);
    }
    expect(seen).toEqual(['1', '2', '4', '8', '16']);
    // the delay ends by itself; the right password then signs in and resets this address's counter
    expect((await login(name, 'right-pw', '198.51.100.1')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(name, 'guess', '198.51.100.1')).status).toBe(401);
  });

  it(`locks an address after ${defaultLoginThrottle.addressLimit} failures over any names, for every name, then lets it in again, on ${kind}`, async () => {
    await user(`victim-${kind}`);
    for (let i = 0; i < defaultLoginThrottle.addressLimit; i++) {
      expect((await login(`sweep-${kind}-${i}`, 'guess', '198.51.100.2')).status).toBe(401);
    }
    const locked = await login(`victim-${kind}`, 'right-pw', '198.51.100.2');
    expect(locked.status).toBe(429);
    expect(locked.body.error?.message.en).toMatch(/network address.*try again in 15 minutes/);
    expect(Number(locked.retryAfter)).toBe(15 * 60);
    // the same user elsewhere is not affected
    expect((await login(`victim-${kind}`, 'right-pw', '198.51.100.3')).status).toBe(200);
    later(15 * 60_000);
    expect((await login(`victim-${kind}`, 'right-pw', '198.51.100.2')).status).toBe(200);
    const lines = await getDb().select().from(auditLog).where(and(eq(auditLog.action, 'auth.throttle'), eq(auditLog.target, 'address/198.51.100.2')));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.detail).toMatchObject({ scope: 'address', address: '198.51.100.2', failures: defaultLoginThrottle.addressLimit });
  });

  it(`cannot lock the finance clerk out: guesses spread over many addresses slow the account down for new addresses only, on ${kind}`, async () => {
    const clerk = `finance-${kind}`;
    await user(clerk);
    expect((await login(clerk, 'right-pw', '192.0.2.10')).status).toBe(200); // her usual desk
    // 40 machines, 3 guesses each: under every per-address limit, 120 failures on the account
    let checked = 0;
    for (let m = 0; m < 40; m++) for (let g = 0; g < 3; g++) if ((await login(clerk, `guess-${g}`, `198.18.0.${m}`)).status === 401) checked++;
    expect(checked).toBeLessThan(40 * 3);
    const fresh = await login(clerk, 'guess', '198.18.1.1');
    expect(fresh.status).toBe(429);
    expect(fresh.body.error?.message.en).toContain('from several addresses');
    expect((await login(clerk, 'right-pw', '198.18.1.2')).status).toBe(429);
    // her usual address still signs her in at once, with the right password
    expect((await login(clerk, 'right-pw', '192.0.2.10')).status).toBe(200);
    const refused = await getDb().select().from(auditLog).where(and(eq(auditLog.action, 'auth.login'), eq(auditLog.target, `user/${clerk}`), eq(auditLog.outcome, 'refused')));
    expect(refused.length).toBe(checked); // each checked failure has its line; 429s have none
    expect(refused[0]!.tenantId).toBe(tenantId);
    expect(refused[0]!.detail).toMatchObject({ reason: 'bad-credentials' });
  });

  it(`shares the counters between API processes (two apps on one database), on ${kind}`, async () => {
    const name = `shared-${kind}`;
    await user(name);
    const a = app();
    const b = app();
    for (let i = 0; i < 4; i++) expect((await login(name, 'guess', '198.51.100.7', i % 2 ? a : b)).status).toBe(401);
    expect((await login(name, 'right-pw', '198.51.100.7', a)).status).toBe(429);
    expect((await login(name, 'right-pw', '198.51.100.7', b)).status).toBe(429);
  });

  it(`counts an unknown name exactly like a real one and audits it without a company, on ${kind}`, async () => {
    for (let i = 0; i < 4; i++) expect((await login(`nobody-${kind}`, 'guess', '198.51.100.8')).status).toBe(401);
    const r = await login(`nobody-${kind}`, 'guess', '198.51.100.8');
    expect(r.status).toBe(429);
    const lines = await getDb().select().from(auditLog).where(and(eq(auditLog.action, 'auth.login'), eq(auditLog.target, `user/nobody-${kind}`)));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ tenantId: '00000000-0000-0000-0000-000000000000', actorId: null, outcome: 'refused' });
  });

  it(`the worker prunes counters whose window and delay are over, keeping locks in force and usual addresses, on ${kind}`, async () => {
    const name = `prune-${kind}`;
    await user(name);
    const logs: string[] = [];
    const sweep = () => runWorkerOnce({ db: getDb(), workerId: 'pruner', now: () => now, attachmentSweepEveryMs: 0, log: (m) => logs.push(m), onError: (e) => { throw e; } });
    const t0 = now.getTime();
    const at = (minutes: number) => (now = new Date(t0 + minutes * 60_000));
    // the usual address (a success), five failures at another, an address locked by its 20th failure at +10 min
    expect((await login(name, 'right-pw', '198.51.100.20')).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await login(name, 'guess', '198.51.100.21')).status).toBe(401);
      later(20_000);
    }
    at(0);
    for (let i = 0; i < defaultLoginThrottle.addressLimit - 1; i++) expect((await login(`${name}-sweep${i}`, 'guess', '198.51.100.22')).status).toBe(401);
    at(10);
    expect((await login(`${name}-sweep-last`, 'guess', '198.51.100.22')).status).toBe(401);
    const all = await getDb().select().from(loginThrottle);
    const mine = (scope: string, key: string) => all.some((r) => r.scope === scope && r.key === key);
    expect(mine('address', '198.51.100.21') && mine('address', '198.51.100.22') && mine('account', name) && mine('account-address', `${name}\n198.51.100.20`)).toBe(true);

    // +16 min: the failures-only address is past its 15-minute window; the locked one stays until its lock ends (+25)
    at(16);
    await sweep();
    const left16 = await getDb().select().from(loginThrottle);
    const has = (rows: typeof left16, scope: string, key: string) => rows.some((r) => r.scope === scope && r.key === key);
    expect(has(left16, 'address', '198.51.100.21')).toBe(false);
    expect(has(left16, 'address', '198.51.100.22')).toBe(true);
    expect((await login(`${name}-other`, 'right-pw', '198.51.100.22')).status).toBe(429); // still locked
    expect(has(left16, 'account-address', `${name}\n198.51.100.21`)).toBe(true); // its hour is not over
    // +26 min: the lock is over, so is its row
    at(26);
    await sweep();
    expect(has(await getDb().select().from(loginThrottle), 'address', '198.51.100.22')).toBe(false);
    // +61 min: every failure counter of the name is gone; the usual address is kept for 30 days
    at(61);
    await sweep();
    const left61 = await getDb().select().from(loginThrottle);
    expect(has(left61, 'account-address', `${name}\n198.51.100.21`)).toBe(false);
    expect(has(left61, 'account', name)).toBe(false);
    expect(has(left61, 'account-address', `${name}\n198.51.100.20`)).toBe(true);
    expect(logs.some((m) => /removed \d+ expired sign-in counter/.test(m))).toBe(true);
    // pruned counters answer as before: the next failure at .21 starts again at one (401, no delay)
    expect((await login(name, 'guess', '198.51.100.21')).status).toBe(401);
    expect((await login(name, 'right-pw', '198.51.100.21')).status).toBe(200);
    at(60 * 24 * 31);
    await sweep();
    expect(has(await getDb().select().from(loginThrottle), 'account-address', `${name}\n198.51.100.20`)).toBe(false);
  });
});
