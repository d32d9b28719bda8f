/* schema.c - the catalog's schema, version 1: the one place that creates its
 * tables and views (schema.h; the column lists of the statements that fill
 * them are in schema.h and checked against this text by tests/storage/test_schema). */
#include "check.h"
#include "schema.h"
#include "biasweep/catalog.h"
#include "biasweep/dynamics.h"
#include "biasweep/query.h"
#include "sql.h"

#include <sqlite3.h>
#include <stddef.h>
#include <string.h>

/* The columns that make an n*-cell (the grouping of bw_query_cells). */
#define CELL "algorithm, design, wstar, d, kappa, alpha, eta, eta_scale, schedule, sigma, batch, eps"

/* The derived views (docs/catalog.md documents each column).  They hold no
 * data: every opener makes them current (bw_schema_views), so a catalog
 * made by an older biasweep reads with this version's definitions.
 *
 * success_rates, seed_thresholds and sample_complexity compute exactly what
 * `biasweep curve` does (src/sweep/nstar.c with imputation, nstar.h): a
 * seed's threshold is the smallest of its n from which every larger n it
 * ran succeeded (all outcomes at one n); the rate at a grid n of the cell
 * counts every seed, its own outcomes where it ran n and else one imputed
 * outcome (success iff n >= its threshold); n* is the linear interpolation
 * at the first crossing of 1/2, in the same floating-point operations. */
#define PROBE_RATES_VIEW                                                                                      \
	"AS SELECT\n  " CELL ", n,\n"                                                                          \
	"  count(*) AS probes, sum(success) AS successes, avg(success) AS rate,\n"                             \
	"  avg(test_error) AS mean_test_error\n"                                                               \
	"  FROM results GROUP BY " CELL ", n"

#define SEED_THRESHOLDS_VIEW                                                                                  \
	"AS WITH own AS (SELECT dense_rank() OVER (ORDER BY " CELL ") AS cell, " CELL ", sweep_seed, seed, noise_seed, n,\n" \
	"    count(*) AS outcomes, min(success) AS all_ok, max(success) AS any_ok\n"                           \
	"    FROM results GROUP BY " CELL ", sweep_seed, seed, noise_seed, n),\n"                                          \
	"  marked AS (SELECT *, max(CASE WHEN all_ok = 0 THEN n END)\n"                                        \
	"    OVER (PARTITION BY cell, sweep_seed, seed, noise_seed) AS last_failure FROM own),\n"                          \
	"  per AS (SELECT cell, " CELL ", sweep_seed, seed, noise_seed, sum(outcomes) AS probes, min(n) AS n_min,\n"        \
	"    max(n) AS n_max, max(last_failure) AS last_failure,\n"                                            \
	"    min(CASE WHEN all_ok = 1 AND (last_failure IS NULL OR n > last_failure) THEN n END) AS threshold,\n" \
	"    min(CASE WHEN any_ok = 1 THEN n END) AS first_success\n"                                          \
	"    FROM marked GROUP BY cell, sweep_seed, seed, noise_seed)\n"                                                   \
	"  SELECT cell, " CELL ", sweep_seed, seed, noise_seed, probes, n_min, n_max, threshold,\n"                        \
	"    threshold IS NOT NULL AS resolved, last_failure, first_success IS threshold AS monotone\n"        \
	"  FROM per"

