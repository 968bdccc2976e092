import { and, eq } from 'drizzle-orm';
import { instances, type DbOrTx } from '@estateflow/db';
import { formatYuan, scheduleVersionOn, type CivilDate, type FeeSchedule, type ServiceItem, type Text } from '@estateflow/billing';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import { ApiError } from '../errors.ts';
import { billingDocuments } from './billing-store.ts';
import type { CompiledCache } from './compiled-cache.ts';

/**
 * The paid-service price list (有偿服务收费标准, PS-10) and the quotes priced from it.
 *
 * The price list is the `services` of the estate's fee schedules, the version of each in force on
 * the day (first by schedule key when two list one code). A form field marked `priceList` (a
 * repeatable group) is priced here before its event reaches the workflow: a row naming an item's
 * `code` gets `amountFen` = price × `quantity` (1 if none) and the item's name as `description`,
 * whatever the filler sent; a row with no code is a manual line, kept as written, and must give
 * `description`, `amountFen` and `reason`. The event's history entry (who, when, each line) is the
 * audit of every manual line.
 */

export type PriceListItem = ServiceItem & { schedule: string };

/** The estate's service items in force on `on`, by code. */
export async function priceList(db: DbOrTx, tenantId: string, estateId: string, on: CivilDate): Promise<Map<string, PriceListItem>> {
  const schedules = await billingDocuments(db, tenantId, estateId, 'fee-schedule');
  const out = new Map<string, PriceListItem>();
  for (const key of [...schedules.keys()].sort()) {
    const version = scheduleVersionOn(schedules.get(key) as unknown as FeeSchedule, on);
    if ('reason' in version) continue;
    for (const s of version.services ?? []) if (!out.has(s.code)) out.set(s.code, { ...s, schedule: key });
  }
  return out;
}

type Row = Record<string, unknown>;

const refuse = (path: string, zh: string, en: string) => new ApiError('form-invalid', { zh: `${path}：${zh}`, en: `${path}: ${en}` }, { field: path.split('/')[1] ?? '', path });

/** A quote's rows priced from the list (see the module's comment); a bad row is a 422 naming its JSON path. */
export function priceRows(items: ReadonlyMap<string, PriceListItem>, field: string, rows: unknown): Row[] {
  if (!Array.isArray(rows)) return rows as Row[];
  return rows.map((raw, i) => {
    const at = `/${field}/${i}`;
    const row = (raw ?? {}) as Row;
    const code = typeof row.code === 'string' && row.code !== '' ? row.code : undefined;
    if (code === undefined) {
      // a manual line: kept as written, with its reason
      if (typeof row.description !== 'string' || row.description.trim() === '') throw refuse(`${at}/description`, '手工行须写明项目', 'a manual line needs a description');
      if (typeof row.amountFen !== 'number' || !Number.isSafeInteger(row.amountFen) || row.amountFen < 0 || row.amountFen > MAX_AMOUNT_FEN) throw refuse(`${at}/amountFen`, '手工行须填金额（0 至 1 亿元）', 'a manual line needs an amount (0 to 100 million yuan)');
      if (typeof row.reason !== 'string' || row.reason.trim() === '') throw refuse(`${at}/reason`, '价目表以外的手工行须写明原因', 'a line not from the price list needs a reason');
      const { code: _drop, ...kept } = row;
      return { ...kept, description: row.description.trim(), reason: row.reason.trim() };
    }
    const item = items.get(code);
    if (!item) {
      const known = [...items.keys()].join(', ');
      throw refuse(`${at}/code`, `价目表中没有服务项目“${code}”（现有：${known || '无'}）`, `the price list has no item "${code}" (it has: ${known || 'none'})`);
    }
    const quantity = row.quantity === undefined ? 1 : row.quantity;
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1 || quantity > 1000) throw refuse(`${at}/quantity`, '数量须为 1 至 1000 的整数', 'quantity must be a whole number from 1 to 1000');
    const amountFen = item.priceFen * quantity;
    if (amountFen > MAX_AMOUNT_FEN) throw refuse(`${at}/quantity`, '金额超过 1 亿元', 'the amount is above 100 million yuan');
    const { reason: _none, ...kept } = row;
    return { ...kept, code, quantity, amountFen, description: lineText(item.title, item.per, item.priceFen, quantity) };
  });
}

/** 更换日光灯 ¥20.00/次 × 2: what a quote line says, in Chinese (the stored text is one string). */
function lineText(title: Text, per: Text, priceFen: number, quantity: number): string {
  return `${title.zh} ¥${formatYuan(priceFen)}/${per.zh} × ${quantity}`;
}

/**
 * An event's data with its price-list fields priced (see the module's comment), or the data as sent
 * when its form has none. Reads the instance's pinned definition for the event's form.
 */
export async function pricedEventData(db: DbOrTx, cache: CompiledCache, tenantId: string, instanceId: string, type: string, data: Record<string, unknown>, on: (estateId: string) => Promise<CivilDate>): Promise<Record<string, unknown>> {
  const [inst] = await db.select({ estateId: instances.estateId, versionId: instances.definitionVersionId }).from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, instanceId)));
  if (!inst) return data;
  const pinned = await cache.get(db, tenantId, inst.versionId);
  const formId = pinned.compiled.definition.events[type]?.form;
  const form = formId ? pinned.compiled.formDefinitions.get(formId) : undefined;
  const fields = (form?.layout?.sections ?? []).flatMap((s) => s.fields).filter((f) => (f as { priceList?: boolean }).priceList && data[f.field] !== undefined);
  if (fields.length === 0) return data;
  const items = await priceList(db, tenantId, inst.estateId, await on(inst.estateId));
  const out = { ...data };
  for (const f of fields) out[f.field] = priceRows(items, f.field, data[f.field]);
  return out;
}
