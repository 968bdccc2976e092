import type { FormDefinition } from './form-definition.ts';

const t = (zh: string, en: string) => ({ zh, en });

/** A repair request form using every widget kind (test data only). */
export const repairForm = {
  kind: 'form',
  id: 'rp-intake',
  title: t('报修登记', 'Repair intake'),
  description: t('住户报修', 'A resident reports a fault'),
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 50 },
      notes: { type: 'string', maxLength: 2000 },
      people: { type: 'integer', minimum: 1, maximum: 20 },
      feeFen: { type: 'integer', minimum: 100, maximum: 1_000_000 },
      preferredDate: { type: 'string', format: 'date' },
      appointmentAt: { type: 'string', format: 'date-time' },
      category: { type: 'string' },
      urgency: { type: 'string' },
      agree: { type: 'boolean' },
      unit: { type: 'string', maxLength: 40 },
      phone: { type: 'string' },
      photos: { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 5 },
      files: { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 3 },
      signature: { type: 'string', maxLength: 100_000 },
      steps: { type: 'array', items: { type: 'string' }, maxItems: 10, uniqueItems: true },
      rating: { type: 'integer', minimum: 1 },
      leakSource: { type: 'string', maxLength: 100 },
      items: {
        type: 'array',
        maxItems: 20,
        items: {
          type: 'object',
          properties: { part: { type: 'string', title: '配件', maxLength: 40 }, qty: { type: 'integer', title: '数量', minimum: 1 } },
          required: ['part', 'qty'],
        },
      },
      internalNote: { type: 'string', maxLength: 500 },
      technician: { type: 'string', maxLength: 64 },
    },
    required: ['name', 'phone', 'category'],
  },
  layout: {
    sections: [
      {
        id: 'who',
        title: t('报修人', 'Reporter'),
        fields: [
          { field: 'name', widget: 'text', label: t('姓名', 'Name'), placeholder: t('请输入姓名', 'Your name'), errors: { required: t('请填写报修人姓名', 'Please enter the reporter’s name') } },
          { field: 'phone', widget: 'phone', label: t('电话', 'Phone') },
          { field: 'unit', widget: 'unit', label: t('房号', 'Unit') },
        ],
      },
      {
        id: 'fault',
        title: t('故障', 'Fault'),
        fields: [
          {
            field: 'category', widget: 'select', label: t('类别', 'Category'),
            options: [{ value: 'leak', label: t('漏水', 'Leak') }, { value: 'power', label: t('电路', 'Power') }, { value: 'other', label: t('其他', 'Other') }],
          },
          { field: 'leakSource', widget: 'text', label: t('漏水位置', 'Leak source'), visibleWhen: 'data.category == "leak"', requiredWhen: 'data.category == "leak"' },
          { field: 'urgency', widget: 'radio', label: t('紧急程度', 'Urgency'), options: [{ value: 'minor', label: t('一般', 'Minor') }, { value: 'urgent', label: t('紧急', 'Urgent') }] },
          { field: 'notes', widget: 'textarea', label: t('描述', 'Description'), rows: 4, help: t('尽量详细', 'As much detail as you can') },
          { field: 'people', widget: 'number', label: t('在家人数', 'People at home') },
          { field: 'preferredDate', widget: 'date', label: t('希望日期', 'Preferred date') },
          { field: 'appointmentAt', widget: 'datetime', label: t('预约时间', 'Appointment') },
          { field: 'photos', widget: 'photo', label: t('照片', 'Photos'), accept: ['image/*'], maxFiles: 5 },
          { field: 'files', widget: 'attachment', label: t('附件', 'Attachments'), maxFiles: 3 },
        ],
      },
      {
        id: 'work',
        title: t('施工', 'Work'),
        visibleWhen: 'actor.role == "technician"',
        fields: [
          { field: 'feeFen', widget: 'money', label: t('费用', 'Fee'), errors: { minimum: t('费用至少 1 元', 'The fee is at least 1 yuan') } },
          { field: 'steps', widget: 'checklist', label: t('检查项', 'Checks'), options: [{ value: 'lamp', label: t('灯亮', 'Lamp lights') }, { value: 'switch', label: t('开关正常', 'Switch works') }] },
          { field: 'items', widget: 'group', label: t('配件', 'Parts'), columns: [{ field: 'part', widget: 'text', label: t('配件', 'Part') }, { field: 'qty', widget: 'number', label: t('数量', 'Qty') }] },
          { field: 'internalNote', widget: 'textarea', label: t('内部备注', 'Internal note'), enabledWhen: 'actor.role == "technician" && has(params.notesOn) && params.notesOn' },
          { field: 'technician', widget: 'staff', staffRole: 'technician', label: t('维修人员', 'Technician') },
        ],
      },
      {
        id: 'close',
        title: t('确认', 'Confirm'),
        fields: [
          { field: 'rating', widget: 'rating', label: t('评分', 'Rating'), max: 5 },
          { field: 'agree', widget: 'checkbox', label: t('同意条款', 'I agree'), requiredWhen: 'data.rating != null && data.rating <= 2' },
          { field: 'signature', widget: 'signature', label: t('签名', 'Signature') },
        ],
      },
    ],
  },
} as const satisfies FormDefinition;
