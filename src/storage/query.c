/* query.c - the read side of the catalog: status, rows, groups and the
 * outcome tables behind n* (contract in include/biasweep/query.h).
 *
 * The only text pasted into SQL is this file's own: fixed fragments, the
 * operators of a fixed table, placeholders, and column names taken from
 * the schema (PRAGMA table_info of `results`) by index.  User values are
 * bound.  The connection is read-only three times over (open flag,
 * query_only, authorizer), so even a bug here cannot write.
 */
#include "biasweep/query.h"

#include "biasweep/catalog.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/trajfile.h"
#include "check.h"
#include "query_int.h"
#include "sql.h"

#include <gsl/gsl_statistics_double.h>
#include <sqlite3.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- small helpers -------------------------------------------------------- */

/* Echo of user input for a message: at most 80 bytes, control characters as '?'. */
const char *bw_qi_shown(const char *s, char *buf, size_t len)
{
	size_t i = 0, n = strlen(s);
	for (; s[i] && i + 4 < len && i < 80; i++)
		buf[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	if (i < n) {
		memcpy(buf + (i < len - 4 ? i : len - 4), "...", 4);
		return buf;
	}
	buf[i] = 0;
	return buf;
}

int bw_qi_store_error(const struct bw_query *q, const char *what)
{
	return RAISE(BW_ESTORE, "catalog '%s': %s: %s", q->path, what, sqlite3_errmsg(q->db));
}


void bw_qi_sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* A column name from the schema, double-quoted (quotes doubled, although
 * the schema's names have none). */
void bw_qi_sb_ident(struct sbuf *b, const char *name)
{
	bw_qi_sb_add(b, "\"");
	for (const char *c = name; *c; c++)
		bw_qi_sb_add(b, *c == '"' ? "\"\"" : (char[2]){*c, 0});
	bw_qi_sb_add(b, "\"");
}

/* Column c of the current row of s into (row, col) of t. */
static int table_put_column(struct bw_table *t, size_t row, size_t col, sqlite3_stmt *s, int c)
{
	switch (sqlite3_column_type(s, c)) {
	case SQLITE_INTEGER:
		bw_table_set_int(t, row, col, sqlite3_column_int64(s, c));
		return BW_OK;
	case SQLITE_FLOAT:
		bw_table_set_real(t, row, col, sqlite3_column_double(s, c));
		return BW_OK;
	case SQLITE_NULL:
		return BW_OK;
	default:
		return bw_table_set_text(t, row, col, (const char *)sqlite3_column_text(s, c));
	}
}

/* A new row of t holding the columns 0..ncols of the current row of s. */
static int add_stmt_row(struct bw_table *t, sqlite3_stmt *s, size_t ncols, size_t *row)
{
	CHECK(bw_table_add_row(t, row));
	for (size_t i = 0; i < ncols; i++)
		CHECK(table_put_column(t, *row, i, s, (int)i));
	return BW_OK;
}

/* Every row of s (its columns 0..ncols) appended to t; `what` names the
 * reading in an error. */
int bw_qi_fetch_all(const struct bw_query *q, sqlite3_stmt *s, struct bw_table *t, size_t ncols, const char *what)
{
	int st;
	size_t row;
	while ((st = sqlite3_step(s)) == SQLITE_ROW)
		CHECK(add_stmt_row(t, s, ncols, &row));
	return st == SQLITE_DONE ? BW_OK : bw_qi_store_error(q, what);
}

/* ---- open ------------------------------------------------------------------------ */

/* Everything but reading is denied; table_info is the one pragma used
 * (query_only is set before the authorizer is installed). */
static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *db, const char *trigger)
{
	(void)ctx;
	(void)a2;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_READ:
	case SQLITE_SELECT:
	case SQLITE_FUNCTION:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		return a1 && !sqlite3_stricmp(a1, "table_info") ? SQLITE_OK : SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

/* The declared type of `column` in the file's tasks or outcomes, or of the
 * schema's newer column of that name: what a column of the temp `results`
 * of an older file (shadow_results) is, which SQLite reports without a type
 * where the view computes it.  "" when none has it. */
static void schema_type(struct bw_query *q, const char *column, char *type, size_t len)
{
	static const char *const tables[] = {"PRAGMA main.table_info(tasks)", "PRAGMA main.table_info(outcomes)"};
	type[0] = 0;
	for (const struct bw_schema_column *c = bw_catalog_schema_added_columns(); c->table; c++)
		if (!strcmp(c->column, column))
			snprintf(type, len, "%s", c->type);
	for (size_t i = 0; !type[0] && i < sizeof tables / sizeof *tables; i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(q->db, tables[i], -1, &s, NULL) == SQLITE_OK)
			while (!type[0] && sqlite3_step(s) == SQLITE_ROW) {
				const char *name = (const char *)sqlite3_column_text(s, 1), *t = (const char *)sqlite3_column_text(s, 2);
				if (name && t && !strcmp(name, column))
					snprintf(type, len, "%s", t);
			}
		sqlite3_finalize(s);
	}
}

static int load_columns(struct bw_query *q)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 64;
	int rc;
	q->col = calloc(cap, sizeof *q->col);
	q->kind = calloc(cap, sizeof *q->kind);
	if (!q->col || !q->kind)
		return RAISE(BW_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(q->db, "PRAGMA table_info(results)", -1, &s, NULL) != SQLITE_OK)
		return bw_qi_store_error(q, "reading the columns of results");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		const char *type = (const char *)sqlite3_column_text(s, 2);
		char computed[32];
		if (!name || q->ncols == cap)
			continue;
		if (!type || !*type) {
			schema_type(q, name, computed, sizeof computed);
			type = computed;
		}
		if (!(q->col[q->ncols] = strdup(name))) {
			sqlite3_finalize(s);
			return RAISE(BW_ENOMEM, "out of memory");
		}
		q->kind[q->ncols] = !type                      ? KIND_TEXT
				    : strcasestr(type, "INT")  ? KIND_INTEGER
				    : strcasestr(type, "REAL") ? KIND_REAL
							       : KIND_TEXT;
		q->ncols++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return bw_qi_store_error(q, "reading the columns of results");
	if (!q->ncols)
		return RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (no view 'results')", q->path);
	return BW_OK;
}

