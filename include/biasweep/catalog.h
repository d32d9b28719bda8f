/* catalog.h - the SQLite catalog: all SQL of the project lives in catalog.c
 * (and, for the read side and the merge of shards, query.c and merge.c; the
 * check of a file against this schema, for all three, in check.c).
 *
 * Schema (schema_version in table meta, checked before any write; a newer
 * version is refused with BW_EINVAL):
 *   meta(key TEXT PRIMARY KEY, value TEXT)  -- schema_version, application,
 *          catalog_id (16 random hex digits made with the catalog, or at the
 *          first bw_catalog_traj_identity of a file made before it existed;
 *          its trajectory files carry it)
 *   sweeps(id INTEGER PRIMARY KEY, name, spec_path, spec_text, spec_hash,
 *          revision, host, ranks, libraries, started_at, ended_at,
 *          state ('running', 'done', 'interrupted', 'failed'), shard)
 *   tasks(key TEXT PRIMARY KEY, algorithm TEXT, design TEXT, wstar TEXT,
 *         d, n, kappa INTEGER, alpha, eta, sigma REAL, batch INTEGER,
 *         max_steps INTEGER, max_time, eps, tol REAL, project INTEGER,
 *         sweep_seed INTEGER, seed INTEGER (the instance's seed_index),
 *         eta_scale REAL, checkpoints, noise_seed INTEGER, eta_mode TEXT,
 *         cost REAL)                                  -- parameters as columns
 *   sweep_tasks(sweep_id, key, PRIMARY KEY(sweep_id, key))
 *   outcomes(key TEXT PRIMARY KEY REFERENCES tasks, status TEXT ('converged',
 *            'budget', 'diverged', 'failed'), train_loss, test_error, R, l1,
 *            support_recovered, success, steps, t, eta_used, loss_rate,
 *            alpha_inf, alpha_inf_pred, int_loss_dt, message, wall_s, rank,
 *            sweep_id, traj_file, traj_row, finished_at)
 *   indexes: tasks(algorithm, design, wstar, d, kappa, n),
 *            outcomes(sweep_id), outcomes(status)
 *   views: results (tasks JOIN outcomes: one row per finished task, every
 *            parameter and outcome column),
 *          success_rates (GROUP BY algorithm, design, wstar, d, kappa, alpha,
 *            eta, sigma, batch, eps, n: tasks, successes, rate,
 *            mean_test_error over the finished tasks),
 *          sample_complexity (the same groups: tasks, seeds (distinct
 *            sweep_seed:seed), successes, rate, reached = rate >= 1/2;
 *            n* itself is interpolated in C, src/sweep/nstar.c; read-write
 *            opens create it in files made before it existed)
 * Keys are the 16 lowercase hex digits of bw_task.key.  Times are ISO-8601
 * UTC ("2024-05-01T12:34:56.789Z").  spec_hash is bw_spec.text_hash in hex;
 * sweep_seed is the uint64 as its two's-complement int64.
 * NULL stands for "not applicable" (eta of the flow, sigma except for
 * label_noise_sgd and gaussian_noise_gd, batch except for sgd; message, traj_file/traj_row when
 * none) and for NaN.  tasks.eta is NULL too where the program chose the
 * step (eta_mode 'automatic' or 'scaled'; the step used is outcomes.eta_used),
 * though bw_run_params.eta is 0 there.  tasks.eta_mode is one of the
 * BW_ETA_MODE_* names below.
 *
 * Journal: WAL with synchronous=NORMAL by default (a local catalog);
 * BW_CATALOG_ROLLBACK_JOURNAL gives journal_mode=DELETE with
 * synchronous=FULL (shards on network file systems).  busy_timeout 30 s
 * (bw_catalog_set_busy_timeout).
 * READONLY opens with SQLITE_OPEN_READONLY and PRAGMA query_only; the
 * write functions then fail with BW_EINVAL.
 *
 * Locks: a write that still finds the file locked by another connection when
 * the busy timeout ends (a reader holding a transaction on a rollback-journal
 * catalog, another writer) fails with BW_EBUSY: nothing is lost and the caller
 * may try again (see bw_catalog_commit).
 *
 * One writer (the coordinator).  Outcomes are written inside explicit
 * transactions the caller batches (bw_catalog_begin/commit).  A handle
 * belongs to one thread (opened SQLITE_OPEN_NOMUTEX).  A handle that began a
 * sweep keeps two descriptors of the file for its sweep locks and closes them
 * in bw_catalog_close, which drops every POSIX lock the process holds on the
 * file: close it while no other connection of the same process uses that file.
 */
