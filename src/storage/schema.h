/* schema.h - the columns of the catalog's tables, one list each (internal to
 * src/storage).  The DDL is schema.c's (bw_catalog_schema in check.h); the
 * insert statements of catalog.c and the copy and comparison lists of
 * merge.c are built from the lists here, and tests/storage/test_schema
 * checks that they name exactly the columns of the DDL, in its order.
 *
 * Each list is an X-macro: F(column) for the first, X(column) for the others,
 * so that a list expands at compile time to SQL text or to C strings. */
#ifndef BIASWEEP_STORAGE_SCHEMA_H
#define BIASWEEP_STORAGE_SCHEMA_H

/* sweeps, after id */
#define BW_SWEEP_COLUMNS(F, X)                                                                                \
	F(name) X(spec_path) X(spec_text) X(spec_hash) X(revision) X(host) X(ranks) X(libraries) X(started_at) \
	X(ended_at) X(state) X(shard)

/* tasks, between key and cost: the parameters (the key is their hash) */
#define BW_TASK_PARAMS(F, X)                                                                                  \
	F(algorithm) X(design) X(wstar) X(d) X(n) X(kappa) X(alpha) X(eta) X(sigma) X(batch) X(max_steps)      \
	X(max_time) X(eps) X(tol) X(project) X(sweep_seed) X(seed) X(eta_scale) X(checkpoints) X(noise_seed) \
	X(eta_mode) X(schedule)

/* outcomes after key: the values of a run (equal in every copy of a key) ... */
#define BW_OUTCOME_VALUES(F, X)                                                                               \
	F(status) X(train_loss) X(test_error) X(R) X(l1) X(support_recovered) X(success) X(steps) X(t)         \
	X(eta_used) X(loss_rate) X(alpha_inf) X(alpha_inf_pred) X(int_loss_dt) X(message)
/* ... then its timing and placement */
#define BW_OUTCOME_PLACE(F, X) F(wall_s) X(rank) X(sweep_id) X(traj_file) X(traj_row) X(finished_at)

#define BW_COL_FIRST(c) #c
#define BW_COL_NEXT(c) ", " #c
#define BW_COL_O_FIRST(c) "o." #c
#define BW_COL_O_NEXT(c) ", o." #c
#define BW_COL_ITEM(c) #c,

/* every column of tasks, in order */
#define BW_TASK_LIST "key, " BW_TASK_PARAMS(BW_COL_FIRST, BW_COL_NEXT) ", cost"

#define BW_SQL_INSERT_OUTCOME                                                                                 \
	"INSERT OR IGNORE INTO outcomes(key, " BW_OUTCOME_VALUES(BW_COL_FIRST, BW_COL_NEXT) ", "               \
	BW_OUTCOME_PLACE(BW_COL_FIRST, BW_COL_NEXT) ")"                                                        \
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
#define BW_SQL_INSERT_TASK                                                                                    \
	"INSERT OR IGNORE INTO tasks(" BW_TASK_LIST ")"                                                        \
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22," \
	" ?23, ?24)"

/* merge.c's: table sweep_sources of a merged catalog (on the alias "out"),
 * and the tables of its stage. */
extern const char bw_schema_sweep_sources[];
extern const char bw_schema_merge_stage[];

#endif
