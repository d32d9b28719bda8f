/* merge.c - join shard catalogs into one (contract in include/biasweep/merge.h).
 *
 * One private connection whose main database is a temporary file (the
 * stage).  Shards and OUT are ATTACHed with their file names bound as
 * parameters (URIs, so that a shard can be opened read-only and a missing
 * file is never created); no user string is ever pasted into SQL.  The
 * column lists come from schema.h (the stage's tables from schema.c);
 * whether a file is a whole catalog is check.c's to say.  A new OUT is
 * written as a temporary file beside it and renamed into place at the end.
 */
#include "biasweep/merge.h"

#include "biasweep/catalog.h"
#include "biasweep/error.h"
#include "check.h"
#include "merge_file.h"
#include "schema.h"
#include "sql.h"

#include <sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The columns that must agree between two copies of a key: an outcome's but
 * its timing and placement, a task's parameters (not its estimated cost). */
static const char *const outcome_cols[] = {BW_OUTCOME_VALUES(BW_COL_ITEM, BW_COL_ITEM) NULL};
static const char *const task_cols[] = {BW_TASK_PARAMS(BW_COL_ITEM, BW_COL_ITEM) NULL};

/* One compared table: its columns, and what a difference means. */
struct cmp {
	const char *const *cols;
	const char *what;  /* "outcomes", "parameters" */
	const char *cause; /* the rest of the message */
	char diff[2048];   /* CASE naming the first differing column of s and m, NULL when equal */
};
enum { CMP_TASKS, CMP_OUTCOMES, NCMPS };

#define CMP_LIST BW_OUTCOME_VALUES(BW_COL_FIRST, BW_COL_NEXT)
#define CMP_LIST_O BW_OUTCOME_VALUES(BW_COL_O_FIRST, BW_COL_O_NEXT)
#define SWEEP_LIST BW_SWEEP_COLUMNS(BW_COL_FIRST, BW_COL_NEXT)
#define TASK_LIST BW_TASK_LIST

struct label {
	char name[64], hash[17];
	int count;
	unsigned char *seen; /* count bytes */
};

struct mg {
	sqlite3 *db;
	const char *out;
	char out_dir[PATH_MAX];
	struct label *labels;
	size_t nlabels;
	long version;      /* schema_version of the first input read (0 none yet) */
	const char *version_from;
	const char *const *paths; /* the inputs, to name them */
	struct cmp cmp[NCMPS];
};

/* ---- helpers --------------------------------------------------------------- */

static int db_error(struct mg *m, const char *what)
{
	return RAISE(BW_ESTORE, "merge into '%s': %s: %s", m->out, what, sqlite3_errmsg(m->db));
}

static int exec(struct mg *m, const char *sql, const char *what)
{
	if (bw_sql_exec(m->db, sql) != SQLITE_OK)
		return db_error(m, what);
	return BW_OK;
}

static int prep(struct mg *m, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(m->db, sql, -1, s, NULL) != SQLITE_OK) {
		*s = NULL;
		return db_error(m, "preparing a statement");
	}
	return BW_OK;
}

/* Runs a statement to completion (rows are discarded) and finalizes it. */
static int run(struct mg *m, sqlite3_stmt *s, const char *what)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		int e = db_error(m, what);
		sqlite3_finalize(s);
		return e;
	}
	sqlite3_finalize(s);
	return BW_OK;
}

