/* worker.h - task execution shared by worker ranks and rank 0's compute thread. */
#ifndef BIASWEEP_WORKER_H
#define BIASWEEP_WORKER_H

#include "biasweep/dynamics.h"
#include "biasweep/result.h"
#include "biasweep/spec.h"
#include "biasweep/trajfile.h"
#include "protocol.h"

#include <math.h>
#include <mpi.h>

/* Instance + dynamics. BW_OK with an outcome (failed tasks included), or
 * BW_EINTR when cancelled (no outcome). Thread-safe: no MPI, no HDF5. */
int bw_task_execute(const struct bw_task *t, const volatile int *cancel, struct bw_outcome *out);
/* A task run and not yet reported: its row, and its outcome unless cancelled. */
struct bw_finished {
	int32_t row;
	int cancelled;
	struct bw_task task;
	struct bw_outcome out;
};
/* Reports n finished tasks (HDF5: call from the MPI thread only): writes
 * their trajectory rows (runs of contiguous rows in one write per table),
 * then fills msg[i] for each (RESULT, CANCELLED, or ERROR when the write
 * failed) and releases the outcomes.  Shared by worker ranks and rank 0's
 * compute thread, so both report through the same messages. */
void bw_finished_report(struct bw_trajfile *tf, const char *trajname, int rank, struct bw_finished *f, size_t n,
			struct bw_msg *msg);
/* The most finished tasks a worker reports at once, and the most tasks sent
 * ahead to one worker (or rank 0's compute thread). */
enum { BW_WORKER_BATCH = 16, BW_PREFETCH_MAX = 2 * BW_WORKER_BATCH };
void bw_worker_loop(struct bw_trajfile *tf, const char *trajname, int rank, const volatile int *cancel);

#endif