/* A file made before a column was added (check.h) is read through a view of
 * this connection's temp schema that shadows its `results` and shows it as
 * this version would (bw_schema_old_select; the file is not written). */
static int shadow_results(struct bw_query *q)
{
	char *select = NULL;
	if (bw_schema_old_select(q->db, "main", "results", &select) != SQLITE_OK)
		return bw_qi_store_error(q, "reading the columns of results");
	char *sql = select ? sqlite3_mprintf("CREATE TEMP VIEW results AS %s", select) : NULL;
	int rc = select && !sql ? RAISE(BW_ENOMEM, "out of memory")
		 : sql && bw_sql_exec(q->db, sql) != SQLITE_OK ? bw_qi_store_error(q, "reading a catalog made before its newer columns")
							       : BW_OK;
	sqlite3_free(sql);
	sqlite3_free(select);
	return rc;
}

int bw_query_open(const char *path, struct bw_query **out)
{
	struct bw_query *q;
	struct stat st;
	int rc;
	*out = NULL;
	if (!path || !*path)
		return RAISE(BW_EINVAL, "no catalog path given");
	if (stat(path, &st) != 0) /* a wrong path is bad input; nothing is created */
		return errno == ENOENT || errno == ENOTDIR
			       ? RAISE(BW_EINVAL, "no catalog '%s' (%s): give the file of a sweep with --catalog, or "
					"run one first (biasweep run SPEC)", path, strerror(errno))
			       : RAISE(BW_EIO, "cannot open catalog '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return RAISE(BW_EINVAL, "catalog '%s' is not a regular file", path);
	q = calloc(1, sizeof *q);
	if (!q || !(q->path = strdup(path))) {
		free(q);
		return RAISE(BW_ENOMEM, "out of memory opening catalog '%s'", path);
	}
	rc = bw_sql_open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, &q->db);
	if (rc != SQLITE_OK) {
		rc = q->db && rc != SQLITE_NOMEM ? RAISE(BW_EIO, "cannot open catalog '%s': %s", path, sqlite3_errmsg(q->db))
						 : RAISE(BW_ENOMEM, "out of memory opening catalog '%s'", path);
		goto fail;
	}
	/* checked before anything is created, even a TEMP view */
	long version;
	int changed;
	if ((rc = bw_catalog_check(q->db, "main", q->path, 0, &version)) != BW_OK || (rc = shadow_results(q)) != BW_OK)
		goto fail;
	if (bw_schema_views(q->db, 1, &changed) != SQLITE_OK) {
		rc = bw_qi_store_error(q, "creating the derived views");
		goto fail;
	}
	if (bw_sql_exec(q->db, "PRAGMA query_only=1") != SQLITE_OK) {
		rc = bw_qi_store_error(q, "setting query_only");
		goto fail;
	}
	if (sqlite3_set_authorizer(q->db, authorize, NULL) != SQLITE_OK) {
		rc = bw_qi_store_error(q, "installing the authorizer");
		goto fail;
	}
	if ((rc = load_columns(q)) != BW_OK)
		goto fail;
	*out = q;
	return BW_OK;
fail:
	bw_query_close(q);
	return rc;
}

