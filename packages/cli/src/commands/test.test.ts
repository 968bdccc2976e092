import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from './io.ts';
import { simulateCommand } from './simulate.ts';
import { testCommand } from './test.ts';

const WORKFLOWS = join(import.meta.dirname, '../../../../workflows');
const tmp = mkdtempSync(join(tmpdir(), 'wf-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function capture(): CommandIo & { text: () => string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), text: () => lines.join('\n') };
}

describe('wf test', () => {
  it('runs every paid-service scenario and reaches every state and transition', async () => {
    const io = capture();
    const code = await testCommand([join(WORKFLOWS, 'paid-service'), '--coverage'], io);
    expect(io.text()).toContain('coverage paid-service: states 23/23 (100 %), transitions 35/35 (100 %)');
    expect(io.text()).toMatch(/10 passed, 0 failed, 0 workflow\(s\) below 100 % coverage/);
    expect(code).toBe(0);
  });

  it('runs the lost-and-found scenarios end to end with full coverage', async () => {
    const io = capture();
    expect(await testCommand([join(WORKFLOWS, 'lost-and-found'), '--coverage'], io)).toBe(0);
    expect(io.text()).toContain('✓ lf-cheap-item-expires');
  });

  it('fails on a broken expectation and below 100 % coverage, printing what @xstate/graph proposes', async () => {
    const dir = join(tmp, 'lf');
    cpSync(join(WORKFLOWS, 'lost-and-found'), dir, { recursive: true });
    for (const f of ['cheap-item-expires', 'valuable-kept-a-year', 'refusals', 'exactly-100-yuan']) rmSync(join(dir, 'scenarios', `${f}.scenario.json`));
    const manifest = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as { contents: Record<string, string[]> };
    manifest.contents['scenario'] = ['scenarios/claimed-with-lead.scenario.json'];
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify(manifest));
    const file = join(dir, 'scenarios', 'claimed-with-lead.scenario.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"state": "claimed"', '"state": "disposed"'));
    const io = capture();
    expect(await testCommand([dir, '--coverage'], io)).toBe(1);
    const out = io.text();
    expect(out).toContain('state: expected "disposed", active "claimed"');
    expect(out).toContain('未覆盖状态 state not reached: retentionExpired');
    expect(out).toContain('state retentionExpired: start → REGISTER → timer.kept.retention');
    expect(out).toContain('transition kept.seekingOwner:LEAD_EXHAUSTED#0: start → REGISTER → LEAD_EXHAUSTED');
  });

  it('says how to call it when the path holds no bundle', async () => {
    const io = capture();
    expect(await testCommand([join(tmp, 'nothing-here')], io)).toBe(2);
    expect(io.text()).toContain('no bundle.json found');
  });
});

describe('wf simulate', () => {
  it('prints the timeline: timers firing in order, tasks, effects and charges', async () => {
    const io = capture();
    const code = await simulateCommand([join(WORKFLOWS, 'paid-service'), '--script', join(WORKFLOWS, 'paid-service/scenarios/happy-path.scenario.json')], io);
    const out = io.text();
    expect(out).toContain('[dispatcher] DISPATCH  ⇒ order.issued');
    expect(out).toContain('effect:  notify resident [sms] 您的特约服务已派单，工单号 PS-20260609-001');
    expect(out).toContain('charge:  paid-service 80.00 元 (serial PS-20260609-001)');
    expect(out).toContain('timers:  timer.revisit.revisitDue @ 2026-07-11 00:00 +08:00');
    expect(code).toBe(0);
  });

  it('fires a due timer at its instant when the clock jumps past it', async () => {
    const io = capture();
    expect(await simulateCommand([join(WORKFLOWS, 'lost-and-found'), '--script', 'lf-cheap-item-expires'], io)).toBe(0);
    expect(io.text()).toContain('2026-08-04 09:30 +08:00  [system] timer.kept.retention  ⇒ retentionExpired');
  });
});
