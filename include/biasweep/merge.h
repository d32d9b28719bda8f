/* merge.h - join shard catalogs (one per Slurm array element) into one
 * catalog.  All SQL of the merge lives in merge.c.
 *
 * bw_merge(OUT, SHARD...) works in two phases:
 *  1. Read: each shard is attached read-only (ATTACH ? with the file name
 *     bound, as a "file:...?mode=ro" URI) and copied, inside one read
 *     transaction per shard, into a private temporary database.  Checks:
 *     every shard is a biasweep catalog, all have the same schema_version
 *     (and OUT too, when it exists) and it is this program's; no two inputs
 *     (shards, or a shard and OUT) hold different outcomes for the same key.
 *     Outcomes are compared on the non-timing columns (status, train_loss,
 *     test_error, R, l1, support_recovered, success, steps, t, eta_used,
 *     loss_rate, alpha_inf, alpha_inf_pred, int_loss_dt, message; bit for
 *     bit: NULL equals only NULL) -- a difference means nondeterminism.
 *     Any of these is BW_EINVAL and OUT is not touched (not even created).
 *  2. Write: OUT is created if needed (bw_catalog_open) and filled in ONE
 *     transaction: sweeps (new ids; a sweep already merged is recognised by
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
