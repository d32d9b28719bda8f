/* sql.c - the SQLite helpers shared by the storage files (sql.h). */
#include "sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bw_sql_open(const char *path, int flags, sqlite3 **db)
{
	*db = NULL;
	char *name = malloc(strlen(path) + 3);
	if (!name)
		return SQLITE_NOMEM;
	sprintf(name, "%s%s", strncmp(path, "file:", 5) ? "" : "./", path);
	int rc = sqlite3_open_v2(name, db, flags, NULL);
	free(name);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_extended_result_codes(*db, 1);
	sqlite3_busy_timeout(*db, BW_SQL_BUSY_TIMEOUT_MS);
	return SQLITE_OK;
}

int bw_sql_exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

int bw_sql_has_column(sqlite3 *db, const char *schema, const char *table, const char *column)
{
	char *sql = sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", schema, table);
	sqlite3_stmt *s = NULL;
	int rc, has = 0;
	if (!sql)
		return -1;
	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		if (name && !sqlite3_stricmp(name, column))
			has = 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? has : -1;
}

void bw_sql_rollback_quietly(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void bw_sql_utc_now(char buf[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}
