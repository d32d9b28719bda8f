/* coord.h - rank 0's coordinator, internal to src/distribution: its state
 * (coord.c: commits and waiting out a locked catalog), the message pump
 * (pump.c), the compute thread (local.c) and the setup (setup.c). */
#ifndef BIASWEEP_COORD_H
#define BIASWEEP_COORD_H

#include "biasweep/catalog.h"
#include "biasweep/scheduler.h"
#include "biasweep/sweeprun.h"
#include "biasweep/trajfile.h"
#include "worker.h"

#include <stddef.h>
#include <stdint.h>

enum { BW_COMMIT_BATCH = 256, BW_BUSY_POLL_MS = 100 };

/* ---- a catalog locked by another connection: wait it out, never give up but on a signal ---- */
struct bw_busy_wait {
	double since;     /* when the lock was first found held; 0: not waiting */
	double next;      /* when to try again */
	double delay;
	double cancelled; /* when the wait first saw the signal */
};

/* After a catalog write returned rc: 1 when it was busy (the next try is
 * scheduled and reported), 0 otherwise (and a wait that was on is reported over). */
int bw_busy_note(const struct bw_sweep_opts *o, struct bw_busy_wait *b, int rc, const char *what, size_t waiting);
/* For a write that has nothing else to do meanwhile (the sweep's start and end,
 * the last commit): 1 after waiting for the next try, 0 to go on with rc (done,
 * failed, or given up after a signal: then still BW_EBUSY). */
int bw_busy_retry(const struct bw_sweep_opts *o, struct bw_busy_wait *b, int rc, const char *what, size_t waiting);

/* ---- the coordinator's state ---- */
struct bw_pending {
	struct bw_result r;
	int32_t row;
};

struct bw_coord {
	const struct bw_sweep_opts *o;
	struct bw_catalog *cat;
	struct bw_trajfile *tf;
	const char *trajname;
	struct bw_sched *w;
	int64_t sweep_id;
	int size, active, stopping, err;
	char errmsg[600];
	struct bw_pending *batch; /* finished, not committed yet; batch[0..ntxn) is in an open */
	size_t nbatch, cap;       /* transaction whose COMMIT found the catalog locked */
	size_t ntxn;
	struct bw_busy_wait busy;
	double start, last_commit;
	int *idle; /* worker ranks waiting for work a search may still produce */
	int nidle;
	int *outst; /* tasks sent to each worker rank and not returned yet */
	struct bw_progress prog;
};

void bw_coord_fail(struct bw_coord *c, int code, const char *msg);
/* Mid-run: commit a full batch or one a second old, or try a busy one again
 * when its time has come; a lock held elsewhere is waited out, anything else
 * ends the run. */
void bw_coord_commit_due(struct bw_coord *c);
/* The last commits: waits out a lock held elsewhere (after a signal, 2 s at
 * most), with progress meanwhile. */
void bw_coord_commit_last(struct bw_coord *c);
/* Reports progress (final: the last call) through the caller's callback. */
void bw_coord_progress(struct bw_coord *c, double start, int final);

/* Runs until every task is handed out and returned (or dropped), with the
 * local compute thread as one more worker (pump.c). */
void bw_coordinate(struct bw_coord *c);

/* ---- rank 0's compute thread (local.c): numerics only, fed through a small queue ---- */
struct bw_local;
/* Starts the thread: NULL when it cannot be started. */
struct bw_local *bw_local_start(const volatile int *cancel);
/* Queues a task for it (at most BW_PREFETCH_MAX queued and not collected). */
void bw_local_give(struct bw_local *l, int32_t row, const struct bw_task *t);
/* Moves its finished tasks into got (room for BW_PREFETCH_MAX); returns how many. */
size_t bw_local_take(struct bw_local *l, struct bw_finished *got);
/* Waits until it has finished a task or until the absolute CLOCK_MONOTONIC time ts. */
struct timespec;
void bw_local_wait(struct bw_local *l, const struct timespec *ts);
/* Stops and joins the thread. */
void bw_local_stop(struct bw_local *l);

/* ---- setup (setup.c) ---- */
/* Any --shard, 0/1 included, is a shard: rollback journal, sweeps.shard, "-shard<i>" files. */
int bw_is_shard(const struct bw_sweep_opts *o);
/* Rank 0: open the catalog, record the sweep, and work out what is left
 * (the scheduler's work, and the trajectory rows it needs); *ident is what
 * the run's trajectory file carries. */
int bw_prepare(const struct bw_sweep_opts *o, const struct bw_spec *spec, int ranks, struct bw_catalog **cat,
	       int64_t *sweep_id, struct bw_sched *w, struct bw_traj_identity *ident);

#endif
