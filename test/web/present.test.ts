import { describe, expect, it } from 'vitest';
import {
  clockStanding, decidedData, displayText, durationWords, eventTitle, fieldLabel, formatDate, formatDateTime, formatMoney, gradeTitle, monthInstants, presentData, presentValue, readableText, stateTitle, statePaths, summaryOf, timerTitle, unitWords,
  type PresentContext,
} from '../../apps/web/src/lib/present/format.ts';
import type { Words } from '@estateflow/api/schemas';

const zh: PresentContext = { locale: 'zh-CN', timeZone: 'Asia/Shanghai' };
const en: PresentContext = { locale: 'en', timeZone: 'Asia/Shanghai' };
const T = (zh: string, en: string) => ({ zh, en });

// the shape GET /api/definitions/versions/:id/words answers a resident of the repair workflow
const words: Words = {
  key: 'repair', version: 1, title: T('报修', 'Repair'),
  states: { received: T('已受理', 'Received'), work: T('维修中', 'In repair'), 'work.dispatched': T('师傅即将上门', 'Technician on the way') },
  events: {
    QUOTE: { title: T('报价确认', 'Agree the price'), fields: { decision: { title: T('业主意见', "Resident's decision"), widget: 'radio', options: [{ value: 'accept', label: T('同意', 'Accept') }] }, residentSignature: { title: T('业主签字', "Resident's signature"), widget: 'signature' } }, hidden: ['priceFen', 'materials'] },
  },
  fields: {
    fault: { title: T('故障描述', 'Fault'), widget: 'textarea' },
    appointment: { title: T('约定时间', 'Appointment'), widget: 'datetime' },
    paid: { title: T('有偿维修', 'Paid repair'), widget: 'radio', options: [{ value: true, label: T('是', 'Yes') }, { value: false, label: T('否', 'No') }] },
    photos: { title: T('照片', 'Photos'), widget: 'photo' },
    feeFen: { title: T('费用', 'Fee'), widget: 'money' },
  },
  hidden: ['reworkCount', 'charged'],
  metrics: {},
};

