import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { units } from '@estateflow/db';
import { loadBundle } from '@estateflow/cli';
import { recomputeRollups } from '../../apps/api/src/services/rollups.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';
import { driveScenario, finishedScenarios } from '../support/scenario-drive.ts';

/**
 * #22: the monthly statistics (PS-8, PS-9, RP-5, SV-1, SV-5) come from the data. A fixture month,
 * May 2026, of four catalogue requests driven through the API, plus a paid service in June and a
 * survey in November; every figure below was counted by hand from the scenario files:
 * - rp-free-minor-repair: 2026-05-06, by phone, category other; revisit by phone, satisfaction 5;
 *   no rework; on-site, complete and revisit clocks met (its own expectations say so).
 * - rp-paid-leak-rework: 2026-05-06, by app, category leak; failed acceptance and a failed leak test
 *   (reworkCount 2); revisit on site, satisfaction 4. Dispatched 10:10, on site 10:35, due 10:30
 *   (30 minutes from the report): on-site breached; completion (major: 7 days) stopped at the
 *   leak test the next day: met; revisit two days after the passed leak test, due 2026-05-12 17:35: met.
 * - cp-major-harm-reopen: 2026-05-06, by phone, grade major; revisited on site (visit, not
 *   satisfied, reopened), then by phone (satisfied).
 * - cp-important-routine: 2026-05-11, by app, grade important; revisited by phone, satisfied.
 * - ps-happy-path: 2026-06-09: not in May.
 * - sv-survey-closed-early: November 2026, 5 households asked, 4 opinion forms returned (one line each:
 *   1-101, 1-102, 1-201, 1-202): 80 %, the target met.
 */