#define SUCCESS_RATES_VIEW                                                                                    \
	"AS WITH own AS (SELECT dense_rank() OVER (ORDER BY " CELL ") AS cell, " CELL ", sweep_seed, seed, noise_seed, n,\n" \
	"    success FROM results),\n"                                                                         \
	"  grid AS (SELECT DISTINCT cell, " CELL ", n FROM own),\n"                                            \
	"  ran AS (SELECT cell, sweep_seed, seed, noise_seed, n, count(*) AS outcomes, sum(success) AS successes\n"         \
	"    FROM own GROUP BY cell, sweep_seed, seed, noise_seed, n),\n"                                                  \
	"  filled AS (SELECT g.*, coalesce(r.outcomes, 0) AS ran, r.outcomes IS NULL AS imputed,\n"            \
	"    coalesce(r.successes, s.threshold IS NOT NULL AND g.n >= s.threshold) AS successes\n"             \
	"    FROM grid AS g JOIN seed_thresholds AS s ON s.cell = g.cell\n"                                    \
	"    LEFT JOIN ran AS r ON r.cell = g.cell AND r.sweep_seed IS s.sweep_seed AND r.seed IS s.seed\n"                              \
	"      AND r.noise_seed IS s.noise_seed\n"    \
	"      AND r.n = g.n)\n"                                                                               \
	"  SELECT cell, " CELL ", n, sum(ran) AS ran, sum(imputed) AS imputed, sum(successes) AS successes,\n" \
	"    CAST(sum(successes) AS REAL) / (sum(ran) + sum(imputed)) AS rate\n"                               \
	"  FROM filled GROUP BY cell, n"

#define SAMPLE_COMPLEXITY_VIEW                                                                                \
	"AS WITH r AS (SELECT *, lag(n) OVER w AS n0, lag(rate) OVER w AS r0, row_number() OVER w AS j\n"      \
	"    FROM success_rates WINDOW w AS (PARTITION BY cell ORDER BY n)),\n"                                \
	"  c AS (SELECT cell, min(CASE WHEN rate >= 0.5 THEN j END) AS jc FROM r GROUP BY cell),\n"            \
	"  s AS (SELECT cell, count(*) AS seeds, sum(resolved) AS resolved, sum(probes) AS probes,\n"          \
	"    sum(NOT monotone) AS nonmonotone FROM seed_thresholds GROUP BY cell)\n"                           \
	"  SELECT r.cell, " CELL ", s.seeds, s.resolved, s.probes, s.nonmonotone, min(r.n) AS n_min,\n"        \
	"    max(r.n) AS n_max,\n"                                                                             \
	"    max(CASE WHEN r.j = c.jc THEN CASE WHEN r.j = 1 THEN CAST(r.n AS REAL)\n"                         \
	"      ELSE r.n0 + (0.5 - r.r0) / (r.rate - r.r0) * (r.n - r.n0) END END) AS nstar,\n"                 \
	"    CASE WHEN c.jc IS NULL THEN 'above_max' WHEN c.jc = 1 THEN 'at_min' ELSE 'inside' END AS censor\n" \
	"  FROM r JOIN c ON c.cell = r.cell JOIN s ON s.cell = r.cell GROUP BY r.cell"

/* In the order they read each other. */
#define DERIVED_VIEWS(V)                                                                                      \
	V(probe_rates, PROBE_RATES_VIEW)                                                                       \
	V(seed_thresholds, SEED_THRESHOLDS_VIEW)                                                               \
	V(success_rates, SUCCESS_RATES_VIEW) V(sample_complexity, SAMPLE_COMPLEXITY_VIEW)
#define VIEW_DDL(name, body) "CREATE VIEW " #name " " body ";\n"

/* The view on tasks and outcomes (read-write opens rebuild it in a file
 * whose tables gained a column: bw_schema_add_columns). */
#define RESULTS_VIEW_IN(P)                                                                                 \
	"CREATE VIEW " P "results AS SELECT\n"                                                           \
	"  t.key, t.algorithm, t.design, t.wstar, t.d, t.n, t.kappa, t.alpha, t.eta, t.eta_mode, t.eta_scale, t.sigma,\n" \
	"  t.batch, t.max_steps, t.max_time, t.eps, t.tol, t.project, t.sweep_seed, t.seed, t.checkpoints,\n" \
	"  t.noise_seed, t.schedule, t.cost,\n"                                                                                \
	"  o.status, o.train_loss, o.test_error, o.R, o.l1, o.support_recovered, o.success, o.steps, o.t,\n" \
	"  o.eta_used, o.loss_rate, o.alpha_inf, o.alpha_inf_pred, o.int_loss_dt, o.message, o.wall_s,\n" \
	"  o.rank, o.sweep_id, o.traj_file, o.traj_row, o.finished_at\n"                           \
	"  FROM tasks AS t JOIN outcomes AS o ON o.key = t.key;\n"

