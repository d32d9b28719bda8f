/* bench_mpi.h - the scheduler timed through real MPI jobs, for `biasweep bench`.
 *
 * Each job is `mpirun --oversubscribe -np K SELF bench --child SPEC CATALOG
 * DIR` (cfg->mpirun, cfg->self; as root with OMPI_ALLOW_RUN_AS_ROOT=1 and
 * OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1), in a directory under cfg->tmp that is
 * removed afterwards; its log is cfg->tmp/log.txt.
 *  coord  empty tasks (gd, d = n = 1, one step; cfg->tasks of them) on 1, 2
 *         and 4 ranks, tasks per second from the coordinator's own clock
 *         (MPI start-up, spec and catalog set-up excluded; commits and
 *         trajectory writes included), the largest peak RSS over ranks, and
 *         one empty task's cost without MPI;
 *  sweep  cfg->spec on 1 and 2 ranks: coordinating and wall seconds, peak
 *         RSS, the load average before and after.
 * A job that fails leaves its figure unmeasured with the reason in *_err.
 * bw_bench_child is the --child side: one bw_sweep_run, after which every
 * rank leaves DIR/rank-{0,w}-PID.txt (rank 0: "elapsed S", "done N"; all:
 * "maxrss_kb K").  It returns bw_sweep_run's status.
 */
#ifndef BIASWEEP_BENCH_MPI_H
#define BIASWEEP_BENCH_MPI_H
#include "biasweep/bench.h"

void bw_bench_coord(const struct bw_bench_cfg *c, struct bw_bench_results *r);
void bw_bench_sweep(const struct bw_bench_cfg *c, struct bw_bench_results *r);
int bw_bench_child(const char *spec, const char *catalog, const char *dir);

#endif
