/* query_status.c - the catalog's read side for `status`: runs per sweep and
 * algorithm, the specs, the finished keys, and every column with its meaning
 * (contract in include/biasweep/query.h; the connection is query.c's). */
#include "biasweep/query.h"

#include "biasweep/buf.h"
#include "biasweep/error.h"
#include "check.h"
#include "query_int.h"
#include "schema.h"

#include <sqlite3.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- status ------------------------------------------------------------------------ */

static const char status_sql[] =
	"SELECT s.id, s.name, s.state, s.started_at, s.ended_at, s.ranks, s.shard, t.algorithm,"
	" count(st.key), count(o.key), count(st.key) - count(o.key),"
	" count(CASE WHEN o.status = 'diverged' THEN 1 END),"
	" count(CASE WHEN o.status = 'failed' THEN 1 END),"
	" count(CASE WHEN o.sweep_id = s.id THEN 1 END),"
	" total(o.wall_s), s.spec_hash"
	" FROM sweeps AS s"
	" LEFT JOIN sweep_tasks AS st ON st.sweep_id = s.id"
	" LEFT JOIN tasks AS t ON t.key = st.key"
	" LEFT JOIN outcomes AS o ON o.key = st.key"
	" GROUP BY s.id, t.algorithm ORDER BY s.id, t.algorithm";

/* The rows of a fixed statement into out (columns names[0..nc)); what: for messages. */
static int table_of(struct bw_query *q, const char *sql, const char *const *names, size_t nc, const char *what,
		    struct bw_table *out)
{
	sqlite3_stmt *s = NULL;
	int rc;
	CHECK(bw_table_init(out, nc, names));
	if (sqlite3_prepare_v2(q->db, sql, -1, &s, NULL) != SQLITE_OK)
		rc = bw_qi_store_error(q, what);
	else
		rc = bw_qi_fetch_all(q, s, out, nc, what);
	sqlite3_finalize(s);
	if (rc != BW_OK)
		bw_table_release(out);
	return rc;
}

int bw_query_status(struct bw_query *q, struct bw_table *out)
{
	static const char *const names[] = {"sweep",   "name",	  "state",    "started_at", "ended_at",
					    "ranks",   "shard",	  "algorithm", "planned",	   "done",
					    "pending", "diverged", "failed",   "ran",	   "wall_s", "spec_hash"};
	return table_of(q, status_sql, names, sizeof names / sizeof names[0], "reading the status", out);
}