/* Version 1.  Created in one transaction by bw_catalog_open. */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
	"CREATE TABLE sweeps(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  spec_path TEXT,\n"
	"  spec_text TEXT,\n"
	"  spec_hash TEXT,\n"
	"  revision TEXT,\n"
	"  host TEXT,\n"
	"  ranks INTEGER,\n"
	"  libraries TEXT,\n"
	"  started_at TEXT NOT NULL,\n"
	"  ended_at TEXT,\n"
	"  state TEXT NOT NULL CHECK(state IN ('running', 'done', 'interrupted', 'failed')),\n"
	"  shard TEXT);\n"
	"CREATE TABLE tasks(\n"
	"  key TEXT PRIMARY KEY CHECK(length(key) = 16),\n"
	"  algorithm TEXT NOT NULL,\n"
	"  design TEXT NOT NULL,\n"
	"  wstar TEXT NOT NULL,\n"
	"  d INTEGER NOT NULL,\n"
	"  n INTEGER NOT NULL,\n"
	"  kappa INTEGER NOT NULL,\n"
	"  alpha REAL,\n"
	"  eta REAL,\n"
	"  sigma REAL,\n"
	"  batch INTEGER,\n"
	"  max_steps INTEGER,\n"
	"  max_time REAL,\n"
	"  eps REAL,\n"
	"  tol REAL,\n"
	"  project INTEGER,\n"
	"  sweep_seed INTEGER,\n"
	"  seed INTEGER,\n"
	"  eta_scale REAL,\n"
	"  checkpoints INTEGER,\n"
	"  noise_seed INTEGER,\n"
	"  eta_mode TEXT,\n"
	"  schedule TEXT,\n"
	"  cost REAL);\n"
	"CREATE TABLE sweep_tasks(\n"
	"  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),\n"
	"  key TEXT NOT NULL REFERENCES tasks(key),\n"
	"  PRIMARY KEY(sweep_id, key)) WITHOUT ROWID;\n"
	"CREATE TABLE outcomes(\n"
	"  key TEXT PRIMARY KEY REFERENCES tasks(key),\n"
	"  status TEXT NOT NULL,\n"
	"  train_loss REAL,\n"
	"  test_error REAL,\n"
	"  R REAL,\n"
	"  l1 REAL,\n"
	"  support_recovered INTEGER,\n"
	"  success INTEGER NOT NULL,\n"
	"  steps INTEGER,\n"
	"  t REAL,\n"
	"  eta_used REAL,\n"
	"  loss_rate REAL,\n"
	"  alpha_inf REAL,\n"
	"  alpha_inf_pred REAL,\n"
	"  int_loss_dt REAL,\n"
	"  message TEXT,\n"
	"  wall_s REAL,\n"
	"  rank INTEGER,\n"
	"  sweep_id INTEGER REFERENCES sweeps(id),\n"
	"  traj_file TEXT,\n"
	"  traj_row INTEGER,\n"
	"  finished_at TEXT NOT NULL);\n"
	"CREATE INDEX tasks_cell ON tasks(algorithm, design, wstar, d, kappa, n);\n"
	"CREATE INDEX outcomes_sweep ON outcomes(sweep_id);\n"
	"CREATE INDEX outcomes_status ON outcomes(status);\n"
	RESULTS_VIEW_IN("")

	DERIVED_VIEWS(VIEW_DDL);

#define VIEW_NAME(name, body) #name,
#define VIEW_BODY(name, body) body,
static const char *const derived_names[] = {DERIVED_VIEWS(VIEW_NAME) NULL};
static const char *const derived_bodies[] = {DERIVED_VIEWS(VIEW_BODY) NULL};

/* Columns added to tables after files were made (a file may lack them until a
 * read-write open adds them: bw_catalog_schema_added_columns). */
