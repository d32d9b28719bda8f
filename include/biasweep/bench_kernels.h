/* bench_kernels.h - the innermost kernels timed alone, for `biasweep bench`.
 *
 * What needs the numerics' own kernel table (src/numerics/kernels.h) or
 * CBLAS stays in src/numerics; the bench modules see only this.  The
 * timings compute nothing anyone keeps: they read the instance, overwrite
 * the scratch vectors they are given and return a time (ns per unit).
 */
#ifndef BIASWEEP_BENCH_KERNELS_H
#define BIASWEEP_BENCH_KERNELS_H
#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

#include <stddef.h>

#define BW_BENCH_NVARIANT 3

/* An SGD kernel variant (generic, avx2, avx512). */
struct bw_kernel_variant {
	const char *name;
	int supported; /* this CPU runs it */
	int reads_f64; /* on batch-1 Rademacher rows it reads the doubles, not the int8 signs */
};

/* The variants compiled in, in order, at most BW_BENCH_NVARIANT (returns
 * how many); *active: the index of the one sgd.c uses. */
size_t bw_bench_kernel_variants(struct bw_kernel_variant v[BW_BENCH_NVARIANT], size_t *active);
const char *bw_bench_kernel_active_name(void);

/* ns per coordinate-update of `steps` batch-1 steps of variant `variant` on
 * the int8 signs (f64 = 0) or the doubles (f64 = 1) of a Rademacher
 * instance, rows drawn by an LCG, a = +-1e-6; u, v: d scratch doubles. */
double bw_bench_sgd_kernel_ns(size_t variant, int f64, const struct bw_instance *inst, long steps, double *u,
			      double *v);
/* ns per step and matrix entry of `steps` pairs of cblas_dgemv (Z w and
 * Z^T r, the products of a gd step); w, g: d doubles, r: n doubles. */
double bw_bench_two_dgemv_ns(const struct bw_instance *inst, long steps, double *w, double *r, double *g);

/* The dynamics `bench` times (bench_runs.h), chosen here, beside the kernels
 * they exercise, so that the bench modules name none:
 *   BW_BENCH_NOISY_SGD  the SGD kernel end to end, with label noise (batch 1)
 *   BW_BENCH_MINIBATCH  the SGD kernel without noise, batch 1 and 8
 *   BW_BENCH_FULL_BATCH a full-batch step against its two dgemv (and the
 *                       empty tasks of the coordinator's benchmark)
 *   BW_BENCH_FLOW       the flow's velocity evaluations and steps */
enum bw_bench_dynamics { BW_BENCH_NOISY_SGD, BW_BENCH_MINIBATCH, BW_BENCH_FULL_BATCH, BW_BENCH_FLOW };
enum bw_algo bw_bench_algo(enum bw_bench_dynamics which);

/* OpenBLAS's build and core, in its words. */
const char *bw_blas_config(void);

#endif