static void copy_text(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

/* ---- reading one input ------------------------------------------------------ */

static int attach(struct mg *m, const char *path, const char *mode, const char *alias)
{
	sqlite3_stmt *s;
	char sql[64];
	char *uri = bw_mf_file_uri(path, mode);
	if (!uri)
		return RAISE(BW_ENOMEM, "out of memory");
	snprintf(sql, sizeof sql, "ATTACH DATABASE ?1 AS %s", alias); /* alias: a constant of this file */
	int rc = prep(m, sql, &s);
	if (rc == BW_OK) {
		sqlite3_bind_text(s, 1, uri, -1, SQLITE_TRANSIENT);
		int st = sqlite3_step(s);
		if (st != SQLITE_DONE) {
			int ext = sqlite3_extended_errcode(m->db);
			if ((ext & 0xff) == SQLITE_NOTADB)
				rc = RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (not an SQLite database)", path);
			else
				rc = RAISE((ext & 0xff) == SQLITE_CANTOPEN ? BW_EIO : BW_ESTORE, "cannot open '%s': %s",
					   path, sqlite3_errmsg(m->db));
		}
		sqlite3_finalize(s);
	}
	free(uri);
	return rc;
}

static void detach(struct mg *m, const char *alias)
{
	char sql[64];
	snprintf(sql, sizeof sql, "DETACH DATABASE %s", alias);
	sqlite3_exec(m->db, sql, NULL, NULL, NULL);
}

/* That `alias` holds a whole biasweep catalog of one schema_version for all
 * inputs, and (links) a consistent one (the checks of src/storage/check.c;
 * OUT's links are its own writers' business: merge and run write them with
 * foreign keys on). */
static int check_catalog(struct mg *m, const char *alias, const char *path, int links)
{
	long v;
	CHECK(bw_catalog_version(m->db, alias, path, &v));
	if (!v)
		return RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (empty database)", path);
	if (!m->version) {
		m->version = v;
		m->version_from = path;
	} else if (v != m->version) {
		return RAISE(BW_EINVAL,
			     "schema versions differ: '%s' has schema_version %ld, '%s' has %ld (merge only catalogs "
			     "written by the same biasweep)", m->version_from, m->version, path, v);
	}
	CHECK(bw_catalog_check(m->db, alias, path, 0, &v));
	return links ? bw_catalog_check_links(m->db, alias, path) : BW_OK;
}

/* Fills c->diff: the first differing compared column of rows s and m. */
static void build_diff(struct cmp *c, const char *const *cols, const char *what, const char *cause)
{
	c->cols = cols;
	c->what = what;
	c->cause = cause;
	size_t used = (size_t)snprintf(c->diff, sizeof c->diff, "CASE");
	for (size_t i = 0; cols[i]; i++)
		used += (size_t)snprintf(c->diff + used, sizeof c->diff - used, " WHEN s.%s IS NOT m.%s THEN '%s'",
					 cols[i], cols[i], cols[i]);
	snprintf(c->diff + used, sizeof c->diff - used, " END");
}

/* Describes a conflict on `key` and column `col` between s (in `sa`) and m (in `ma`). */
static int conflict(struct mg *m, const struct cmp *c, const char *sa, const char *ma, const char *key,
		    const char *col, const char *who_s, const char *who_m)
{
	char sql[512], vs[96] = "?", vm[96] = "?";
	sqlite3_stmt *s;
	int ok = 0;
	for (size_t i = 0; c->cols[i]; i++)
		if (!strcmp(col, c->cols[i]))
			ok = 1;
	if (ok) { /* col is one of this file's constants */
		snprintf(sql, sizeof sql,
			 "SELECT quote(s.%s), quote(m.%s) FROM %s AS s JOIN %s AS m ON m.key = s.key WHERE s.key = ?1", col,
			 col, sa, ma);
		if (sqlite3_prepare_v2(m->db, sql, -1, &s, NULL) == SQLITE_OK) {
			sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(s) == SQLITE_ROW) {
				copy_text(vs, sizeof vs, sqlite3_column_text(s, 0));
				copy_text(vm, sizeof vm, sqlite3_column_text(s, 1));
			}
			sqlite3_finalize(s);
		}
	}
	return RAISE(BW_EINVAL, "'%s' and '%s' hold different %s for task %s (%s: %s vs %s): %s; refusing to merge", who_s,
		     who_m, c->what, key, col, vs, vm, c->cause);
}

/* The first conflict between `sa` (src.outcomes, src.tasks, a stage table) and
 * `table` (the copy of OUT, a stage table or OUT itself): key[0] = 0 when none;
 * *other is the input the staged row of the two came from, else -1. */
static int find_conflict(struct mg *m, const struct cmp *c, const char *sa, const char *table, char key[17],
			 char col[32], int64_t *other)
{
	char sql[2 * sizeof c->diff + 256];
	sqlite3_stmt *s;
	const char *src = !strncmp(table, "main.stage_", 11) ? "m.src" : !strncmp(sa, "main.stage_", 11) ? "s.src" : "-1";
	int n = snprintf(sql, sizeof sql,
			 "SELECT s.key, %s, %s FROM %s AS s JOIN %s AS m ON m.key = s.key WHERE %s IS NOT NULL LIMIT 1",
			 c->diff, src, sa, table, c->diff);
	if (n < 0 || (size_t)n >= sizeof sql)
		return RAISE(BW_EINTERNAL, "comparison statement too long");
	CHECK(prep(m, sql, &s));
	key[0] = col[0] = 0;
	*other = -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_text(key, 17, sqlite3_column_text(s, 0));
		copy_text(col, 32, sqlite3_column_text(s, 1));
		*other = sqlite3_column_int64(s, 2);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(m, "comparing inputs");
	return BW_OK;
}

/* No conflict of table `which` between `sa` and `table`; who_s, who_m name them
 * (NULL: the input the staged row came from). */