void bw_query_close(struct bw_query *q)
{
	if (!q)
		return;
	if (q->db)
		sqlite3_close_v2(q->db);
	for (size_t i = 0; q->col && i < q->ncols; i++)
		free(q->col[i]);
	free(q->col);
	free(q->kind);
	free(q->path);
	free(q);
}

size_t bw_query_ncolumns(const struct bw_query *q) { return q->ncols; }

const char *bw_query_column_name(const struct bw_query *q, size_t i) { return i < q->ncols ? q->col[i] : NULL; }

static int prepare(struct bw_query *q, struct sbuf *b, sqlite3_stmt **s)
{
	*s = NULL;
	if (b->oom) {
		free(b->p);
		return RAISE(BW_ENOMEM, "out of memory building a query");
	}
	int rc = sqlite3_prepare_v2(q->db, b->p, -1, s, NULL);
	free(b->p);
	b->p = NULL;
	if (rc != SQLITE_OK)
		return bw_qi_store_error(q, "preparing a query");
	return BW_OK;
}

/* ---- rows ------------------------------------------------------------------------- */

/* Starts b with "SELECT " and the columns cols[0..n) of q (separated by
 * ", "), and sets *names to a new array of n + extra entries whose first n are
 * their names.  On an error (BW_ENOMEM, BW_EINTERNAL for a column q does not
 * have) b and *names are freed. */
static int select_columns(const struct bw_query *q, struct sbuf *b, const size_t *cols, size_t n, size_t extra,
			  const char ***names)
{
	const char **nm = *names = calloc(n + extra, sizeof *nm);
	if (!nm)
		return RAISE(BW_ENOMEM, "out of memory");
	bw_qi_sb_add(b, "SELECT ");
	for (size_t i = 0; i < n; i++) {
		if (cols[i] >= q->ncols) {
			free(nm);
			free(b->p);
			*names = NULL;
			return RAISE(BW_EINTERNAL, "column %zu of %zu", cols[i], q->ncols);
		}
		bw_qi_sb_add(b, i ? ", " : "");
		bw_qi_sb_ident(b, q->col[cols[i]]);
		nm[i] = q->col[cols[i]];
	}
	return BW_OK;
}

static const char order_all[] =
	" ORDER BY algorithm, design, wstar, d, kappa, alpha, eta, eta_scale, schedule, sigma, batch, eps, n, sweep_seed, seed,"
	" key";

int bw_query_rows(struct bw_query *q, const struct bw_qfilter *f, size_t nf, const size_t *cols, size_t ncols,
		  long limit, struct bw_table *out)
{
	struct sbuf b = {0};
	sqlite3_stmt *s;
	const char **names;
	int rc, next = 1;
	memset(out, 0, sizeof *out);
	if (!ncols)
		return RAISE(BW_EINVAL, "no columns to show");
	CHECK(select_columns(q, &b, cols, ncols, 0, &names));
	bw_qi_sb_add(&b, " FROM results");
	bw_qi_sb_where(&b, q, f, nf);
	bw_qi_sb_add(&b, order_all);
	if (limit > 0)
		bw_qi_sb_add(&b, " LIMIT ?");
	rc = bw_table_init(out, ncols, names);
	free(names);
	if (rc != BW_OK) {
		free(b.p);
		return rc;
	}
	if ((rc = prepare(q, &b, &s)) == BW_OK && (rc = bw_qi_bind_filters(q, s, f, nf, &next)) == BW_OK) {
		if (limit > 0)
			sqlite3_bind_int64(s, next, limit);
		rc = bw_qi_fetch_all(q, s, out, ncols, "reading results");
	}
	sqlite3_finalize(s);
	if (rc != BW_OK)
		bw_table_release(out);
	return rc;
}

