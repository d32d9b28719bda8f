/* catalog.c - the SQLite catalog of sweeps, tasks and outcomes.  Its DDL is
 * schema.c's and its column lists schema.h's (contract in include/biasweep/catalog.h).
 *
 * Values are always bound to prepared statements, never pasted into SQL.
 * Statements used per task or per outcome are prepared once and cached on
 * the handle.  Nothing is written to a file before its schema_version has
 * been read and accepted (journal-mode changes write the header, so they
 * come after the check too).
 */
#include "biasweep/catalog.h"

#include "biasweep/error.h"
#include "biasweep/trajfile.h"
#include "check.h"
#include "schema.h"
#include "sql.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define APPLICATION_ID 0x62777370 /* "bwsp" in the header, for file(1) and friends */

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PUT,
	ST_TASK,
	ST_SWEEP_TASK,
	ST_SWEEP,
	ST_SWEEP_END,
	ST_DONE_KEYS,
	ST_DONE_SUCCESS,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PUT] = BW_SQL_INSERT_OUTCOME,
	[ST_TASK] = BW_SQL_INSERT_TASK,
	[ST_SWEEP_TASK] = "INSERT OR IGNORE INTO sweep_tasks(sweep_id, key) VALUES(?1, ?2)",
	[ST_SWEEP] = "INSERT INTO sweeps(name, spec_path, spec_text, spec_hash, revision, host, ranks, libraries,"
		     " started_at, state, shard) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'running', ?10)",
	[ST_SWEEP_END] = "UPDATE sweeps SET ended_at = ?1, state = ?2 WHERE id = ?3",
	[ST_DONE_KEYS] = "SELECT key FROM outcomes ORDER BY key",
	[ST_DONE_SUCCESS] = "SELECT key, success FROM outcomes ORDER BY key",
};

struct bw_catalog {
	sqlite3 *db;
	char *path;
	int readonly;
	int lockfd, peekfd; /* the sweep locks (sweep_begin), -1 until then */
	sqlite3_stmt *st[ST_COUNT];
};

/* ---- helpers ------------------------------------------------------------- */

/* A lock held by another connection is BW_EBUSY (nothing lost: try again),
 * any other failure BW_ESTORE. */
static int store_error(const struct bw_catalog *cat, const char *what)
{
	int busy = (sqlite3_extended_errcode(cat->db) & 0xff) == SQLITE_BUSY;
	return RAISE(busy ? BW_EBUSY : BW_ESTORE, "catalog '%s': %s: %s", cat->path, what, sqlite3_errmsg(cat->db));
}

static int stmt(struct bw_catalog *cat, int which, sqlite3_stmt **out)
{
	*out = NULL;
	if (!cat->st[which]) {
		if (sqlite3_prepare_v3(cat->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &cat->st[which], NULL) !=
		    SQLITE_OK)
			return store_error(cat, "preparing a statement");
	} else {
		sqlite3_reset(cat->st[which]);
		sqlite3_clear_bindings(cat->st[which]);
	}
	*out = cat->st[which];
	return BW_OK;
}

/* Runs a cached statement that returns no rows. */
static int step_done(struct bw_catalog *cat, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		int e = store_error(cat, what);
		sqlite3_reset(s);
		return e;
	}
	sqlite3_reset(s);
	return BW_OK;
}

static int exec(struct bw_catalog *cat, const char *sql, const char *what)
{
	if (bw_sql_exec(cat->db, sql) != SQLITE_OK)
		return store_error(cat, what);
	return BW_OK;
}

static int bind_double(sqlite3_stmt *s, int i, double x)
{
	return isnan(x) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, x);
}