static int compare(struct mg *m, int which, const char *sa, const char *table, const char *who_s, const char *who_m)
{
	char key[17], col[32];
	int64_t other;
	const struct cmp *c = &m->cmp[which];
	CHECK(find_conflict(m, c, sa, table, key, col, &other));
	if (!key[0])
		return BW_OK;
	if (!who_m)
		who_m = other >= 0 && m->paths ? m->paths[other] : "another shard";
	if (!who_s)
		who_s = other >= 0 && m->paths ? m->paths[other] : "a shard";
	return conflict(m, c, sa, table, key, col, who_s, who_m);
}

static int note_label(struct mg *m, const char *name, const char *hash, const char *shard)
{
	int i, n, used = 0;
	if (!shard || sscanf(shard, "%d/%d%n", &i, &n, &used) != 2 || shard[used] || n < 2 || i < 0 || i >= n ||
	    n > 10000000)
		return BW_OK; /* not a shard label: nothing to account for */
	struct label *l = NULL;
	for (size_t k = 0; k < m->nlabels; k++)
		if (m->labels[k].count == n && !strcmp(m->labels[k].name, name ? name : "") &&
		    !strcmp(m->labels[k].hash, hash ? hash : ""))
			l = &m->labels[k];
	if (!l) {
		struct label *nl = realloc(m->labels, (m->nlabels + 1) * sizeof *nl);
		if (!nl)
			return RAISE(BW_ENOMEM, "out of memory");
		m->labels = nl;
		l = &m->labels[m->nlabels];
		memset(l, 0, sizeof *l);
		snprintf(l->name, sizeof l->name, "%s", name ? name : "");
		snprintf(l->hash, sizeof l->hash, "%s", hash ? hash : "");
		l->count = n;
		if (!(l->seen = calloc((size_t)n, 1)))
			return RAISE(BW_ENOMEM, "out of memory");
		m->nlabels++;
	}
	l->seen[i] = 1;
	return BW_OK;
}

/* Counts, completeness and shard labels of the attached shard `src`. */
static int summarize(struct mg *m, struct bw_merge_shard *sh)
{
	sqlite3_stmt *s;
	int rc;
	CHECK(prep(m,
		   "SELECT (SELECT count(*) FROM src.sweeps), (SELECT count(*) FROM src.tasks),"
		   " (SELECT count(*) FROM src.outcomes), (SELECT count(DISTINCT key) FROM src.sweep_tasks),"
		   " (SELECT count(*) FROM (SELECT DISTINCT key FROM src.sweep_tasks) AS p"
		   "   WHERE NOT EXISTS (SELECT 1 FROM src.outcomes AS o WHERE o.key = p.key)),"
		   " (SELECT count(*) FROM src.sweeps WHERE state = 'done')",
		   &s));
	int64_t done_runs = 0;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sh->sweeps = sqlite3_column_int64(s, 0);
		sh->tasks = sqlite3_column_int64(s, 1);
		sh->outcomes = sqlite3_column_int64(s, 2);
		sh->planned = sqlite3_column_int64(s, 3);
		sh->pending = sqlite3_column_int64(s, 4);
		done_runs = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_error(m, "counting a shard's rows");

	CHECK(prep(m, "SELECT id, state, shard, name FROM src.sweeps ORDER BY id DESC LIMIT 1", &s));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sh->latest_id = sqlite3_column_int64(s, 0);
		copy_text(sh->latest_state, sizeof sh->latest_state, sqlite3_column_text(s, 1));
		copy_text(sh->label, sizeof sh->label, sqlite3_column_text(s, 2));
		copy_text(sh->name, sizeof sh->name, sqlite3_column_text(s, 3));
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(m, "reading a shard's sweeps");
	/* complete: nothing planned is pending, and some run got to its end
	 * (adaptive searches plan their probes as they go: only a finished run
	 * says they are done) */
	sh->state = (sh->pending > 0 || done_runs == 0) ? BW_SHARD_PARTIAL : BW_SHARD_COMPLETE;

	CHECK(prep(m, "SELECT DISTINCT name, spec_hash, shard FROM src.sweeps WHERE shard IS NOT NULL", &s));
	rc = BW_OK;
	int st;
	while (rc == BW_OK && (st = sqlite3_step(s)) == SQLITE_ROW)
		rc = note_label(m, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
				(const char *)sqlite3_column_text(s, 2));
	if (rc == BW_OK && st != SQLITE_DONE)
		rc = db_error(m, "reading a shard's labels");
	sqlite3_finalize(s);
	return rc;
}