static const struct bw_schema_column added_columns[] = {
	{"tasks", "eta_scale", "REAL"},
	{"tasks", "checkpoints", "INTEGER"},
	{"tasks", "noise_seed", "INTEGER"},
	{"tasks", "eta_mode", "TEXT"}, /* after eta_scale: its value in older rows reads it (ETA_MODE_OLD) */
	{"tasks", "schedule", "TEXT"},
	{NULL, NULL, NULL},
};

const struct bw_schema_column *bw_catalog_schema_added_columns(void) { return added_columns; }

/* The derived views read results by name, so they need no rebuilding:
 * bw_schema_views makes them current on every open. */
#define REBUILD_VIEWS(P) "DROP VIEW IF EXISTS " P "results;\n" RESULTS_VIEW_IN(P)

/* A row made before tasks.eta_mode had eta 0 where the program chose the
 * step (automatic, or eta_scale x automatic) and NULL where the dynamics
 * takes none.  Its eta_mode, and its eta in this version's convention (NULL
 * unless given), from eta, eta_scale and whether its dynamics takes a step
 * (%s: step_dynamics); SQLite reads every right-hand side of an UPDATE from
 * the old row, so ETA_OLD sees the old eta. */
#define ETA_MODE_OLD                                                                                          \
	"CASE WHEN algorithm IN (%s) THEN CASE WHEN eta > 0 THEN '" BW_ETA_MODE_GIVEN "'"                     \
	" WHEN eta_scale > 0 THEN '" BW_ETA_MODE_SCALED "' ELSE '" BW_ETA_MODE_AUTOMATIC "' END END"
#define ETA_OLD "CASE WHEN algorithm IN (%s) AND NOT coalesce(eta > 0, 0) THEN NULL ELSE eta END"

/* 'gd', 'label_noise_sgd', ...: the names of the dynamics that take a step
 * (BW_USES_ETA), quoted for SQL (sqlite3_mprintf'd; NULL: out of memory). */
static char *step_dynamics(void)
{
	char *list = sqlite3_mprintf("NULL");
	for (size_t a = 0; list && a < BW_ALGO_COUNT; a++)
		if (bw_dynamics_table[a]->uses & BW_USES_ETA)
			list = sqlite3_mprintf("%z, %Q", list, bw_dynamics_table[a]->name);
	return list;
}

int bw_schema_add_columns(sqlite3 *db, const char *schema, int *changed)
{
	int rc = SQLITE_OK;
	*changed = 0;
	for (const struct bw_schema_column *c = added_columns; rc == SQLITE_OK && c->table; c++) {
		int has = bw_sql_has_column(db, schema, c->table, c->column);
		if (has < 0)
			return SQLITE_ERROR;
		if (has)
			continue;
		char *sql = sqlite3_mprintf("ALTER TABLE \"%w\".\"%w\" ADD COLUMN \"%w\" %s", schema, c->table, c->column,
					    c->type);
		if (sql && !strcmp(c->column, "eta_mode")) { /* the rows there: their eta_mode, eta NULL where it was 0 */
			char *steps = step_dynamics();
			char *both = steps ? sqlite3_mprintf("%s; UPDATE \"%w\".tasks SET eta_mode = " ETA_MODE_OLD
							     ", eta = " ETA_OLD, sql, schema, steps, steps)
					   : NULL;
			sqlite3_free(steps);
			sqlite3_free(sql);
			sql = both;
		}
		rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
		*changed = 1;
	}
	if (rc == SQLITE_OK && *changed) /* schema: "main" or merge's "out" (constants of the callers) */
		rc = sqlite3_exec(db, !strcmp(schema, "main") ? REBUILD_VIEWS("main.") : REBUILD_VIEWS("out."), NULL, NULL,
				  NULL);
	return rc;
}

