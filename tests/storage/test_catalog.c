/* test_catalog.c - the SQLite catalog: schema, round trips, duplicates,
 * NULLs, views, foreign/newer/incomplete files, read-only, journal modes, speed.
 *
 * Tasks are built by hand (not through bw_spec_load) with keys hashed from a
 * test string.  The checks read the file back with raw SQLite queries. */
#include "biasweep/catalog.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "testutil.h"

#include <sqlite3.h>

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static struct bw_task mk_task(enum bw_algo a, size_t d, size_t n, size_t kappa, double alpha, double eta,
			      uint32_t seed)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	bw_run_params_default(&t.run, a);
	t.run.alpha = alpha;
	t.run.eta = eta;
	t.run.sigma = 0.5;
	t.run.batch = 4;
	t.run.max_steps = 1000;
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.wstar = BW_WSTAR_SIGNS;
	t.inst.d = d;
	t.inst.n = n;
	t.inst.kappa = kappa;
	t.inst.seed_index = seed;
	t.key = bw_hash_fmt("test-task algo=%s d=%zu n=%zu kappa=%zu alpha=%.17g eta=%.17g seed=%u", bw_algo_name(a),
			    d, n, kappa, alpha, eta, seed);
	snprintf(t.key_hex, sizeof t.key_hex, "%016" PRIx64, t.key);
	t.cost = (double)(d * n);
	return t;
}

static struct bw_spec mk_spec(const char *name, struct bw_task *tasks, size_t n)
{
	struct bw_spec s;
	memset(&s, 0, sizeof s);
	s.path = (char *)"jobs/test.cfg";
	s.name = (char *)name;
	s.text = (char *)"name = \"test\";\n";
	s.text_hash = bw_hash_str(s.text);
	s.ntasks = n;
	s.tasks = tasks;
	return s;
}

static struct bw_result mk_result(uint64_t key, int success, double test_error)
{
	struct bw_result r;
	memset(&r, 0, sizeof r);
	r.key = key;
	r.status = BW_RUN_CONVERGED;
	r.success = r.support_recovered = success;
	r.rank = 1;
	r.steps = 123;
	r.traj_row = -1;
	r.train_loss = 1e-12;
	r.test_error = test_error;
	r.R = 2.5;
	r.l1 = 3.0;
	r.t = 10;
	r.wall_s = 0.01;
	r.eta_used = 0.05;
	r.loss_rate = NAN;
	r.alpha_inf = NAN;
	r.alpha_inf_pred = NAN;
	r.int_loss_dt = 1.5;
	return r;
}

/* ---- raw SQLite helpers (read-only peeks at the file) ---- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		printf("raw open of %s failed: %s\n", path, db ? sqlite3_errmsg(db) : "?");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* First column of the first row as text into buf ("" when no row, "NULL" for NULL). */
static const char *raw_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	if (!db || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(buf, len, "ERROR: %s", db ? sqlite3_errmsg(db) : "no db");
		return buf;
	}
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		snprintf(buf, len, "%s", v ? v : "NULL");
	}
	sqlite3_finalize(s);
	return buf;
}

static long long raw_int(sqlite3 *db, const char *sql)
{
	char buf[256];
	raw_text(db, sql, buf, sizeof buf);
	return strncmp(buf, "ERROR", 5) ? atoll(buf) : -999;
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

static int same_file(const unsigned char *before, size_t blen, const char *path)
{
	size_t alen;
	unsigned char *after = slurp(path, &alen);
	int same = after && before && alen == blen && !memcmp(before, after, blen);
	free(after);
	return same;
}

/* ---- tests ---- */

static void test_create_reopen(void)
{
	const char *p = path_in("create.sqlite");
	struct bw_catalog *cat = NULL;
	char buf[256];
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK && cat, "create: rc %d (%s)", rc, bw_error_message());
	bw_catalog_close(cat);
	cat = NULL;
	rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK && cat, "reopen: rc %d (%s)", rc, bw_error_message());
	uint64_t *keys = NULL;
	size_t n = 99;
	rc = bw_catalog_done_keys(cat, &keys, &n);
	TU_CHECK(rc == BW_OK && n == 0, "empty done_keys: rc %d n %zu", rc, n);
	free(keys);
	bw_catalog_close(cat);

	sqlite3 *db = raw_open(p);
	TU_CHECK(!strcmp(raw_text(db, "SELECT value FROM meta WHERE key='schema_version'", buf, sizeof buf), "1"),
		 "schema_version '%s'", buf);
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal"), "default journal '%s'", buf);
	TU_CHECK(raw_int(db, "SELECT count(*) FROM meta WHERE key='schema_version'") == 1, "one schema_version row");
	const char *objs[] = {"meta", "sweeps", "tasks", "sweep_tasks", "outcomes", "results", "success_rates",
			      "tasks_cell", "outcomes_sweep", "outcomes_status"};
	for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE name='%s'", objs[i]);
		TU_CHECK(raw_int(db, sql) == 1, "schema object %s exists", objs[i]);
	}
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok"), "integrity '%s'", buf);
	sqlite3_close(db);
}

