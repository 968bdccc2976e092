/**
 * The built-in role catalogue every company starts with, and the permissions roles may be granted.
 *
 * A role is what a workflow names (who may send an event, whose inbox a task lands in); a permission
 * is a power outside workflows (design and publish, manage people, finance, read personal data). A
 * company's catalogue is these defaults plus the roles it adds (the API's `company_roles`), and any
 * role's permissions may be changed there: a workflow role such as 行政主管 brings no designer power.
 * Titles come from the field documents' job names; the default grants are the platform's (not in the
 * field documents), the ones its routes had before roles were data. `residents_link` goes to the
 * front desk (it hands out link codes and checks papers at move-in), the property manager (who heads
 * the estate's service centre and stands in for the desk) and the area customer assistant (who looks
 * after an area's residents day to day), besides the admin.
 */

/**
 * `residents_link`: issuing one-time link codes, front-desk verification of a resident's papers,
 * a unit's residents and move-out; narrower than `people` (which creates staff and grants roles),
 * so the front desk links residents without managing staff.
 */
export const PERMISSIONS = ['design', 'people', 'finance', 'personal_data', 'residents_link'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type Text = { zh: string; en: string };

export interface RoleDefinition {
  key: string;
  title: Text;
  description: Text;
  /** `resident` accounts are household members; every other role is staff */
  kind: 'staff' | 'resident';
  permissions: readonly Permission[];
}

/** `system` sends timer and child events and is never a role anyone holds. */
export const SYSTEM_ROLE = 'system';
/** Role keys: lower-case letters, digits and `_`, starting with a letter (schemas/common.schema.json#/$defs/Role). */
export const ROLE_KEY_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;

const r = (key: string, zh: string, en: string, dzh: string, den: string, permissions: readonly Permission[] = [], kind: RoleDefinition['kind'] = 'staff'): RoleDefinition =>
  ({ key, title: { zh, en }, description: { zh: dzh, en: den }, kind, permissions });

export const BUILT_IN_ROLE_DEFINITIONS = [
  r('admin', '管理员', 'Admin', '公司系统管理员：设计发布流程、管理人员和角色', 'The company’s system administrator: designs and publishes processes, manages people and roles', ['design', 'people', 'finance', 'personal_data', 'residents_link']),
  r('consultant', '顾问', 'Consultant', '实施顾问：设计、测试和安装模板', 'Implementation consultant: designs, tests and installs templates', ['design']),
  r('dispatcher', '调度员', 'Dispatcher', '客服中心调度：受理、派工、回访', 'Service-centre dispatcher: takes requests, dispatches work, revisits'),
  r('front_desk', '前台', 'Front desk', '服务中心前台：接待住户、收费、办理入伙', 'Service-centre front desk: receives residents, takes payments, handles move-in', ['personal_data', 'residents_link']),
  r('technician', '维修工', 'Technician', '工程维修人员：上门维修、特约服务', 'Maintenance technician: repairs and paid services on site'),
  r('security', '安保', 'Security', '秩序维护员', 'Security and order staff'),
  r('cleaning', '环境', 'Cleaning', '保洁绿化人员', 'Cleaning and grounds staff'),
  r('finance', '财务', 'Finance', '财务：收费标准、账单、收款、退款', 'Finance: fee schedules, bills, payments, refunds', ['finance', 'personal_data']),
  r('duty_manager', '值班经理', 'Duty manager', '值班经理：处理升级与紧急事件', 'Duty manager: escalations and emergencies'),
  r('cs_manager', '客服经理', 'CS manager', '客服经理：投诉处理与回访', 'Customer-service manager: complaints and revisits', ['personal_data']),
  r('property_manager', '物业经理', 'Property manager', '项目物业经理', 'The estate’s property manager', ['finance', 'personal_data', 'residents_link']),
  // roles the field documents name that the first twelve lacked: workflow roles with no permission
  r('admin_supervisor', '行政主管', 'Administrative supervisor', '行政部主管：处理针对客服中心的投诉', 'Head of the administration department: handles complaints against the service centre'),
  r('area_cs_assistant', '区域客户助理', 'Area customer assistant', '区域客户助理：负责片区住户的日常联络与回访', 'Area customer assistant: day-to-day contact and revisits for the residents of an area', ['residents_link']),
  r('cs_supervisor', '客服主管', 'Customer-service supervisor', '客服主管：督办投诉与回访，审核处理结果', 'Customer-service supervisor: follows up complaints and revisits, checks their results'),
  r('resident', '住户', 'Resident', '业主、租户及家庭成员', 'Owners, tenants and family members', [], 'resident'),
] as const satisfies readonly RoleDefinition[];

/** The built-in role keys, in catalogue order. */
export const BUILT_IN_ROLES = BUILT_IN_ROLE_DEFINITIONS.map((d) => d.key) as readonly BuiltInRole[];
export type BuiltInRole = (typeof BUILT_IN_ROLE_DEFINITIONS)[number]['key'];

/** The built-in definition of a role key, if it is one. */
export const builtInRole = (key: string): RoleDefinition | undefined => BUILT_IN_ROLE_DEFINITIONS.find((d) => d.key === key);