int bw_schema_old_select(sqlite3 *db, const char *schema, const char *object, char **select)
{
	char *nulls = sqlite3_mprintf(""), *names = sqlite3_mprintf("");
	int missing = 0, old_eta = 0;
	*select = NULL;
	for (const struct bw_schema_column *c = added_columns; nulls && names && c->table; c++) {
		int has = bw_sql_has_column(db, schema, object, c->column);
		if (has < 0) {
			sqlite3_free(nulls);
			sqlite3_free(names);
			return SQLITE_ERROR;
		}
		missing |= !has;
		if (!has && !strcmp(c->column, "eta_mode")) {
			old_eta = 1;
		} else if (!has) {
			nulls = sqlite3_mprintf("%z, NULL AS \"%w\"", nulls, c->column);
			names = sqlite3_mprintf("%z, \"%w\"", names, c->column);
		}
	}
	int rc = nulls && names ? SQLITE_OK : SQLITE_NOMEM;
	char *inner = rc == SQLITE_OK && missing ? sqlite3_mprintf("SELECT *%s FROM \"%w\".\"%w\"", nulls, schema, object)
						 : NULL;
	if (rc == SQLITE_OK && missing && !inner)
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK && old_eta) { /* the object's own columns, eta as this version has it, then the others */
		char *steps = step_dynamics(), *sql = sqlite3_mprintf("SELECT ");
		sqlite3_stmt *s = NULL;
		char *info = sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", schema, object);
		rc = !steps || !sql || !info ? SQLITE_NOMEM : sqlite3_prepare_v2(db, info, -1, &s, NULL);
		for (int first = 1; rc == SQLITE_OK && sql && (rc = sqlite3_step(s)) == SQLITE_ROW; first = 0) {
			const char *name = (const char *)sqlite3_column_text(s, 1), *sep = first ? "" : ", ";
			sql = !name ? sql
			      : !strcmp(name, "eta") ? sqlite3_mprintf("%z%s" ETA_OLD " AS eta", sql, sep, steps)
						  : sqlite3_mprintf("%z%s\"%w\"", sql, sep, name);
			rc = sql ? SQLITE_OK : SQLITE_NOMEM;
		}
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(s);
		if (rc == SQLITE_OK && sql)
			sql = sqlite3_mprintf("%z%s, " ETA_MODE_OLD " AS eta_mode FROM (%s)", sql, names, steps, inner);
		if (rc == SQLITE_OK && !sql)
			rc = SQLITE_NOMEM;
		sqlite3_free(info);
		sqlite3_free(steps);
		sqlite3_free(inner);
		inner = NULL;
		if (rc == SQLITE_OK)
			inner = sql;
		else
			sqlite3_free(sql);
	}
	sqlite3_free(nulls);
	sqlite3_free(names);
	*select = inner;
	return rc;
}

const char *bw_catalog_schema(const char *const **derived)
{
	if (derived)
		*derived = derived_names;
	return schema_sql;
}

int bw_schema_views(sqlite3 *db, int temp, int *changed)
{
	int rc = SQLITE_OK;
	*changed = 0;
	for (size_t i = 0; derived_names[i] && rc == SQLITE_OK; i++) {
		char *want = sqlite3_mprintf("CREATE VIEW %s %s", derived_names[i], derived_bodies[i]), *sql = NULL;
		sqlite3_stmt *s = NULL;
		if (!want)
			return SQLITE_NOMEM;
		int same = 0;
		if (!temp) {
			rc = sqlite3_prepare_v2(db, "SELECT sql FROM main.sqlite_master WHERE type = 'view' AND name = ?1", -1,
						&s, NULL);
			if (rc == SQLITE_OK) {
				sqlite3_bind_text(s, 1, derived_names[i], -1, SQLITE_STATIC);
				if (sqlite3_step(s) == SQLITE_ROW) {
					const char *have = (const char *)sqlite3_column_text(s, 0);
					same = have && !strcmp(have, want);
				}
				rc = sqlite3_finalize(s);
			}
		}
		if (rc == SQLITE_OK && !same) {
			sql = temp ? sqlite3_mprintf("CREATE TEMP VIEW %s %s", derived_names[i], derived_bodies[i])
				   : sqlite3_mprintf("DROP VIEW IF EXISTS main.%s; %s", derived_names[i], want);
			rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
			*changed = 1;
		}
		sqlite3_free(sql);
		sqlite3_free(want);
	}
	return rc;
}

/* A merged catalog's record of where its sweeps came from (merge.c adds it
 * to OUT; bw_catalog_check allows it). */