static void test_put_dups_views(void)
{
	const char *p = path_in("views.sqlite");
	struct bw_catalog *cat = NULL;
	char buf[256];
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc)
		return;

	/* Cell A: gd d=100 kappa=5 n=50 alpha=0.1 eta=0.01, seeds 0..4 (seed 4 never finishes).
	 * Cell B: same with n=80, seeds 0..1.
	 * Cell C: riemannian_flow d=100 kappa=5 n=50 alpha=0.1, seeds 0..2.
	 * Cell D: label_noise_sgd / sgd one task each (NULL pattern). */
	struct bw_task t[13];
	for (int i = 0; i < 5; i++)
		t[i] = mk_task(BW_GD, 100, 50, 5, 0.1, 0.01, (uint32_t)i);
	for (int i = 0; i < 2; i++)
		t[5 + i] = mk_task(BW_GD, 100, 80, 5, 0.1, 0.01, (uint32_t)i);
	for (int i = 0; i < 3; i++)
		t[7 + i] = mk_task(BW_RIEMANNIAN_FLOW, 100, 50, 5, 0.1, 0.01, (uint32_t)i);
	t[10] = mk_task(BW_LABEL_NOISE_SGD, 100, 50, 5, 0.1, 0.01, 0);
	t[11] = mk_task(BW_SGD, 100, 50, 5, 0.1, 0.01, 0);
	t[12] = mk_task(BW_SGD, 100, 50, 5, 0.1, 0.02, 0);
	struct bw_spec spec = mk_spec("views", t, 13);
	int64_t sid = 0;
	rc = bw_catalog_sweep_begin(cat, &spec, "abc123", "host1", 4, "sqlite 3.40", NULL, &sid);
	TU_CHECK(rc == BW_OK && sid > 0, "sweep_begin rc %d sid %" PRId64 " (%s)", rc, sid, bw_error_message());

	/* cell A: successes 1,1,0,1 with test errors 0.01, 0.02, 0.5, 0.03 ->
	 *   tasks 4, successes 3, rate 0.75, mean error (0.01+0.02+0.5+0.03)/4 = 0.14
	 * cell B: 0,0 with 0.3, 0.5 -> tasks 2, successes 0, rate 0, mean 0.4
	 * cell C: 1 (0.05), 0 (NaN), 1 (0.07) -> tasks 3, successes 2, rate 2/3,
	 *   mean over non-NULL (0.05+0.07)/2 = 0.06 */
	struct bw_result r[12];
	int succ[] = {1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0};
	double err[] = {0.01, 0.02, 0.5, 0.03, 0.3, 0.5, 0.05, NAN, 0.07, 0.01, 0.02, 0.9};
	int idx[] = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12};
	rc = bw_catalog_begin(cat);
	TU_CHECK(rc == BW_OK, "begin: %s", bw_error_message());
	for (int i = 0; i < 12; i++) {
		r[i] = mk_result(t[idx[i]].key, succ[i], err[i]);
		rc = bw_catalog_put(cat, sid, &r[i]);
		TU_CHECK(rc == BW_OK, "put %d: %s", i, bw_error_message());
	}
	/* duplicate puts: ignored, first one wins */
	struct bw_result dup = mk_result(t[0].key, 0, 0.99);
	rc = bw_catalog_put(cat, sid, &dup);
	TU_CHECK(rc == BW_OK, "duplicate put in batch: %s", bw_error_message());
	rc = bw_catalog_commit(cat);
	TU_CHECK(rc == BW_OK, "commit: %s", bw_error_message());
	rc = bw_catalog_put(cat, sid, &r[0]); /* outside a batch: autocommit */
	TU_CHECK(rc == BW_OK, "duplicate put outside batch: %s", bw_error_message());

	/* an outcome for a task the catalog has never seen: refused (foreign key) */
	struct bw_result ghost = mk_result(0x0123456789abcdefULL, 1, 0.0);
	rc = bw_catalog_put(cat, sid, &ghost);
	TU_CHECK(rc == BW_ESTORE, "put of unknown task -> BW_ESTORE, got %d", rc);
	TU_CHECK(strstr(bw_error_message(), "0123456789abcdef") != NULL, "message names the key: %s",
		 bw_error_message());

	uint64_t *keys = NULL;
	size_t nk = 0;
	rc = bw_catalog_done_keys(cat, &keys, &nk);
	TU_CHECK(rc == BW_OK && nk == 12, "done_keys: rc %d n %zu", rc, nk);
	int sorted = 1;
	for (size_t i = 1; i < nk; i++)
		sorted &= keys[i - 1] < keys[i];
	TU_CHECK(sorted, "done_keys sorted ascending");
	for (int i = 0; i < 13; i++) {
		int want = i != 4;
		int hit = keys && bsearch(&t[i].key, keys, nk, sizeof *keys, cmp_u64) != NULL;
		TU_CHECK(hit == want, "task %d done=%d want %d", i, hit, want);
	}
	free(keys);

	rc = bw_catalog_sweep_end(cat, sid, "done");
	TU_CHECK(rc == BW_OK, "sweep_end: %s", bw_error_message());
	rc = bw_catalog_sweep_end(cat, sid, "finished");
	TU_CHECK(rc == BW_EINVAL, "bad state -> BW_EINVAL, got %d", rc);
	rc = bw_catalog_sweep_end(cat, 12345, "done");
	TU_CHECK(rc == BW_EINVAL, "unknown sweep -> BW_EINVAL, got %d", rc);
	bw_catalog_close(cat);

	sqlite3 *db = raw_open(p);
	char sql[512];
	TU_CHECK(raw_int(db, "SELECT count(*) FROM outcomes") == 12, "12 outcome rows");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM outcomes WHERE key='%s'", t[0].key_hex);
	TU_CHECK(raw_int(db, sql) == 1, "duplicate puts leave one row");
	snprintf(sql, sizeof sql, "SELECT success || ' ' || test_error FROM outcomes WHERE key='%s'", t[0].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "1 0.01"), "first put wins: '%s'", buf);
	TU_CHECK(raw_int(db, "SELECT count(*) FROM results") == 12, "results has one row per finished task");
	TU_CHECK(raw_int(db, "SELECT count(*) FROM outcomes WHERE finished_at IS NULL OR finished_at NOT LIKE "
			     "'____-__-__T__:__:__%Z'") == 0,
		 "finished_at is ISO-8601 UTC");
	TU_CHECK(!strcmp(raw_text(db, "SELECT state FROM sweeps", buf, sizeof buf), "done"), "sweep state '%s'", buf);
	TU_CHECK(raw_int(db, "SELECT count(*) FROM sweeps WHERE ended_at LIKE '____-__-__T__:__:__%Z' AND "
			     "started_at <= ended_at AND revision='abc123' AND host='host1' AND ranks=4 AND "
			     "shard IS NULL AND spec_text IS NOT NULL AND length(spec_hash)=16") == 1,
		 "sweep row fields");

	/* NaN -> NULL */
	snprintf(sql, sizeof sql, "SELECT typeof(test_error) FROM outcomes WHERE key='%s'", t[8].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "null"), "NaN test_error stored as '%s'", buf);
	TU_CHECK(raw_int(db, "SELECT count(*) FROM outcomes WHERE loss_rate IS NOT NULL OR alpha_inf IS NOT NULL") ==
			 0,
		 "NaN loss_rate/alpha_inf are NULL");
	TU_CHECK(raw_int(db, "SELECT count(*) FROM outcomes WHERE message IS NOT NULL OR traj_file IS NOT NULL OR "
			     "traj_row IS NOT NULL") == 0,
		 "no message/trajectory -> NULL");

	/* NULL pattern of parameters */
	snprintf(sql, sizeof sql,
		 "SELECT typeof(eta) || typeof(sigma) || typeof(batch) FROM tasks WHERE key='%s'", t[7].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "nullnullnull"), "flow eta/sigma/batch: %s", buf);
	snprintf(sql, sizeof sql,
		 "SELECT typeof(eta) || typeof(sigma) || typeof(batch) FROM tasks WHERE key='%s'", t[0].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "realnullnull"), "gd eta/sigma/batch: %s", buf);
	snprintf(sql, sizeof sql,
		 "SELECT typeof(eta) || typeof(sigma) || typeof(batch) FROM tasks WHERE key='%s'", t[10].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "realrealnull"), "lnsgd eta/sigma/batch: %s", buf);
	snprintf(sql, sizeof sql,
		 "SELECT typeof(eta) || typeof(sigma) || typeof(batch) || ' ' || batch FROM tasks WHERE key='%s'",
		 t[11].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "realnullinteger 4"), "sgd eta/sigma/batch: %s", buf);
	snprintf(sql, sizeof sql,
		 "SELECT algorithm||' '||design||' '||wstar||' '||d||' '||n||' '||kappa||' '||alpha||' '||eta||' '||"
		 "max_steps||' '||eps||' '||seed FROM tasks WHERE key='%s'",
		 t[3].key_hex);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "gd rademacher signs 100 50 5 0.1 0.01 1000 0.1 3"),
		 "task columns: '%s'", buf);

	/* probe_rates against the hand computation */
	struct {
		const char *where;
		long long tasks, successes;
		double rate, mean;
	} want[] = {
		{"algorithm='gd' AND n=50", 4, 3, 0.75, 0.14},
		{"algorithm='gd' AND n=80", 2, 0, 0.0, 0.4},
		{"algorithm='riemannian_flow' AND n=50 AND eta IS NULL", 3, 2, 2.0 / 3.0, 0.06},
		{"algorithm='sgd' AND eta=0.02", 1, 0, 0.0, 0.9},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		sqlite3_stmt *s = NULL;
		snprintf(sql, sizeof sql,
			 "SELECT probes, successes, rate, mean_test_error, (SELECT count(*) FROM probe_rates WHERE %s) "
			 "FROM probe_rates WHERE %s",
			 want[i].where, want[i].where);
		int ok = db && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW;
		TU_CHECK(ok, "probe_rates row for %s", want[i].where);
		if (ok) {
			TU_CHECK(sqlite3_column_int64(s, 4) == 1, "one row for %s", want[i].where);
			TU_CHECK(sqlite3_column_int64(s, 0) == want[i].tasks, "%s: tasks %lld want %lld", want[i].where,
				 sqlite3_column_int64(s, 0), want[i].tasks);
			TU_CHECK(sqlite3_column_int64(s, 1) == want[i].successes, "%s: successes %lld want %lld",
				 want[i].where, sqlite3_column_int64(s, 1), want[i].successes);
			TU_REL(sqlite3_column_double(s, 2), want[i].rate, 1e-12, "rate");
			TU_REL(sqlite3_column_double(s, 3), want[i].mean, 1e-12, "mean test error");
		}
		sqlite3_finalize(s);
	}
	TU_CHECK(raw_int(db, "SELECT count(*) FROM probe_rates") == 6, "6 cells (A, B, C, lnsgd, sgd x2)");
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok"), "integrity '%s'", buf);
	TU_CHECK(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0, "foreign keys consistent");
	sqlite3_close(db);
}

