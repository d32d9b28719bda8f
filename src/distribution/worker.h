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
/* Trajectory row + result record (HDF5: call from the MPI thread only). */
int bw_task_record(struct bw_trajfile *tf, const char *trajname, size_t row, const struct bw_task *t,
		   const struct bw_outcome *out, int rank, struct bw_result *res);
void bw_worker_loop(struct bw_trajfile *tf, const char *trajname, int rank, const volatile int *cancel);

#endif