describe('the presentation layer', () => {
  it('names states in the role\'s words, nested and parallel, falling back to the nearest titled ancestor, then the humanised key', () => {
    expect(statePaths({ work: 'dispatched' })).toEqual(['work.dispatched']);
    expect(stateTitle(words, 'received', 'zh-CN')).toBe('已受理');
    expect(stateTitle(words, { work: 'dispatched' }, 'en')).toBe('Technician on the way');
    expect(stateTitle(words, { work: 'repairing' }, 'zh-CN')).toBe('维修中');
    expect(stateTitle(words, { a: 'x', work: 'dispatched' }, 'zh-CN')).toBe('X · 师傅即将上门');
    expect(stateTitle(undefined, 'awaiting_payment', 'en')).toBe('Awaiting payment');
  });

  it('names events and fields from the definition, and humanises what it does not name', () => {
    expect(eventTitle(words, 'QUOTE', 'zh-CN')).toBe('报价确认');
    expect(eventTitle(words, 'start', 'en')).toBe('Started');
    expect(eventTitle(words, 'DAMAGE_REPORTED', 'en')).toBe('Damage reported');
    expect(fieldLabel(words, 'fault', 'zh-CN')).toBe('故障描述');
    expect(fieldLabel(words, 'decision', 'en', 'QUOTE')).toBe("Resident's decision");
    expect(fieldLabel(words, 'monthlyFeeFen', 'en')).toBe('Monthly fee');
  });

  it('shows money in yuan with the unit through formatYuan, never fen', () => {
    expect(formatMoney(12345, 'zh-CN')).toBe('¥123.45');
    expect(formatMoney(123456789, 'zh-CN')).toBe('¥1,234,567.89');
    expect(formatMoney(12345, 'en')).toBe('¥123.45');
    expect(formatMoney(-5, 'en')).toBe('-¥0.05');
    expect(displayText(presentValue(12345, 'feeFen', words.fields.feeFen, zh))).toBe('¥123.45');
    // without words, a key ending in Fen is still money
    expect(displayText(presentValue(30000, 'monthlyFeeFen', undefined, en))).toBe('¥300.00');
  });

  it('shows instants in the estate\'s zone in the UI language\'s format, never a raw ISO timestamp', () => {
    const at = '2026-12-08T02:00:00.000Z'; // 10:00 in Shanghai
    expect(formatDateTime(at, zh)).toBe('2026年12月8日 10:00');
    expect(formatDateTime(at, en)).toBe('Dec 8, 2026, 10:00');
    expect(formatDateTime(at, { locale: 'en', timeZone: 'Europe/London' })).toBe('Dec 8, 2026, 02:00');
    expect(displayText(presentValue(at, 'appointment', words.fields.appointment, zh))).toBe('2026年12月8日 10:00');
    expect(displayText(presentValue(at, 'somethingAt', undefined, en))).not.toContain('T02:00');
    expect(formatDate('2026-12-08', en)).toBe('Dec 8, 2026');
  });

  it('writes durations in words', () => {
    expect(durationWords(20 * 60_000, 'zh-CN')).toBe('20分钟');
    expect(durationWords(20 * 60_000, 'en')).toBe('20 minutes');
    expect(durationWords((26 * 60 + 5) * 60_000, 'en')).toBe('1 day 2 hours');
    expect(durationWords(-61 * 60_000, 'en')).toBe('1 hour 1 minute');
  });

  it('shows booleans as 是/否, option values as their titles, files as thumbnails, signatures as images, objects and lists as rows', () => {
    expect(displayText(presentValue(true, 'paid', words.fields.paid, zh))).toBe('是');
    expect(displayText(presentValue(false, 'anything', undefined, en))).toBe('No');
    expect(displayText(presentValue('accept', 'decision', words.events.QUOTE!.fields!.decision, zh))).toBe('同意');
    const photos = presentValue(['/api/attachments/1', '/api/attachments/2'], 'photos', words.fields.photos, zh);
    expect(photos).toEqual({ kind: 'list', items: [{ kind: 'attachment', url: '/api/attachments/1', name: '照片' }, { kind: 'attachment', url: '/api/attachments/2', name: '照片' }] });
    expect(presentValue('data:image/png;base64,AAAA', 'residentSignature', words.events.QUOTE!.fields!.residentSignature, zh)).toMatchObject({ kind: 'image', signature: true, alt: '业主签字' });
    const nested = presentValue({ roomCount: 2, checkedAt: '2026-12-08T02:00:00Z' }, 'survey', undefined, en);
    expect(nested.kind).toBe('rows');
    expect(displayText(nested)).toBe('Room count: 2; Checked at: Dec 8, 2026, 10:00');
  });

  it('shows a repeatable group as one row set per item, labelled by its columns in column order, money in yuan', () => {
    const group = { title: T('材料', 'Materials'), widget: 'group', columns: { name: { title: T('名称', 'Name'), widget: 'text' }, costFen: { title: T('费用', 'Cost'), widget: 'money' } } };
    const d = presentValue([{ costFen: 1250, name: '水龙头' }], 'materials', group, zh);
    expect(displayText(d)).toBe('名称: 水龙头; 费用: ¥12.50');
    expect(displayText(presentValue([{ name: 'Tap', costFen: 100 }, { name: 'Pipe' }], 'materials', group, en))).toBe('Name: Tap; Cost: ¥1.00、Name: Pipe');
  });

  it('leaves out fields the role may not see, for the request and for one event\'s data, and orders the rest as the definition does', () => {
    const rows = presentData({ reworkCount: 1, charged: true, photos: ['/api/attachments/1'], cancelReason: '', fault: '漏水', extraNote: 'x', none: [] }, words, zh);
    expect(rows.map((r) => r.key)).toEqual(['fault', 'photos', 'extraNote']);
    expect(rows.map((r) => r.label)).toEqual(['故障描述', '照片', 'Extra note']);
    const quote = presentData({ priceFen: 12345, materials: '阀门', decision: 'accept' }, words, zh, 'QUOTE');
    expect(quote.map((r) => r.key)).toEqual(['decision']);
    expect(JSON.stringify(quote)).not.toContain('12345');
  });
});