static void test_two_sweeps(void)
{
	const char *p = path_in("two.sqlite");
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc)
		return;
	/* spec 1: tasks a, b, c; spec 2: tasks c, d (c is shared) */
	struct bw_task t1[3] = {mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 0), mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 1),
				mk_task(BW_SGD, 10, 5, 1, 0.1, 0.01, 0)};
	struct bw_task t2[2] = {mk_task(BW_SGD, 10, 5, 1, 0.1, 0.01, 0), mk_task(BW_SGD, 10, 5, 1, 0.1, 0.01, 1)};
	struct bw_spec s1 = mk_spec("one", t1, 3), s2 = mk_spec("two", t2, 2);
	int64_t id1 = 0, id2 = 0;
	rc = bw_catalog_sweep_begin(cat, &s1, "r", "h", 1, "", "shard-0", &id1);
	TU_CHECK(rc == BW_OK, "sweep 1: %s", bw_error_message());
	rc = bw_catalog_sweep_begin(cat, &s2, "r", "h", 1, "", NULL, &id2);
	TU_CHECK(rc == BW_OK && id2 != id1, "sweep 2: %s", bw_error_message());
	/* the shared task runs once: the second put (from sweep 2) is ignored */
	struct bw_result r = mk_result(t1[2].key, 1, 0.0);
	TU_CHECK(bw_catalog_put(cat, id1, &r) == BW_OK, "put 1");
	TU_CHECK(bw_catalog_put(cat, id2, &r) == BW_OK, "put 2");
	/* a failed sweep_begin (bad task) leaves nothing behind */
	struct bw_task bad[2] = {mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 7), mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 8)};
	bad[1].run.algo = (enum bw_algo)42;
	struct bw_spec s3 = mk_spec("bad", bad, 2);
	int64_t id3 = -1;
	rc = bw_catalog_sweep_begin(cat, &s3, "r", "h", 1, "", NULL, &id3);
	TU_CHECK(rc != BW_OK && id3 == 0, "bad sweep_begin fails: rc %d", rc);
	bw_catalog_close(cat);

	sqlite3 *db = raw_open(p);
	char sql[256], buf[64];
	TU_CHECK(raw_int(db, "SELECT count(*) FROM tasks") == 4, "4 distinct tasks, got %lld",
		 raw_int(db, "SELECT count(*) FROM tasks"));
	snprintf(sql, sizeof sql, "SELECT count(*) FROM sweep_tasks WHERE sweep_id=%" PRId64, id1);
	TU_CHECK(raw_int(db, sql) == 3, "sweep 1 has 3 tasks");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM sweep_tasks WHERE sweep_id=%" PRId64, id2);
	TU_CHECK(raw_int(db, sql) == 2, "sweep 2 has 2 tasks");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM sweep_tasks WHERE key='%s'", t1[2].key_hex);
	TU_CHECK(raw_int(db, sql) == 2, "shared task in both sweeps");
	TU_CHECK(raw_int(db, "SELECT count(*) FROM outcomes") == 1, "shared task has one outcome");
	snprintf(sql, sizeof sql, "SELECT sweep_id FROM outcomes WHERE key='%s'", t1[2].key_hex);
	TU_CHECK(raw_int(db, sql) == id1, "outcome credited to the sweep that ran it");
	TU_CHECK(raw_int(db, "SELECT count(*) FROM sweeps") == 2, "failed sweep_begin rolled back");
	TU_CHECK(!strcmp(raw_text(db, "SELECT group_concat(state) FROM sweeps", buf, sizeof buf), "running,running"),
		 "states '%s'", buf);
	TU_CHECK(!strcmp(raw_text(db, "SELECT shard FROM sweeps WHERE name='one'", buf, sizeof buf), "shard-0"),
		 "shard '%s'", buf);
	sqlite3_close(db);
}

