/* sql.h - the few SQLite helpers every storage file uses (internal to
 * src/storage): opening a file by name, running fixed SQL, rolling back,
 * the timestamp written into the catalog, the busy timeout. */
#ifndef BIASWEEP_STORAGE_SQL_H
#define BIASWEEP_STORAGE_SQL_H

#include <sqlite3.h>

/* How long a connection waits for another's lock before SQLITE_BUSY. */
#define BW_SQL_BUSY_TIMEOUT_MS 30000

/* sqlite3_open_v2 of a file name (a name that starts with "file:" is not read
 * as a URI: Debian's SQLite has SQLITE_USE_URI), then extended result codes
 * and the busy timeout.  Returns SQLite's code; *db may be set on failure
 * (for its message; the caller closes it).  SQLITE_NOMEM when out of memory. */
int bw_sql_open(const char *path, int flags, sqlite3 **db);

/* sqlite3_exec without callbacks: SQLite's code. */
int bw_sql_exec(sqlite3 *db, const char *sql);

/* 1 when table (or view) `table` of database `schema` has column `column`, 0
 * when not, -1 when its columns cannot be read (SQLite's error on db). */
int bw_sql_has_column(sqlite3 *db, const char *schema, const char *table, const char *column);

/* Rolls back whatever transaction is open, keeping the caller's error. */
void bw_sql_rollback_quietly(sqlite3 *db);

/* The current UTC time, "2024-05-01T12:34:56.789Z". */
void bw_sql_utc_now(char buf[32]);

#endif
