import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { invalid } from '../errors.ts';
import { isUuid } from './body.ts';

/**
 * Keyset (cursor) pagination and id arrays: the one way lists and reports page through large
 * tables. A page is read in a stable indexed order `(key, id)` and the next page starts after the
 * last row's `(key, id)`, so a page costs the same at row 10 and at row 1,000,000 (no offset), and
 * rows written meanwhile neither repeat nor vanish from the pages still to read.
 */

/**
 * One bind parameter holding many uuids (`= any(…)`), instead of one parameter per id: PostgreSQL
 * refuses more than 65,535 parameters in a statement. The ids are checked as uuids, so the array
 * literal `{a,b,…}` needs no quoting.
 */
export function uuidArray(ids: readonly string[]): SQL {
  for (const id of ids) if (!isUuid(id)) throw new Error(`not a uuid: ${id}`);
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
}

/** A page's position: the last row's sort key as PostgreSQL printed it (full precision) and its id. */
export interface Cursor {
  key: string;
  id: string;
}

/** The opaque `cursor` a client sends back for the next page (base64url JSON). */
export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.key, c.id])).toString('base64url');

/** The cursor of a query parameter; anything not made by `encodeCursor` is 400 naming `cursor`. */
export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const [key, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (typeof key === 'string' && key.length <= 100 && typeof id === 'string' && isUuid(id)) return { key, id };
  } catch {
    // refused below
  }
  throw invalid('cursor', 'is not a cursor this list gave out; start again without it', '不是本列表给出的翻页位置，请去掉它从第一页重新开始');
}

/**
 * The condition "after the cursor" in the order `(key, id)`: ascending `(key, id) > (…)`,
 * descending `(key, id) < (…)`. `cast` is the key column's type (`timestamptz`, `text`, `date`).
 */
export function afterCursor(key: SQLWrapper, id: SQLWrapper, cursor: Cursor | undefined, cast: string, direction: 'asc' | 'desc'): SQL | undefined {
  if (!cursor) return undefined;
  const op = sql.raw(direction === 'asc' ? '>' : '<');
  return sql`(${key}, ${id}) ${op} (${cursor.key}::${sql.raw(cast)}, ${cursor.id}::uuid)`;
}

/** The page size asked for (`limit`), at most `max` (default when absent); 400 naming `limit` otherwise. */
export function pageSize(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalid('limit', `must be a whole number from 1 to ${max}`, `必须是 1 到 ${max} 之间的整数`);
  return n;
}
