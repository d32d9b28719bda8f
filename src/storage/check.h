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
 * names of its derived views (NULL-terminated): views that hold no data and
 * that every opener makes current with bw_schema_views, so the check passes
 * a file whose derived views are missing or of an older definition.
 * Defined in schema.c. */
const char *bw_catalog_schema(const char *const **derived);

/* Makes the derived views this version's: temp = 0 (a read-write
 * connection, inside the caller's transaction) drops and recreates in main
 * each one whose text differs (*changed = 1 when any did); temp = 1 (a
 * read-only connection, before query_only) creates them as TEMP views, which
 * shadow the file's.  An SQLite result code. */
int bw_schema_views(struct sqlite3 *db, int temp, int *changed);

/* The columns added to the schema's tables after files were made, ending
 * with a NULL table: a file may lack them (and its views their names) until
 * a writer adds them (bw_schema_add_columns).  Defined in schema.c. */
struct bw_schema_column {
	const char *table, *column, *type;
};
const struct bw_schema_column *bw_catalog_schema_added_columns(void);
/* Adds the columns database `schema` ("main", or merge's "out") lacks
 * (ALTER TABLE ADD COLUMN with `type`; NULL in the rows there, but for
 * tasks.eta_mode its value, with eta NULL where it was 0: docs/catalog.md's
 * convention) and then
 * rebuilds its views results, success_rates and sample_complexity; *changed
 * = 1 when it did.  Within the caller's write transaction.  SQLite's code. */
int bw_schema_add_columns(struct sqlite3 *db, const char *schema, int *changed);
/* How a reader sees `object` (the table "tasks" or the view "results") of
 * database `schema` in a file made before some of those columns: *select
 * = a SELECT (sqlite3_mprintf'd, the caller's to sqlite3_free) that shows
 * each missing column NULL, but a missing tasks.eta_mode with its value
 * from eta, eta_scale and the dynamics (given, scaled, automatic; NULL
 * where no step is taken) and eta then NULL unless it was given, as
 * bw_schema_add_columns writes them; *select = NULL when the file has them
 * all (read it as it is).  Writes nothing.  SQLite's code. */
int bw_schema_old_select(struct sqlite3 *db, const char *schema, const char *object, char **select);

/* The schema_version in table meta; *version = 0 for an empty database (no
 * tables).  Refused: not SQLite, corrupt, another program's database (tables
 * but no meta), meta without a usable schema_version. */
int bw_catalog_version(struct sqlite3 *db, const char *schema, const char *path, long *version);

enum { BW_CHECK_EMPTY_OK = 1 /* an empty database passes with *version = 0 (a catalog to create) */ };

/* bw_catalog_version, then: the version is BW_SCHEMA_VERSION, and every table
 * and view of bw_catalog_schema() but the derived views exists, of that kind, with exactly its
 * columns (names, in any order): "'F': not a complete biasweep catalog
 * (missing table sweep_tasks)", "(table tasks has an unexpected column x)".
 * Other tables and views are allowed (merge's sweep_sources). */
int bw_catalog_check(struct sqlite3 *db, const char *schema, const char *path, unsigned flags, long *version);

/* Every foreign key of the schema holds in the file (after bw_catalog_check):
 * "'F': not a consistent catalog: outcome K has no task row". */
int bw_catalog_check_links(struct sqlite3 *db, const char *schema, const char *path);

#endif
