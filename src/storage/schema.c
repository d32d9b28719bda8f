/* schema.c - the catalog's schema, version 1: the one place that creates its
 * tables and views (schema.h; the column lists of the statements that fill
 * them are in schema.h and checked against this text by tests/storage/test_schema). */
#include "check.h"
#include "schema.h"

#include <stddef.h>

/* The success rate of each n*-cell against n (n* itself is interpolated in
 * C: src/sweep/nstar.c).  Part of version 1; read-write opens add it to
 * files made before it existed. */
#define SAMPLE_COMPLEXITY_VIEW                                                                      \
	"CREATE VIEW IF NOT EXISTS sample_complexity AS SELECT\n"                                   \
	"  algorithm, design, wstar, d, kappa, alpha, eta, eta_scale, sigma, batch, eps, n,\n"      \
	"  count(*) AS tasks, count(DISTINCT sweep_seed || ':' || seed) AS seeds,\n"                \
	"  sum(success) AS successes, avg(success) AS rate, avg(success) >= 0.5 AS reached\n"       \
	"  FROM results GROUP BY algorithm, design, wstar, d, kappa, alpha, eta, eta_scale, sigma, batch, eps, n;\n"

/* The views on tasks and outcomes (read-write opens rebuild them in a file
 * whose tables gained a column: bw_catalog_schema_views). */
#define VIEWS                                                                                       \
	"CREATE VIEW results AS SELECT\n"                                                           \
	"  t.key, t.algorithm, t.design, t.wstar, t.d, t.n, t.kappa, t.alpha, t.eta, t.eta_scale, t.sigma,\n" \
	"  t.batch, t.max_steps, t.max_time, t.eps, t.tol, t.project, t.sweep_seed, t.seed, t.cost,\n" \
	"  o.status, o.train_loss, o.test_error, o.R, o.l1, o.support_recovered, o.success, o.steps, o.t,\n" \
	"  o.eta_used, o.loss_rate, o.alpha_inf, o.alpha_inf_pred, o.int_loss_dt, o.message, o.wall_s,\n" \
	"  o.rank, o.sweep_id, o.traj_file, o.traj_row, o.finished_at\n"                           \
	"  FROM tasks AS t JOIN outcomes AS o ON o.key = t.key;\n"                                  \
	"CREATE VIEW success_rates AS SELECT\n"                                                     \
	"  algorithm, design, wstar, d, kappa, alpha, eta, eta_scale, sigma, batch, eps, n,\n"      \
	"  count(*) AS tasks, sum(success) AS successes, avg(success) AS rate,\n"                   \
	"  avg(test_error) AS mean_test_error\n"                                                    \
	"  FROM results GROUP BY algorithm, design, wstar, d, kappa, alpha, eta, eta_scale, sigma, batch, eps, n;\n" \
	SAMPLE_COMPLEXITY_VIEW

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
	VIEWS;

const char bw_schema_sample_complexity_view[] = SAMPLE_COMPLEXITY_VIEW;

/* Objects of the schema that read-write opens add to files made before them. */
static const char *const added_later[] = {"sample_complexity", NULL};

/* Columns added to tables after files were made (a file may lack them until a
 * read-write open adds them: bw_catalog_schema_added_columns). */
static const struct bw_schema_column added_columns[] = {
	{"tasks", "eta_scale", "REAL"},
	{NULL, NULL, NULL},
};

const struct bw_schema_column *bw_catalog_schema_added_columns(void) { return added_columns; }

const char bw_catalog_schema_views[] =
	"DROP VIEW IF EXISTS sample_complexity;\n"
	"DROP VIEW IF EXISTS success_rates;\n"
	"DROP VIEW IF EXISTS results;\n" VIEWS;

const char *bw_catalog_schema(const char *const **added)
{
	if (added)
		*added = added_later;
	return schema_sql;
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
