import type { Context } from 'hono';
import { estateDate, isCivilDate } from '@estateflow/billing';
import type { AppEnv } from '../env.ts';
import { ApiError, invalid } from '../errors.ts';
import { authOf, requireEstate } from '../route-table.ts';
import { estateTimeZone } from './billing-store.ts';

/**
 * What the finance routes (the cashier's day, month-end, waivers, deposits, finance's reports)
 * settle before they read: the estate asked for, checked against the caller's estates and the
 * route's access, the caller, the estate's time zone and the civil date there now. Their days
 * are the estate's days, never the server's.
 */
export async function estateDay(c: Context<AppEnv>, estateId: string | undefined) {
  requireEstate(c, estateId);
  const { tenantId, userId } = authOf(c);
  const { db, config } = c.get('deps');
  const timeZone = await estateTimeZone(db, tenantId, estateId!);
  return { estateId: estateId!, tenantId, userId, db, config, timeZone, today: estateDate(config.now(), timeZone) };
}

/** A day given for money already taken or spent: a date YYYY-MM-DD not after the estate's today (today when not given). */
export function pastDay(value: string | undefined, today: string, field: string): string {
  if (value === undefined) return today;
  if (!isCivilDate(value)) throw invalid(field, 'must be a date YYYY-MM-DD', '必须是 YYYY-MM-DD 格式的日期');
  if (value > today) throw new ApiError('form-invalid', { zh: `字段“${field}”不得晚于今天（${today}）`, en: `Field "${field}" must not be after today (${today})` }, { field });
  return value;
}
