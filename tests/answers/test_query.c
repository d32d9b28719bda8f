/* test_query.c - the read side of the catalog on the hand-made catalog of
 * fixture.h: opening (and refusing), the read-only guards (authorizer,
 * query_only), column and filter checks, rows, groups with quantiles,
 * status, cells, and the sample_complexity view (also added to an older
 * file by a read-write open).  Expected numbers are the hand computations
 * in fixture.h. */
#include "biasweep/catalog.h"
#include "biasweep/error.h"
#include "biasweep/nstar.h"
#include "biasweep/query.h"
#include "fixture.h"
#include "testutil.h"

#include <sqlite3.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static const char *path_in(const char *name)
{
	static char buf[8][256];
	static int next;
	char *p = buf[next++ % 8];
	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(n > 0 ? (size_t)n : 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static const struct bw_value *cell(struct bw_table *t, size_t row, const char *col)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c], col))
			return bw_table_at(t, row, c);
	printf("no column %s\n", col);
	static const struct bw_value null;
	return &null;
}

static double num(struct bw_table *t, size_t row, const char *col)
{
	const struct bw_value *v = cell(t, row, col);
	return v->type == BW_VAL_INT ? (double)v->i : v->type == BW_VAL_REAL ? v->r : NAN;
}

static const char *txt(struct bw_table *t, size_t row, const char *col)
{
	const struct bw_value *v = cell(t, row, col);
	return v->type == BW_VAL_TEXT ? v->s : "(not text)";
}

static void test_open_refusals(void)
{
	struct bw_query *q = NULL;
	TU_CHECK(bw_query_open(path_in("missing.sqlite"), &q) == BW_EINVAL && !q && access(path_in("missing.sqlite"), F_OK) != 0,
		 "missing file -> BW_EINVAL (a wrong path), nothing created");
	FILE *f = fopen(path_in("junk.sqlite"), "w");
	fputs("this is not a database, just some text long enough to be a header......................\n", f);
	fclose(f);
	TU_CHECK(bw_query_open(path_in("junk.sqlite"), &q) == BW_EINVAL, "not SQLite -> BW_EINVAL: %s",
		 bw_error_message());
	sqlite3 *db;
	sqlite3_open(path_in("other.sqlite"), &db);
	sqlite3_exec(db, "CREATE TABLE x(a)", NULL, NULL, NULL);
	sqlite3_close(db);
	TU_CHECK(bw_query_open(path_in("other.sqlite"), &q) == BW_EINVAL, "foreign SQLite -> BW_EINVAL: %s",
		 bw_error_message());
	TU_CHECK(strstr(bw_error_message(), "not a biasweep catalog") != NULL, "message: %s", bw_error_message());
}

static void test_guards(struct bw_query *q)
{
	/* reading is allowed */
	TU_CHECK(bw_query_probe_for_test(q, "SELECT count(*), max(d) FROM results") == BW_OK, "select: %s",
		 bw_error_message());
	TU_CHECK(bw_query_probe_for_test(q, "PRAGMA table_info(results)") == BW_OK, "table_info: %s",
		 bw_error_message());
	/* everything else is denied by the authorizer */
	const char *denied[] = {
		"DELETE FROM outcomes",
		"UPDATE tasks SET d = 0",
		"INSERT INTO meta(key, value) VALUES('x', 'y')",
		"DROP TABLE outcomes",
		"DROP VIEW results",
		"CREATE TABLE evil(a)",
		"CREATE TEMP TABLE evil(a)",
		"CREATE TEMP VIEW evil AS SELECT 1",
		"ATTACH DATABASE ':memory:' AS evil",
		"PRAGMA query_only=0",
		"PRAGMA writable_schema=1",
		"PRAGMA journal_mode=DELETE",
		"PRAGMA user_version=7",
		"VACUUM",
		"BEGIN IMMEDIATE",
		"REINDEX",
		"ANALYZE",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT x FROM c",
	};
	for (size_t i = 0; i < sizeof denied / sizeof *denied; i++) {
		int rc = bw_query_probe_for_test(q, denied[i]);
		TU_CHECK(rc == BW_ESTORE, "'%s' not refused (rc %d)", denied[i], rc);
		/* refused by the authorizer itself, not only by query_only/read-only */
		TU_CHECK(strstr(bw_error_message(), "not authorized") || strstr(bw_error_message(), "authorization denied"),
			 "'%s' refused by the authorizer: %s", denied[i], bw_error_message());
	}
}

