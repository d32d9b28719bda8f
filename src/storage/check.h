/* check.h - is this a biasweep catalog, and a whole one?  The one check
 * that every opener of a catalog calls (catalog.c, query.c, merge.c), on a
 * connection it owns, before it reads anything else or writes anything.
 * Internal to src/storage (it takes an sqlite3 handle).
 *
 * `schema` names the database on the connection ("main", or an ATTACH
 * alias: a constant of the caller, never user input); `path` is the file
 * name for messages.  Every refusal is BW_EINVAL (a file that cannot be
 * opened at all is BW_EIO) with one line naming the file; nothing is
 * written.
 */
#ifndef BIASWEEP_STORAGE_CHECK_H
#define BIASWEEP_STORAGE_CHECK_H

struct sqlite3;

/* The schema of this program's version: the SQL that creates it, and the
 * names of its objects that read-write opens add to files made before them
 * (NULL-terminated; a file may lack those).  Defined in schema.c. */
const char *bw_catalog_schema(const char *const **added_later);

/* The columns added to the schema's tables after files were made, ending
 * with a NULL table: a file may lack them (and its views their names) until
 * a read-write open adds them (ALTER TABLE ADD COLUMN with `type`) and
 * rebuilds the views with bw_catalog_schema_views (which drops and creates
 * results, success_rates and sample_complexity).  Defined in schema.c. */
struct bw_schema_column {
	const char *table, *column, *type;
};
const struct bw_schema_column *bw_catalog_schema_added_columns(void);
extern const char bw_catalog_schema_views[];

/* The schema_version in table meta; *version = 0 for an empty database (no
 * tables).  Refused: not SQLite, corrupt, another program's database (tables
 * but no meta), meta without a usable schema_version. */
int bw_catalog_version(struct sqlite3 *db, const char *schema, const char *path, long *version);

enum { BW_CHECK_EMPTY_OK = 1 /* an empty database passes with *version = 0 (a catalog to create) */ };

/* bw_catalog_version, then: the version is BW_SCHEMA_VERSION, and every table
 * and view of bw_catalog_schema() exists, of that kind, with exactly its
 * columns (names, in any order): "'F': not a complete biasweep catalog
 * (missing table sweep_tasks)", "(table tasks has an unexpected column x)".
 * Other tables and views are allowed (merge's sweep_sources). */
int bw_catalog_check(struct sqlite3 *db, const char *schema, const char *path, unsigned flags, long *version);

/* Every foreign key of the schema holds in the file (after bw_catalog_check):
 * "'F': not a consistent catalog: outcome K has no task row". */
int bw_catalog_check_links(struct sqlite3 *db, const char *schema, const char *path);

#endif
