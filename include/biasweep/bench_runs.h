/* bench_runs.h - the dynamics timed by `biasweep bench`, at d = 100, 1000,
 * 10000 on Rademacher instances (units are per coordinate-update, so sizes
 * compare; each fills its part of bw_bench_results, sizes included):
 *  sgd   n = d/10: each SGD kernel variant this CPU runs, alone (int8 and
 *        f64 rows), and bw_run end to end for label_noise_sgd (project off)
 *        and sgd with batch 1 and 8, ns per step and coordinate (per sample
 *        for batch 8): the difference of runs of S and 2S steps, so fixed
 *        costs drop out;
 *  gd    n = d/10 (500 at d = 10000): bw_run gd, ns per step and matrix
 *        entry, against the two dgemv of a step timed alone;
 *  flow  n = min(d/10, 100): one velocity evaluation, and one step as bw_run
 *        takes it (difference of runs of 1 and 1+K steps), ns.
 */
#ifndef BIASWEEP_BENCH_RUNS_H
#define BIASWEEP_BENCH_RUNS_H
#include "biasweep/bench.h"

void bw_bench_sgd(const struct bw_bench_cfg *c, struct bw_bench_results *r);
void bw_bench_gd(const struct bw_bench_cfg *c, struct bw_bench_results *r);
void bw_bench_flow(const struct bw_bench_cfg *c, struct bw_bench_results *r);
/* The step schedule against the constant step (bench.h, struct bw_bench_sched). */
void bw_bench_schedule(const struct bw_bench_cfg *c, struct bw_bench_results *r);

#endif