/* ---- groups ---------------------------------------------------------------------- */

static void read_value(sqlite3_stmt *s, int c, struct bw_value *v)
{
	memset(v, 0, sizeof *v);
	switch (sqlite3_column_type(s, c)) {
	case SQLITE_INTEGER:
		v->type = BW_VAL_INT;
		v->i = sqlite3_column_int64(s, c);
		break;
	case SQLITE_FLOAT:
		v->type = BW_VAL_REAL;
		v->r = sqlite3_column_double(s, c);
		break;
	case SQLITE_NULL:
		break;
	default:
		v->type = BW_VAL_TEXT;
		v->s = (char *)sqlite3_column_text(s, c); /* borrowed until the next step */
		break;
	}
}

static int value_same(const struct bw_value *a, const struct bw_value *b)
{
	if (a->type == BW_VAL_NULL || b->type == BW_VAL_NULL)
		return a->type == b->type;
	if (a->type == BW_VAL_TEXT || b->type == BW_VAL_TEXT)
		return a->type == b->type && !strcmp(a->s, b->s);
	double x = a->type == BW_VAL_INT ? (double)a->i : a->r, y = b->type == BW_VAL_INT ? (double)b->i : b->r;
	if (a->type == BW_VAL_INT && b->type == BW_VAL_INT)
		return a->i == b->i;
	return x == y;
}

struct group_acc {
	size_t count, successes, diverged, nerr, caperr;
	double *err;
};