/* The tasks of the attached input `alias` as this version has them: its
 * table, or for a file made before the schema's newer columns (check.h) a
 * view of this connection's temp schema that shows them as this version
 * would (bw_schema_old_select; the input is not written).  name:
 * "src.tasks" or "temp.src_tasks". */
static int input_tasks(struct mg *m, const char *alias, char *name, size_t len)
{
	char drop[64], *select = NULL;
	snprintf(drop, sizeof drop, "DROP VIEW IF EXISTS temp.%s_tasks", alias);
	CHECK(exec(m, drop, "dropping a view of an input"));
	if (bw_schema_old_select(m->db, alias, "tasks", &select) != SQLITE_OK)
		return db_error(m, "reading the columns of an input");
	snprintf(name, len, select ? "temp.%s_tasks" : "%s.tasks", alias);
	if (!select)
		return BW_OK;
	char *sql = sqlite3_mprintf("CREATE TEMP VIEW \"%w_tasks\" AS %s", alias, select);
	sqlite3_free(select);
	int rc = sql ? exec(m, sql, "reading an input made before the schema's newer columns")
		     : RAISE(BW_ENOMEM, "out of memory");
	sqlite3_free(sql);
	return rc;
}

/* Copies the attached shard `src` (input number idx, its tasks `tasks`) into the stage. */
static int stage_shard(struct mg *m, int64_t idx, const char *tasks, const char *source_file, const char *traj_prefix)
{
	sqlite3_stmt *s;
	char sql[1024];
	CHECK(prep(m,
		   "INSERT INTO main.stage_sweeps(src, source_id, source_file, " SWEEP_LIST ")"
		   " SELECT ?1, id, ?2, " SWEEP_LIST " FROM src.sweeps ORDER BY id",
		   &s));
	sqlite3_bind_int64(s, 1, idx);
	sqlite3_bind_text(s, 2, source_file, -1, SQLITE_TRANSIENT);
	CHECK(run(m, s, "staging sweeps"));

	snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO main.stage_tasks(" TASK_LIST ", src) SELECT " TASK_LIST ", ?1 FROM %s",
		 tasks);
	CHECK(prep(m, sql, &s));
	sqlite3_bind_int64(s, 1, idx);
	CHECK(run(m, s, "staging tasks"));

	CHECK(prep(m,
		   "INSERT OR IGNORE INTO main.stage_sweep_tasks(sid, key) SELECT ss.sid, st.key FROM src.sweep_tasks AS st"
		   " JOIN main.stage_sweeps AS ss ON ss.src = ?1 AND ss.source_id = st.sweep_id",
		   &s));
	sqlite3_bind_int64(s, 1, idx);
	CHECK(run(m, s, "staging sweep_tasks"));

	CHECK(prep(m,
		   "INSERT OR IGNORE INTO main.stage_outcomes(key, " CMP_LIST
		   ", wall_s, rank, sid, traj_file, traj_row, finished_at, src)"
		   " SELECT o.key, " CMP_LIST_O ", o.wall_s, o.rank, ss.sid,"
		   " CASE WHEN o.traj_file IS NULL OR substr(o.traj_file, 1, 1) = '/' THEN o.traj_file"
		   " ELSE ?2 || o.traj_file END, o.traj_row, o.finished_at, ?1"
		   " FROM src.outcomes AS o LEFT JOIN main.stage_sweeps AS ss ON ss.src = ?1 AND ss.source_id = o.sweep_id",
		   &s));
	sqlite3_bind_int64(s, 1, idx);
	sqlite3_bind_text(s, 2, traj_prefix, -1, SQLITE_TRANSIENT);
	return run(m, s, "staging outcomes");
}

static int read_shard(struct mg *m, const char *const *paths, size_t idx, struct bw_merge_shard *sh)
{
	const char *path = paths[idx];
	char dir[PATH_MAX], prefix[PATH_MAX], source[PATH_MAX + 256];
	CHECK(bw_mf_dir_of(path, dir));
	CHECK(bw_mf_relative_dir(m->out_dir, dir, prefix, sizeof prefix));
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	snprintf(source, sizeof source, "%s%s", prefix, basename(copy));

	CHECK(attach(m, path, "ro", "src"));
	/* one read transaction: the shard may still be written by its element */
	int rc = exec(m, "BEGIN", "beginning to read a shard");
	char tasks[32];
	if (rc == BW_OK)
		rc = check_catalog(m, "src", path, 1);
	if (rc == BW_OK)
		rc = input_tasks(m, "src", tasks, sizeof tasks);
	if (rc == BW_OK)
		rc = summarize(m, sh);
	if (rc == BW_OK)
		rc = compare(m, CMP_TASKS, tasks, "main.out_tasks", path, m->out);
	if (rc == BW_OK)
		rc = compare(m, CMP_TASKS, tasks, "main.stage_tasks", path, NULL);
	if (rc == BW_OK)
		rc = compare(m, CMP_OUTCOMES, "src.outcomes", "main.out_outcomes", path, m->out);
	if (rc == BW_OK)
		rc = compare(m, CMP_OUTCOMES, "src.outcomes", "main.stage_outcomes", path, NULL);
	if (rc == BW_OK)
		rc = stage_shard(m, (int64_t)idx, tasks, source, prefix);
	if (rc == BW_OK)
		rc = exec(m, "COMMIT", "staging a shard");
	bw_sql_rollback_quietly(m->db);
	detach(m, "src");
	return rc;
}

