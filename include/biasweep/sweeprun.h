/* sweeprun.h - run a spec across MPI ranks (all MPI of the project lives in
 * src/distribution/).  Rank 0 coordinates: it is the only catalog writer,
 * hands tasks out dynamically (largest estimated cost first), and also
 * computes tasks itself on a second thread, so one rank alone works and two
 * ranks keep two cores busy.  Workers write their trajectories into the
 * run's parallel HDF5 file and send the outcome; the coordinator commits it
 * after the row is written, in batched transactions.
 *
 * Resume is rerun: tasks whose key already has an outcome are skipped.
 * When *cancel becomes nonzero (SIGTERM/SIGINT), no new work is handed out,
 * tasks in flight are cancelled (dropped), everything finished is committed
 * and bw_sweep_run returns BW_EINTR.
 */
#ifndef BIASWEEP_SWEEPRUN_H
#define BIASWEEP_SWEEPRUN_H

#include <stddef.h>
#include <stdint.h>

struct bw_progress {
	size_t total;      /* tasks in this run (after skipping finished ones) */
	size_t skipped;    /* tasks already in the catalog */
	size_t done, diverged, failed, dropped;
	double cost_total, cost_done; /* estimated work (bw_task_cost) of the run and of what finished */
	double elapsed_s;
	int ranks;
	int final;         /* 1 on the last call */
	const char *catalog, *trajfile;
	int64_t sweep_id;
};

struct bw_sweep_opts {
	const char *spec_path;
	const char *catalog;          /* default results/catalog.sqlite */
	double memory_limit;          /* per rank, for the admission of the spec (spec.h); 0: the default */
	int shard_index, shard_count; /* 0/1 = the whole grid */
	int sharded;                  /* --shard given (0/1 too): a shard's catalog and file (rollback journal) */
	const volatile int *cancel;
	/* called on rank 0 only, from the coordinating thread, a few times a second */
	void (*progress)(void *ctx, const struct bw_progress *p);
	void *progress_ctx;
};

/* Initializes and finalizes MPI itself.  On ranks other than 0 the error
 * message is cleared (rank 0 reports); *is_root tells the caller which. */
int bw_sweep_run(const struct bw_sweep_opts *o, struct bw_progress *report, int *is_root);

#endif
