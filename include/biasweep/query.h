/* query.h - the read side of the catalog (its SQL lives in query.c and filter.c).
 *
 * bw_query_open opens a catalog for reading only, three ways at once:
 * SQLITE_OPEN_READONLY, PRAGMA query_only=1, and an authorizer that denies
 * every action but SQLITE_READ, SQLITE_SELECT, SQLITE_FUNCTION and
 * PRAGMA table_info.  It refuses (BW_EINVAL) files that are not a biasweep
 * catalog, have another schema_version, or lack a table, view or column of
 * the schema (src/storage/check.h), and a missing file (a wrong path:
 * nothing is created); a file it cannot read is BW_EIO.
 *
 * User input never reaches SQL text: column names are looked up in the
 * columns of the view `results` (PRAGMA table_info) and the SQL names the
 * schema's spelling of the column, by index; operators come from a fixed
 * table; values are bound parameters.  Bad input is BW_EINVAL with a
 * one-line message (control characters in echoed input shown as '?').
 *
 * Results come back as a bw_table: named columns of typed values (NULL,
 * integer, real, text), row-major, which the CLI prints as table/CSV/JSON.
 */
#ifndef BIASWEEP_QUERY_H
#define BIASWEEP_QUERY_H

#include "biasweep/nstar.h"

#include "biasweep/table.h"

#include <stddef.h>
#include <stdint.h>

struct bw_query;

/* ---- the connection -------------------------------------------------------- */

int bw_query_open(const char *path, struct bw_query **out);
void bw_query_close(struct bw_query *q);

/* The columns of the view `results`, in schema order. */
size_t bw_query_ncolumns(const struct bw_query *q);
const char *bw_query_column_name(const struct bw_query *q, size_t i);

/* "a,b , c" -> indices of the columns (case-insensitive match against the
 * schema, then the schema's spelling is used).  At most max names; empty
 * names, unknown names and duplicates are BW_EINVAL:
 *   "unknown column 'dd' (columns: key, algorithm, ...)". */
int bw_query_resolve_columns(const struct bw_query *q, const char *list, size_t *idx, size_t max, size_t *n);

/* ---- filters ------------------------------------------------------------------ */

enum bw_qop { BW_QOP_EQ = 0, BW_QOP_NE, BW_QOP_LT, BW_QOP_LE, BW_QOP_GT, BW_QOP_GE };

struct bw_qfilter {
	size_t column;          /* index into the results columns */
	enum bw_qop op;
	struct bw_value value;  /* BW_VAL_NULL means IS NULL / IS NOT NULL (= or != only); s points into the expression */
};

/* "COLUMN OP VALUE" with OP one of = == != <> < <= > >= (no spaces needed;
 * spaces around the column and operator are ignored, the value is taken
 * as is).  The value is checked against the column: numbers for INTEGER
 * and REAL columns (integers exactly, sweep_seed also as an unsigned 64-bit
 * value), the known names for algorithm, design, wstar and status (= and
 * != only; blanks around the name ignored), any text otherwise, taken as
 * is; NULL (any case) with = or != tests for NULL.  Text values point into
 * expr (or at a static name). */
int bw_query_parse_filter(const struct bw_query *q, const char *expr, struct bw_qfilter *out);

/* ---- queries ------------------------------------------------------------------ */

/* The default column set of bw_query_rows (comma-separated). */
#define BW_QUERY_DEFAULT_COLUMNS \
	"algorithm,design,wstar,d,n,kappa,alpha,eta,sigma,batch,eps,seed,status,success,test_error,steps,wall_s"

/* Matching rows of `results` (all filters ANDed), ordered by algorithm,
 * design, wstar, d, kappa, alpha, eta, sigma, batch, eps, n, sweep_seed,
 * seed, key.  limit <= 0: all rows. */
int bw_query_rows(struct bw_query *q, const struct bw_qfilter *f, size_t nf, const size_t *cols, size_t ncols,
		  long limit, struct bw_table *out);

/* One row per distinct value of the group columns among the matching rows
 * (ordered by them): the group columns, then
 *   count, successes, success_rate, diverged,
 *   mean_test_error, median_test_error, q10_test_error, q90_test_error
 * where the test-error statistics are over the non-NULL test errors (NULL
 * when there are none) and the quantiles are computed in C by linear
 * interpolation between order statistics (h = (N-1) p, numpy's default,
 * gsl_stats_quantile_from_sorted_data).  ngroup = 0: one row for everything. */
