/* bench_kernels.c - the SGD kernel variants and the two dgemv of a gd step
 * timed alone (bench_kernels.h), so that kernels.h and CBLAS stay here. */
#include "biasweep/bench_kernels.h"
#include "biasweep/clock.h"
#include "kernels.h"

#include <gsl/gsl_cblas.h>
#include <stdint.h>
#include <string.h>

char *openblas_get_config(void);

static volatile double sink;

size_t bw_bench_kernel_variants(struct bw_kernel_variant v[BW_BENCH_NVARIANT], size_t *active)
{
	size_t nv;
	const struct bw_sgd_kernels *vs = bw_sgd_kernel_variants(&nv);
	const char *name = bw_sgd_kernel_name();
	*active = 0;
	for (size_t k = 0; k < nv; k++)
		if (!strcmp(vs[k].name, name))
			*active = k;
	if (nv > BW_BENCH_NVARIANT)
		nv = BW_BENCH_NVARIANT;
	for (size_t k = 0; k < nv; k++)
		v[k] = (struct bw_kernel_variant){vs[k].name, bw_sgd_kernel_supported(&vs[k]), !vs[k].rademacher_i8};
	return nv;
}

const char *bw_bench_kernel_active_name(void) { return bw_sgd_kernel_name(); }

/* The kernel alone, as sgd.c calls it. */
double bw_bench_sgd_kernel_ns(size_t variant, int f64, const struct bw_instance *inst, long steps, double *u,
			      double *v)
{
	size_t nv;
	const struct bw_sgd_kernels *k = &bw_sgd_kernel_variants(&nv)[variant];
	size_t d = inst->d, n = inst->n;
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = 0.5;
	uint64_t x = 88172645463325252ULL;
	size_t cur = 0;
	double acc = 0, t = bw_now_s();
	for (long s = 0; s < steps; s++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t nxt = (size_t)((x >> 33) % n);
		double a = (x >> 63) ? 1e-6 : -1e-6;
		if (f64)
			acc += k->step1_f64(d, inst->Z + cur * d, inst->Z + nxt * d, a, u, v);
		else
			acc += k->step1_i8(d, inst->signs + cur * d, inst->signs + nxt * d, a, u, v);
		cur = nxt;
	}
	t = bw_now_s() - t;
	sink = acc;
	return t * 1e9 / ((double)steps * (double)d);
}

double bw_bench_two_dgemv_ns(const struct bw_instance *inst, long steps, double *w, double *rr, double *g)
{
	int n = (int)inst->n, d = (int)inst->d;
	double t = bw_now_s();
	for (long s = 0; s < steps; s++) {
		cblas_dgemv(CblasRowMajor, CblasNoTrans, n, d, 1.0, inst->Z, d, w, 1, -1.0, rr, 1);
		cblas_dgemv(CblasRowMajor, CblasTrans, n, d, 4.0 / n, inst->Z, d, rr, 1, 0.0, g, 1);
		rr[s % n] = inst->y[s % n]; /* keep r bounded */
	}
	t = bw_now_s() - t;
	sink = g[0];
	return t * 1e9 / ((double)steps * (double)n * (double)d);
}

enum bw_algo bw_bench_algo(enum bw_bench_dynamics which)
{
	static const enum bw_algo algo[] = {
		[BW_BENCH_NOISY_SGD] = BW_LABEL_NOISE_SGD,
		[BW_BENCH_MINIBATCH] = BW_SGD,
		[BW_BENCH_FULL_BATCH] = BW_GD,
		[BW_BENCH_FLOW] = BW_RIEMANNIAN_FLOW,
	};
	return algo[which];
}

const char *bw_blas_config(void) { return openblas_get_config(); }