static int acc_add(struct group_acc *g, int success, int diverged, int has_err, double err)
{
	g->count++;
	g->successes += success != 0;
	g->diverged += diverged != 0;
	if (has_err && isfinite(err)) {
		if (g->nerr == g->caperr) {
			size_t cap = g->caperr ? 2 * g->caperr : 64;
			double *e = realloc(g->err, cap * sizeof *e);
			if (!e)
				return RAISE(BW_ENOMEM, "out of memory");
			g->err = e;
			g->caperr = cap;
		}
		g->err[g->nerr++] = err;
	}
	return BW_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Writes the statistics of g into columns [c0, c0 + 8) of row. */
static void acc_emit(struct group_acc *g, struct bw_table *t, size_t row, size_t c0)
{
	bw_table_set_int(t, row, c0, (int64_t)g->count);
	bw_table_set_int(t, row, c0 + 1, (int64_t)g->successes);
	bw_table_set_real(t, row, c0 + 2, g->count ? (double)g->successes / (double)g->count : NAN);
	bw_table_set_int(t, row, c0 + 3, (int64_t)g->diverged);
	if (g->nerr) {
		double mean = 0;
		for (size_t i = 0; i < g->nerr; i++)
			mean += g->err[i];
		mean /= (double)g->nerr;
		qsort(g->err, g->nerr, sizeof *g->err, cmp_double);
		bw_table_set_real(t, row, c0 + 4, mean);
		bw_table_set_real(t, row, c0 + 5, gsl_stats_quantile_from_sorted_data(g->err, 1, g->nerr, 0.5));
		bw_table_set_real(t, row, c0 + 6, gsl_stats_quantile_from_sorted_data(g->err, 1, g->nerr, 0.1));
		bw_table_set_real(t, row, c0 + 7, gsl_stats_quantile_from_sorted_data(g->err, 1, g->nerr, 0.9));
	}
	g->count = g->successes = g->diverged = g->nerr = 0;
}

int bw_query_groups(struct bw_query *q, const struct bw_qfilter *f, size_t nf, const size_t *group, size_t ngroup,
		    struct bw_table *out)
{
	static const char *const stats[] = {"count",		 "successes",	      "success_rate",
					    "diverged",		 "mean_test_error",   "median_test_error",
					    "q10_test_error", "q90_test_error"};
	const size_t nstats = sizeof stats / sizeof stats[0];
	struct sbuf b = {0};
	sqlite3_stmt *s = NULL;
	struct group_acc acc = {0};
	const char **names;
	int rc, next = 1, st;
	size_t row = 0;
	int have_row = 0;
	memset(out, 0, sizeof *out);
	CHECK(select_columns(q, &b, group, ngroup, nstats, &names));
	for (size_t i = 0; i < nstats; i++)
		names[ngroup + i] = stats[i];
	bw_qi_sb_add(&b, ngroup ? ", " : "");
	bw_qi_sb_add(&b, "success, status = 'diverged', test_error FROM results");
	bw_qi_sb_where(&b, q, f, nf);
	for (size_t i = 0; i < ngroup; i++) {
		bw_qi_sb_add(&b, i ? ", " : " ORDER BY ");
		bw_qi_sb_ident(&b, q->col[group[i]]);
	}
	rc = bw_table_init(out, ngroup + nstats, names);
	free(names);
	if (rc != BW_OK) {
		free(b.p);
		return rc;
	}
	if ((rc = prepare(q, &b, &s)) != BW_OK || (rc = bw_qi_bind_filters(q, s, f, nf, &next)) != BW_OK)
		goto done;
	while ((st = sqlite3_step(s)) == SQLITE_ROW) {
		int same = have_row;
		for (size_t i = 0; i < ngroup && same; i++) {
			struct bw_value v;
			read_value(s, (int)i, &v);
			same = value_same(&v, bw_table_at(out, row, i));
		}
		if (!same) {
			if (have_row)
				acc_emit(&acc, out, row, ngroup);
			if ((rc = add_stmt_row(out, s, ngroup, &row)) != BW_OK)
				goto done;
			have_row = 1;
		}
		int c = (int)ngroup;
		rc = acc_add(&acc, sqlite3_column_int(s, c), sqlite3_column_int(s, c + 1),
			     sqlite3_column_type(s, c + 2) != SQLITE_NULL, sqlite3_column_double(s, c + 2));
		if (rc != BW_OK)
			goto done;
	}
	if (st != SQLITE_DONE) {
		rc = bw_qi_store_error(q, "reading results");
		goto done;
	}
	if (have_row)
		acc_emit(&acc, out, row, ngroup);
	else if (!ngroup) { /* no group columns: one row, even for no match */
		if ((rc = bw_table_add_row(out, &row)) != BW_OK)
			goto done;
		acc_emit(&acc, out, row, ngroup);
	}
done:
	sqlite3_finalize(s);
	free(acc.err);
	if (rc != BW_OK)
		bw_table_release(out);
	return rc;
}

/* ---- cells --------------------------------------------------------------------------- */

void bw_qcells_release(struct bw_qcells *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->cell && i < c->n; i++) {
		free(c->cell[i].obs);
		free(c->cell[i].sweep_seed);
		free(c->cell[i].seed);
		free(c->cell[i].noise);
	}
	free(c->cell);
	memset(c, 0, sizeof *c);
}

static double col_real(sqlite3_stmt *s, int c)
{
	return sqlite3_column_type(s, c) == SQLITE_NULL ? NAN : sqlite3_column_double(s, c);
}

static int same_real(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void copy_text(char *dst, size_t len, sqlite3_stmt *s, int c)
{
	const char *t = (const char *)sqlite3_column_text(s, c);
	snprintf(dst, len, "%s", t ? t : "");
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return BW_OK;
	size_t cap2 = *cap ? *cap : 16;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * size);
	if (!q)
		return RAISE(BW_ENOMEM, "out of memory reading outcomes");
	*p = q;
	*cap = cap2;
	return BW_OK;
}

