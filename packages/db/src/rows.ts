/**
 * The rows of a raw `db.execute`: the `postgres` driver answers an array, PGlite `{ rows }`. The one
 * copy: packages/db's own readers and the API (apps/api/src/store/sql.ts re-exports it) use this.
 */
export const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];
