/* catalog.h - the SQLite catalog: all SQL of the project lives in catalog.c.
 *
 * Schema (schema_version in table meta, checked before any write; a newer
 * version is refused with BW_EINVAL):
 *   meta(key TEXT PRIMARY KEY, value TEXT)            -- schema_version
 *   sweeps(id INTEGER PRIMARY KEY, name, spec_path, spec_text, spec_hash,
 *          revision, host, ranks, libraries, started_at, ended_at, state,
 *          shard)
 *   tasks(key TEXT PRIMARY KEY, algorithm, design, wstar, d, n, kappa,
 *         alpha, eta, sigma, batch, max_steps, max_time, eps, tol, project,
 *         sweep_seed, seed, cost)                     -- parameters as columns
 *   sweep_tasks(sweep_id, key, PRIMARY KEY(sweep_id, key))
 *   outcomes(key TEXT PRIMARY KEY REFERENCES tasks, status, train_loss,
 *            test_error, R, l1, support_recovered, success, steps, t,
 *            eta_used, loss_rate, alpha_inf, alpha_inf_pred, int_loss_dt,
 *            message, wall_s, rank, sweep_id, traj_file, traj_row,
 *            finished_at)
 *   views: results (tasks JOIN outcomes), success_rates (per cell and n)
 * NULL stands for "not applicable" (eta of the flow) and for NaN.
 *
 * One writer (the coordinator).  Outcomes are written inside explicit
 * transactions the caller batches (bw_catalog_begin/commit).
 */
#ifndef BIASWEEP_CATALOG_H
#define BIASWEEP_CATALOG_H

#include "biasweep/result.h"
#include "biasweep/spec.h"

#include <stddef.h>
#include <stdint.h>

#define BW_SCHEMA_VERSION 1

struct bw_catalog;

enum { BW_CATALOG_READONLY = 1, BW_CATALOG_ROLLBACK_JOURNAL = 2 /* not WAL (shards on NFS) */ };

/* Opens (creating the file and schema unless READONLY).  BW_EINVAL when the
 * file is not a catalog / not SQLite / has a newer schema_version. */
int bw_catalog_open(const char *path, int flags, struct bw_catalog **out);
void bw_catalog_close(struct bw_catalog *cat);

/* Records a sweep run and its planned tasks (tasks, sweep_tasks: INSERT OR IGNORE). */
int bw_catalog_sweep_begin(struct bw_catalog *cat, const struct bw_spec *spec, const char *revision,
			   const char *host, int ranks, const char *libraries, const char *shard, int64_t *sweep_id);
int bw_catalog_sweep_end(struct bw_catalog *cat, int64_t sweep_id, const char *state);

/* Keys (binary) of the tasks that already have an outcome, sorted ascending. Caller frees *keys. */
int bw_catalog_done_keys(struct bw_catalog *cat, uint64_t **keys, size_t *nkeys);

int bw_catalog_begin(struct bw_catalog *cat);
int bw_catalog_commit(struct bw_catalog *cat);
/* INSERT OR IGNORE of the outcome (the task row must exist). */
int bw_catalog_put(struct bw_catalog *cat, int64_t sweep_id, const struct bw_result *r);

#endif