#ifndef BIASWEEP_CATALOG_H
#define BIASWEEP_CATALOG_H

#include "biasweep/result.h"
#include "biasweep/spec.h"

#include <stddef.h>
#include <stdint.h>

/* tasks.eta_mode: how the step was chosen (bw_run_eta's three ways; NULL
 * where the dynamics takes no step). */
#define BW_ETA_MODE_GIVEN "given"         /* eta: the spec's step */
#define BW_ETA_MODE_SCALED "scaled"       /* eta_scale x the automatic step */
#define BW_ETA_MODE_AUTOMATIC "automatic" /* the automatic step */

#define BW_SCHEMA_VERSION 1

struct bw_catalog;

enum { BW_CATALOG_READONLY = 1, BW_CATALOG_ROLLBACK_JOURNAL = 2 /* not WAL (shards on NFS) */ };

/* Opens (creating the file and schema unless READONLY).  BW_EINVAL when the
 * file is not a catalog / not SQLite / has another schema_version / lacks a
 * table or view of the schema or a column of one (src/storage/check.h);
 * such a file is not written. */
int bw_catalog_open(const char *path, int flags, struct bw_catalog **out);
void bw_catalog_close(struct bw_catalog *cat);

/* Records a sweep run and its planned tasks (tasks, sweep_tasks: INSERT OR IGNORE)
 * in one transaction of its own (not inside a begin/commit batch); all or nothing
 * (BW_EBUSY: nothing recorded, try again).  In the same transaction, earlier
 * 'running' sweeps whose process is gone become 'interrupted', ended at their last
 * outcome (or their start): the handle holds a lock per sweep it begins (an OFD
 * lock on a byte of the file, released when it closes or its process dies), and
 * a 'running' sweep nobody holds that way is dead.  Sweeps copied in by a merge
 * (sweep_sources) are left as they are. */
int bw_catalog_sweep_begin(struct bw_catalog *cat, const struct bw_spec *spec, const char *revision,
			   const char *host, int ranks, const char *libraries, const char *shard, int64_t *sweep_id);
int bw_catalog_sweep_end(struct bw_catalog *cat, int64_t sweep_id, const char *state);
/* The identity the trajectory file of run SWEEP_ID carries: the catalog's
 * catalog_id (added to meta, in a transaction of its own, when a catalog
 * made before it lacks one), the run's id and its started_at (sweep_id 0:
 * the catalog_id alone).  BW_EINVAL when meta holds a malformed catalog_id. */
struct bw_traj_identity;
int bw_catalog_traj_identity(struct bw_catalog *cat, int64_t sweep_id, struct bw_traj_identity *id);

/* Keys (binary) of the tasks that already have an outcome, sorted ascending. Caller frees *keys. */
int bw_catalog_done_keys(struct bw_catalog *cat, uint64_t **keys, size_t *nkeys);

/* The same with each key's success (0/1) beside it (adaptive n-search replay). */
int bw_catalog_done_successes(struct bw_catalog *cat, uint64_t **keys, int8_t **success, size_t *nkeys);
/* Records one more task of a running sweep (a search probe: INSERT OR IGNORE
 * into tasks and sweep_tasks), inside the caller's transaction. */
int bw_catalog_task_add(struct bw_catalog *cat, int64_t sweep_id, const struct bw_task *t);

/* How long a call waits for another connection's lock before BW_EBUSY (ms). */
void bw_catalog_set_busy_timeout(struct bw_catalog *cat, int ms);

/* BW_EBUSY: another writer holds the file; no transaction was opened. */
int bw_catalog_begin(struct bw_catalog *cat);
/* BW_EBUSY: readers still hold the file; the transaction stays open (and, in a
 * rollback-journal catalog, keeps new readers out), so call bw_catalog_commit
 * again later, or bw_catalog_rollback to abandon it.  On any other failure the
 * batch is rolled back (its tasks stay undone: rerun redoes them). */
int bw_catalog_commit(struct bw_catalog *cat);
/* Abandons the open batch (BW_OK when none is open). */
int bw_catalog_rollback(struct bw_catalog *cat);
/* INSERT OR IGNORE of the outcome (the task row must exist, else BW_ESTORE);
 * a second put of the same key is ignored.  sweep_id <= 0 stores NULL. */
int bw_catalog_put(struct bw_catalog *cat, int64_t sweep_id, const struct bw_result *r);

#endif