/* The tasks and outcomes OUT holds already, for the conflict checks (in
 * one read transaction).  Attached read-write but only read: a WAL
 * catalog's -wal/-shm files, which any reader creates, are then removed
 * again when it is detached (a read-only connection would leave them). */
static int read_out(struct mg *m)
{
	sqlite3_stmt *s;
	CHECK(attach(m, m->out, "rw", "cur"));
	int rc = exec(m, "BEGIN", "beginning to read OUT");
	char tasks[32], sql[512];
	if (rc == BW_OK)
		rc = check_catalog(m, "cur", m->out, 0);
	if (rc == BW_OK)
		rc = input_tasks(m, "cur", tasks, sizeof tasks);
	if (rc == BW_OK && (rc = prep(m, "INSERT INTO main.out_outcomes(key, " CMP_LIST ") SELECT key, " CMP_LIST
				  " FROM cur.outcomes", &s)) == BW_OK)
		rc = run(m, s, "reading the outcomes of OUT");
	snprintf(sql, sizeof sql, "INSERT INTO main.out_tasks(" TASK_LIST ") SELECT " TASK_LIST " FROM %s", tasks);
	if (rc == BW_OK && (rc = prep(m, sql, &s)) == BW_OK)
		rc = run(m, s, "reading the tasks of OUT");
	if (rc == BW_OK)
		rc = exec(m, "COMMIT", "reading OUT");
	bw_sql_rollback_quietly(m->db);
	detach(m, "cur");
	return rc;
}

/* ---- writing OUT -------------------------------------------------------------- */

/* Resets s, binds ?1 = sid and, where s has a ?2, ?2 = id, and runs it (no rows). */
static int step_ids(struct mg *m, sqlite3_stmt *s, int64_t sid, int64_t id, const char *what)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, sid);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, id);
	return sqlite3_step(s) == SQLITE_DONE ? BW_OK : db_error(m, what);
}

static int write_sweeps(struct mg *m, struct bw_merge_report *rep, const char *now)
{
	enum { LIST, FIND, UPD, INS, SRC, MAP, NSTMT };
	static const char *const sql[NSTMT] = {
		[LIST] = "SELECT sid FROM main.stage_sweeps ORDER BY sid",
		[FIND] = "SELECT s.id, s.state IS NOT t.state OR s.ended_at IS NOT t.ended_at FROM main.stage_sweeps AS t"
			 " JOIN out.sweep_sources AS ss ON ss.source_id = t.source_id"
			 " JOIN out.sweeps AS s ON s.id = ss.sweep_id AND s.name IS t.name AND s.started_at IS t.started_at"
			 "  AND s.spec_hash IS t.spec_hash AND s.shard IS t.shard AND s.host IS t.host"
			 " WHERE t.sid = ?1 ORDER BY s.id LIMIT 1",
		[UPD] = "UPDATE out.sweeps SET (state, ended_at) = (SELECT state, ended_at FROM main.stage_sweeps"
			" WHERE sid = ?1) WHERE id = ?2",
		[INS] = "INSERT INTO out.sweeps(" SWEEP_LIST ") SELECT " SWEEP_LIST " FROM main.stage_sweeps WHERE sid = ?1",
		[SRC] = "INSERT INTO out.sweep_sources(sweep_id, source_file, source_id, merged_at)"
			" SELECT ?2, source_file, source_id, ?3 FROM main.stage_sweeps WHERE sid = ?1",
		[MAP] = "UPDATE main.stage_sweeps SET out_id = ?2 WHERE sid = ?1",
	};
	sqlite3_stmt *stmt[NSTMT] = {0};
	int rc = BW_OK, st = SQLITE_DONE;
	for (int i = 0; i < NSTMT && rc == BW_OK; i++)
		rc = prep(m, sql[i], &stmt[i]);
	if (rc == BW_OK)
		sqlite3_bind_text(stmt[SRC], 3, now, -1, SQLITE_TRANSIENT); /* kept across resets */
	sqlite3_stmt *list = stmt[LIST], *find = stmt[FIND], *upd = stmt[UPD], *ins = stmt[INS], *src = stmt[SRC],
		     *map = stmt[MAP];
	while (rc == BW_OK && (st = sqlite3_step(list)) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(list, 0), id = 0;
		int changed = 0;
		sqlite3_reset(find);
		sqlite3_bind_int64(find, 1, sid);
		if ((st = sqlite3_step(find)) == SQLITE_ROW) {
			id = sqlite3_column_int64(find, 0);
			changed = sqlite3_column_int(find, 1);
		} else if (st != SQLITE_DONE) {
			rc = db_error(m, "looking up a merged sweep");
			break;
		}
		sqlite3_reset(find);
		if (id && changed) {
			if ((rc = step_ids(m, upd, sid, id, "updating a sweep's state")) != BW_OK)
				break;
			rep->sweeps_updated++;
		} else if (!id) {
			if ((rc = step_ids(m, ins, sid, 0, "inserting a sweep")) != BW_OK)
				break;
			id = sqlite3_last_insert_rowid(m->db);
			if ((rc = step_ids(m, src, sid, id, "recording a sweep's source")) != BW_OK)
				break;
			rep->sweeps_added++;
		}
		if ((rc = step_ids(m, map, sid, id, "mapping a sweep id")) != BW_OK)
			break;
	}
	if (rc == BW_OK && st != SQLITE_DONE)
		rc = db_error(m, "listing staged sweeps");
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(stmt[i]);
	return rc;
}