static void test_garbage_and_foreign(void)
{
	const char *p = path_in("garbage.sqlite");
	FILE *f = fopen(p, "wb");
	for (int i = 0; i < 4096; i++)
		fputc((i * 37 + 11) & 0xff, f);
	fclose(f);
	size_t blen;
	unsigned char *before = slurp(p, &blen);
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_EINVAL && !cat, "garbage -> BW_EINVAL, got %d", rc);
	TU_CHECK(strstr(bw_error_message(), "not an SQLite database") && strstr(bw_error_message(), "garbage.sqlite"),
		 "message: %s", bw_error_message());
	TU_CHECK(same_file(before, blen, p), "garbage file unchanged");
	rc = bw_catalog_open(p, BW_CATALOG_READONLY, &cat);
	TU_CHECK(rc == BW_EINVAL, "garbage read-only -> BW_EINVAL, got %d", rc);
	free(before);

	/* someone else's SQLite database */
	const char *q = path_in("foreign.sqlite");
	sqlite3 *db = NULL;
	sqlite3_open(q, &db);
	sqlite3_exec(db, "CREATE TABLE people(name TEXT); INSERT INTO people VALUES('ada')", NULL, NULL, NULL);
	sqlite3_close(db);
	before = slurp(q, &blen);
	rc = bw_catalog_open(q, 0, &cat);
	TU_CHECK(rc == BW_EINVAL && !cat, "foreign SQLite -> BW_EINVAL, got %d", rc);
	TU_CHECK(strstr(bw_error_message(), "not a biasweep catalog") != NULL, "message: %s", bw_error_message());
	TU_CHECK(same_file(before, blen, q), "foreign file unchanged");
	free(before);

	/* read-only open of a missing file fails and creates nothing */
	const char *m = path_in("missing.sqlite");
	rc = bw_catalog_open(m, BW_CATALOG_READONLY, &cat);
	TU_CHECK(rc != BW_OK && !cat, "missing read-only -> error, got %d", rc);
	TU_CHECK(access(m, F_OK) != 0, "missing file not created");
}

static void test_newer_version(void)
{
	const int flags[] = {0, BW_CATALOG_ROLLBACK_JOURNAL, BW_CATALOG_READONLY};
	for (int rollback = 0; rollback < 2; rollback++) {
		const char *p = path_in(rollback ? "v99-delete.sqlite" : "v99-wal.sqlite");
		struct bw_catalog *cat = NULL;
		int rc = bw_catalog_open(p, rollback ? BW_CATALOG_ROLLBACK_JOURNAL : 0, &cat);
		TU_CHECK(rc == BW_OK, "create: %s", bw_error_message());
		bw_catalog_close(cat);
		sqlite3 *db = raw_open(p);
		sqlite3_exec(db, "UPDATE meta SET value='99' WHERE key='schema_version'", NULL, NULL, NULL);
		sqlite3_close(db);
		size_t blen;
		unsigned char *before = slurp(p, &blen);
		TU_CHECK(before && blen > 0, "read %s", p);
		for (int i = 0; i < 3; i++) {
			cat = NULL;
			rc = bw_catalog_open(p, flags[i], &cat);
			TU_CHECK(rc == BW_EINVAL && !cat, "v99 (flags %d) -> BW_EINVAL, got %d", flags[i], rc);
			TU_CHECK(strstr(bw_error_message(), "schema_version 99") &&
					 strstr(bw_error_message(), "newer than this biasweep (1)"),
				 "message: %s", bw_error_message());
			TU_CHECK(same_file(before, blen, p), "v99 file byte-identical after open (journal %s, flags %d)",
				 rollback ? "delete" : "wal", flags[i]);
		}
		free(before);
	}
}

/* A catalog with a table, view or column of the schema gone (or one too
 * many) is refused by every kind of open, and its bytes are left alone. */
