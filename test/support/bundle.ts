/** A small bundle for API tests: a ticket with a form, a task, a 1-minute timer and two events. */
export const ticketBundle = {
  bundle: {
    kind: 'bundle',
    id: 'test-ticket',
    version: '1.0.0',
    title: { zh: '测试工单', en: 'Test ticket' },
    description: { zh: '测试', en: 'Test' },
    platform: '^0.1.0',
    parameters: { ackMinutes: { schema: { type: 'integer', minimum: 1 }, default: 1, title: { zh: '响应分钟', en: 'Minutes to acknowledge' } } },
    contents: { workflow: ['workflow.json'], form: ['forms/ticket-open.form.json', 'forms/ticket-ack.form.json'], calendar: ['calendars/test-office.calendar.json'] },
  },
  files: {
    'calendars/test-office.calendar.json': {
      kind: 'calendar',
      id: 'test-office',
      title: { zh: '办公时间', en: 'Office hours' },
      timeZone: 'Asia/Shanghai',
      week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
    },
    'forms/ticket-open.form.json': {
      kind: 'form',
      id: 'ticket-open',
      title: { zh: '报事', en: 'Report' },
      schema: { type: 'object', properties: { summary: { type: 'string', minLength: 1, maxLength: 200 }, grade: { type: 'string', enum: ['minor', 'important', 'major'] } }, required: ['summary'], additionalProperties: false },
      layout: { sections: [{ id: 'main', title: { zh: '内容', en: 'Content' }, fields: [{ field: 'summary', widget: 'text', label: { zh: '摘要', en: 'Summary' } }] }] },
    },
    'forms/ticket-ack.form.json': {
      kind: 'form',
      id: 'ticket-ack',
      title: { zh: '响应', en: 'Acknowledge' },
      schema: { type: 'object', properties: { note: { type: 'string', minLength: 1, maxLength: 200 }, method: { type: 'string' } }, required: ['note'], additionalProperties: false },
      layout: { sections: [{ id: 'main', title: { zh: '内容', en: 'Content' }, fields: [{ field: 'note', widget: 'text', label: { zh: '备注', en: 'Note' } }] }] },
    },
    'workflow.json': {
      kind: 'workflow',
      id: 'test-ticket',
      title: { zh: '测试工单', en: 'Test ticket' },
      roles: ['front_desk', 'technician', 'dispatcher', 'resident', 'admin'],
      context: { summary: '', grade: 'minor', note: '' },
      start: { form: 'ticket-open', roles: ['front_desk', 'dispatcher', 'resident', 'admin'] },
      delays: { ack: { after: { amount: 'params.ackMinutes', unit: 'minutes' } } },
      events: {
        ACK: { label: { zh: '响应', en: 'Acknowledge' }, roles: ['technician', 'dispatcher'], form: 'ticket-ack' },
        CLOSE: { label: { zh: '关闭', en: 'Close' }, roles: ['dispatcher', 'technician'] },
      },
      machine: {
        initial: 'open',
        entry: [{ type: 'assign', params: { values: { summary: 'event.data.summary', grade: "has(event.data.grade) ? event.data.grade : 'minor'" } } }],
        states: {
          open: {
            tasks: [{ id: 'ack', title: { zh: '响应工单', en: 'Acknowledge the ticket' }, role: 'technician', due: { after: { amount: 1, unit: 'hours' } }, form: 'ticket-ack', events: ['ACK'] }],
            after: { ack: { target: 'overdue' } },
            on: { ACK: { target: 'working', actions: [{ type: 'assign', params: { values: { note: 'event.data.note' } } }] } },
          },
          overdue: {
            entry: [{ type: 'notify', params: { to: { role: 'dispatcher' }, message: { zh: '工单超时未响应', en: 'Ticket not acknowledged in time' } } }],
            on: { ACK: { target: 'working', actions: [{ type: 'assign', params: { values: { note: 'event.data.note' } } }] } },
          },
          working: { on: { CLOSE: 'closed' } },
          closed: { type: 'final' },
        },
      },
    },
  },
};