const char bw_schema_sweep_sources[] =
	"CREATE TABLE IF NOT EXISTS out.sweep_sources(\n"
	"  sweep_id INTEGER PRIMARY KEY REFERENCES sweeps(id),\n"
	"  source_file TEXT NOT NULL,\n"
	"  source_id INTEGER NOT NULL,\n"
	"  merged_at TEXT NOT NULL)";

/* merge.c's stage: a private temporary database that holds every input's
 * rows (src: which input) before anything is written to OUT. */
const char bw_schema_merge_stage[] =
	"PRAGMA main.journal_mode=OFF;\n"
	"PRAGMA main.synchronous=OFF;\n"
	"CREATE TABLE stage_sweeps(sid INTEGER PRIMARY KEY, src INTEGER NOT NULL, source_id INTEGER NOT NULL,\n"
	"  source_file TEXT NOT NULL, out_id INTEGER,\n"
	"  " BW_SWEEP_COLUMNS(BW_COL_FIRST, BW_COL_NEXT) ");\n"
	"CREATE INDEX stage_sweeps_src ON stage_sweeps(src, source_id);\n"
	"CREATE TABLE stage_tasks(key TEXT PRIMARY KEY, " BW_TASK_PARAMS(BW_COL_FIRST, BW_COL_NEXT) ", cost,\n"
	"  src INTEGER NOT NULL);\n"
	"CREATE TABLE stage_sweep_tasks(sid INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY(sid, key))\n"
	"  WITHOUT ROWID;\n"
	"CREATE TABLE stage_outcomes(key TEXT PRIMARY KEY, " BW_OUTCOME_VALUES(BW_COL_FIRST, BW_COL_NEXT) ",\n"
	"  wall_s, rank, sid INTEGER, traj_file, traj_row, finished_at, src INTEGER NOT NULL);\n"
	"CREATE TABLE out_outcomes(key TEXT PRIMARY KEY, " BW_OUTCOME_VALUES(BW_COL_FIRST, BW_COL_NEXT) ");\n"
	"CREATE TABLE out_tasks(key TEXT PRIMARY KEY, " BW_TASK_PARAMS(BW_COL_FIRST, BW_COL_NEXT) ", cost);\n";

/* The meaning and unit of every column of the schema (query --list-columns,
 * docs/catalog.md; tests/answers/test_columns.py checks that every column of
 * every table and view has one).  A view's column without an entry of its
 * own is documented by the entry of that name in tasks, then outcomes. */