static void test_incomplete(void)
{
	static const struct {
		const char *sql, *want;
	} damage[] = {
		{"DROP TABLE sweep_tasks", "not a complete biasweep catalog (missing table sweep_tasks)"},
		{"DROP VIEW results", "(missing view results)"},
		{"DROP VIEW results; CREATE TABLE results(key)", "(results is a table, not a view)"},
		{"ALTER TABLE sweeps RENAME COLUMN host TO hostname", "(table sweeps has no column host)"},
		{"ALTER TABLE outcomes ADD COLUMN note TEXT", "(table outcomes has an unexpected column note)"},
	};
	const int flags[] = {0, BW_CATALOG_ROLLBACK_JOURNAL, BW_CATALOG_READONLY};
	for (size_t k = 0; k < sizeof damage / sizeof damage[0]; k++)
		for (int rollback = 0; rollback < 2; rollback++) {
			char name[64];
			snprintf(name, sizeof name, "incomplete-%zu-%s.sqlite", k, rollback ? "delete" : "wal");
			const char *p = path_in(name);
			struct bw_catalog *cat = NULL;
			int rc = bw_catalog_open(p, rollback ? BW_CATALOG_ROLLBACK_JOURNAL : 0, &cat);
			TU_CHECK(rc == BW_OK, "create: %s", bw_error_message());
			bw_catalog_close(cat);
			sqlite3 *db = raw_open(p);
			TU_CHECK(sqlite3_exec(db, damage[k].sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", damage[k].sql,
				 sqlite3_errmsg(db));
			sqlite3_close(db);
			size_t blen;
			unsigned char *before = slurp(p, &blen);
			for (int i = 0; i < 3; i++) {
				cat = NULL;
				rc = bw_catalog_open(p, flags[i], &cat);
				TU_CHECK(rc == BW_EINVAL && !cat, "%s (flags %d) -> BW_EINVAL, got %d", damage[k].sql, flags[i],
					 rc);
				TU_CHECK(strstr(bw_error_message(), damage[k].want) && strstr(bw_error_message(), name),
					 "%s: message: %s", damage[k].sql, bw_error_message());
				TU_CHECK(same_file(before, blen, p), "%s: file byte-identical after open (journal %s, flags %d)",
					 damage[k].sql, rollback ? "delete" : "wal", flags[i]);
				bw_catalog_close(cat);
			}
			free(before);
		}
}

static void test_readonly(void)
{
	const char *p = path_in("ro.sqlite");
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK, "create: %s", bw_error_message());
	if (rc)
		return;
	struct bw_task t[2] = {mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 0), mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 1)};
	struct bw_spec s = mk_spec("ro", t, 2);
	int64_t sid;
	rc = bw_catalog_sweep_begin(cat, &s, "r", "h", 1, "", NULL, &sid);
	struct bw_result r = mk_result(t[0].key, 1, 0.0);
	rc |= bw_catalog_put(cat, sid, &r);
	TU_CHECK(rc == BW_OK, "setup: %s", bw_error_message());
	bw_catalog_close(cat);

	size_t blen;
	unsigned char *before = slurp(p, &blen);
	cat = NULL;
	rc = bw_catalog_open(p, BW_CATALOG_READONLY, &cat);
	TU_CHECK(rc == BW_OK && cat, "read-only open: %s", bw_error_message());
	if (cat) {
		uint64_t *keys = NULL;
		size_t nk = 0;
		rc = bw_catalog_done_keys(cat, &keys, &nk);
		TU_CHECK(rc == BW_OK && nk == 1 && keys[0] == t[0].key, "read-only done_keys: rc %d n %zu", rc, nk);
		free(keys);
		struct bw_result r2 = mk_result(t[1].key, 1, 0.0);
		rc = bw_catalog_put(cat, sid, &r2);
		TU_CHECK(rc != BW_OK, "read-only put fails");
		rc = bw_catalog_begin(cat);
		TU_CHECK(rc != BW_OK, "read-only begin fails");
		int64_t sid2 = 0;
		rc = bw_catalog_sweep_begin(cat, &s, "r", "h", 1, "", NULL, &sid2);
		TU_CHECK(rc != BW_OK, "read-only sweep_begin fails");
		rc = bw_catalog_sweep_end(cat, sid, "done");
		TU_CHECK(rc != BW_OK, "read-only sweep_end fails");
		bw_catalog_close(cat);
	}
	TU_CHECK(same_file(before, blen, p), "read-only open leaves the file byte-identical");
	free(before);

	/* read-only of a fresh empty file: refused */
	const char *e = path_in("empty.sqlite");
	FILE *f = fopen(e, "wb");
	fclose(f);
	cat = NULL;
	rc = bw_catalog_open(e, BW_CATALOG_READONLY, &cat);
	TU_CHECK(rc == BW_EINVAL && !cat, "read-only empty -> BW_EINVAL, got %d", rc);
}

static void test_close_rolls_back(void)
{
	const char *p = path_in("rollback.sqlite");
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc)
		return;
	struct bw_task t[2] = {mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 0), mk_task(BW_GD, 10, 5, 1, 0.1, 0.01, 1)};
	struct bw_spec s = mk_spec("rb", t, 2);
	int64_t sid;
	rc = bw_catalog_sweep_begin(cat, &s, "r", "h", 1, "", NULL, &sid);
	struct bw_result r0 = mk_result(t[0].key, 1, 0.0), r1 = mk_result(t[1].key, 1, 0.0);
	rc |= bw_catalog_begin(cat);
	rc |= bw_catalog_put(cat, sid, &r0);
	rc |= bw_catalog_rollback(cat);
	rc |= bw_catalog_begin(cat);
	rc |= bw_catalog_put(cat, sid, &r1);
	TU_CHECK(rc == BW_OK, "setup: %s", bw_error_message());
	bw_catalog_close(cat); /* batch open: rolled back */
	cat = NULL;
	rc = bw_catalog_open(p, 0, &cat);
	uint64_t *keys = NULL;
	size_t nk = 9;
	rc |= bw_catalog_done_keys(cat, &keys, &nk);
	TU_CHECK(rc == BW_OK && nk == 0, "rolled-back batches left %zu outcomes", nk);
	free(keys);
	/* begin twice: the second one is an error, the first batch stays usable */
	rc = bw_catalog_begin(cat);
	TU_CHECK(bw_catalog_begin(cat) == BW_ESTORE, "nested begin -> BW_ESTORE");
	rc |= bw_catalog_put(cat, sid, &r1);
	rc |= bw_catalog_commit(cat);
	rc |= bw_catalog_done_keys(cat, &keys, &nk);
	TU_CHECK(rc == BW_OK && nk == 1 && keys[0] == t[1].key, "committed batch visible: n %zu", nk);
	free(keys);
	bw_catalog_close(cat);
}

