import { backupCommand, pgliteRescueCommand, restoreCommand } from './backup.ts';
import { calendarCommand } from './calendar.ts';
import type { Command } from './io.ts';
import { outboxCommand } from './outbox.ts';
import { rollupsCommand } from './rollups.ts';
import { schemaCommand } from './schema.ts';
import { patternsCommand } from './patterns.ts';
import { simulateCommand } from './simulate.ts';
import { testCommand } from './test.ts';
import { validateCommand } from './validate.ts';

/** Every `wf` command: add a line here to register one (name, what it does in zh and en, run). */
export const commands: Record<string, { summary: { zh: string; en: string }; run: Command }> = {
  validate: { summary: { zh: '校验定义文件或模板包', en: 'validate definitions and bundles' }, run: validateCommand },
  schema: { summary: { zh: '导出 JSON Schema（编辑器补全）', en: 'export the JSON Schemas (editor completion)' }, run: schemaCommand },
  simulate: { summary: { zh: '在虚拟时钟上运行一个场景', en: 'run a scenario on the virtual clock' }, run: simulateCommand },
  test: { summary: { zh: '运行模板包的全部场景', en: "run a bundle's scenarios" }, run: testCommand },
  patterns: { summary: { zh: '列出线性正则引擎无法编译的模式（文件或数据库中的已发布版本）', en: 'list patterns the linear-time regex engine refuses (files, or published versions in the database)' }, run: patternsCommand },
  calendar: { summary: { zh: '导入节假日与调休（holiday-cn JSON 或 .ics）', en: 'import holidays and make-up working days (holiday-cn JSON or .ics)' }, run: calendarCommand },
  backup: { summary: { zh: '把数据库备份到一个文件（PGlite 或 PostgreSQL）', en: 'back up the database to one file (PGlite or PostgreSQL)' }, run: backupCommand },
  restore: { summary: { zh: '把备份恢复到新的空数据库（也用于从 PGlite 迁到 PostgreSQL）', en: 'restore a backup into a new, empty database (also moves PGlite to PostgreSQL)' }, run: restoreCommand },
  rollups: { summary: { zh: '按历史重算报表汇总（修复用）', en: 'recompute the report rollups from history (repair)' }, run: rollupsCommand },
  outbox: { summary: { zh: '归档保留期外已送达的发件箱月分区；补建并列出月分区', en: 'archive delivered outbox months past the notice retention; make and list the month partitions' }, run: outboxCommand },
  'pglite-rescue': { summary: { zh: '救援因检查点丢失而无法打开的 PGlite 目录（随后备份）', en: 'rescue a PGlite folder that cannot open because its checkpoint was overwritten (then back up)' }, run: pgliteRescueCommand },
};