describe('an SLA clock\'s standing', () => {
  const now = Date.parse('2026-12-08T02:00:00Z');
  const base = { budgetMs: 30 * 60_000, elapsedMs: 0, remainingMs: null, dueAt: null };
  it('tells running, paused, met, missed and not started apart, with the time that matters', () => {
    expect(clockStanding({ ...base, status: 'running', dueAt: '2026-12-08T02:20:00Z', elapsedMs: 10 * 60_000, remainingMs: 20 * 60_000 }, now)).toEqual({ state: 'running', leftMs: 20 * 60_000 });
    expect(clockStanding({ ...base, status: 'running', dueAt: '2026-12-08T01:55:00Z' }, now)).toEqual({ state: 'overdue', overMs: 5 * 60_000 });
    expect(clockStanding({ ...base, status: 'paused', remainingMs: 12 * 60_000 }, now)).toEqual({ state: 'paused', leftMs: 12 * 60_000 });
    expect(clockStanding({ ...base, status: 'met', elapsedMs: 18 * 60_000 }, now)).toEqual({ state: 'met', spareMs: 12 * 60_000 });
    expect(clockStanding({ ...base, status: 'breached', elapsedMs: 45 * 60_000, remainingMs: -15 * 60_000 }, now)).toEqual({ state: 'breached', overMs: 15 * 60_000 });
    expect(clockStanding({ ...base, status: 'pending' }, now)).toEqual({ state: 'pending' });
    // a cancelled or withdrawn request stops its clock short of its goal: stopped, never met
    expect(clockStanding({ ...base, status: 'stopped', elapsedMs: 5 * 60_000, remainingMs: 25 * 60_000 }, now)).toEqual({ state: 'stopped' });
  });
});

describe('sentences the platform wrote', () => {
  it('read instants in local time and people by name', () => {
    const ctx = { ...zh, people: { 'a3047815-6081-4397-80d0-edcd0235d7a3': '维修工 王师傅' } };
    expect(readableText('维修人员 a3047815-6081-4397-80d0-edcd0235d7a3 即将上门，时段 2026-07-04T09:30:00+08:00', ctx)).toBe('维修人员 维修工 王师傅 即将上门，时段 2026年7月4日 09:30');
    expect(displayText(presentValue('a3047815-6081-4397-80d0-edcd0235d7a3', 'technician', { title: { zh: '维修人员', en: 'Technician' }, widget: 'text' }, ctx))).toBe('维修工 王师傅');
  });
});

describe('units', () => {
  it('read as people say them', () => {
    expect(unitWords('1-1-101', 'zh-CN')).toBe('1栋1单元101室');
    expect(unitWords('1-1-101', 'en')).toBe('Bldg 1, Entr. 1, Rm 101');
    expect(unitWords('1-102', 'zh-CN')).toBe('1栋102室');
    expect(unitWords('商铺A', 'zh-CN')).toBe('商铺A');
  });
});