withDatabases((kind, getDb) => {
  it(`computes a month's statistics from the rollups, as counted by hand, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '统计物业');
    const estateId = await createEstate(db, tenantId, { name: '统计小区', buildings: [{ name: '1栋', units: ['1-101'] }] });
    const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.tenantId, tenantId));
    const clock = { now: new Date('2026-05-01T00:00:00Z') };
    const app = testApp(db, { now: () => clock.now });
    const ids = ['rp-free-minor-repair', 'rp-paid-leak-rework', 'cp-major-harm-reopen', 'cp-important-routine', 'ps-happy-path', 'sv-survey-closed-early'];
    // the survey is still open at the end of its scenario (analysis waits): its figures count all the same
    const dir = join(import.meta.dirname, '../../workflows/revisit-and-survey');
    const survey = loadBundle(dir).scenarios.find((x) => x.scenario.id === 'sv-survey-closed-early')!;
    const all = [...finishedScenarios(), { bundle: 'revisit-and-survey', dir, file: survey.file, scenario: survey.scenario }];
    let last = 0;
    for (const [i, id] of ids.entries()) {
      const s = all.find((x) => x.scenario.id === id);
      expect(s, id).toBeDefined();
      last = Math.max(last, (await driveScenario(db, app, clock, { tenantId, estateId, unitId: unit!.id, tag: `ms${i}` }, s!)).now.getTime());
    }
    // the drives' clock went back from one scenario to the next: counted from history once all are done
    clock.now = new Date(last + 86_400_000);
    await recomputeRollups(db, { now: clock.now, tenantId, estateId });
    await createUser(db, testConfig as never, { tenantId, username: `stats-cs-${kind}`, password: 'pw', roles: [{ estateId, role: 'cs_manager' }] });
    let cs = await signIn(app, `stats-cs-${kind}`, 'pw');

    const may = await cs.call('GET', `/api/reports/monthly?estateId=${estateId}&month=2026-05`);
    expect(may.status, JSON.stringify(may.body)).toBe(200);
    expect(may.body).toMatchObject({ month: '2026-05', from: '2026-04-30T16:00:00.000Z', to: '2026-05-31T16:00:00.000Z' });
    expect(may.body.requests).toEqual([{ workflow: 'complaint', started: 2, finished: 2 }, { workflow: 'repair', started: 2, finished: 2 }]);
    expect(may.body.byCategory).toEqual([
      { workflow: 'complaint', category: null, count: 2 },
      { workflow: 'repair', category: 'leak', count: 1 },
      { workflow: 'repair', category: 'other', count: 1 },
    ]);
    expect(may.body.byChannel).toEqual([
      { workflow: 'complaint', channel: 'app', count: 1 },
      { workflow: 'complaint', channel: 'phone', count: 1 },
      { workflow: 'repair', channel: 'app', count: 1 },
      { workflow: 'repair', channel: 'phone', count: 1 },
    ]);
    expect(may.body.onTime.filter((r: { workflow: string }) => r.workflow === 'repair')).toEqual([
      { workflow: 'repair', policy: 'repair-clocks', metricId: 'complete', met: 2, breached: 0, rate: 1 },
      { workflow: 'repair', policy: 'repair-clocks', metricId: 'on-site', met: 1, breached: 1, rate: 0.5 },
      { workflow: 'repair', policy: 'repair-clocks', metricId: 'revisit', met: 2, breached: 0, rate: 1 },
    ]);
    expect(may.body.revisits).toEqual([
      { workflow: 'complaint', finished: 2, revisited: 2, coverage: 1, revisits: 3, onSite: 1, onSiteShare: 1 / 3, satisfied: 2, dissatisfied: 1, satisfaction: 2 / 3 },
      { workflow: 'repair', finished: 2, revisited: 2, coverage: 1, revisits: 2, onSite: 1, onSiteShare: 0.5, satisfied: 2, dissatisfied: 0, satisfaction: 1 },
    ]);
    expect(may.body.rework).toEqual([{ workflow: 'repair', started: 2, reworked: 1, reworks: 2, rate: 0.5 }]);
    expect(may.body.complaints).toEqual([{ grade: 'important', count: 1 }, { grade: 'major', count: 1 }]);
    expect(may.body.surveys).toEqual({ households: 0, returned: 0, returnRate: null, target: 0.8, met: null });

    const june = await cs.call('GET', `/api/reports/monthly?estateId=${estateId}&month=2026-06`);
    expect(june.body.requests).toEqual([{ workflow: 'paid-service', started: 1, finished: 1 }]);
    const november = await cs.call('GET', `/api/reports/monthly?estateId=${estateId}&month=2026-11`);
    expect(november.body.surveys).toEqual({ households: 5, returned: 4, returnRate: 0.8, target: 0.8, met: true });
    // the household file of 1-101 lists its returned opinion form beside its revisits, in the form's words (SV-1, SV-3)
    const file = await cs.call('GET', `/api/estates/${estateId}/units/${unit!.id}`);
    expect(file.status, JSON.stringify(file.body)).toBe(200);
    const form = (file.body.revisits as { title: { zh: string }; answers: { label: { zh: string }; value: unknown }[] }[]).filter((v) => v.title.zh === '年度满意度调查');
    expect(form).toHaveLength(1);
    expect(form[0]!.answers).toEqual([{ label: { zh: '房号', en: 'Unit' }, value: '1-101' }, { label: { zh: '总体评价', en: 'Overall' }, value: { zh: '满意', en: 'Satisfied' } }]);

    // #22: the monthly statistics workflow signs these figures, never typed: May's request, signed with made-up numbers
    const started = await cs.call('POST', '/api/instances', { estateId, workflow: 'monthly-revisit-stats', data: { month: '2026-05', subject: 'revisits' } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const msId = started.body.id as string;
    // what signing would freeze, for the signer to review first
    const preview = await cs.call('GET', `/api/instances/${msId}/figures?event=SIGN`);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const signedMay = {
      total: 5, satisfied: 4, dissatisfied: 1, onSite: 2, coveragePercent: 100, onSitePercent: 40, satisfactionPercent: 80,
      requests: [{ workflow: 'complaint', started: 2, finished: 2 }, { workflow: 'repair', started: 2, finished: 2 }],
      byCategory: [{ workflow: 'complaint', count: 2 }, { workflow: 'repair', category: 'leak', count: 1 }, { workflow: 'repair', category: 'other', count: 1 }],
      byChannel: [{ workflow: 'complaint', channel: 'app', count: 1 }, { workflow: 'complaint', channel: 'phone', count: 1 }, { workflow: 'repair', channel: 'app', count: 1 }, { workflow: 'repair', channel: 'phone', count: 1 }],
      revisitsByProcess: [
        { workflow: 'complaint', finished: 2, revisited: 2, coveragePercent: 100, onSitePercent: 33.3, satisfactionPercent: 66.7 },
        { workflow: 'repair', finished: 2, revisited: 2, coveragePercent: 100, onSitePercent: 50, satisfactionPercent: 100 },
      ],
      rework: [{ workflow: 'repair', started: 2, reworked: 1, reworks: 2, ratePercent: 50 }],
      complaintGrades: [{ grade: 'important', count: 1 }, { grade: 'major', count: 1 }],
      surveyTargetPercent: 80,
    };
    expect(preview.body).toMatchObject({ event: 'SIGN', month: '2026-05', data: signedMay });
    expect(preview.body.data.onTime).toEqual(expect.arrayContaining([
      { workflow: 'repair', metric: 'repair-clocks/on-site', met: 1, breached: 1, ratePercent: 50 },
      { workflow: 'repair', metric: 'repair-clocks/complete', met: 2, breached: 0, ratePercent: 100 },
    ]));
    // the signing page names each row's SLA metric by its title, not by its key: the words' options of the on-time table's metric column
    const ver = (await cs.call('GET', `/api/instances/${msId}`)).body.definitionVersionId as string;
    const words = await cs.call('GET', `/api/definitions/versions/${ver}/words`);
    const onTimeColumns = (Object.values(words.body.events) as { fields?: Record<string, { figure?: string; columns?: Record<string, { options?: { value: string; label: { zh: string } }[] }> }> }[])
      .flatMap((e) => Object.values(e.fields ?? {})).find((f) => f.figure === 'onTime')!.columns!;
    expect(onTimeColumns.metric!.options!.find((o) => o.value === 'repair-clocks/on-site')?.label.zh).toBe('到场时限');
    const signed = await cs.call('POST', `/api/instances/${msId}/events`, { type: 'SIGN', data: { total: 999, onSite: 999, requests: [{ workflow: 'repair', started: 1 }], comments: '数字与台账一致', recurring: false } });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const history = async () => ((await cs.call('GET', `/api/instances/${msId}/history`)).body.items as { type: string; data: Record<string, unknown> }[]).find((e) => e.type === 'SIGN')!;
    // the typed numbers are ignored: the history holds the computed figures, the signer's comment, who and when
    expect((await history()).data).toMatchObject({ ...signedMay, comments: '数字与台账一致', recurring: false });
    const ms = await cs.call('GET', `/api/instances/${msId}`);
    expect(ms.body.data).toMatchObject({ month: '2026-05', total: 5, onSite: 2, satisfied: 4, dissatisfied: 1 });

    // a repair received in May after the signing: the report counts it, the signed figures stay as signed
    const later = all.find((x) => x.scenario.id === 'rp-free-minor-repair')!;
    await driveScenario(db, app, clock, { tenantId, estateId, unitId: unit!.id, tag: 'ms-late' }, later);
    clock.now = new Date(last + 2 * 86_400_000);
    await recomputeRollups(db, { now: clock.now, tenantId, estateId });
    cs = await signIn(app, `stats-cs-${kind}`, 'pw');
    const mayAgain = await cs.call('GET', `/api/reports/monthly?estateId=${estateId}&month=2026-05`);
    expect(mayAgain.status, JSON.stringify(mayAgain.body)).toBe(200);
    expect(mayAgain.body.requests).toEqual([{ workflow: 'complaint', started: 2, finished: 2 }, { workflow: 'repair', started: 3, finished: 3 }]);
    expect((await history()).data).toMatchObject({ total: 5, requests: signedMay.requests });

    // an event whose form holds no figure freezes none
    const none = await cs.call('GET', `/api/instances/${msId}/figures?event=NOPE`);
    expect(none.body.data).toEqual({});

    // a month with a recurring problem and too few revisits on site: both flagged (monthly.workflow.json's rule order)
    const juneMs = await cs.call('POST', '/api/instances', { estateId, workflow: 'monthly-revisit-stats', data: { month: '2026-06', subject: 'revisits' } });
    const juneFigures = await cs.call('GET', `/api/instances/${juneMs.body.id}/figures?event=SIGN`);
    expect(juneFigures.body.data).toMatchObject({ total: 1, onSite: 0, onSitePercent: 0 });
    const juneSigned = await cs.call('POST', `/api/instances/${juneMs.body.id}/events`, { type: 'SIGN', data: { recurring: true, comments: '楼道灯反复损坏' } });
    expect(juneSigned.status, JSON.stringify(juneSigned.body)).toBe(200);
    const juneNow = await cs.call('GET', `/api/instances/${juneMs.body.id}`);
    expect(juneNow.body.state).toBe('writeUp');
    const flags = await cs.call('GET', `/api/notices?estateId=${estateId}`);
    expect(JSON.stringify(flags.body.items)).toContain('2026-06 上门回访 0/1，低于 5%');

    // November's statistics sign the survey's return rate as counted from its returned forms (4 of 5 households), against the 80 % target
    const novMs = await cs.call('POST', '/api/instances', { estateId, workflow: 'monthly-revisit-stats', data: { month: '2026-11', subject: 'revisits' } });
    const novFigures = await cs.call('GET', `/api/instances/${novMs.body.id}/figures?event=SIGN`);
    expect(novFigures.body.data).toMatchObject({ surveyReturnPercent: 80, surveyTargetPercent: 80, surveyTargetMet: true });

    // a month that is not one is refused, naming the field
    const bad = await cs.call('GET', `/api/reports/monthly?estateId=${estateId}&month=2026-13`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('month');
  }, 300_000);
});