static void test_columns_filters(struct bw_query *q)
{
	size_t idx[8], n = 0;
	TU_CHECK(bw_query_ncolumns(q) >= 30, "results has %zu columns", bw_query_ncolumns(q));
	TU_CHECK(bw_query_resolve_columns(q, "d, N ,Test_Error", idx, 8, &n) == BW_OK && n == 3, "resolve: %s",
		 bw_error_message());
	TU_CHECK(n == 3 && !strcmp(bw_query_column_name(q, idx[1]), "n") &&
			 !strcmp(bw_query_column_name(q, idx[2]), "test_error"),
		 "schema spelling used");
	const char *bad_lists[] = {"dd", "d;DROP TABLE outcomes", "d) UNION SELECT key FROM tasks --", "d,,n",
				   "d,d", "\"d\"", "d,", "", "*", "count(*)"};
	for (size_t i = 0; i < sizeof bad_lists / sizeof *bad_lists; i++) {
		int rc = bw_query_resolve_columns(q, bad_lists[i], idx, 8, &n);
		TU_CHECK(rc == BW_EINVAL, "column list '%s' accepted (rc %d)", bad_lists[i], rc);
		TU_CHECK(!strchr(bw_error_message(), '\n'), "one-line message: %s", bw_error_message());
	}
	bw_query_resolve_columns(q, "zzz", idx, 8, &n);
	TU_CHECK(strstr(bw_error_message(), "unknown column 'zzz' (columns: key, algorithm,") != NULL, "message: %s",
		 bw_error_message());

	struct bw_qfilter f;
	struct {
		const char *expr;
		int op, type;
	} good[] = {
		{"d=100", BW_QOP_EQ, BW_VAL_INT},	  {"d >= 64", BW_QOP_GE, BW_VAL_INT},
		{"alpha<0.5", BW_QOP_LT, BW_VAL_REAL},	  {"eta=null", BW_QOP_EQ, BW_VAL_NULL},
		{"sigma != NULL", BW_QOP_NE, BW_VAL_NULL}, {"algorithm=gd", BW_QOP_EQ, BW_VAL_TEXT},
		{"status<>converged", BW_QOP_NE, BW_VAL_TEXT}, {"key=abc", BW_QOP_EQ, BW_VAL_TEXT},
		{"message=' OR '1'='1", BW_QOP_EQ, BW_VAL_TEXT}, {"n<=50", BW_QOP_LE, BW_VAL_INT},
		{"test_error>1e-3", BW_QOP_GT, BW_VAL_REAL},	{" algorithm = gd ", BW_QOP_EQ, BW_VAL_TEXT},	{"sweep_seed=18446744073709551615", BW_QOP_EQ, BW_VAL_INT},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		int rc = bw_query_parse_filter(q, good[i].expr, &f);
		TU_CHECK(rc == BW_OK && (int)f.op == good[i].op && (int)f.value.type == good[i].type,
			 "filter '%s': rc %d op %d type %d (%s)", good[i].expr, rc, f.op, f.value.type, bw_error_message());
	}
	bw_query_parse_filter(q, " algorithm = gd ", &f);
	TU_CHECK(f.value.s && !strcmp(f.value.s, "gd"), "categorical value trimmed to the name: '%s'", f.value.s);
	bw_query_parse_filter(q, "sweep_seed=18446744073709551615", &f);
	TU_CHECK(f.value.i == -1, "sweep_seed 2^64-1 is stored as -1: %lld", (long long)f.value.i);
	const char *bad[] = {
		"d;DROP TABLE outcomes", "d=1 OR 1=1",	      "d=1; DELETE FROM outcomes", "d=' OR '1'='1",
		"algorithm=' OR '1'='1", "algorithm=gd' --", "dd=1",			   "=1",
		"d",			  "d~1",	      "1=1",			   "(d)=1",
		"d=",			  "algorithm<gd",     "d<null",			   "design=gaussian;",
		"status=DONE",		  "n=1e999",	      "alpha=nan",		   "d=0x10",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = bw_query_parse_filter(q, bad[i], &f);
		TU_CHECK(rc == BW_EINVAL, "filter '%s' accepted (rc %d)", bad[i], rc);
		TU_CHECK(!strchr(bw_error_message(), '\n'), "one-line message: %s", bw_error_message());
	}
	bw_query_parse_filter(q, "d;DROP TABLE outcomes", &f);
	TU_CHECK(strstr(bw_error_message(), "'d;DROP TABLE outcomes' is not COLUMN=VALUE") != NULL, "message: %s",
		 bw_error_message());
	bw_query_parse_filter(q, "x\ny=1", &f);
	TU_CHECK(!strchr(bw_error_message(), '\n'), "newline in input is not echoed: %s", bw_error_message());
}

