/* merge.h - join shard catalogs (one per Slurm array element) into one
 * catalog.  All SQL of the merge lives in merge.c.
 *
 * bw_merge(OUT, SHARD...) works in two phases:
 *  0. OUT's directory must be writable, and OUT too when it exists
 *     (BW_EINVAL otherwise: nothing is tried).
 *  1. Read: each shard is attached read-only (ATTACH ? with the file name
 *     bound, as a "file:...?mode=ro" URI) and copied, inside one read
 *     transaction per shard, into a private temporary database.  Checks:
 *     every shard (and OUT, when it exists) is a whole biasweep catalog of
 *     this program's schema_version (src/storage/check.h: every table and
 *     view with its columns), all of the same version; every shard is
 *     consistent (each foreign key holds: no outcome or sweep_tasks row
 *     without its task row, none naming a missing sweep); no two inputs
 *     (shards, or a shard and OUT) hold different rows for the same key:
 *     tasks are compared on every parameter column (all but key and the
 *     estimated cost), outcomes on the non-timing columns (status,
 *     train_loss, test_error, R, l1, support_recovered, success, steps, t,
 *     eta_used, loss_rate, alpha_inf, alpha_inf_pred, int_loss_dt, message);
 *     bit for bit, NULL equals only NULL -- a differing outcome means
 *     nondeterminism, a differing task an edited or damaged file.  Any of
 *     these is BW_EINVAL, naming the file(s), key and column, and OUT is not
 *     touched (not even created).
 *  2. Write, in ONE transaction (tasks and outcomes compared again with OUT
 *     under its write lock): into OUT when it exists; else into a new
 *     catalog beside it (".NAME.merge-HOST-PID", made by bw_catalog_open),
 *     which is renamed to OUT, without replacing anything, only once it is
 *     complete and synced -- a failure (a full disk) or a kill -9 leaves no
 *     OUT (a killed merge's file is removed by the next merge on that host);
 *     if another merge made OUT meanwhile, the merge goes into that.  An
 *     existing OUT keeps its journal mode (a view a later version adds, the
 *     next read-write open adds).  The transaction holds: sweeps (new ids; a sweep already merged is recognised by
 *     its name, started_at, spec_hash, shard, host and id in its shard, and
 *     only its state/ended_at are brought up to date), tasks, sweep_tasks
 *     and outcomes (INSERT OR IGNORE by key: the first outcome of a key
 *     stays; duplicates are identical by the check above).  outcomes.sweep_id
 *     is mapped to OUT's id and traj_file is rewritten relative to OUT's
 *     directory (e.g. "shards/smoke/shard-0-smoke-1-shard0.h5"), so that
 *     dirname(OUT)/traj_file, traj_row still name the trajectory.
 *     Provenance goes into a table merge adds to OUT when missing:
 *       sweep_sources(sweep_id INTEGER PRIMARY KEY REFERENCES sweeps(id),
 *                     source_file TEXT  -- the shard, relative to OUT's dir
 *                     source_id INTEGER -- the sweep's id in that shard
 *                     merged_at TEXT)   -- first merge, ISO-8601 UTC
 * Merging is idempotent: merging the same shards again changes no row.
 *
 * Missing and unfinished shards are not errors: a shard file that does not
 * exist is reported (BW_SHARD_MISSING) and skipped; a shard whose planned
 * tasks (its sweep_tasks) are not all in its outcomes, or none of whose
 * runs ended 'done' (adaptive searches plan probes as they go), is merged
 * and reported (BW_SHARD_PARTIAL, with the state of its latest run:
 * 'running' -- still running or killed --, 'interrupted', 'failed').  Shards i/N of a sweep that no input holds are
 * listed in report->absent.  Rerun the merge when they are finished.
 * BW_EINVAL when no shard file exists at all, or OUT is one of the shards.
 */
#ifndef BIASWEEP_MERGE_H
#define BIASWEEP_MERGE_H

#include <stddef.h>
#include <stdint.h>

enum bw_shard_state { BW_SHARD_COMPLETE, BW_SHARD_PARTIAL, BW_SHARD_MISSING };

struct bw_merge_shard {
	const char *path;       /* as given */
	int state;              /* enum bw_shard_state */
	int64_t sweeps, tasks, outcomes; /* rows in the shard */
	int64_t planned, pending; /* distinct keys in its sweep_tasks; those without an outcome */
	int64_t added;          /* outcomes that were new to OUT */
	int64_t latest_id;      /* its latest sweep run (0 when none) */
	char latest_state[16];  /* 'running', 'done', 'interrupted', 'failed' ("" when none) */
	char label[32];         /* "I/N" of its latest run, "" when not a shard */
	char name[64];          /* sweep name of its latest run */
};

struct bw_merge_report {
	size_t nshards;
	struct bw_merge_shard *shards;     /* one per input, in order */
	int64_t sweeps_added, sweeps_updated, tasks_added, outcomes_added;
	int64_t outcomes_total;            /* in OUT after the merge */
	int complete;                      /* every shard complete and none absent */
	char absent[512];                  /* "smoke 1/3, smoke 2/3": shards no input holds ("" none) */
};

/* On success *rep is filled (release it); on error too, as far as it got. */
int bw_merge(const char *out, const char *const *shards, size_t nshards, struct bw_merge_report *rep);
void bw_merge_report_release(struct bw_merge_report *rep);

#endif
