import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/** The extensions the migrations create (pg_trgm and btree_gin: the request search's tenant-led trigram index), loaded into PGlite. */
export const pgliteExtensions = { btree_gin, pg_trgm };