static void test_rows_groups(struct bw_query *q)
{
	struct bw_qfilter f[4];
	size_t cols[32], nc;
	struct bw_table t;
	int rc;

	bw_query_resolve_columns(q, BW_QUERY_DEFAULT_COLUMNS, cols, 32, &nc);
	rc = bw_query_rows(q, NULL, 0, cols, nc, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 54 && t.ncols == nc, "all rows: %zu (%s)", t.nrows, bw_error_message());
	bw_table_release(&t);

	bw_query_parse_filter(q, "algorithm=gd", &f[0]);
	bw_query_parse_filter(q, "n>=40", &f[1]);
	rc = bw_query_rows(q, f, 2, cols, nc, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 10, "gd n>=40: %zu rows", t.nrows);
	/* ordered by n, then seed */
	TU_CHECK(t.nrows == 10 && num(&t, 0, "n") == 40 && num(&t, 0, "seed") == 0 && num(&t, 9, "n") == 50 &&
			 num(&t, 9, "seed") == 4,
		 "order");
	bw_table_release(&t);
	rc = bw_query_rows(q, f, 2, cols, nc, 3, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 3, "limit 3: %zu rows", t.nrows);
	bw_table_release(&t);

	bw_query_parse_filter(q, "eta=NULL", &f[0]);
	rc = bw_query_rows(q, f, 1, cols, nc, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 12, "eta NULL (the flow): %zu rows", t.nrows);
	TU_CHECK(t.nrows && !strcmp(txt(&t, 0, "algorithm"), "riemannian_flow"), "flow rows");
	bw_table_release(&t);

	bw_query_parse_filter(q, "status=diverged", &f[0]);
	rc = bw_query_rows(q, f, 1, cols, nc, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 1 && !strcmp(txt(&t, 0, "algorithm"), "label_noise_sgd") &&
			 num(&t, 0, "n") == 40 && num(&t, 0, "seed") == 1 && cell(&t, 0, "test_error")->type == BW_VAL_NULL,
		 "the diverged row");
	bw_table_release(&t);

	/* a text value that looks like SQL is just a value: nothing matches */
	bw_query_parse_filter(q, "message=' OR '1'='1", &f[0]);
	rc = bw_query_rows(q, f, 1, cols, nc, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 0, "injection-looking text value matches %zu rows", t.nrows);
	bw_table_release(&t);
	bw_query_parse_filter(q, "alpha=0.1", &f[0]);
	bw_query_parse_filter(q, "d>150", &f[1]);
	rc = bw_query_rows(q, f, 2, cols, nc, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 12, "alpha=0.1 d>150: %zu rows (C 4, sgd d=200/400 8)", t.nrows);
	bw_table_release(&t);

	/* groups: gd at n=30 (fixture.h) */
	size_t g[2];
	bw_query_resolve_columns(q, "algorithm,n", g, 2, &nc);
	bw_query_parse_filter(q, "algorithm=gd", &f[0]);
	bw_query_parse_filter(q, "n=30", &f[1]);
	rc = bw_query_groups(q, f, 2, g, 2, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 1, "one group: %zu (%s)", t.nrows, bw_error_message());
	if (t.nrows == 1) {
		TU_CHECK(num(&t, 0, "count") == 5 && num(&t, 0, "successes") == 3 && num(&t, 0, "diverged") == 0,
			 "counts");
		TU_REL(num(&t, 0, "success_rate"), 0.6, 1e-15, "rate");
		TU_REL(num(&t, 0, "mean_test_error"), 0.352, 1e-12, "mean");
		TU_REL(num(&t, 0, "median_test_error"), 0.03, 1e-12, "median");
		TU_REL(num(&t, 0, "q10_test_error"), 0.014, 1e-12, "q10");
		TU_REL(num(&t, 0, "q90_test_error"), 0.86, 1e-12, "q90");
	}
	bw_table_release(&t);
	/* per algorithm: counts; label_noise_sgd has 1 diverged, its NULL error left out of the mean */
	bw_query_resolve_columns(q, "algorithm", g, 2, &nc);
	rc = bw_query_groups(q, NULL, 0, g, 1, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 4, "4 algorithms: %zu", t.nrows);
	if (t.nrows == 4) {
		const char *a[] = {"gd", "label_noise_sgd", "riemannian_flow", "sgd"};
		const double cnt[] = {25, 4, 12, 13}, succ[] = {13, 3, 0, 6};
		for (int i = 0; i < 4; i++)
			TU_CHECK(!strcmp(txt(&t, (size_t)i, "algorithm"), a[i]) && num(&t, (size_t)i, "count") == cnt[i] &&
					 num(&t, (size_t)i, "successes") == succ[i],
				 "group %s", a[i]);
		TU_CHECK(num(&t, 1, "diverged") == 1, "lnsgd diverged");
		TU_REL(num(&t, 1, "mean_test_error"), (0.05 + 0.05 + 0.06) / 3, 1e-12, "lnsgd mean over non-NULL");
		TU_REL(num(&t, 2, "q90_test_error"), 0.7, 1e-12, "flow q90 (11 values of 0.7)");
	}
	bw_table_release(&t);
	/* no group columns: one row; no match: count 0, NULL statistics */
	bw_query_parse_filter(q, "d=12345", &f[0]);
	rc = bw_query_groups(q, f, 1, g, 0, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 1 && num(&t, 0, "count") == 0 &&
			 cell(&t, 0, "mean_test_error")->type == BW_VAL_NULL,
		 "empty aggregate");
	bw_table_release(&t);
}

