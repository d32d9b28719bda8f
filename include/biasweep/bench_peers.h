/* bench_peers.h - the NumPy peers of `biasweep bench` (bench/peers/).
 *
 * bw_bench_peers runs lnsgd.py and gd.py (loop and batched R = 64) with
 * cfg->python at each size of the sgd and gd sections (their n must be set:
 * run after bw_bench_sgd and bw_bench_gd), with one BLAS thread, step counts
 * scaled to ~0.2 s per repeat, and reads the median ns per unit and the
 * min and max of the samples from the one JSON line each prints.  A peer
 * that fails is not measured (ok = 0, err says why); when the scripts or
 * Python are missing every peer is.
 */
#ifndef BIASWEEP_BENCH_PEERS_H
#define BIASWEEP_BENCH_PEERS_H
#include "biasweep/bench.h"

void bw_bench_peers(const struct bw_bench_cfg *c, struct bw_bench_results *r);
/* The per-sample NumPy loop at the schedule's sizes (r->sched[k].peer, peer_s). */
void bw_bench_peers_schedule(const struct bw_bench_cfg *c, struct bw_bench_results *r);

#endif
