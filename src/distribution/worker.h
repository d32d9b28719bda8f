/* worker.h - task execution shared by worker ranks and rank 0's compute thread. */
#ifndef BIASWEEP_WORKER_H
#define BIASWEEP_WORKER_H

#include "biasweep/dynamics.h"
#include "biasweep/result.h"
#include "biasweep/spec.h"
#include "biasweep/trajfile.h"

#include <math.h>
#include <mpi.h>

/* Instance + dynamics. BW_OK with an outcome (failed tasks included), or
 * BW_EINTR when cancelled (no outcome). Thread-safe: no MPI, no HDF5. */
int bw_task_execute(const struct bw_task *t, const volatile int *cancel, struct bw_outcome *out);
/* Trajectory rows + result records (HDF5: call from the MPI thread only).
 * Many at once: task t[i] in trajectory row rows[i] (contiguous rows are
 * written together); res[i] its result record.  An error leaves no result. */
int bw_tasks_record(struct bw_trajfile *tf, const char *trajname, int rank, size_t k, const int32_t *rows,
		    const struct bw_task *const *t, const struct bw_outcome *const *o, struct bw_result *res);
/* The most finished tasks a worker (or rank 0's compute thread) reports at once. */
enum { BW_WORKER_BATCH = 16 };
void bw_worker_loop(struct bw_trajfile *tf, const char *trajname, int rank, const volatile int *cancel);

#endif