static void test_rollback_journal(void)
{
	const char *p = path_in("shard.sqlite");
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, BW_CATALOG_ROLLBACK_JOURNAL, &cat);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc)
		return;
	struct bw_task t = mk_task(BW_SGD, 10, 5, 1, 0.1, 0.01, 0);
	struct bw_spec s = mk_spec("shard", &t, 1);
	int64_t sid;
	rc = bw_catalog_sweep_begin(cat, &s, "r", "h", 1, "", "3/8", &sid);
	struct bw_result r = mk_result(t.key, 0, 1.0);
	rc |= bw_catalog_begin(cat) | bw_catalog_put(cat, sid, &r) | bw_catalog_commit(cat);
	TU_CHECK(rc == BW_OK, "writes: %s", bw_error_message());
	char wal[300];
	snprintf(wal, sizeof wal, "%s-wal", p);
	TU_CHECK(access(wal, F_OK) != 0, "no -wal file in rollback mode");
	bw_catalog_close(cat);
	sqlite3 *db = raw_open(p);
	char buf[64];
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "delete"), "journal_mode '%s'", buf);
	TU_CHECK(raw_int(db, "SELECT count(*) FROM results") == 1, "row written");
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok"), "integrity '%s'", buf);
	sqlite3_close(db);
	/* and back to WAL on a default open */
	cat = NULL;
	rc = bw_catalog_open(p, 0, &cat);
	bw_catalog_close(cat);
	db = raw_open(p);
	TU_CHECK(rc == BW_OK && !strcmp(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal"),
		 "default open switches to wal: '%s'", buf);
	sqlite3_close(db);
}

/* A reader holding a read transaction on a rollback-journal catalog (a shard)
 * blocks the writer's COMMIT: BW_EBUSY, nothing lost, the transaction still
 * open and committed once the reader is gone; a second writer makes begin
 * BW_EBUSY with nothing open; sweep_begin and sweep_end come back BW_EBUSY
 * and leave the file as it was. */
static void test_busy(void)
{
	const char *p = path_in("busy.sqlite");
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, BW_CATALOG_ROLLBACK_JOURNAL, &cat);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc)
		return;
	struct bw_task t[2] = {mk_task(BW_GD, 12, 5, 1, 0.1, 0.01, 0), mk_task(BW_GD, 12, 5, 1, 0.1, 0.01, 1)};
	struct bw_spec s = mk_spec("busy", t, 2);
	int64_t sid = 0;
	rc = bw_catalog_sweep_begin(cat, &s, "r", "h", 1, "", "0/2", &sid);
	TU_CHECK(rc == BW_OK, "sweep_begin: %s", bw_error_message());
	bw_catalog_set_busy_timeout(cat, 50);
	sqlite3 *reader = raw_open(p);
	sqlite3_busy_timeout(reader, 5000);
	TU_CHECK(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
			 raw_int(reader, "SELECT count(*) FROM outcomes") == 0,
		 "the reader's transaction: %s", sqlite3_errmsg(reader));
	struct bw_result r0 = mk_result(t[0].key, 1, 0.0), r1 = mk_result(t[1].key, 0, 1.0);
	rc = bw_catalog_begin(cat);
	rc |= bw_catalog_put(cat, sid, &r0);
	TU_CHECK(rc == BW_OK, "begin, put under a reader: %s", bw_error_message());
	double t0 = now_s();
	rc = bw_catalog_commit(cat);
	double waited = now_s() - t0;
	TU_CHECK(rc == BW_EBUSY && strstr(bw_error_message(), p) && strstr(bw_error_message(), "locked"),
		 "commit under a reader -> BW_EBUSY naming the catalog: %d '%s'", rc, bw_error_message());
	TU_CHECK(waited >= 0.04 && waited < 2.0, "it waited about the busy timeout (%.3f s)", waited);
	rc = bw_catalog_commit(cat);
	TU_CHECK(rc == BW_EBUSY, "again while the reader stays -> BW_EBUSY: %d", rc);
	TU_CHECK(raw_int(reader, "SELECT count(*) FROM outcomes") == 0, "the reader still sees its snapshot");
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	rc = bw_catalog_commit(cat);
	TU_CHECK(rc == BW_OK, "the reader gone, the same transaction commits: %s", bw_error_message());
	TU_CHECK(raw_int(reader, "SELECT count(*) FROM outcomes") == 1, "the outcome is in the file");

	/* another writer: begin is busy and opens nothing */
	TU_CHECK(sqlite3_exec(reader, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK, "the other writer");
	rc = bw_catalog_begin(cat);
	TU_CHECK(rc == BW_EBUSY, "begin under another writer -> BW_EBUSY: %d '%s'", rc, bw_error_message());
	TU_CHECK(bw_catalog_rollback(cat) == BW_OK, "nothing open to roll back");
	sqlite3_exec(reader, "ROLLBACK", NULL, NULL, NULL);
	rc = bw_catalog_begin(cat) | bw_catalog_put(cat, sid, &r1) | bw_catalog_commit(cat);
	TU_CHECK(rc == BW_OK, "then begin, put, commit: %s", bw_error_message());

	/* sweep_begin and sweep_end under a reader: BW_EBUSY, the file as it was */
	long long nsweeps = raw_int(reader, "SELECT count(*) FROM sweeps"), ntasks = raw_int(reader, "SELECT count(*) FROM tasks");
	sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL);
	raw_int(reader, "SELECT count(*) FROM sweeps");
	struct bw_task t2 = mk_task(BW_SGD, 12, 5, 1, 0.1, 0.01, 2);
	struct bw_spec s2 = mk_spec("busy2", &t2, 1);
	int64_t sid2 = -1;
	rc = bw_catalog_sweep_begin(cat, &s2, "r", "h", 1, "", "1/2", &sid2);
	TU_CHECK(rc == BW_EBUSY && sid2 == 0, "sweep_begin under a reader -> BW_EBUSY: %d '%s'", rc, bw_error_message());
	rc = bw_catalog_sweep_end(cat, sid, "done");
	TU_CHECK(rc == BW_EBUSY, "sweep_end under a reader -> BW_EBUSY: %d '%s'", rc, bw_error_message());
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	char buf[64];
	TU_CHECK(raw_int(reader, "SELECT count(*) FROM sweeps") == nsweeps &&
			 raw_int(reader, "SELECT count(*) FROM tasks") == ntasks &&
			 !strcmp(raw_text(reader, "SELECT state FROM sweeps", buf, sizeof buf), "running"),
		 "nothing of them was written (state '%s')", buf);
	rc = bw_catalog_sweep_end(cat, sid, "done");
	TU_CHECK(rc == BW_OK && !strcmp(raw_text(reader, "SELECT state FROM sweeps", buf, sizeof buf), "done"),
		 "sweep_end once the reader is gone: %s", bw_error_message());
	TU_CHECK(!strcmp(raw_text(reader, "PRAGMA integrity_check", buf, sizeof buf), "ok"), "integrity '%s'", buf);
	sqlite3_close(reader);
	bw_catalog_close(cat);
}