static void test_status(struct bw_query *q)
{
	struct bw_table t;
	int rc = bw_query_status(q, &t);
	TU_CHECK(rc == BW_OK && t.nrows == 6, "status rows %zu (%s)", t.nrows, bw_error_message());
	if (t.nrows != 6) {
		bw_table_release(&t);
		return;
	}
	const struct {
		int sweep;
		const char *algo;
		double planned, done, pending, diverged, failed, ran, wall;
	} want[] = {
		{1, "gd", 27, 25, 2, 0, 0, 25, 12.5},		{1, "label_noise_sgd", 4, 4, 0, 1, 0, 4, 5},
		{1, "riemannian_flow", 12, 12, 0, 0, 1, 12, 24}, {1, "sgd", 12, 12, 0, 0, 0, 12, 3},
		{2, "gd", 2, 2, 0, 0, 0, 0, 1},			{2, "sgd", 1, 1, 0, 0, 1, 1, 3},
	};
	for (size_t i = 0; i < 6; i++) {
		TU_CHECK(num(&t, i, "sweep") == want[i].sweep && !strcmp(txt(&t, i, "algorithm"), want[i].algo),
			 "row %zu: sweep %g %s", i, num(&t, i, "sweep"), txt(&t, i, "algorithm"));
		TU_CHECK(num(&t, i, "planned") == want[i].planned && num(&t, i, "done") == want[i].done &&
				 num(&t, i, "pending") == want[i].pending && num(&t, i, "diverged") == want[i].diverged &&
				 num(&t, i, "failed") == want[i].failed && num(&t, i, "ran") == want[i].ran,
			 "row %zu (%s): planned %g done %g pending %g diverged %g failed %g ran %g", i, want[i].algo,
			 num(&t, i, "planned"), num(&t, i, "done"), num(&t, i, "pending"), num(&t, i, "diverged"),
			 num(&t, i, "failed"), num(&t, i, "ran"));
		TU_REL(num(&t, i, "wall_s"), want[i].wall, 1e-12, "wall_s");
	}
	TU_CHECK(!strcmp(txt(&t, 0, "name"), "fixture") && !strcmp(txt(&t, 0, "state"), "done") &&
			 num(&t, 0, "ranks") == 2 && cell(&t, 0, "shard")->type == BW_VAL_NULL &&
			 cell(&t, 0, "ended_at")->type == BW_VAL_TEXT,
		 "sweep 1 fields");
	TU_CHECK(!strcmp(txt(&t, 4, "name"), "second") && !strcmp(txt(&t, 4, "state"), "running") &&
			 !strcmp(txt(&t, 4, "shard"), "1/2") && cell(&t, 4, "ended_at")->type == BW_VAL_NULL,
		 "sweep 2 fields");
	bw_table_release(&t);
}

