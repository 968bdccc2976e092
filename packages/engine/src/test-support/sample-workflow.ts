import type { FormDefinition, WorkflowDefinition } from '../adapters/definitions.ts';

export const sampleForms: FormDefinition[] = [
  { kind: 'form', id: 'intake', title: { zh: '登记', en: 'Intake' }, schema: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 50 } }, required: ['name'] },
    layout: { sections: [{ id: 'main', title: { zh: '登记', en: 'Intake' }, fields: [{ field: 'name', widget: 'text', label: { zh: '姓名', en: 'Name' } }] }] } },
  { kind: 'form', id: 'price', title: { zh: '报价', en: 'Price' }, schema: { type: 'object', properties: { priceFen: { type: 'integer', minimum: 0 } }, required: ['priceFen'] },
    layout: { sections: [{ id: 'main', title: { zh: '报价', en: 'Price' }, fields: [{ field: 'priceFen', widget: 'money', label: { zh: '价格', en: 'Price' } }] }] } },
];

/** A small workflow exercising every part of the vocabulary. */
export const sampleWorkflow: WorkflowDefinition = {
  kind: 'workflow', id: 'sample', title: { zh: '示例', en: 'Sample' }, roles: ['front_desk', 'dispatcher', 'technician', 'resident', 'admin'],
  context: { serial: 'S-1', priceFen: 0, rework: 0 },
  start: { form: 'intake', roles: ['front_desk'] },
  guards: { pricey: 'event.data.priceFen >= 10000' },
  delays: { respond: { after: { amount: 15, unit: 'minutes' } }, slow: { after: { amount: 'params.slowMinutes', unit: 'minutes' } } },
  params: { slowMinutes: { default: 60, title: { zh: '慢', en: 'Slow' }, schema: { type: 'integer', minimum: 1 } } },
  ladders: { unhappy: [{ roles: ['cs_manager'] }, { roles: ['property_manager'] }] },
  events: {
    ACCEPT: { label: { zh: '受理', en: 'Accept' }, roles: ['dispatcher'] },
    PRICE: { label: { zh: '报价', en: 'Price' }, roles: ['technician'], form: 'price' },
    FAIL: { label: { zh: '不合格', en: 'Fail' }, roles: ['resident'] },
    PASS: { label: { zh: '合格', en: 'Pass' }, roles: ['resident'] },
    SPIN: { label: { zh: '循环', en: 'Spin' }, roles: ['admin'] },
    REMIND: { label: { zh: '提醒', en: 'Remind' }, system: true },
  },
  machine: {
    initial: 'intake',
    states: {
      intake: {
        tasks: [{ id: 'accept', title: { zh: '受理 {{context.name}}', en: 'Accept' }, role: 'dispatcher', due: { after: { amount: 15, unit: 'minutes' } } }],
        entry: [{ type: 'notify', params: { to: { resident: true }, message: { zh: '已登记 {{context.name}}', en: 'Registered {{context.name}}' }, channel: 'sms' } }],
        on: { ACCEPT: 'pricing', SPIN: 'spin' },
        after: { respond: { actions: [{ type: 'escalate', params: { ladder: 'unhappy' } }] } },
      },
      spin: { always: { target: 'spin', reenter: true } },
      pricing: {
        entry: [{ type: 'schedule', params: { id: 'remind', event: 'REMIND', deadline: { after: { amount: 1, unit: 'hours' } } } }],
        on: {
          PRICE: [
            { target: 'trying', guard: 'pricey', actions: [{ type: 'assign', params: { values: { priceFen: 'event.data.priceFen', approved: 'true' } } }] },
            { target: 'trying', actions: [{ type: 'assign', params: { values: { priceFen: 'event.data.priceFen' } } }] },
          ],
          REMIND: { actions: [{ type: 'notify', params: { to: { role: 'technician' }, message: { zh: '请报价', en: 'Please price' } } }] },
        },
        after: { slow: 'intake' },
      },
      trying: {
        on: {
          PASS: { target: 'done', actions: [{ type: 'charge', params: { item: 'repair', amount: 'context.priceFen' } }] },
          FAIL: [
            { guard: { type: 'expr', params: { expr: 'context.rework >= 1' } }, target: 'done', actions: [{ type: 'escalate', params: { ladder: 'unhappy' } }] },
            { target: 'trying', reenter: true, actions: [{ type: 'assign', params: { values: { rework: 'context.rework + 1' } } }] },
          ],
        },
      },
      done: { type: 'final' },
    },
  },
};
