import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { bundleInstalls, companies, roles, units, type Db, type Role } from '@estateflow/db';
import type { ApiConfig } from './config.ts';
import { catalogueIds, checkBundle, installBundle, readBundleFolder } from './services/bundles.ts';
import { formsAsOf } from './services/definition-store.ts';
import { createCompany, createEstate, findEstateId, findUserId } from './services/provision.ts';
import { createResidentAccount, createStaff } from './services/people.ts';
import { CompiledCache } from './services/compiled-cache.ts';
import { seedDemoActivity } from './demo-activity.ts';
import { seedDemoBilling } from './demo-billing.ts';

export const demoCompany = '长城物业（演示）';
export const demoEstate = '颐园世家';
export const demoPassword = 'estateflow';

/** 颐园世家 (seed 000): Hefei high-tech zone; multi-storey and small high-rise buildings. */
const demoBuildings = [1, 2, 3, 4, 5, 6].map((b) => ({
  name: `${b}栋`,
  units: [1, 2].flatMap((u) => [1, 2, 3, 4, 5, 6].flatMap((floor) => [1, 2].map((n) => `${b}-${u}-${floor}0${n}`))),
}));

/** The demo's people (real names; 王师傅 is the technician), created through the same services as the People page; their display names are `demoNames`. */
const demoPeople: Record<string, { realName: string; phone: string; employeeNo?: string }> = {
  admin: { realName: '赵敏', phone: '13800000001', employeeNo: 'E0001' },
  consultant: { realName: '孙立', phone: '13800000002', employeeNo: 'C0001' },
  dispatcher: { realName: '李娜', phone: '13800000003', employeeNo: 'E0103' },
  front_desk: { realName: '陈静', phone: '13800000004', employeeNo: 'E0104' },
  technician: { realName: '王建国', phone: '13800000005', employeeNo: 'E0105' },
  security: { realName: '刘强', phone: '13800000006', employeeNo: 'E0106' },
  cleaning: { realName: '周秀英', phone: '13800000007', employeeNo: 'E0107' },
  finance: { realName: '吴芳', phone: '13800000008', employeeNo: 'E0108' },
  duty_manager: { realName: '郑伟', phone: '13800000009', employeeNo: 'E0109' },
  cs_manager: { realName: '黄丽', phone: '13800000010', employeeNo: 'E0110' },
  property_manager: { realName: '张德明', phone: '13800000011', employeeNo: 'E0111' },
  admin_supervisor: { realName: '许文', phone: '13800000012', employeeNo: 'E0112' },
  area_cs_assistant: { realName: '何佳', phone: '13800000013', employeeNo: 'E0113' },
  cs_supervisor: { realName: '林慧', phone: '13800000014', employeeNo: 'E0114' },
  resident: { realName: '王志强', phone: '13800000000' },
};

/** The demo people's names, as notices and histories name them (not in the field documents: invented for the demo). */
export const demoNames: Record<Role, string> = {
  admin: '系统管理员 陈工', consultant: '实施顾问 周工', dispatcher: '调度 李敏', front_desk: '前台 赵丽', technician: '维修工 王师傅',
  security: '保安 孙强', cleaning: '保洁 刘阿姨', finance: '财务 吴会计', duty_manager: '值班经理 郑经理', cs_manager: '客服经理 何经理',
  property_manager: '物业经理 冯经理', resident: '王先生', admin_supervisor: '行政主管 马主管', area_cs_assistant: '区域客户助理 林助理', cs_supervisor: '客服主管 高主管',
};

export interface DemoResult {
  tenantId: string;
  estateId: string;
  created: boolean;
  users: { username: string; role: string }[];
  installed: string[];
  skipped: { id: string; reason: string }[];
  /** instances the demo started so the inbox shows work (only when the estate is new) */
  activity: number;
  /** bills the demo's billing run made for one period dated relative to now (only when the estate is new) */
  billed: number;
}

/**
 * Seeds the demo: a company, the estate 颐园世家 with buildings and units, one user per role
 * (password `estateflow`), every valid bundle of the catalogue, and, in a new estate, live requests at
 * several stages taken from the bundles' scenarios, and one billed quarter (demo-billing.ts). Idempotent: what exists is kept.
 */
export async function seedDemo(db: Db, config: ApiConfig, log: (line: string) => void = console.log): Promise<DemoResult> {
  const [company] = await db.select().from(companies).where(eq(companies.name, demoCompany));
  const created = !company;
  const tenantId = company?.id ?? (await createCompany(db, demoCompany));
  const estateId =
    (await findEstateId(db, tenantId, demoEstate)) ??
    (await createEstate(db, tenantId, { name: demoEstate, address: '安徽省合肥市高新技术产业开发区，东临怀宁路，南依习友路', buildings: demoBuildings }));
  const users: DemoResult['users'] = [];
  for (const role of roles) {
    const username = role === 'admin' ? 'admin' : role.replace(/_/g, '-');
    if (!(await findUserId(db, username))) {
      const person = { realName: username, ...demoPeople[role], displayName: demoNames[role] ?? username };
      const input = { username, password: demoPassword, demo: true, ...person, roles: [{ estateId, role }] };
      if (role === 'resident') await createResidentAccount(db, config, tenantId, { ...input, estateId, unitLabel: '1-1-101', documents: ['id_card', 'property_certificate'] }, { userId: null });
      else await createStaff(db, config, tenantId, input, { userId: null, mayManage: () => true });
    }
    users.push({ username, role });
  }
  const installed: string[] = [];
  const skipped: DemoResult['skipped'] = [];
  for (const id of await catalogueIds(config.workflowsDir)) {
    try {
      const pkg = await readBundleFolder(join(config.workflowsDir, id));
      const version = String(pkg.bundle.version);
      const [done] = await db.select({ id: bundleInstalls.id }).from(bundleInstalls)
        .where(and(eq(bundleInstalls.tenantId, tenantId), eq(bundleInstalls.estateId, estateId), eq(bundleInstalls.bundleId, String(pkg.bundle.id)), eq(bundleInstalls.bundleVersion, version)));
      if (done) continue;
      const issues = checkBundle(pkg, await formsAsOf(db, tenantId, estateId));
      if (issues.length) {
        const i = issues[0]!;
        skipped.push({ id, reason: `${i.file ?? ''} ${i.path}: ${i.message.en}` });
        log(`[demo] WARNING: bundle ${id} is invalid and was skipped: ${i.file ?? ''} ${i.path}: ${i.message.en}`);
        continue;
      }
      await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now: config.now() }));
      installed.push(`${id}@${version}`);
    } catch (e) {
      skipped.push({ id, reason: (e as Error).message });
      log(`[demo] WARNING: bundle ${id} could not be installed: ${(e as Error).message}`);
    }
  }
  // units with areas and profiles, and one billed period, so /bills is alive from the first start
  const billing = created ? await seedDemoBilling(db, { tenantId, estateId, now: config.now() }) : undefined;
  const activity = created
    ? await seedDemoActivity({ db, cache: new CompiledCache(), now: config.now }, { tenantId, estateId, workflowsDir: config.workflowsDir, bundles: installed.map((b) => b.split('@')[0]!), homeUnitId: await demoHomeUnit(db, tenantId, estateId) })
    : 0;
  return { tenantId, estateId, created, users, installed, skipped, activity, billed: billing?.created.length ?? 0 };
}

/** The demo resident's unit (1-1-101), whose household file the demo fills. */
async function demoHomeUnit(db: Db, tenantId: string, estateId: string): Promise<string | undefined> {
  const [unit] = await db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId), eq(units.label, '1-1-101')));
  return unit?.id;
}