/* The columns of one object into out (rows object, kind, column, type, unit, meaning). */
static int object_columns(struct bw_query *q, const char *kind, const char *name, struct bw_table *out)
{
	sqlite3_stmt *s = NULL;
	char *sql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", name);
	int rc = BW_OK, st;
	if (!sql)
		return RAISE(BW_ENOMEM, "out of memory");
	st = sqlite3_prepare_v2(q->db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (st != SQLITE_OK)
		return bw_qi_store_error(q, "reading the columns");
	while (rc == BW_OK && (st = sqlite3_step(s)) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(s, 1), *type = (const char *)sqlite3_column_text(s, 2);
		const struct bw_column_doc *d = col ? bw_column_doc(name, col) : NULL;
		size_t row;
		if ((rc = bw_table_add_row(out, &row)) != BW_OK || (rc = bw_table_set_text(out, row, 0, name)) != BW_OK ||
		    (rc = bw_table_set_text(out, row, 1, kind)) != BW_OK || (rc = bw_table_set_text(out, row, 2, col)) != BW_OK ||
		    (rc = bw_table_set_text(out, row, 3, type && *type ? type : NULL)) != BW_OK ||
		    (rc = bw_table_set_text(out, row, 4, d && *d->unit ? d->unit : NULL)) != BW_OK ||
		    (rc = bw_table_set_text(out, row, 5, d ? d->meaning : NULL)) != BW_OK)
			break;
	}
	if (rc == BW_OK && st != SQLITE_DONE)
		rc = bw_qi_store_error(q, "reading the columns");
	sqlite3_finalize(s);
	return rc;
}

int bw_query_list_columns(struct bw_query *q, struct bw_table *out)
{
	static const char *const names[] = {"object", "kind", "column", "type", "unit", "meaning"};
	/* the file's tables and views but those the TEMP derived views shadow, then those */
	static const char *const lists[] = {
		"SELECT type, name FROM main.sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
		" AND name NOT IN (SELECT name FROM temp.sqlite_master) ORDER BY type = 'view', rowid",
		"SELECT type, name FROM temp.sqlite_master WHERE type = 'view' ORDER BY rowid"};
	CHECK(bw_table_init(out, sizeof names / sizeof *names, names));
	int rc = BW_OK;
	for (size_t k = 0; k < 2 && rc == BW_OK; k++) {
		sqlite3_stmt *s = NULL;
		int st;
		if (sqlite3_prepare_v2(q->db, lists[k], -1, &s, NULL) != SQLITE_OK) {
			rc = bw_qi_store_error(q, "listing the schema");
			break;
		}
		while (rc == BW_OK && (st = sqlite3_step(s)) == SQLITE_ROW)
			rc = object_columns(q, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
					    out);
		if (rc == BW_OK && st != SQLITE_DONE)
			rc = bw_qi_store_error(q, "listing the schema");
		sqlite3_finalize(s);
	}
	if (rc != BW_OK)
		bw_table_release(out);
	return rc;
}

static const char specs_sql[] =
	"SELECT spec_hash, name, spec_path, spec_text, shard, count(*), min(id), max(id) FROM sweeps"
	" GROUP BY spec_hash, shard ORDER BY min(id)";

int bw_query_specs(struct bw_query *q, struct bw_table *out)
{
	static const char *const names[] = {"spec_hash", "name", "spec_path", "spec_text", "shard", "runs", "first", "last"};
	return table_of(q, specs_sql, names, sizeof names / sizeof names[0], "reading the specs", out);
}

struct done_key {
	uint64_t key;
	int8_t ok;
};

static int cmp_done(const void *a, const void *b)
{
	uint64_t x = ((const struct done_key *)a)->key, y = ((const struct done_key *)b)->key;
	return (x > y) - (x < y);
}

int bw_query_done(struct bw_query *q, uint64_t **keys, int8_t **ok, size_t *n)
{
	sqlite3_stmt *s = NULL;
	struct done_key *d = NULL;
	size_t len = 0, cap = 0;
	int rc = BW_OK, st;
	*keys = NULL;
	*ok = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(q->db, "SELECT key, success FROM outcomes", -1, &s, NULL) != SQLITE_OK)
		return bw_qi_store_error(q, "preparing the outcomes query");
	while (rc == BW_OK && (st = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		if ((rc = bw_array_grow(&d, &cap, len, sizeof *d, 1024, "the outcomes")) != BW_OK)
			break;
		d[len].key = k ? strtoull(k, NULL, 16) : 0;
		d[len].ok = (int8_t)(sqlite3_column_int(s, 1) != 0);
		len++;
	}
	if (rc == BW_OK && st != SQLITE_DONE)
		rc = bw_qi_store_error(q, "reading the outcomes");
	sqlite3_finalize(s);
	if (rc == BW_OK) {
		qsort(d, len, sizeof *d, cmp_done);
		*keys = malloc((len ? len : 1) * sizeof **keys);
		*ok = malloc(len ? len : 1);
		if (!*keys || !*ok) {
			free(*keys);
			free(*ok);
			*keys = NULL;
			*ok = NULL;
			rc = RAISE(BW_ENOMEM, "out of memory reading the outcomes");
		} else {
			for (size_t i = 0; i < len; i++) {
				(*keys)[i] = d[i].key;
				(*ok)[i] = d[i].ok;
			}
			*n = len;
		}
	}
	free(d);
	return rc;
}