int bw_query_groups(struct bw_query *q, const struct bw_qfilter *f, size_t nf, const size_t *group, size_t ngroup,
		    struct bw_table *out);

/* Per sweep and algorithm of its planned tasks (sweep_tasks):
 *   sweep, name, state, started_at, ended_at, ranks, shard, algorithm,
 *   planned, done (an outcome exists, from any run), pending (planned - done),
 *   diverged, failed, ran (outcomes recorded by this sweep row),
 *   wall_s (sum of wall_s over the outcomes of its planned tasks), spec_hash
 * ordered by sweep id and algorithm.  A sweep without planned tasks gives
 * one row with algorithm NULL and zero counts. */
int bw_query_status(struct bw_query *q, struct bw_table *out);

/* The meaning and unit ("" for none) of a column of the catalog's schema. */
struct bw_column_doc {
	const char *object, *column, *unit, *meaning;
};
/* Every documented column (terminated by a NULL object) and the one of an
 * object's column (a view's column falls back to tasks', then outcomes'
 * column of that name); NULL for a column without one. */
extern const struct bw_column_doc bw_column_docs[];
const struct bw_column_doc *bw_column_doc(const char *object, const char *column);

/* Every column of every table and view of the catalog, in the schema's
 * order: object, kind (table or view), column, type, unit, meaning (NULL
 * where undocumented). */
int bw_query_list_columns(struct bw_query *q, struct bw_table *out);

/* The specs the sweeps ran, one row per (spec_hash, shard) in order of their
 * first sweep: spec_hash, name, spec_path, spec_text, shard, runs, first and
 * last (sweep ids). */
int bw_query_specs(struct bw_query *q, struct bw_table *out);

/* Every key with an outcome (ascending) and its success; *keys and *ok are
 * the caller's to free(). */
int bw_query_done(struct bw_query *q, uint64_t **keys, int8_t **ok, size_t *n);

/* ---- cells for n* ----------------------------------------------------------------- */

struct bw_qcell {
	char algorithm[32], design[32], wstar[32];
	int64_t d, kappa;
	double alpha, eta, eta_scale, sigma, eps; /* NaN: NULL in the catalog; but eta is the run
						    * parameters' (bw_run_params): 0 where the program
						    * chose the step (tasks.eta_mode automatic or scaled) */
	char schedule[16];             /* the step schedule; "" where NULL (the constant step) */
	int64_t batch;                 /* 0: NULL (not sgd) */
	size_t nobs;
	struct bw_nstar_obs *obs;      /* one per finished task; obs.seed is an index into the arrays below */
	size_t nseeds;
	int64_t *sweep_seed, *seed;    /* the catalog's (sweep_seed, seed) of seed index i */
	int64_t *noise;                /* and its noise_seed (0 where NULL): a seed index is one
					* (instance, noise realization) */
};

struct bw_qcells {
	size_t n;
	struct bw_qcell *cell;
};

/* The finished tasks matching the filters, grouped into cells (algorithm,
 * design, wstar, d, kappa, alpha, eta, eta_scale, sigma, batch, eps) in that order; a
 * seed is one (sweep_seed, seed, noise_seed) triple (noise_seed 0 where NULL). */
int bw_query_cells(struct bw_query *q, const struct bw_qfilter *f, size_t nf, struct bw_qcells *out);
void bw_qcells_release(struct bw_qcells *c);

/* ---- trajectories ------------------------------------------------------------------------ */

/* The trajectory of the finished task KEY (16 hex digits): its checkpoints
 * into ck (BW_TRAJ_SLOTS_MAX of them), *count, and the final w (d doubles; w may
 * be NULL).  The file is found by the one rule (bw_trajfile_path) and must
 * belong (bw_trajfile_read_task): its row holds KEY, and its identity is this
 * catalog's (catalog_id) and the outcome's run's (sweep id, started_at; for
 * a run merged in from a shard, started_at only).  BW_EINVAL, naming the
 * file, when it does not belong, or when the task has no trajectory. */
struct bw_checkpoint;
int bw_query_trajectory(struct bw_query *q, const char *key, struct bw_checkpoint *ck, int *count, double *w,
			size_t d);

/* ---- test hook ------------------------------------------------------------------------- */

/* For the tests of the read-only guards only (the CLI never calls it):
 * prepares and runs sql on the query connection.  BW_OK when it ran,
 * BW_ESTORE (SQLite's message) when SQLite refused it. */
int bw_query_probe_for_test(struct bw_query *q, const char *sql);

#endif