static int write_out(struct mg *m, struct bw_merge_report *rep)
{
	sqlite3_stmt *s;
	char now[32];
	int rc;
	bw_sql_utc_now(now);
	rep->sweeps_added = rep->sweeps_updated = rep->tasks_added = rep->outcomes_added = 0;
	for (size_t i = 0; i < rep->nshards; i++)
		rep->shards[i].added = 0;
	CHECK(exec(m, "PRAGMA foreign_keys=ON", "enabling foreign keys"));
	CHECK(exec(m, "BEGIN IMMEDIATE", "beginning the merge transaction"));
	rc = exec(m,
		  bw_schema_sweep_sources,
		  "creating table sweep_sources");
	int changed; /* an OUT made before the schema's newer columns gains them (check.h) */
	if (rc == BW_OK && bw_schema_add_columns(m->db, "out", &changed) != SQLITE_OK)
		rc = db_error(m, "adding the schema's newer columns to OUT");
	/* again under the write lock: another merge may have written OUT meanwhile */
	if (rc == BW_OK)
		rc = compare(m, CMP_TASKS, "main.stage_tasks", "out.tasks", NULL, m->out);
	if (rc == BW_OK)
		rc = compare(m, CMP_OUTCOMES, "main.stage_outcomes", "out.outcomes", NULL, m->out);
	if (rc == BW_OK)
		rc = prep(m,
			  "SELECT src, count(*) FROM main.stage_outcomes AS o"
			  " WHERE NOT EXISTS (SELECT 1 FROM out.outcomes AS x WHERE x.key = o.key) GROUP BY src",
			  &s);
	if (rc == BW_OK) {
		int st;
		while ((st = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t i = sqlite3_column_int64(s, 0);
			if (i >= 0 && (size_t)i < rep->nshards)
				rep->shards[i].added = sqlite3_column_int64(s, 1);
		}
		if (st != SQLITE_DONE)
			rc = db_error(m, "counting new outcomes");
		sqlite3_finalize(s);
	}
	if (rc == BW_OK)
		rc = write_sweeps(m, rep, now);
	if (rc == BW_OK && (rc = prep(m, "INSERT OR IGNORE INTO out.tasks(" TASK_LIST ") SELECT " TASK_LIST
				  " FROM main.stage_tasks ORDER BY key", &s)) == BW_OK &&
	    (rc = run(m, s, "inserting tasks")) == BW_OK)
		rep->tasks_added = sqlite3_changes(m->db);
	if (rc == BW_OK && (rc = prep(m,
				      "INSERT OR IGNORE INTO out.sweep_tasks(sweep_id, key) SELECT s.out_id, t.key"
				      " FROM main.stage_sweep_tasks AS t JOIN main.stage_sweeps AS s ON s.sid = t.sid",
				      &s)) == BW_OK)
		rc = run(m, s, "inserting sweep_tasks");
	if (rc == BW_OK &&
	    (rc = prep(m,
		       "INSERT OR IGNORE INTO out.outcomes(key, " CMP_LIST
		       ", wall_s, rank, sweep_id, traj_file, traj_row, finished_at)"
		       " SELECT o.key, " CMP_LIST_O ", o.wall_s, o.rank, s.out_id, o.traj_file, o.traj_row, o.finished_at"
		       " FROM main.stage_outcomes AS o LEFT JOIN main.stage_sweeps AS s ON s.sid = o.sid ORDER BY o.key",
		       &s)) == BW_OK &&
	    (rc = run(m, s, "inserting outcomes")) == BW_OK)
		rep->outcomes_added = sqlite3_changes(m->db);
	if (rc == BW_OK)
		rc = exec(m, "COMMIT", "committing the merge");
	bw_sql_rollback_quietly(m->db);
	if (rc == BW_OK && (rc = prep(m, "SELECT count(*) FROM out.outcomes", &s)) == BW_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			rep->outcomes_total = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return rc;
}

/* ---- a new OUT: built beside it, put in place whole --------------------------- */

/* OUT does not exist: the merge goes into a temporary catalog beside it
 * (rollback journal, so that all of it is in the one file when it is
 * closed), which then gets OUT's journal mode (WAL, as bw_catalog_open makes
 * it) and is renamed to OUT without replacing anything.  A failure or a kill
 * leaves no OUT; *raced when another merge made OUT meanwhile. */
static int write_new(struct mg *m, struct bw_merge_report *rep, int *raced)
{
	char tmp[PATH_MAX], side[PATH_MAX + 16];
	struct bw_catalog *cat = NULL;
	struct stat st;
	*raced = 0;
	CHECK(bw_mf_temp_prefix(m->out, tmp, sizeof tmp));
	snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp), "%ld", (long)getpid());
	bw_mf_temp_remove(tmp); /* a leftover of this process id: not a live merge's */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644); /* the mode SQLite gives a new file */
	if (fd < 0)
		return RAISE(BW_EIO, "merge into '%s': creating '%s': %s", m->out, tmp, strerror(errno));
	close(fd);
	int rc = bw_catalog_open(tmp, BW_CATALOG_ROLLBACK_JOURNAL, &cat);
	bw_catalog_close(cat);
	cat = NULL;
	if (rc != BW_OK)
		bw_error_context(rc, "merge into '%s'", m->out);
	else if ((rc = attach(m, tmp, "rw", "out")) == BW_OK) {
		rc = write_out(m, rep);
		detach(m, "out");
	}
	if (rc == BW_OK && (rc = bw_catalog_open(tmp, 0, &cat)) != BW_OK)
		bw_error_context(rc, "merge into '%s'", m->out);
	bw_catalog_close(cat);
	static const char *const sides[] = {"-journal", "-wal"};
	for (size_t i = 0; rc == BW_OK && i < 2; i++) {
		snprintf(side, sizeof side, "%s%s", tmp, sides[i]);
		if (stat(side, &st) == 0 && st.st_size > 0)
			rc = RAISE(BW_ESTORE, "merge into '%s': '%s' was left behind: not all of the merge is in '%s'",
				   m->out, side, tmp);
	}
	if (rc == BW_OK)
		rc = bw_mf_sync_path(tmp, 0);
	if (rc == BW_OK)
		rc = bw_mf_put_in_place(tmp, m->out, raced);
	if (rc == BW_OK && !*raced)
		rc = bw_mf_sync_path(m->out_dir, 1);
	bw_mf_temp_remove(tmp); /* after a failure, or a race; else what is left is its empty side files, if any */
	return rc;
}