static int bind_text_or_null(sqlite3_stmt *s, int i, const char *x)
{
	return x && *x ? sqlite3_bind_text(s, i, x, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

static void key_text(uint64_t key, char buf[17]) { snprintf(buf, 17, "%016" PRIx64, key); }

static int check_writable(const struct bw_catalog *cat)
{
	if (cat->readonly)
		return RAISE(BW_EINVAL, "catalog '%s' is open read-only", cat->path);
	return BW_OK;
}

/* ---- open ---------------------------------------------------------------- */

static int pragma_value(struct bw_catalog *cat, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	if (sqlite3_prepare_v2(cat->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_error(cat, sql);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		snprintf(buf, len, "%s", v ? v : "");
	} else if (rc != SQLITE_DONE) {
		int e = store_error(cat, sql);
		sqlite3_finalize(s);
		return e;
	}
	sqlite3_finalize(s);
	return BW_OK;
}

/* The text of the first column of the first row of SQL (with ?1 bound to
 * x when x >= 0); "" when there is no row or it is NULL. */
static int one_text(struct bw_catalog *cat, const char *sql, int64_t x, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	if (sqlite3_prepare_v2(cat->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_error(cat, sql);
	if (x >= 0)
		sqlite3_bind_int64(s, 1, x);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		snprintf(buf, len, "%s", v ? v : "");
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? BW_OK : store_error(cat, sql);
}

/* A new catalog_id in meta (16 random hex digits; kept when one is there). */
static int put_catalog_id(struct bw_catalog *cat)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) { /* no entropy source: time, pid and an address */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		r = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40) ^
		    (uint64_t)(uintptr_t)cat;
	}
	char id[17];
	key_text(r, id);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(cat->db, "INSERT OR IGNORE INTO meta(key, value) VALUES('catalog_id', ?1)", -1, &s,
			       NULL) != SQLITE_OK)
		return store_error(cat, "preparing the catalog_id");
	sqlite3_bind_text(s, 1, id, 16, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? BW_OK : store_error(cat, "writing the catalog_id");
}

static int set_journal(struct bw_catalog *cat, int rollback)
{
	char mode[32];
	CHECK(pragma_value(cat, rollback ? "PRAGMA journal_mode=DELETE" : "PRAGMA journal_mode=WAL", mode,
			   sizeof mode));
	if (strcmp(mode, rollback ? "delete" : "wal"))
		return RAISE(BW_ESTORE, "catalog '%s': could not set journal_mode=%s (got '%s')%s", cat->path,
			     rollback ? "delete" : "wal", mode,
			     rollback ? "" : "; on a network file system use a rollback journal (shards)");
	return exec(cat, rollback ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "setting synchronous");
}

static int create_schema(struct bw_catalog *cat)
{
	int rc;
	long version;
	char sql[160];
	CHECK(exec(cat, "BEGIN IMMEDIATE", "starting the schema transaction"));
	/* Again under the write lock: another process may have created it meanwhile. */
	rc = bw_catalog_check(cat->db, "main", cat->path, BW_CHECK_EMPTY_OK, &version);
	if (rc == BW_OK && !version) {
		rc = exec(cat, bw_catalog_schema(NULL), "creating the schema");
		if (rc == BW_OK) {
			snprintf(sql, sizeof sql,
				 "INSERT INTO meta(key, value) VALUES('schema_version', '%d'), ('application', 'biasweep');"
				 " PRAGMA application_id=%d",
				 BW_SCHEMA_VERSION, APPLICATION_ID);
			rc = exec(cat, sql, "writing meta");
			if (rc == BW_OK)
				rc = put_catalog_id(cat);
		}
	}
	if (rc == BW_OK)
		rc = exec(cat, "COMMIT", "committing the schema");
	if (rc != BW_OK)
		bw_sql_rollback_quietly(cat->db);
	return rc;
}

/* The derived views of this version (a file of an older one gets them here). */
static int update_views(struct bw_catalog *cat)
{
	int changed;
	CHECK(exec(cat, "BEGIN IMMEDIATE", "starting the views transaction"));
	if (bw_schema_views(cat->db, 0, &changed) != SQLITE_OK) {
		int rc = store_error(cat, "updating the derived views");
		bw_sql_rollback_quietly(cat->db);
		return rc;
	}
	return exec(cat, "COMMIT", "committing the derived views");
}

/* A file made before columns were added to the schema (check.h,
 * bw_catalog_schema_added_columns) gets them, and the views that show them,
 * in one transaction; a file that has them is left as it is. */
static int lacks_columns(struct bw_catalog *cat)
{
	for (const struct bw_schema_column *c = bw_catalog_schema_added_columns(); c->table; c++)
		if (bw_sql_has_column(cat->db, "main", c->table, c->column) != 1)
			return 1;
	return 0;
}

static int add_columns(struct bw_catalog *cat)
{
	int changed;
	if (!lacks_columns(cat))
		return BW_OK; /* the usual case: no write lock taken */
	CHECK(exec(cat, "BEGIN IMMEDIATE", "starting the column migration"));
	int rc = bw_schema_add_columns(cat->db, "main", &changed) == SQLITE_OK ? BW_OK
									: store_error(cat, "adding the schema's newer columns");
	if (rc == BW_OK)
		rc = exec(cat, "COMMIT", "committing the column migration");
	if (rc != BW_OK)
		bw_sql_rollback_quietly(cat->db);
	return rc;
}

int bw_catalog_open(const char *path, int flags, struct bw_catalog **out)
{
	struct bw_catalog *cat;
	int rc;
	long version;
	*out = NULL;
	if (!path || !*path)
		return RAISE(BW_EINVAL, "no catalog path given");
	cat = calloc(1, sizeof *cat);
	if (!cat || !(cat->path = strdup(path))) {
		free(cat);
		return RAISE(BW_ENOMEM, "out of memory opening catalog '%s'", path);
	}
	cat->readonly = (flags & BW_CATALOG_READONLY) != 0;
	cat->lockfd = cat->peekfd = -1;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		rc = RAISE(BW_EINVAL, "catalog '%s' is not a regular file", path);
		goto fail;
	}
	/* NOMUTEX: a handle belongs to one thread (the coordinator's). */
	int oflags = SQLITE_OPEN_NOMUTEX | (cat->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	rc = bw_sql_open(path, oflags, &cat->db);
	if (rc != SQLITE_OK) {
		if (cat->db && rc != SQLITE_NOMEM)
			rc = RAISE(rc == SQLITE_CANTOPEN ? BW_EIO : BW_ESTORE, "cannot open catalog '%s': %s", path,
				   sqlite3_errmsg(cat->db));
		else
			rc = RAISE(BW_ENOMEM, "out of memory opening catalog '%s'", path);
		goto fail;
	}

	/* Read-only checks first: nothing is written before the file is known to
	 * be a whole catalog of this version (or an empty file to make one in). */
	rc = bw_catalog_check(cat->db, "main", path, cat->readonly ? 0 : BW_CHECK_EMPTY_OK, &version);
	if (rc != BW_OK)
		goto fail;
	if (cat->readonly) {
		int changed;
		if (bw_schema_views(cat->db, 1, &changed) != SQLITE_OK) {
			rc = store_error(cat, "creating the derived views");
			goto fail;
		}
		rc = exec(cat, "PRAGMA query_only=1", "setting query_only");
		if (rc != BW_OK)
			goto fail;
	} else {
		if ((rc = set_journal(cat, (flags & BW_CATALOG_ROLLBACK_JOURNAL) != 0)) != BW_OK ||
		    (rc = exec(cat, "PRAGMA cache_size=-65536", "setting cache_size")) != BW_OK ||
		    (rc = exec(cat, "PRAGMA foreign_keys=ON", "enabling foreign keys")) != BW_OK)
			goto fail;
		if (!version && (rc = create_schema(cat)) != BW_OK)
			goto fail;
		if ((rc = add_columns(cat)) != BW_OK)
			goto fail;
		if ((rc = update_views(cat)) != BW_OK)
			goto fail;
	}
	*out = cat;
	return BW_OK;
fail:
	bw_catalog_close(cat);
	return rc;
}

void bw_catalog_close(struct bw_catalog *cat)
{
	if (!cat)
		return;
	if (cat->db) {
		bw_sql_rollback_quietly(cat->db);
		for (int i = 0; i < ST_COUNT; i++)
			sqlite3_finalize(cat->st[i]);
		sqlite3_close_v2(cat->db);
	}
	/* only now: closing a descriptor of the file drops the process's POSIX locks on it, SQLite's too */
	if (cat->lockfd >= 0)
		close(cat->lockfd);
	if (cat->peekfd >= 0)
		close(cat->peekfd);
	free(cat->path);
	free(cat);
}

void bw_catalog_set_busy_timeout(struct bw_catalog *cat, int ms)
{
	sqlite3_busy_timeout(cat->db, ms > 0 ? ms : 0);
}

/* ---- transactions --------------------------------------------------------- */

int bw_catalog_begin(struct bw_catalog *cat)
{
	sqlite3_stmt *s;
	CHECK(check_writable(cat));
	CHECK(stmt(cat, ST_BEGIN, &s));
	return step_done(cat, s, "beginning a transaction");
}

int bw_catalog_commit(struct bw_catalog *cat)
{
	sqlite3_stmt *s;
	CHECK(check_writable(cat));
	CHECK(stmt(cat, ST_COMMIT, &s));
	int rc = step_done(cat, s, "committing");
	if (rc == BW_EBUSY && sqlite3_get_autocommit(cat->db))
		rc = RAISE(BW_ESTORE, "catalog '%s': committing: %s, and the batch was rolled back", cat->path,
			   sqlite3_errmsg(cat->db));
	if (rc != BW_OK && rc != BW_EBUSY) /* busy: the transaction stays open, to be committed again */
		bw_sql_rollback_quietly(cat->db);
	return rc;
}

int bw_catalog_rollback(struct bw_catalog *cat)
{
	sqlite3_stmt *s;
	CHECK(check_writable(cat));
	if (sqlite3_get_autocommit(cat->db))
		return BW_OK;
	CHECK(stmt(cat, ST_ROLLBACK, &s));
	return step_done(cat, s, "rolling back");
}

/* ---- sweeps and tasks -------------------------------------------------------- */

static int insert_task(struct bw_catalog *cat, sqlite3_stmt *ts, sqlite3_stmt *ss, int64_t sweep_id,
		       const struct bw_task *t)
{
	char key[17];
	const struct bw_run_params *p = &t->run;
	if (p->algo < 0 || p->algo >= BW_ALGO_COUNT)
		return RAISE(BW_EINVAL, "task with unknown algorithm %d", (int)p->algo);
	unsigned uses = bw_dynamics_table[p->algo]->uses;
	key_text(t->key, key);
	if (t->key_hex[0] && strcmp(t->key_hex, key))
		return RAISE(BW_EINTERNAL, "task key_hex '%.16s' does not match its key %s", t->key_hex, key);

	sqlite3_reset(ts);
	sqlite3_clear_bindings(ts);
	sqlite3_bind_text(ts, 1, key, 16, SQLITE_TRANSIENT);
	sqlite3_bind_text(ts, 2, bw_algo_name(p->algo), -1, SQLITE_STATIC);
	sqlite3_bind_text(ts, 3, bw_design_name(t->inst.design), -1, SQLITE_STATIC);
	sqlite3_bind_text(ts, 4, bw_wstar_name(t->inst.wstar), -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts, 5, (sqlite3_int64)t->inst.d);
	sqlite3_bind_int64(ts, 6, (sqlite3_int64)t->inst.n);
	sqlite3_bind_int64(ts, 7, (sqlite3_int64)t->inst.kappa);
	bind_double(ts, 8, p->alpha);
	if ((uses & BW_USES_ETA) && p->eta > 0) /* NULL where the program chooses it (eta_mode, docs/catalog.md) */
		bind_double(ts, 9, p->eta);
	if (uses & BW_USES_SIGMA)
		bind_double(ts, 10, p->sigma);
	if (uses & BW_USES_BATCH)
		sqlite3_bind_int64(ts, 11, p->batch);
	sqlite3_bind_int64(ts, 12, p->max_steps);
	bind_double(ts, 13, p->max_time);
	bind_double(ts, 14, p->eps);
	bind_double(ts, 15, p->tol);
	sqlite3_bind_int(ts, 16, p->project);
	sqlite3_bind_int64(ts, 17, (sqlite3_int64)t->inst.sweep_seed); /* two's complement above 2^63 */
	sqlite3_bind_int64(ts, 18, t->inst.seed_index);
	if ((uses & BW_USES_ETA) && p->eta_scale > 0)
		bind_double(ts, 19, p->eta_scale);
	sqlite3_bind_int(ts, 20, p->checkpoints > 0 ? p->checkpoints : BW_CHECKPOINTS_DEFAULT);
	if (uses & BW_USES_NOISE)
		sqlite3_bind_int64(ts, 21, p->noise_index);
	if (uses & BW_USES_ETA) /* bw_run_eta's three ways to the step */
		sqlite3_bind_text(ts, 22, p->eta > 0 ? BW_ETA_MODE_GIVEN : p->eta_scale > 0 ? BW_ETA_MODE_SCALED : BW_ETA_MODE_AUTOMATIC, -1, SQLITE_STATIC);
	/* NULL for the constant step, as in every row made before the column: a
	 * cell of constant-step runs is one cell, old rows and new */
	if (bw_run_schedule(p) != BW_SCHEDULE_CONSTANT)
		sqlite3_bind_text(ts, 23, bw_schedule_name(bw_run_schedule(p)), -1, SQLITE_STATIC);
	bind_double(ts, 24, t->cost);
	CHECK(step_done(cat, ts, "inserting a task"));

	sqlite3_reset(ss);
	sqlite3_clear_bindings(ss);
	sqlite3_bind_int64(ss, 1, sweep_id);
	sqlite3_bind_text(ss, 2, key, 16, SQLITE_TRANSIENT);
	return step_done(cat, ss, "inserting a sweep task");
}

/* ---- whose 'running' sweeps are alive -------------------------------------------
 * A writer holds an open-file-description lock on one byte of the catalog per sweep
 * it records (SWEEP_LOCK_BASE + id, far from SQLite's lock bytes at 1 GiB), from its
 * sweep_begin until its handle closes; the kernel drops it when the process ends,
 * however it ends.  So a 'running' sweep whose byte nobody holds was left by a
 * process that is gone (kill -9, a lost node, a full disk that kept it from writing
 * its end).  peekfd tests the bytes: a description of its own, so that this
 * handle's own sweeps show as held.  Without such locks (a file system that has
 * none) nothing is marked; a wrong mark would be undone by the sweep's own end. */
#define SWEEP_LOCK_BASE ((off_t)0x50000000)

static int sweep_lock(int fd, int cmd, short type, int64_t id, short *held)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = SWEEP_LOCK_BASE + (off_t)id;
	fl.l_len = 1;
	if (fcntl(fd, cmd, &fl) != 0)
		return -1;
	if (held)
		*held = fl.l_type;
	return 0;
}

/* Marks the dead 'running' sweeps 'interrupted', ended at their last outcome (or
 * their start), inside the caller's write transaction.  Copies of shards' sweeps
 * made by a merge (table sweep_sources) are not this file's runs: left alone. */
static int reap_sweeps(struct bw_catalog *cat)
{
	if (cat->lockfd < 0)
		cat->lockfd = open(cat->path, O_RDWR | O_CLOEXEC);
	if (cat->peekfd < 0)
		cat->peekfd = open(cat->path, O_RDONLY | O_CLOEXEC);
	if (cat->lockfd < 0 || cat->peekfd < 0)
		return BW_OK; /* cannot tell who is alive */
	sqlite3_stmt *s = NULL;
	int merged = 0, rc;
	if (sqlite3_prepare_v2(cat->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sweep_sources'",
			       -1, &s, NULL) != SQLITE_OK)
		return store_error(cat, "reading the schema");
	rc = sqlite3_step(s);
	merged = rc == SQLITE_ROW;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(cat, "reading the schema");
	if (sqlite3_prepare_v2(cat->db,
			       merged ? "SELECT id FROM sweeps WHERE state = 'running'"
					" AND id NOT IN (SELECT sweep_id FROM sweep_sources) ORDER BY id"
				      : "SELECT id FROM sweeps WHERE state = 'running' ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return store_error(cat, "listing running sweeps");
	int64_t *dead = NULL;
	size_t ndead = 0, cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		short held;
		if (sweep_lock(cat->peekfd, F_OFD_GETLK, F_WRLCK, id, &held) != 0)
			break; /* no locks on this file system: leave them all */
		if (held != F_UNLCK)
			continue;
		if (ndead == cap) {
			int64_t *nd = realloc(dead, (cap = cap ? 2 * cap : 16) * sizeof *dead);
			if (!nd) {
				free(dead);
				sqlite3_finalize(s);
				return RAISE(BW_ENOMEM, "out of memory");
			}
			dead = nd;
		}
		dead[ndead++] = id;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? BW_OK : store_error(cat, "listing running sweeps");
	sqlite3_finalize(s);
	if (rc == BW_OK && ndead &&
	    sqlite3_prepare_v2(cat->db,
			       "UPDATE sweeps SET state = 'interrupted', ended_at = coalesce((SELECT max(finished_at)"
			       " FROM outcomes WHERE sweep_id = ?1), started_at) WHERE id = ?1 AND state = 'running'",
			       -1, &s, NULL) != SQLITE_OK)
		rc = store_error(cat, "marking sweeps interrupted");
	for (size_t i = 0; rc == BW_OK && i < ndead; i++) {
		sqlite3_bind_int64(s, 1, dead[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = store_error(cat, "marking a sweep interrupted");
		sqlite3_reset(s);
	}
	if (ndead)
		sqlite3_finalize(s);
	free(dead);
	return rc;
}

int bw_catalog_sweep_begin(struct bw_catalog *cat, const struct bw_spec *spec, const char *revision,
			   const char *host, int ranks, const char *libraries, const char *shard, int64_t *sweep_id)
{
	sqlite3_stmt *sb, *sc, *s, *ts, *ss;
	char now[32], hash[17];
	int rc;
	*sweep_id = 0;
	CHECK(check_writable(cat));
	if (!sqlite3_get_autocommit(cat->db))
		return RAISE(BW_EINTERNAL, "catalog '%s': sweep_begin inside an open transaction", cat->path);
	/* Prepare everything before the transaction opens. */
	CHECK(stmt(cat, ST_BEGIN, &sb));
	CHECK(stmt(cat, ST_COMMIT, &sc));
	CHECK(stmt(cat, ST_SWEEP, &s));
	CHECK(stmt(cat, ST_TASK, &ts));
	CHECK(stmt(cat, ST_SWEEP_TASK, &ss));
	CHECK(step_done(cat, sb, "beginning the sweep transaction"));
	rc = reap_sweeps(cat);
	if (rc != BW_OK) {
		bw_sql_rollback_quietly(cat->db);
		return rc;
	}

	bw_sql_utc_now(now);
	key_text(spec->text_hash, hash);
	sqlite3_bind_text(s, 1, spec->name ? spec->name : "", -1, SQLITE_TRANSIENT);
	bind_text_or_null(s, 2, spec->path);
	bind_text_or_null(s, 3, spec->text);
	sqlite3_bind_text(s, 4, hash, 16, SQLITE_TRANSIENT);
	bind_text_or_null(s, 5, revision);
	bind_text_or_null(s, 6, host);
	sqlite3_bind_int(s, 7, ranks);
	bind_text_or_null(s, 8, libraries);
	sqlite3_bind_text(s, 9, now, -1, SQLITE_TRANSIENT);
	bind_text_or_null(s, 10, shard);
	rc = step_done(cat, s, "inserting the sweep");
	int64_t id = sqlite3_last_insert_rowid(cat->db);
	/* held before the row is visible to anyone (best effort: see above) */
	int locked = rc == BW_OK && cat->lockfd >= 0 && sweep_lock(cat->lockfd, F_OFD_SETLK, F_WRLCK, id, NULL) == 0;
	for (size_t i = 0; rc == BW_OK && i < spec->ntasks; i++)
		rc = insert_task(cat, ts, ss, id, &spec->tasks[i]);
	if (rc == BW_OK)
		rc = step_done(cat, sc, "committing the sweep");
	if (rc != BW_OK) {
		bw_sql_rollback_quietly(cat->db);
		if (locked)
			sweep_lock(cat->lockfd, F_OFD_SETLK, F_UNLCK, id, NULL);
		return rc;
	}
	*sweep_id = id;
	return BW_OK;
}

int bw_catalog_sweep_end(struct bw_catalog *cat, int64_t sweep_id, const char *state)
{
	sqlite3_stmt *s;
	char now[32];
	CHECK(check_writable(cat));
	if (!state || (strcmp(state, "done") && strcmp(state, "interrupted") && strcmp(state, "failed")))
		return RAISE(BW_EINVAL, "sweep state must be 'done', 'interrupted' or 'failed', not '%s'",
			     state ? state : "(null)");
	CHECK(stmt(cat, ST_SWEEP_END, &s));
	bw_sql_utc_now(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, sweep_id);
	CHECK(step_done(cat, s, "ending the sweep"));
	if (sqlite3_changes(cat->db) != 1)
		return RAISE(BW_EINVAL, "catalog '%s' has no sweep with id %" PRId64, cat->path, sweep_id);
	return BW_OK;
}

int bw_catalog_traj_identity(struct bw_catalog *cat, int64_t sweep_id, struct bw_traj_identity *id)
{
	static const char get_id[] = "SELECT value FROM meta WHERE key = 'catalog_id'";
	char buf[64];
	memset(id, 0, sizeof *id);
	CHECK(check_writable(cat));
	CHECK(one_text(cat, get_id, -1, buf, sizeof buf));
	if (!buf[0]) { /* a catalog made before catalog_id existed gets one now */
		CHECK(put_catalog_id(cat));
		CHECK(one_text(cat, get_id, -1, buf, sizeof buf));
	}
	if (strlen(buf) != 16 || strspn(buf, "0123456789abcdef") != 16)
		return RAISE(BW_EINVAL, "catalog '%s' has a malformed catalog_id in meta", cat->path);
	memcpy(id->catalog_id, buf, 17);
	id->sweep_id = sweep_id;
	if (sweep_id <= 0)
		return BW_OK;
	CHECK(one_text(cat, "SELECT started_at FROM sweeps WHERE id = ?1", sweep_id, id->started_at,
		       sizeof id->started_at));
	if (!id->started_at[0])
		return RAISE(BW_EINVAL, "catalog '%s' has no sweep with id %" PRId64, cat->path, sweep_id);
	return BW_OK;
}

/* ---- outcomes -------------------------------------------------------------- */

static int done_read(struct bw_catalog *cat, uint64_t **keys, int8_t **success, size_t *nkeys)
{
	sqlite3_stmt *s;
	size_t n = 0, cap = 1024;
	uint64_t *k;
	int8_t *ok = NULL;
	int rc;
	int sorted = 1;
	*keys = NULL;
	*nkeys = 0;
	if (success)
		*success = NULL;
	CHECK(stmt(cat, success ? ST_DONE_SUCCESS : ST_DONE_KEYS, &s));
	k = malloc(cap * sizeof *k);
	if (success)
		ok = malloc(cap);
	if (!k || (success && !ok)) {
		free(k);
		free(ok);
		return RAISE(BW_ENOMEM, "out of memory reading done keys");
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(s, 0);
		char *end = NULL;
		uint64_t x;
		if (!hex || strlen(hex) != 16 || (x = strtoull(hex, &end, 16), *end)) {
			sqlite3_reset(s);
			free(k);
			free(ok);
			return RAISE(BW_EINVAL, "catalog '%s' has a malformed outcome key '%s'", cat->path,
				     hex ? hex : "(null)");
		}
		if (n == cap) {
			uint64_t *nk = realloc(k, 2 * cap * sizeof *k);
			int8_t *nok = success ? realloc(ok, 2 * cap) : NULL;
			if (nk)
				k = nk;
			if (nok)
				ok = nok;
			if (!nk || (success && !nok)) {
				sqlite3_reset(s);
				free(k);
				free(ok);
				return RAISE(BW_ENOMEM, "out of memory reading done keys");
			}
			cap *= 2;
		}
		if (n && x <= k[n - 1])
			sorted = 0;
		if (success)
			ok[n] = (int8_t)(sqlite3_column_int(s, 1) != 0);
		k[n++] = x;
	}
	if (rc != SQLITE_DONE) {
		int e = store_error(cat, "reading done keys");
		sqlite3_reset(s);
		free(k);
		free(ok);
		return e;
	}
	sqlite3_reset(s);
	if (!sorted) { /* only when someone stored upper-case hex */
		free(k);
		free(ok);
		return RAISE(BW_EINVAL, "catalog '%s' has outcome keys out of order (upper-case hex?)", cat->path);
	}
	*keys = k;
	*nkeys = n;
	if (success)
		*success = ok;
	return BW_OK;
}

int bw_catalog_done_keys(struct bw_catalog *cat, uint64_t **keys, size_t *nkeys)
{
	return done_read(cat, keys, NULL, nkeys);
}

int bw_catalog_done_successes(struct bw_catalog *cat, uint64_t **keys, int8_t **success, size_t *nkeys)
{
	return done_read(cat, keys, success, nkeys);
}

int bw_catalog_task_add(struct bw_catalog *cat, int64_t sweep_id, const struct bw_task *t)
{
	sqlite3_stmt *ts, *ss;
	CHECK(check_writable(cat));
	CHECK(stmt(cat, ST_TASK, &ts));
	CHECK(stmt(cat, ST_SWEEP_TASK, &ss));
	return insert_task(cat, ts, ss, sweep_id, t);
}

int bw_catalog_put(struct bw_catalog *cat, int64_t sweep_id, const struct bw_result *r)
{
	sqlite3_stmt *s;
	char key[17], now[32];
	CHECK(check_writable(cat));
	if (r->status < 0 || r->status > BW_RUN_FAILED)
		return RAISE(BW_EINVAL, "result with unknown status %d", (int)r->status);
	CHECK(stmt(cat, ST_PUT, &s));
	key_text(r->key, key);
	bw_sql_utc_now(now);
	sqlite3_bind_text(s, 1, key, 16, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, bw_run_status_name((enum bw_run_status)r->status), -1, SQLITE_STATIC);
	bind_double(s, 3, r->train_loss);
	bind_double(s, 4, r->test_error);
	bind_double(s, 5, r->R);
	bind_double(s, 6, r->l1);
	sqlite3_bind_int(s, 7, r->support_recovered);
	sqlite3_bind_int(s, 8, r->success);
	sqlite3_bind_int64(s, 9, r->steps);
	bind_double(s, 10, r->t);
	bind_double(s, 11, r->eta_used);
	bind_double(s, 12, r->loss_rate);
	bind_double(s, 13, r->alpha_inf);
	bind_double(s, 14, r->alpha_inf_pred);
	bind_double(s, 15, r->int_loss_dt);
	if (r->message[0])
		sqlite3_bind_text(s, 16, r->message, (int)strnlen(r->message, sizeof r->message), SQLITE_TRANSIENT);
	bind_double(s, 17, r->wall_s);
	sqlite3_bind_int(s, 18, r->rank);
	if (sweep_id > 0)
		sqlite3_bind_int64(s, 19, sweep_id);
	if (r->traj_file[0] && r->traj_row >= 0) {
		sqlite3_bind_text(s, 20, r->traj_file, (int)strnlen(r->traj_file, sizeof r->traj_file),
				  SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 21, r->traj_row);
	}
	sqlite3_bind_text(s, 22, now, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		int e = (sqlite3_extended_errcode(cat->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
				? RAISE(BW_ESTORE, "catalog '%s': outcome for task %s (sweep %" PRId64
					"): no such task or sweep in the catalog", cat->path, key, sweep_id)
				: store_error(cat, "inserting an outcome");
		sqlite3_reset(s);
		return e;
	}
	sqlite3_reset(s);
	return BW_OK;
}