/* 'running' sweeps whose process is gone (a handle closed without
 * sweep_end stands for a kill -9) become 'interrupted' at the next
 * sweep_begin, ended at their last outcome or their start; sweeps of open
 * handles (another process running on the same catalog) and sweeps copied in
 * by a merge stay 'running'. */
static void test_dead_sweeps(void)
{
	const char *p = path_in("dead.sqlite");
	struct bw_catalog *a = NULL, *b = NULL;
	int rc = bw_catalog_open(p, 0, &a);
	rc |= bw_catalog_open(p, 0, &b);
	TU_CHECK(rc == BW_OK, "open twice: %s", bw_error_message());
	if (rc)
		return;
	struct bw_task t[4] = {mk_task(BW_GD, 14, 5, 1, 0.1, 0.01, 0), mk_task(BW_GD, 14, 5, 1, 0.1, 0.01, 1),
			       mk_task(BW_GD, 14, 5, 1, 0.1, 0.01, 2), mk_task(BW_GD, 14, 5, 1, 0.1, 0.01, 3)};
	struct bw_spec s1 = mk_spec("one", t, 2), s2 = mk_spec("two", t + 2, 2);
	int64_t id1 = 0, id2 = 0, id3 = 0, id4 = 0;
	rc = bw_catalog_sweep_begin(a, &s1, "r", "h", 1, "", NULL, &id1);
	struct bw_result r = mk_result(t[0].key, 1, 0.0);
	rc |= bw_catalog_put(a, id1, &r);
	rc |= bw_catalog_sweep_begin(b, &s2, "r", "h", 1, "", NULL, &id2);
	TU_CHECK(rc == BW_OK, "two sweeps on two handles: %s", bw_error_message());
	sqlite3 *db = raw_open(p);
	char buf[128], want[64], sql[256];
	snprintf(sql, sizeof sql, "SELECT group_concat(state) FROM (SELECT state FROM sweeps ORDER BY id)");
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "running,running"),
		 "a sweep of a live handle is left running: '%s'", buf);
	/* an old binary's dead run (no lock, no outcome) and a merged copy of a shard's running sweep */
	sqlite3_exec(db,
		     "INSERT INTO sweeps(name, started_at, state) VALUES('old', '2020-01-01T00:00:00.000Z', 'running');"
		     "INSERT INTO sweeps(name, started_at, state, shard) VALUES('merged', '2020-01-02T00:00:00.000Z',"
		     " 'running', '1/3');"
		     "CREATE TABLE sweep_sources(sweep_id INTEGER PRIMARY KEY REFERENCES sweeps(id), source_file TEXT"
		     " NOT NULL, source_id INTEGER NOT NULL, merged_at TEXT NOT NULL);"
		     "INSERT INTO sweep_sources SELECT id, 'shards/x/shard-1.sqlite', 1, '2020-01-03T00:00:00.000Z'"
		     " FROM sweeps WHERE name = 'merged';",
		     NULL, NULL, NULL);
	snprintf(sql, sizeof sql, "SELECT finished_at FROM outcomes WHERE key = '%s'", t[0].key_hex);
	raw_text(db, sql, want, sizeof want);
	bw_catalog_close(a); /* handle a's process "dies": no sweep_end */
	rc = bw_catalog_sweep_begin(b, &s1, "r", "h", 1, "", NULL, &id3);
	TU_CHECK(rc == BW_OK, "a third sweep: %s", bw_error_message());
	snprintf(sql, sizeof sql, "SELECT state || ' ' || ifnull(ended_at, 'NULL') FROM sweeps WHERE id = %" PRId64, id1);
	char expect[128];
	snprintf(expect, sizeof expect, "interrupted %s", want);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), expect),
		 "the dead sweep is interrupted, ended at its last outcome: '%s' (want '%s')", buf, expect);
	TU_CHECK(!strcmp(raw_text(db, "SELECT state || ' ' || ifnull(ended_at, 'NULL') FROM sweeps WHERE name = 'old'",
				  buf, sizeof buf),
			 "interrupted 2020-01-01T00:00:00.000Z"),
		 "a dead sweep without outcomes: ended at its start: '%s'", buf);
	TU_CHECK(!strcmp(raw_text(db, "SELECT state || ' ' || ifnull(ended_at, 'NULL') FROM sweeps WHERE name = 'merged'",
				  buf, sizeof buf),
			 "running NULL"),
		 "a merged copy of a running shard's sweep is not this file's run: '%s'", buf);
	snprintf(sql, sizeof sql, "SELECT state || ' ' || ifnull(ended_at, 'NULL') FROM sweeps WHERE id IN (%" PRId64
		 ", %" PRId64 ") GROUP BY state", id2, id3);
	TU_CHECK(!strcmp(raw_text(db, sql, buf, sizeof buf), "running NULL") &&
			 raw_int(db, "SELECT count(*) FROM sweeps WHERE state = 'running' AND ended_at IS NULL") == 3,
		 "the live handle's own sweeps stay running: '%s'", buf);
	rc = bw_catalog_sweep_end(b, id2, "done") | bw_catalog_sweep_end(b, id3, "done");
	bw_catalog_close(b);
	/* every handle closed: a new one marks nothing of them (ended) and sees nothing alive but itself */
	struct bw_catalog *c = NULL;
	rc |= bw_catalog_open(p, 0, &c);
	rc |= bw_catalog_sweep_begin(c, &s2, "r", "h", 1, "", NULL, &id4);
	TU_CHECK(rc == BW_OK, "a fourth sweep: %s", bw_error_message());
	TU_CHECK(!strcmp(raw_text(db, "SELECT group_concat(state) FROM (SELECT state FROM sweeps ORDER BY id)", buf,
				  sizeof buf),
			 "interrupted,done,interrupted,running,done,running"),
		 "states '%s'", buf);
	bw_catalog_close(c);
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok"), "integrity '%s'", buf);
	sqlite3_close(db);
}