static void test_cells(struct bw_query *q)
{
	struct bw_qcells c;
	int rc = bw_query_cells(q, NULL, 0, &c);
	TU_CHECK(rc == BW_OK && c.n == 7, "7 cells: %zu (%s)", c.n, bw_error_message());
	if (rc != BW_OK || c.n != 7) {
		bw_qcells_release(&c);
		return;
	}
	const struct {
		const char *algo;
		int64_t d, kappa, batch;
		double eta, nstar;
		size_t nobs, nseeds;
	} want[] = {
		{"gd", 100, 5, 0, 0.01, 27.5, 25, 5},
		{"label_noise_sgd", 200, 10, 0, 0.001, 40, 4, 2},
		{"riemannian_flow", 100, 5, 0, NAN, NAN, 12, 4},
		{"sgd", 100, 5, 4, 0.01, NAN, 1, 1},
		{"sgd", 100, 5, 1, 0.02, 55, 4, 2},
		{"sgd", 200, 5, 1, 0.02, 105, 4, 2},
		{"sgd", 400, 5, 1, 0.02, 205, 4, 2},
	};
	for (size_t i = 0; i < 7; i++) {
		const struct bw_qcell *k = &c.cell[i];
		int eta_ok = isnan(want[i].eta) ? isnan(k->eta) : k->eta == want[i].eta;
		TU_CHECK(!strcmp(k->algorithm, want[i].algo) && k->d == want[i].d && k->kappa == want[i].kappa &&
				 k->batch == want[i].batch && eta_ok && k->nobs == want[i].nobs &&
				 k->nseeds == want[i].nseeds && !strcmp(k->design, "rademacher") && k->alpha == 0.1 &&
				 k->eps == 0.1,
			 "cell %zu: %s d %lld kappa %lld batch %lld eta %g obs %zu seeds %zu", i, k->algorithm,
			 (long long)k->d, (long long)k->kappa, (long long)k->batch, k->eta, k->nobs, k->nseeds);
		struct bw_nstar e;
		rc = bw_nstar_estimate(k->obs, k->nobs, NULL, &e);
		int ok = rc == BW_OK && (isnan(want[i].nstar) ? isnan(e.nstar) : fabs(e.nstar - want[i].nstar) < 1e-12);
		TU_CHECK(ok, "cell %zu: n* %g want %g", i, e.nstar, want[i].nstar);
		bw_nstar_release(&e);
	}
	/* sigma only for label_noise_sgd */
	TU_CHECK(c.cell[1].sigma == 1 && isnan(c.cell[0].sigma), "sigma NULL pattern");
	bw_qcells_release(&c);

	struct bw_qfilter f;
	bw_query_parse_filter(q, "algorithm=sgd", &f);
	rc = bw_query_cells(q, &f, 1, &c);
	TU_CHECK(rc == BW_OK && c.n == 4, "sgd cells: %zu", c.n);
	bw_qcells_release(&c);
}