describe('list rows and timers (#18)', () => {
  const listWords: Words = {
    ...words,
    fields: { ...words.fields, intakeRole: { title: T('受理处', 'Taken in by'), widget: 'text', options: [{ value: 'front_desk', label: T('前台', 'Front desk') }] } },
    summary: ['fault', 'appointment', 'reworkCount', 'feeFen'],
    timers: { dispatchWindow: T('派单时限', 'Dispatch deadline') },
  };

  it('shows the summary fields the role may see, through the presentation layer, long texts cut', () => {
    const data = { fault: '厨房水管漏水，楼下天花板已经渗水，请尽快安排师傅上门查看处理一下谢谢', appointment: '2026-12-08T02:00:00.000Z', reworkCount: 2, feeFen: 12345, phone: '13800000000' };
    const rows = summaryOf(data, listWords, zh, 12);
    expect(rows.map((r) => r.key)).toEqual(['fault', 'appointment', 'feeFen']); // reworkCount is hidden from this role
    expect(rows[0]!.text).toBe('厨房水管漏水，楼下天花…');
    expect(rows[1]).toEqual({ key: 'appointment', label: '约定时间', text: '2026年12月8日 10:00' });
    expect(rows[2]!.text).toBe('¥123.45');
    expect(summaryOf(data, { ...words }, zh)).toEqual([]); // a definition marks nothing: nothing more than unit and title
  });

  it("shows a role-valued field as the role's title (the words carry the company's roles as its options)", () => {
    expect(displayText(presentValue('front_desk', 'intakeRole', listWords.fields['intakeRole'], zh))).toBe('前台');
    expect(displayText(presentValue('front_desk', 'intakeRole', listWords.fields['intakeRole'], en))).toBe('Front desk');
  });

  it("names a workflow timer by its delay's title in the UI language, a scheduled event by the event's title", () => {
    expect(timerTitle(listWords, 'timer.intake.dispatchWindow', 'zh-CN')).toBe('派单时限');
    expect(timerTitle(listWords, 'timer.work.dispatched.dispatchWindow', 'en')).toBe('Dispatch deadline');
    expect(timerTitle(listWords, 'QUOTE', 'zh-CN')).toBe('报价确认');
    expect(timerTitle(undefined, 'timer.intake.revisitDue', 'en')).toBe('Revisit due');
    // the history names a timer that fired the same way
    expect(eventTitle(listWords, 'timer.intake.dispatchWindow', 'zh-CN')).toBe('派单时限');
  });

  it('leaves out a field still at the starting value a later step decides, until an event writes it or it moves', () => {
    const w = { ...words, initial: { kind: 'minor', priceFen: 0 } } as Words;
    const data = { fault: '客厅灯不亮', kind: 'minor', priceFen: 0, charged: false };
    // a new repair: kind "minor" and a price of 0 are nobody's decision yet
    expect(decidedData(data, w, [{ data: { fault: '客厅灯不亮' } }])).toEqual({ fault: '客厅灯不亮', charged: false });
    // the resident chose "minor" at the start: it is written, so it shows
    expect(decidedData(data, w, [{ data: { fault: '客厅灯不亮', kind: 'minor' } }])).toEqual({ fault: '客厅灯不亮', kind: 'minor', charged: false });
    // a quote set the price by an action (no event wrote priceFen): it moved, so it shows
    expect(decidedData({ ...data, priceFen: 12_000 }, w, [])).toMatchObject({ priceFen: 12_000 });
    // words without starting values change nothing
    expect(decidedData(data, words, [])).toEqual(data);
  });
});

describe('grades and months (#18 audit)', () => {
  const complaint: Words = { ...words, key: 'complaint', fields: { grade: { title: T('投诉等级', 'Grade'), widget: 'radio', options: [{ value: 'major', label: T('重大投诉', 'Major complaint') }, { value: 'urgent_case', label: T('紧急', 'Urgent') }] } } };

  it("reads a grade through the definition's option titles, else the platform's words, else the humanised value: never the raw key", () => {
    expect(gradeTitle(complaint, 'urgent_case', 'zh-CN')).toBe('紧急');
    expect(gradeTitle(complaint, 'major', 'en', T('重大', 'Major'))).toBe('Major complaint');
    expect(gradeTitle(undefined, 'minor', 'zh-CN', T('轻微', 'Minor'))).toBe('轻微');
    // a grade no words know: humanised, not "very_low"
    expect(gradeTitle(complaint, 'very_low', 'en')).toBe('Very low');
    expect(gradeTitle({ ...complaint, fields: {}, hidden: ['grade'] }, 'urgent_case', 'zh-CN')).toBe('Urgent case');
  });

  it("takes a month in the estate's own zone, not a fixed +08:00", () => {
    expect(monthInstants('2026-12', 'Asia/Shanghai')).toEqual({ from: '2026-11-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
    expect(monthInstants('2026-03', 'Asia/Urumqi')).toEqual({ from: '2026-02-28T18:00:00.000Z', to: '2026-03-31T18:00:00.000Z' });
    // a zone with daylight saving: March starts in winter time, April in summer time
    expect(monthInstants('2026-03', 'Europe/London')).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T23:00:00.000Z' });
  });
});