static void test_speed(void)
{
	const char *p = path_in("speed.sqlite");
	struct bw_catalog *cat = NULL;
	int rc = bw_catalog_open(p, 0, &cat);
	TU_CHECK(rc == BW_OK, "open: %s", bw_error_message());
	if (rc)
		return;
	enum { NT = 100000, NP = 10000 };
	struct bw_task *t = malloc(NT * sizeof *t);
	for (int i = 0; i < NT; i++)
		t[i] = mk_task((enum bw_algo)(i % BW_ALGO_COUNT), 100 + i % 7, 50 + i % 11, 1 + i % 5, 0.001 * (1 + i % 13),
			       0.01, (uint32_t)i);
	struct bw_spec s = mk_spec("speed", t, NT);
	int64_t sid = 0;
	double t0 = now_s();
	rc = bw_catalog_sweep_begin(cat, &s, "r", "h", 64, "", NULL, &sid);
	double t1 = now_s();
	TU_CHECK(rc == BW_OK, "sweep_begin of %d tasks: %s", NT, bw_error_message());
	printf("sweep_begin: %d tasks in %.3f s (%.0f tasks/s)\n", NT, t1 - t0, NT / (t1 - t0));

	t0 = now_s();
	rc = bw_catalog_begin(cat);
	for (int i = 0; i < NP && rc == BW_OK; i++) {
		struct bw_result r = mk_result(t[i * (NT / NP)].key, i & 1, 0.001 * i);
		rc = bw_catalog_put(cat, sid, &r);
	}
	if (rc == BW_OK)
		rc = bw_catalog_commit(cat);
	t1 = now_s();
	TU_CHECK(rc == BW_OK, "batched puts: %s", bw_error_message());
	printf("put: %d outcomes in one transaction in %.3f s (%.0f puts/s)\n", NP, t1 - t0, NP / (t1 - t0));

	/* many small batches (the coordinator's pattern: commit every 100) */
	t0 = now_s();
	for (int b = 0; b < 10 && rc == BW_OK; b++) {
		rc = bw_catalog_begin(cat);
		for (int i = 0; i < 100 && rc == BW_OK; i++) {
			struct bw_result r = mk_result(t[10 * (b * 100 + i) + 5].key, 1, 0.0);
			rc = bw_catalog_put(cat, sid, &r);
		}
		rc |= bw_catalog_commit(cat);
	}
	t1 = now_s();
	TU_CHECK(rc == BW_OK, "small batches: %s", bw_error_message());
	printf("put: 10 batches of 100 in %.3f s (%.0f puts/s)\n", t1 - t0, 1000 / (t1 - t0));

	uint64_t *keys = NULL;
	size_t nk = 0;
	t0 = now_s();
	rc = bw_catalog_done_keys(cat, &keys, &nk);
	t1 = now_s();
	TU_CHECK(rc == BW_OK && nk == NP + 1000, "done_keys n %zu want %d", nk, NP + 1000);
	printf("done_keys: %zu keys in %.3f s\n", nk, t1 - t0);
	size_t found = 0;
	for (int i = 0; i < NP; i++)
		found += keys && bsearch(&t[i * (NT / NP)].key, keys, nk, sizeof *keys, cmp_u64) != NULL;
	TU_CHECK(found == NP, "bsearch finds %zu of %d put keys", found, NP);
	free(keys);
	free(t);
	bw_catalog_close(cat);

	sqlite3 *db = raw_open(p);
	char buf[64];
	TU_CHECK(raw_int(db, "SELECT count(*) FROM tasks") == NT, "tasks %lld", raw_int(db, "SELECT count(*) FROM tasks"));
	TU_CHECK(raw_int(db, "SELECT count(*) FROM outcomes") == NP + 1000, "outcomes");
	TU_CHECK(!strcmp(raw_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok"), "integrity '%s'", buf);
	sqlite3_close(db);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/bw-catalog-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_create_reopen();
	test_put_dups_views();
	test_two_sweeps();
	test_garbage_and_foreign();
	test_newer_version();
	test_incomplete();
	test_readonly();
	test_close_rolls_back();
	test_rollback_journal();
	test_busy();
	test_dead_sweeps();
	test_speed();
	int rc = tu_summary("test_catalog");
	if (!rc) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("could not remove %s\n", dir);
	} else {
		printf("files kept in %s\n", dir);
	}
	return rc;
}