static double raw_double(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	double x = NAN;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		x = sqlite3_column_double(s, 0);
	else
		printf("raw query failed: %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return x;
}

static void test_sample_complexity_view(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	/* one row per cell, n* as the fixture's hand computations */
	TU_REL(raw_double(db, "SELECT count(*) FROM sample_complexity"), 7, 0, "rows: one per cell (A, B, C, F x3, sgd b=4)");
	TU_REL(raw_double(db, "SELECT nstar FROM sample_complexity WHERE algorithm='gd'"), 27.5, 1e-15, "A: n* 27.5");
	TU_REL(raw_double(db, "SELECT count(*) FROM sample_complexity WHERE algorithm='gd' AND censor='inside' AND"
			      " seeds=5 AND resolved=5 AND probes=25 AND n_min=10 AND n_max=50"),
	       1, 0, "A: 5 seeds resolved, 25 probes, n 10..50");
	TU_REL(raw_double(db, "SELECT count(*) FROM sample_complexity WHERE algorithm='riemannian_flow' AND nstar IS NULL"
			      " AND censor='above_max' AND resolved=0"),
	       1, 0, "B: n* > max n, no seed resolved");
	TU_REL(raw_double(db, "SELECT nstar FROM sample_complexity WHERE algorithm='label_noise_sgd' AND censor='at_min'"),
	       40, 0, "C: n* = min n");
	TU_REL(raw_double(db, "SELECT sum(nstar) FROM sample_complexity WHERE algorithm='sgd' AND batch=1"), 55 + 105 + 205,
	       1e-15, "F: n* 55, 105, 205");
	/* per seed: A's thresholds 20, 30, 30, 40, 50; C's 40 and 60 */
	TU_REL(raw_double(db, "SELECT sum(threshold) FROM seed_thresholds WHERE algorithm='gd' AND resolved=1 AND monotone=1"),
	       20 + 30 + 30 + 40 + 50, 0, "A: thresholds 20, 30, 30, 40, 50");
	TU_REL(raw_double(db, "SELECT sum(threshold) FROM seed_thresholds WHERE algorithm='label_noise_sgd'"), 40 + 60, 0,
	       "C: thresholds 40, 60");
	TU_REL(raw_double(db, "SELECT rate FROM success_rates WHERE algorithm='gd' AND n=30"), 0.6, 1e-15, "A: rate .6 at 30");
	TU_REL(raw_double(db, "SELECT probes FROM probe_rates WHERE algorithm='gd' AND n=30"), 5, 0, "A: 5 probes at 30");

	/* an older file: its views missing or of another definition */
	sqlite3_exec(db, "DROP VIEW sample_complexity; DROP VIEW seed_thresholds; DROP VIEW success_rates;"
			 " CREATE VIEW success_rates AS SELECT algorithm, n, count(*) AS tasks FROM results GROUP BY algorithm, n",
		     NULL, NULL, NULL);
	sqlite3_close(db);
	struct bw_query *q = NULL;
	int rc = bw_query_open(path, &q);
	TU_CHECK(rc == BW_OK, "query open of an older file: %s", rc == BW_OK ? "" : bw_error_message());
	bw_query_close(q);
	struct bw_catalog *cat = NULL;
	rc = bw_catalog_open(path, BW_CATALOG_READONLY, &cat);
	TU_CHECK(rc == BW_OK, "read-only open of an older file: %s", rc == BW_OK ? "" : bw_error_message());
	bw_catalog_close(cat);
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	TU_REL(raw_double(db, "SELECT count(*) FROM sqlite_master WHERE name='sample_complexity'"), 0, 0,
	       "read-only opens add nothing to the file");
	sqlite3_close(db);
	rc = bw_catalog_open(path, 0, &cat);
	TU_CHECK(rc == BW_OK, "read-write open: %s", rc == BW_OK ? "" : bw_error_message());
	bw_catalog_close(cat);
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	TU_REL(raw_double(db, "SELECT nstar FROM sample_complexity WHERE algorithm='gd'"), 27.5, 1e-15,
	       "views restored by a read-write open");
	TU_REL(raw_double(db, "SELECT rate FROM success_rates WHERE algorithm='gd' AND n=30"), 0.6, 1e-15,
	       "success_rates of this version");
	sqlite3_close(db);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/bw-test-query-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	const char *path = path_in("catalog.sqlite");
	int rc = fixture_build(path);
	TU_CHECK(rc == BW_OK, "fixture: %s", bw_error_message());
	if (rc)
		return tu_summary("test_query");
	test_open_refusals();

	size_t len0, len1;
	unsigned char *before = slurp(path, &len0);
	struct bw_query *q = NULL;
	rc = bw_query_open(path, &q);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc == BW_OK) {
		test_guards(q);
		test_columns_filters(q);
		test_rows_groups(q);
		test_status(q);
		test_cells(q);
		bw_query_close(q);
	}
	unsigned char *after = slurp(path, &len1);
	TU_CHECK(before && after && len0 == len1 && !memcmp(before, after, len0), "catalog file unchanged by reading");
	free(before);
	free(after);
	test_sample_complexity_view(path);

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	return tu_summary("test_query");
}