int bw_query_cells(struct bw_query *q, const struct bw_qfilter *f, size_t nf, struct bw_qcells *out)
{
	struct sbuf b = {0};
	sqlite3_stmt *s = NULL;
	size_t capcells = 0, capobs = 0, capseeds = 0;
	int rc, next = 1, st;
	struct bw_qcell *c = NULL;
	memset(out, 0, sizeof *out);
	/* a cell's eta is the run parameters' (0: the program chose the step, eta_mode not 'given') */
	bw_qi_sb_add(&b, "SELECT algorithm, design, wstar, d, kappa, alpha,"
		   " coalesce(eta, CASE WHEN eta_mode IS NOT NULL THEN 0.0 END) AS cell_eta, sigma, batch, eps, sweep_seed,"
		   " seed, n, success, eta_scale, coalesce(noise_seed, 0), schedule FROM results");
	bw_qi_sb_where(&b, q, f, nf);
	bw_qi_sb_add(&b, " ORDER BY algorithm, design, wstar, d, kappa, alpha, cell_eta, eta_scale, schedule, sigma, batch, eps,"
		   " sweep_seed, seed, coalesce(noise_seed, 0), n");
	if ((rc = prepare(q, &b, &s)) != BW_OK || (rc = bw_qi_bind_filters(q, s, f, nf, &next)) != BW_OK)
		goto done;
	while ((st = sqlite3_step(s)) == SQLITE_ROW) {
		struct bw_qcell k;
		memset(&k, 0, sizeof k);
		copy_text(k.algorithm, sizeof k.algorithm, s, 0);
		copy_text(k.design, sizeof k.design, s, 1);
		copy_text(k.wstar, sizeof k.wstar, s, 2);
		k.d = sqlite3_column_int64(s, 3);
		k.kappa = sqlite3_column_int64(s, 4);
		k.alpha = col_real(s, 5);
		k.eta = col_real(s, 6);
		k.sigma = col_real(s, 7);
		k.batch = sqlite3_column_int64(s, 8);
		k.eps = col_real(s, 9);
		k.eta_scale = col_real(s, 14);
		copy_text(k.schedule, sizeof k.schedule, s, 16);
		if (!c || strcmp(c->algorithm, k.algorithm) || strcmp(c->design, k.design) || strcmp(c->wstar, k.wstar) ||
		    c->d != k.d || c->kappa != k.kappa || !same_real(c->alpha, k.alpha) || !same_real(c->eta, k.eta) ||
		    !same_real(c->eta_scale, k.eta_scale) || strcmp(c->schedule, k.schedule) || !same_real(c->sigma, k.sigma) ||
		    c->batch != k.batch || !same_real(c->eps, k.eps)) {
			if ((rc = grow((void **)&out->cell, &capcells, out->n + 1, sizeof *out->cell)) != BW_OK)
				goto done;
			c = &out->cell[out->n++];
			*c = k;
			capobs = capseeds = 0;
		}
		int64_t ss = sqlite3_column_int64(s, 10), si = sqlite3_column_int64(s, 11), sn = sqlite3_column_int64(s, 15);
		if (!c->nseeds || c->sweep_seed[c->nseeds - 1] != ss || c->seed[c->nseeds - 1] != si ||
		    c->noise[c->nseeds - 1] != sn) {
			size_t cap = capseeds;
			if ((rc = grow((void **)&c->sweep_seed, &cap, c->nseeds + 1, sizeof *c->sweep_seed)) != BW_OK)
				goto done;
			cap = capseeds;
			if ((rc = grow((void **)&c->seed, &cap, c->nseeds + 1, sizeof *c->seed)) != BW_OK)
				goto done;
			cap = capseeds;
			if ((rc = grow((void **)&c->noise, &cap, c->nseeds + 1, sizeof *c->noise)) != BW_OK)
				goto done;
			capseeds = cap;
			c->sweep_seed[c->nseeds] = ss;
			c->seed[c->nseeds] = si;
			c->noise[c->nseeds] = sn;
			c->nseeds++;
		}
		if ((rc = grow((void **)&c->obs, &capobs, c->nobs + 1, sizeof *c->obs)) != BW_OK)
			goto done;
		c->obs[c->nobs].n = (double)sqlite3_column_int64(s, 12);
		c->obs[c->nobs].seed = (int64_t)(c->nseeds - 1);
		c->obs[c->nobs].success = sqlite3_column_int(s, 13) != 0;
		c->nobs++;
	}
	rc = st == SQLITE_DONE ? BW_OK : bw_qi_store_error(q, "reading results");
done:
	sqlite3_finalize(s);
	if (rc != BW_OK)
		bw_qcells_release(out);
	return rc;
}

