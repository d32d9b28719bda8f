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
 *
 * A catalog locked by another connection (a reader holding a transaction on a
 * rollback-journal shard catalog, another writer) never ends the run: finished
 * outcomes are kept, the commit is tried again with backoff (0.1 s doubling
 * to 2 s) while work goes on, and the busy callback hears of it.  Only a
 * signal gives up the wait: the last commit and the sweep's end then wait at
 * most 2 s more, and what could not be committed runs again on resume.
 */
#ifndef BIASWEEP_SWEEPRUN_H
#define BIASWEEP_SWEEPRUN_H

#include <stddef.h>
#include <stdint.h>

struct bw_progress {
	size_t total;      /* tasks in this run (after skipping finished ones); an error or a
			    * signal does not shrink it (searches that end early do) */
	size_t skipped;    /* tasks already in the catalog */
	size_t finished;   /* tasks that finished (their outcome committed or not yet) */
	size_t done, diverged, failed; /* outcomes committed to the catalog, and how many of them diverged, failed */
	size_t dropped;    /* tasks cancelled by a signal */
	double cost_total, cost_done; /* estimated work (bw_task_cost) of the run and of what finished */
	double elapsed_s;
	double eta_s;      /* seconds left, calibrated on the finished tasks (bw_sched_eta, scheduler.h) */
	size_t searches, searches_resolved; /* this run's n-searches, and those that have their threshold */
	int ranks;
	int final;         /* 1 on the last call */
	const char *catalog, *trajfile;
	int64_t sweep_id;
};

/* A catalog write waiting for another connection's lock. */
struct bw_busy {
	const char *catalog;
	const char *what;   /* "committing", "recording the sweep", "ending the sweep" */
	double waited_s;    /* since the lock was first found held */
	size_t waiting;     /* finished outcomes not committed yet */
	int over;           /* after waited_s: 1 the write went through (or failed otherwise), 2 given up on a signal */
};

struct bw_sweep_opts {
	const char *spec_path;
	const char *const *sets;      /* --set overrides of the spec's settings (bw_spec_load_with) */
	size_t nsets;
	const char *catalog;          /* default results/catalog.sqlite */
	double memory_limit;          /* per rank, for the admission of the spec (spec.h); 0: the default */
	int shard_index, shard_count; /* 0/1 = the whole grid */
	int sharded;                  /* --shard given (0/1 too): a shard's catalog and file (rollback journal) */
	const volatile int *cancel;
	/* called on rank 0 only, from the coordinating thread, a few times a second */
	void (*progress)(void *ctx, const struct bw_progress *p);
	void *progress_ctx;
	/* rank 0 only, with progress_ctx: each try of a write that found the catalog
	 * locked (at most every 2 s), and once when it is over */
	void (*busy)(void *ctx, const struct bw_busy *b);
};

/* Initializes and finalizes MPI itself.  On ranks other than 0 the error
 * message is cleared (rank 0 reports); *is_root tells the caller which. */
int bw_sweep_run(const struct bw_sweep_opts *o, struct bw_progress *report, int *is_root);

#endif
