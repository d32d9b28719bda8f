/* test_schema.c - the one schema source of src/storage: the column lists of
 * schema.h (catalog.c's inserts, merge.c's copies and comparisons) name
 * exactly the columns of the DDL (schema.c), in its order, as SQLite itself
 * reads them from the DDL (PRAGMA table_info of an in-memory database built
 * from it); each insert statement has one placeholder per column. */
#include "check.h"
#include "schema.h"
#include "testutil.h"

#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

static sqlite3 *db;

/* "a, b, c" of the table's columns as SQLite has them from the DDL */
static void columns(const char *table, char *buf, size_t len)
{
	char sql[128];
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	TU_CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "table_info(%s)", table);
	while (s && sqlite3_step(s) == SQLITE_ROW) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
}

static void same_list(const char *table, const char *want)
{
	char have[2048];
	columns(table, have, sizeof have);
	TU_CHECK(have[0] && !strcmp(have, want), "columns of %s: DDL has '%s', schema.h lists '%s'", table, have, want);
}

/* the insert names the table's columns in order and binds each once */
static void insert(const char *table, const char *sql)
{
	char have[2048], want[4096];
	columns(table, have, sizeof have);
	snprintf(want, sizeof want, "INSERT OR IGNORE INTO %s(%s) VALUES(", table, have);
	TU_CHECK(!strncmp(sql, want, strlen(want)), "insert into %s: '%.80s...' does not list '%s'", table, sql, have);
	sqlite3_stmt *s = NULL;
	TU_CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "insert into %s prepares: %s", table,
		 sqlite3_errmsg(db));
	int ncols = 1;
	for (const char *c = have; (c = strchr(c, ',')); c++)
		ncols++;
	TU_CHECK(s && sqlite3_bind_parameter_count(s) == ncols, "insert into %s: %d placeholders for %d columns",
		 table, s ? sqlite3_bind_parameter_count(s) : -1, ncols);
	sqlite3_finalize(s);
}

int main(void)
{
	TU_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "in-memory database");
	TU_CHECK(sqlite3_exec(db, bw_catalog_schema(NULL), NULL, NULL, NULL) == SQLITE_OK, "the DDL builds: %s",
		 sqlite3_errmsg(db));
	same_list("sweeps", "id, " BW_SWEEP_COLUMNS(BW_COL_FIRST, BW_COL_NEXT));
	same_list("tasks", BW_TASK_LIST);
	same_list("outcomes", "key, " BW_OUTCOME_VALUES(BW_COL_FIRST, BW_COL_NEXT) ", "
			      BW_OUTCOME_PLACE(BW_COL_FIRST, BW_COL_NEXT));
	insert("tasks", BW_SQL_INSERT_TASK);
	insert("outcomes", BW_SQL_INSERT_OUTCOME);
	/* the derived views that openers make current are views of the schema */
	const char *const *derived;
	bw_catalog_schema(&derived);
	for (size_t i = 0; derived[i]; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name = '%s'", derived[i]);
		sqlite3_stmt *s = NULL;
		TU_CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
				 sqlite3_column_int(s, 0) == 1,
			 "derived view %s is a view of the schema", derived[i]);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return tu_summary("test_schema");
}
