/* query_int.h - what query.c, query_status.c and filter.c share (internal to src/storage):
 * the read-only connection and its columns, a string builder for the SQL
 * they assemble, and the WHERE clause of a filter list. */
#ifndef BIASWEEP_STORAGE_QUERY_INT_H
#define BIASWEEP_STORAGE_QUERY_INT_H

#include "biasweep/query.h"

#include <sqlite3.h>

#include <stddef.h>

#define MAX_NAME 64

enum col_kind { KIND_TEXT = 0, KIND_INTEGER, KIND_REAL };

struct bw_query {
	sqlite3 *db;
	char *path;
	size_t ncols;
	char **col;
	enum col_kind *kind;
};

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

/* Echo of user input for a message: at most 80 bytes, control characters as '?'. */
const char *bw_qi_shown(const char *s, char *buf, size_t len);
int bw_qi_store_error(const struct bw_query *q, const char *what);
void bw_qi_sb_add(struct sbuf *b, const char *s);
/* A column name from the schema, double-quoted. */
void bw_qi_sb_ident(struct sbuf *b, const char *name);

/* Every row of the prepared statement s (ncols columns) appended to t; what: for messages. */
int bw_qi_fetch_all(const struct bw_query *q, sqlite3_stmt *s, struct bw_table *t, size_t ncols, const char *what);

/* " WHERE 1 AND col op ? ..." for the filters (filter.c), and their values
 * bound from parameter *next on. */
void bw_qi_sb_where(struct sbuf *b, const struct bw_query *q, const struct bw_qfilter *f, size_t nf);
int bw_qi_bind_filters(const struct bw_query *q, sqlite3_stmt *s, const struct bw_qfilter *f, size_t nf, int *next);

#endif