/* ---- trajectories ------------------------------------------------------------------ */

/* The text of column c of s into buf ("" for NULL). */
static void column_text(sqlite3_stmt *s, int c, char *buf, size_t len)
{
	const unsigned char *v = sqlite3_column_text(s, c);
	snprintf(buf, len, "%s", v ? (const char *)v : "");
}

/* Where the task's trajectory is and whose it must be (see bw_query_trajectory). */
static int traj_lookup(struct bw_query *q, const char *key, char *file, size_t len, int64_t *row,
		       struct bw_traj_identity *id, unsigned *check)
{
	static const char sql[] =
		"SELECT o.traj_file, o.traj_row, ifnull(o.sweep_id, 0), s.started_at,"
		" (SELECT value FROM meta WHERE key = 'catalog_id'),"
		" (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sweep_sources')"
		" FROM outcomes AS o LEFT JOIN sweeps AS s ON s.id = o.sweep_id WHERE o.key = ?1";
	sqlite3_stmt *s = NULL;
	char shown_key[100];
	if (sqlite3_prepare_v2(q->db, sql, -1, &s, NULL) != SQLITE_OK)
		return bw_qi_store_error(q, "looking up a trajectory");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s), sources = 0;
	file[0] = 0;
	*row = -1;
	if (rc == SQLITE_ROW) {
		column_text(s, 0, file, len);
		*row = sqlite3_column_type(s, 1) == SQLITE_INTEGER ? sqlite3_column_int64(s, 1) : -1;
		id->sweep_id = sqlite3_column_int64(s, 2);
		column_text(s, 3, id->started_at, sizeof id->started_at);
		column_text(s, 4, id->catalog_id, sizeof id->catalog_id);
		sources = sqlite3_column_int(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bw_qi_store_error(q, "looking up a trajectory");
	if (!file[0] || *row < 0)
		return RAISE(BW_EINVAL, "task %s has no trajectory recorded in catalog '%s'",
			     bw_qi_shown(key, shown_key, sizeof shown_key), q->path);
	/* a run of this catalog's own: all of it; one merged in from a shard (sweep_sources,
	 * new sweep id): the file is the shard's, with the run's started_at */
	int merged = 0;
	if (sources && id->sweep_id > 0) {
		if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM sweep_sources WHERE sweep_id = ?1", -1, &s, NULL) !=
		    SQLITE_OK)
			return bw_qi_store_error(q, "looking up a trajectory");
		sqlite3_bind_int64(s, 1, id->sweep_id);
		rc = sqlite3_step(s);
		merged = rc == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW)
			return bw_qi_store_error(q, "looking up a trajectory");
	}
	*check = merged ? 0 : BW_TRAJ_CHECK_CATALOG;
	if (id->sweep_id > 0)
		*check |= (merged ? 0 : BW_TRAJ_CHECK_SWEEP) | BW_TRAJ_CHECK_STARTED;
	return BW_OK;
}

int bw_query_trajectory(struct bw_query *q, const char *key, struct bw_checkpoint *ck, int *count, double *w,
			size_t d)
{
	char file[4096], path[4096];
	int64_t row = -1;
	unsigned check = 0;
	struct bw_traj_identity id;
	memset(&id, 0, sizeof id);
	*count = -1;
	CHECK(traj_lookup(q, key, file, sizeof file, &row, &id, &check));
	CHECK(bw_trajfile_path(q->path, file, path, sizeof path));
	return bw_trajfile_read_task(path, (size_t)row, key, &id, check, ck, count, w, d);
}

/* ---- test hook ------------------------------------------------------------------------- */

int bw_query_probe_for_test(struct bw_query *q, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(q->db, sql, -1, &s, NULL) != SQLITE_OK)
		return bw_qi_store_error(q, "preparing");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	rc = rc == SQLITE_DONE ? BW_OK : bw_qi_store_error(q, "running");
	sqlite3_finalize(s);
	return rc;
}