/* ---- the whole merge ---------------------------------------------------------- */

static void absent_list(struct mg *m, struct bw_merge_report *rep)
{
	size_t used = 0;
	rep->absent[0] = 0;
	for (size_t k = 0; k < m->nlabels; k++)
		for (int i = 0; i < m->labels[k].count; i++) {
			if (m->labels[k].seen[i])
				continue;
			rep->complete = 0;
			if (used + 80 >= sizeof rep->absent) {
				if (used + 4 < sizeof rep->absent)
					used += (size_t)snprintf(rep->absent + used, sizeof rep->absent - used, ", ...");
				return;
			}
			used += (size_t)snprintf(rep->absent + used, sizeof rep->absent - used, "%s%.40s %d/%d",
						 used ? ", " : "", m->labels[k].name, i, m->labels[k].count);
		}
}

int bw_merge(const char *out, const char *const *shards, size_t nshards, struct bw_merge_report *rep)
{
	struct mg m;
	struct stat out_st, st;
	int rc = BW_OK, out_exists;
	memset(rep, 0, sizeof *rep);
	memset(&m, 0, sizeof m);
	if (!out || !*out)
		return RAISE(BW_EINVAL, "no output catalog given");
	if (!nshards)
		return RAISE(BW_EINVAL, "no shard catalogs given");
	m.out = out;
	m.paths = shards;
	rep->nshards = nshards;
	rep->shards = calloc(nshards, sizeof *rep->shards);
	if (!rep->shards)
		return RAISE(BW_ENOMEM, "out of memory");
	rep->complete = 1;
	CHECK(bw_mf_dir_of(out, m.out_dir));
	if (access(m.out_dir, W_OK | X_OK) != 0)
		return RAISE(BW_EINVAL, "cannot write to the directory '%s' of the output catalog '%s': %s", m.out_dir, out,
			     strerror(errno));
	out_exists = stat(out, &out_st) == 0;
	if (!out_exists && lstat(out, &st) == 0)
		return RAISE(BW_EINVAL, "the output catalog '%s' is a dangling symbolic link", out);
	if (out_exists && !S_ISREG(out_st.st_mode))
		return RAISE(BW_EINVAL, "the output catalog '%s' is not a regular file", out);
	if (out_exists && access(out, R_OK | W_OK) != 0)
		return RAISE(BW_EINVAL, "cannot write the output catalog '%s': %s", out, strerror(errno));

	size_t present = 0;
	for (size_t i = 0; i < nshards; i++) {
		rep->shards[i].path = shards[i];
		if (stat(shards[i], &st) != 0) {
			if (errno != ENOENT)
				return RAISE(BW_EIO, "shard '%s': %s", shards[i], strerror(errno));
			rep->shards[i].state = BW_SHARD_MISSING;
			rep->complete = 0;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			return RAISE(BW_EINVAL, "shard '%s' is not a regular file", shards[i]);
		if (out_exists && bw_mf_same_file(&st, &out_st))
			return RAISE(BW_EINVAL, "shard '%s' is the output catalog '%s' itself", shards[i], out);
		present++;
	}
	if (!present)
		return RAISE(BW_EINVAL, "none of the %zu shard catalog%s exists (first: '%s'); nothing to merge", nshards,
			     nshards == 1 ? "" : "s", shards[0]);

	/* "": a private temporary database on disk, deleted when closed */
	if ((rc = bw_sql_open("", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, &m.db)) != SQLITE_OK) {
		rc = m.db && rc != SQLITE_NOMEM ? db_error(&m, "opening a temporary database") : RAISE(BW_ENOMEM, "out of memory");
		goto done;
	}
	build_diff(&m.cmp[CMP_OUTCOMES], outcome_cols, "outcomes",
		   "the runs were not deterministic (different code or libraries?)");
	build_diff(&m.cmp[CMP_TASKS], task_cols, "parameters",
		   "a task row was changed after it was planned (its key is a hash of them) or the file is damaged");
	if ((rc = exec(&m, bw_schema_merge_stage, "creating the stage")) != BW_OK)
		goto done;

	/* phase 1: read and check everything; OUT is not touched */
	if (out_exists && (rc = read_out(&m)) != BW_OK)
		goto done;
	for (size_t i = 0; i < nshards; i++) {
		if (rep->shards[i].state == BW_SHARD_MISSING)
			continue;
		if ((rc = read_shard(&m, shards, i, &rep->shards[i])) != BW_OK)
			goto done;
		if (rep->shards[i].state != BW_SHARD_COMPLETE)
			rep->complete = 0;
	}
	absent_list(&m, rep);

	/* phase 2: one transaction into OUT (into a new file put in place whole when OUT is new) */
	bw_mf_temp_sweep(m.out, m.out_dir);
	if (!out_exists) {
		int raced;
		if ((rc = write_new(&m, rep, &raced)) != BW_OK || !raced)
			goto done;
		/* another merge made OUT meanwhile: into it, as into any existing OUT */
		if ((rc = read_out(&m)) != BW_OK)
			goto done;
	}
	if ((rc = attach(&m, out, "rw", "out")) != BW_OK)
		goto done;
	rc = write_out(&m, rep);
	detach(&m, "out");
done:
	if (m.db)
		sqlite3_close_v2(m.db);
	for (size_t k = 0; k < m.nlabels; k++)
		free(m.labels[k].seen);
	free(m.labels);
	return rc;
}

void bw_merge_report_release(struct bw_merge_report *rep)
{
	if (!rep)
		return;
	free(rep->shards);
	rep->shards = NULL;
	rep->nshards = 0;
}