const struct bw_column_doc bw_column_docs[] = {
	{"meta", "key", "", "schema_version, application or catalog_id"},
	{"meta", "value", "", "its value: the schema version, 'biasweep', 16 random hex digits made with the catalog"},
	{"sweeps", "id", "", "the run's number in this catalog"},
	{"sweeps", "name", "", "the spec's name (or its file name without .cfg)"},
	{"sweeps", "spec_path", "", "the spec file as given"},
	{"sweeps", "spec_text", "", "the spec's whole text"},
	{"sweeps", "spec_hash", "", "hash of spec_text (16 hex digits; the trajectory file's spec_hash)"},
	{"sweeps", "revision", "", "git describe of the biasweep that ran it"},
	{"sweeps", "host", "", "the host of rank 0"},
	{"sweeps", "ranks", "", "MPI ranks"},
	{"sweeps", "libraries", "", "versions of Open MPI, HDF5, SQLite, GSL, libconfig, OpenBLAS"},
	{"sweeps", "started_at", "UTC", "when the run started (ISO 8601)"},
	{"sweeps", "ended_at", "UTC", "when it ended (ISO 8601); NULL while running"},
	{"sweeps", "state", "", "running, done, interrupted (a signal, or found dead by a later run) or failed"},
	{"sweeps", "shard", "", "I/N for a shard of a Slurm array, NULL otherwise"},
	{"tasks", "key", "", "16 hex digits: the hash of the task's canonical text"},
	{"tasks", "algorithm", "", "gd, label_noise_sgd, sgd, riemannian_flow or gaussian_noise_gd"},
	{"tasks", "design", "", "the design matrix: rademacher or gaussian"},
	{"tasks", "wstar", "", "the signal w*: signs or gaussian"},
	{"tasks", "d", "", "dimension"},
	{"tasks", "n", "samples", "number of samples"},
	{"tasks", "kappa", "", "sparsity of w* (nonzero coordinates)"},
	{"tasks", "alpha", "", "initialization scale, u = v = alpha"},
	{"tasks", "eta", "", "the step the spec gave; NULL where it did not (eta_mode: how the program chose it) "
			    "or the dynamics takes no step (riemannian_flow); the step used is outcomes.eta_used"},
	{"tasks", "eta_mode", "", "how the step was chosen: given (eta), scaled (eta_scale x the automatic step) or "
				 "automatic; NULL where the dynamics takes no step"},
	{"tasks", "eta_scale", "x automatic step", "the step as a multiple of the automatic step (eta_scale in the spec; eta_mode scaled); NULL where not used"},
	{"tasks", "sigma", "label units", "label-noise level (label_noise_sgd; NULL where not read)"},
	{"tasks", "batch", "samples", "mini-batch size (sgd; NULL where not read)"},
	{"tasks", "max_steps", "steps", "step budget, a cap: the spec's, or the dynamics' default where it sets neither budget; "
					"0 = no step cap (the spec set only time; not NULL, as in the key)"},
	{"tasks", "max_time", "simulated time", "time budget, a cap: the spec's, or the dynamics' default where it sets neither "
						"budget; 0 = no time cap (the spec set only steps; not NULL, as in the key)"},
	{"tasks", "eps", "relative", "success threshold on test_error"},
	{"tasks", "tol", "relative", "the dynamics' convergence tolerance"},
	{"tasks", "project", "", "label_noise_sgd: 1 when the last iterate is projected onto the zero-loss manifold"},
	{"tasks", "sweep_seed", "", "the spec's seed"},
	{"tasks", "seed", "", "the instance's seed index (instances are nested in n)"},
	{"tasks", "checkpoints", "per decade", "trajectory checkpoints per decade of steps (the flow: of its time); NULL in rows made before the column (10)"},
	{"tasks", "noise_seed", "", "the noise realization (noise_seeds; 0 = the stream of the instance and algorithm); NULL where the dynamics reads no noise"},
	{"tasks", "schedule", "", "the step schedule where it is not the constant step: sharpness (label_noise_sgd's step follows the sharpness); NULL = the constant step (every dynamics, and rows made before the column)"},
	{"tasks", "cost", "coordinate-updates", "the estimated work"},
	{"sweep_tasks", "sweep_id", "", "the run (sweeps.id)"},
	{"sweep_tasks", "key", "", "a task it planned (tasks.key)"},
	{"outcomes", "key", "", "the task (tasks.key)"},
	{"outcomes", "status", "", "converged, budget (the budget ended the run), diverged or failed"},
	{"outcomes", "train_loss", "label units^2", "L = (1/n) ||Z w - y||^2 at the end"},
	{"outcomes", "test_error", "relative", "||w - w*|| / ||w*||"},
	{"outcomes", "R", "", "tr Hess L at the end"},
	{"outcomes", "l1", "", "||w||_1"},
	{"outcomes", "support_recovered", "", "1 when the kappa largest |w_j| are exactly w*'s support"},
	{"outcomes", "success", "", "1 when test_error <= eps and the run did not diverge or fail"},
	{"outcomes", "steps", "steps", "steps taken"},
	{"outcomes", "t", "simulated time", "simulated time reached (docs/model.md: each dynamics' clock)"},
	{"outcomes", "eta_used", "", "the step actually used: tasks.eta, or the program's choice where that is NULL (tasks.eta_mode)"},
	{"outcomes", "loss_rate", "per step", "sgd: fitted slope of ln L per step"},
	{"outcomes", "alpha_inf", "alpha units", "sgd, gd: effective initialization at the end"},
	{"outcomes", "alpha_inf_pred", "alpha units", "sgd: Pesme et al.'s prediction of alpha_inf"},
	{"outcomes", "int_loss_dt", "label units^2 x time", "integral of L dt along the run (sgd, gd)"},
	{"outcomes", "message", "", "why a run diverged or failed; empty otherwise"},
	{"outcomes", "wall_s", "s", "wall-clock seconds of the dynamics"},
	{"outcomes", "rank", "", "the MPI rank that ran it"},
	{"outcomes", "sweep_id", "", "the run that committed it (sweeps.id)"},
	{"outcomes", "traj_file", "", "its trajectory file, relative to the catalog's directory"},
	{"outcomes", "traj_row", "", "its row in that file"},
	{"outcomes", "finished_at", "UTC", "when it finished (ISO 8601)"},
	{"sweep_sources", "sweep_id", "", "a merged catalog's sweep (sweeps.id)"},
	{"sweep_sources", "source_file", "", "the shard catalog it came from"},
	{"sweep_sources", "source_id", "", "its id there"},
	{"sweep_sources", "merged_at", "UTC", "when it was merged (ISO 8601)"},
	{"probe_rates", "probes", "", "outcomes that ran at this n (searched sweeps: bisection probes)"},
	{"probe_rates", "successes", "", "their successes"},
	{"probe_rates", "rate", "", "successes / probes"},
	{"probe_rates", "mean_test_error", "relative", "mean test_error of the probes"},
	{"seed_thresholds", "cell", "", "the cell's number (rank of its columns in sort order)"},
	{"seed_thresholds", "probes", "", "the seed's outcomes"},
	{"seed_thresholds", "n_min", "samples", "the smallest n the seed ran"},
	{"seed_thresholds", "n_max", "samples", "the largest n the seed ran"},
	{"seed_thresholds", "threshold", "samples",
	 "smallest n it ran from which every larger n it ran succeeded; NULL: it fails at its largest n"},
	{"seed_thresholds", "resolved", "", "1 when threshold is not NULL (inside the probed range)"},
	{"seed_thresholds", "last_failure", "samples", "the largest n at which it failed (NULL: none)"},
	{"seed_thresholds", "monotone", "", "1 when it fails at every n it ran below its threshold"},
	{"success_rates", "cell", "", "the cell's number (as seed_thresholds.cell)"},
	{"success_rates", "n", "samples", "a grid n of the cell (any n one of its seeds ran)"},
	{"success_rates", "ran", "", "outcomes that ran at this n"},
	{"success_rates", "imputed", "", "seeds that did not run n, counted from their threshold"},
	{"success_rates", "successes", "", "successes among ran and imputed"},
	{"success_rates", "rate", "", "successes / (ran + imputed): curve's rate"},
	{"sample_complexity", "cell", "", "the cell's number (as seed_thresholds.cell)"},
	{"sample_complexity", "seeds", "", "seeds of the cell"},
	{"sample_complexity", "resolved", "", "seeds with a threshold"},
	{"sample_complexity", "probes", "", "outcomes of the cell"},
	{"sample_complexity", "nonmonotone", "", "seeds that succeed somewhere below their threshold"},
	{"sample_complexity", "n_min", "samples", "the cell's smallest n"},
	{"sample_complexity", "n_max", "samples", "the cell's largest n"},
	{"sample_complexity", "nstar", "samples", "curve's n*: the interpolated first crossing of rate 1/2; NULL: above n_max"},
	{"sample_complexity", "censor", "", "inside, at_min (n* <= n_min) or above_max (n* > n_max)"},
	{NULL, NULL, NULL, NULL},
};

const struct bw_column_doc *bw_column_doc(const char *object, const char *column)
{
	static const char *const fallback[] = {"tasks", "outcomes"};
	for (const struct bw_column_doc *d = bw_column_docs; d->object; d++)
		if (!strcmp(d->object, object) && !strcmp(d->column, column))
			return d;
	for (size_t k = 0; k < sizeof fallback / sizeof *fallback; k++)
		for (const struct bw_column_doc *d = bw_column_docs; d->object; d++)
			if (!strcmp(d->object, fallback[k]) && !strcmp(d->column, column))
				return d;
	return NULL;
}
