/**
 * Big reads stream (issue #21): a read of many rows (a report, an export) hands them over a batch at
 * a time, so its memory stays that of one batch however many rows it reads.
 * - On PostgreSQL, the whole statement runs once through a server-side cursor (postgres-js
 *   `.cursor(batch)`: the server sends `batch` rows per fetch).
 * - On PGlite, which serves one connection, a cursor would hold it (and every other request) for the
 *   whole read: it reads keyset pages instead (`page(after, limit)`, each a short statement on an
 *   index), so requests interleave between batches.
 * Rows are as `db.execute` answers them (column names as selected; instants as the driver gives them).
 */
import type { SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import { rowsOf } from './rows.ts';

export interface StreamQuery<R> {
  /** the whole read, in the order of its key (PostgreSQL: through a cursor) */
  all: SQL;
  /** the `limit` rows after `after` (the last row of the previous page, or none: from the start), in the same order (PGlite) */
  page: (after: R | undefined, limit: number) => SQL;
}

/** What a stream did: batches handed over and how they were read (for tests and logs). */
export interface StreamStats {
  batches: number;
  rows: number;
  via: 'cursor' | 'keyset';
}

type PostgresClient = { unsafe: (text: string, params: unknown[]) => { cursor: (n: number) => AsyncIterable<unknown[]> } };
type Dialect = { sqlToQuery: (q: SQL) => { sql: string; params: unknown[] } };


/** The postgres-js client under a drizzle database, or undefined on PGlite. */
function postgresClient(db: Db): PostgresClient | undefined {
  const client = (db as unknown as { $client?: unknown }).$client as Partial<PostgresClient> & { begin?: unknown } | undefined;
  return client && typeof client.unsafe === 'function' && typeof client.begin === 'function' ? (client as PostgresClient) : undefined;
}

/** The rows of `q`, `batch` at a time (at most `batch` per array). `stats`, when given, is filled as it goes. */
export async function* streamRows<R>(db: Db, q: StreamQuery<R>, batch = 1_000, stats?: StreamStats): AsyncGenerator<R[]> {
  const s = stats ?? { batches: 0, rows: 0, via: 'keyset' };
  const client = postgresClient(db);
  if (client) {
    s.via = 'cursor';
    const { sql: text, params } = (db as unknown as { dialect: Dialect }).dialect.sqlToQuery(q.all);
    for await (const rows of client.unsafe(text, params).cursor(batch)) {
      s.batches++;
      s.rows += rows.length;
      yield rows as R[];
    }
    return;
  }
  s.via = 'keyset';
  let after: R | undefined;
  for (;;) {
    const rows = rowsOf<R>(await db.execute(q.page(after, batch)));
    if (rows.length === 0) return;
    s.batches++;
    s.rows += rows.length;
    yield rows;
    if (rows.length < batch) return;
    after = rows[rows.length - 1];
  }
}
