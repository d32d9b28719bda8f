/* test_model.c - the model layer (src/numerics/model.c) against independent
 * oracles: central finite differences of a loss written here from docs/model.md,
 * the trace of a finite-difference Hessian for R, and hand-made vectors for
 * the test error, l1, support recovery and finiteness. */
#include "biasweep/instance.h"
#include "biasweep/model.h"
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* L(u, v) = (1/n) sum_i (sum_j z_ij (u_j^2 - v_j^2) - y_i)^2, written from
 * docs/model.md with plain loops (long double accumulation), independent of BLAS. */
static double oracle_loss(const struct bw_instance *inst, const double *u, const double *v)
{
	size_t n = inst->n, d = inst->d;
	long double s = 0;
	for (size_t i = 0; i < n; i++) {
		long double f = 0;
		for (size_t j = 0; j < d; j++)
			f += (long double)inst->Z[i * d + j] * ((long double)u[j] * u[j] - (long double)v[j] * v[j]);
		f -= inst->y[i];
		s += f * f;
	}
	return (double)(s / (long double)n);
}

static double norm2(size_t m, const double *x)
{
	double s = 0;
	for (size_t j = 0; j < m; j++)
		s += x[j] * x[j];
	return sqrt(s);
}

/* Relative distance ||a - b|| / ||b||. */
static double reldist(size_t m, const double *a, const double *b)
{
	double s = 0;
	for (size_t j = 0; j < m; j++)
		s += (a[j] - b[j]) * (a[j] - b[j]);
	return sqrt(s) / norm2(m, b);
}

/* The model's gradient at x = (u, v) (2d entries), through the library. */
static void model_grad(const struct bw_instance *inst, const double *x, double *gx)
{
	size_t d = inst->d;
	double *w = malloc(d * sizeof(double)), *r = malloc(inst->n * sizeof(double)), *g = malloc(d * sizeof(double));
	bw_model_w(d, x, x + d, w);
	bw_model_residual(inst, w, r);
	bw_model_grad(inst, x, x + d, r, gx, gx + d, g);
	free(w);
	free(r);
	free(g);
}

static void check_instance(const char *label, const struct bw_instance_spec *spec, gsl_rng *rng)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "%s: instance init", label);
	size_t n = inst.n, d = inst.d, m = 2 * d;
	double *x = malloc(m * sizeof(double)), *gx = malloc(m * sizeof(double)), *fd = malloc(m * sizeof(double));
	double *xp = malloc(m * sizeof(double)), *gp = malloc(m * sizeof(double)), *gm = malloc(m * sizeof(double));
	double *w = malloc(d * sizeof(double)), *r = malloc(n * sizeof(double));

	for (int trial = 0; trial < 3; trial++) {
		/* a random point, deliberately off the zero-loss manifold */
		for (size_t k = 0; k < m; k++)
			x[k] = gsl_ran_gaussian(rng, 0.7) + (trial == 2 ? 0.3 : 0.0);

		/* 1. loss: the library's residual against the oracle loss */
		bw_model_w(d, x, x + d, w);
		for (size_t j = 0; j < d; j++)
			TU_CHECK(w[j] == x[j] * x[j] - x[d + j] * x[d + j], "%s: w_%zu", label, j);
		double L = bw_model_residual(&inst, w, r), Lo = oracle_loss(&inst, x, x + d);
		TU_REL(L, Lo, 1e-12, "loss vs plain-loop oracle");
		double rr = 0;
		for (size_t i = 0; i < n; i++) {
			double f = 0;
			for (size_t j = 0; j < d; j++)
				f += inst.Z[i * d + j] * w[j];
			TU_CHECK(fabs(r[i] - (f - inst.y[i])) <= 1e-11 * (1 + fabs(f)), "%s: residual %zu", label, i);
			rr += r[i] * r[i];
		}
		TU_REL(L, rr / (double)n, 1e-13, "loss = |r|^2/n");

		/* 2. grad L against central differences of the oracle loss */
		model_grad(&inst, x, gx);
		double h = 1e-5;
		for (size_t k = 0; k < m; k++) {
			memcpy(xp, x, m * sizeof(double));
			xp[k] = x[k] + h;
			double Lp = oracle_loss(&inst, xp, xp + d);
			xp[k] = x[k] - h;
			double Lm = oracle_loss(&inst, xp, xp + d);
			fd[k] = (Lp - Lm) / (2 * h);
		}
		double e = reldist(m, gx, fd);
		printf("%s trial %d: |grad L - FD| / |FD| = %.3g\n", label, trial, e);
		TU_CHECK(e < 1e-6, "%s: grad L vs central differences: rel %.3g", label, e);

		/* 3. grad R = (16/n)(c.u, c.v) against central differences of R,
		 * with c recomputed here from Z (sum of squares of each column) */
		double gR_fd_err = 0, gR_norm = 0;
		for (size_t k = 0; k < m; k++) {
			size_t j = k % d;
			double cj = 0;
			for (size_t i = 0; i < n; i++)
				cj += inst.Z[i * d + j] * inst.Z[i * d + j];
			if (k < d)
				TU_REL(inst.c[j], cj, 1e-13, "column weight c_j");
			double want = 16.0 / (double)n * cj * x[k];
			memcpy(xp, x, m * sizeof(double));
			xp[k] = x[k] + h;
			double Rp = bw_model_R(&inst, xp, xp + d);
			xp[k] = x[k] - h;
			double Rm = bw_model_R(&inst, xp, xp + d);
			double got = (Rp - Rm) / (2 * h);
			gR_fd_err += (got - want) * (got - want);
			gR_norm += want * want;
		}
		e = sqrt(gR_fd_err / gR_norm);
		TU_CHECK(e < 1e-6, "%s: grad R vs (16/n)(c.u, c.v): rel %.3g", label, e);

		/* 4. R = tr Hessian of L, the Hessian formed by central differences
		 * of the (FD-verified) gradient: H_kk = d g_k / d x_k. */
		double hh = 1e-4, tr = 0, trabs = 0;
		for (size_t k = 0; k < m; k++) {
			memcpy(xp, x, m * sizeof(double));
			xp[k] = x[k] + hh;
			model_grad(&inst, xp, gp);
			xp[k] = x[k] - hh;
			model_grad(&inst, xp, gm);
			double hk = (gp[k] - gm[k]) / (2 * hh);
			tr += hk;
			trabs += fabs(hk);
		}
		double R = bw_model_R(&inst, x, x + d);
		printf("%s trial %d: R = %.12g, tr(FD Hessian) = %.12g (L = %.4g)\n", label, trial, R, tr, L);
		TU_CHECK(fabs(R - tr) <= 1e-6 * trabs, "%s: R %.12g vs trace of FD Hessian %.12g", label, R, tr);
		/* and R from its closed form with c recomputed */
		double Rc = 0;
		for (size_t j = 0; j < d; j++) {
			double cj = 0;
			for (size_t i = 0; i < n; i++)
				cj += inst.Z[i * d + j] * inst.Z[i * d + j];
			Rc += cj * (x[j] * x[j] + x[d + j] * x[d + j]);
		}
		TU_REL(R, 8.0 * Rc / (double)n, 1e-12, "R closed form");
	}
	free(x);
	free(gx);
	free(fd);
	free(xp);
	free(gp);
	free(gm);
	free(w);
	free(r);
	bw_instance_release(&inst);
}

/* Stable-sort oracle: the kappa largest |w_j|, ties to the lower index. */
static int oracle_support(const struct bw_instance *inst, const double *w)
{
	size_t d = inst->d, k = inst->spec.kappa;
	char *taken = calloc(d, 1);
	int ok = 1;
	for (size_t a = 0; a < k; a++) {
		size_t best = d;
		for (size_t j = 0; j < d; j++) {
			if (taken[j])
				continue;
			if (best == d || fabs(w[j]) > fabs(w[best]))
				best = j;
		}
		taken[best] = 1;
	}
	for (size_t j = 0; j < d; j++)
		if ((taken[j] != 0) != (inst->w_star[j] != 0))
			ok = 0;
	free(taken);
	return ok;
}

static void check_metrics(gsl_rng *rng)
{
	struct bw_instance_spec spec = {.design = BW_DESIGN_RADEMACHER, .d = 9, .n = 5, .kappa = 3, .seed_index = 4};
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, &spec) == 0, "metrics instance");
	size_t d = inst.d;
	double w[9], ws[9];
	memcpy(ws, inst.w_star, sizeof ws);
	size_t on[3], off[6], a = 0, b = 0;
	for (size_t j = 0; j < d; j++) {
		if (ws[j] != 0)
			on[a++] = j;
		else
			off[b++] = j;
	}
	TU_CHECK(a == 3 && b == 6, "w* has exactly kappa = 3 nonzeros (got %zu)", a);
	for (size_t j = 0; j < a; j++)
		TU_CHECK(fabs(ws[on[j]]) == 1.0, "w* entries are +-1 (signs)");

	/* test error */
	TU_REL(bw_model_test_error(&inst, ws), 0.0, 1e-15, "err(w*) = 0");
	memset(w, 0, sizeof w);
	TU_REL(bw_model_test_error(&inst, w), 1.0, 1e-15, "err(0) = 1");
	for (size_t j = 0; j < d; j++)
		w[j] = 2 * ws[j];
	TU_REL(bw_model_test_error(&inst, w), 1.0, 1e-15, "err(2 w*) = 1");
	for (size_t j = 0; j < d; j++)
		w[j] = -ws[j];
	TU_REL(bw_model_test_error(&inst, w), 2.0, 1e-15, "err(-w*) = 2");
	memcpy(w, ws, sizeof w);
	w[off[0]] = 3.0; /* ||w - w*|| = 3, ||w*|| = sqrt 3 */
	TU_REL(bw_model_test_error(&inst, w), sqrt(3.0), 1e-15, "err(w* + 3 e_j) = sqrt 3");

	/* l1 */
	double hand[9] = {1, -2, 3, 0, -0.5, 0, 0, 0, 4.25};
	TU_REL(bw_model_l1(9, hand), 10.75, 1e-15, "l1 of a hand-made vector");
	TU_REL(bw_model_l1(3, ws), (double)(ws[0] != 0) + (ws[1] != 0) + (ws[2] != 0), 1e-15, "l1 prefix");
	TU_REL(bw_model_l1(9, ws), 3.0, 1e-15, "l1(w*) = kappa");

	/* support recovery, hand-made */
	TU_CHECK(bw_model_support_recovered(&inst, ws) == 1, "support of w* is recovered");
	memset(w, 0, sizeof w);
	for (size_t j = 0; j < 3; j++)
		w[on[j]] = (j + 1) * 0.1 * (j % 2 ? -1 : 1);
	w[off[2]] = 0.09;
	TU_CHECK(bw_model_support_recovered(&inst, w) == 1, "small on-support, smaller off-support: recovered");
	w[off[2]] = -0.11;
	TU_CHECK(bw_model_support_recovered(&inst, w) == 0, "an off-support entry beats one on the support");
	/* ties go to the lower index: w = 0 picks {0, 1, 2} */
	printf("support of the metrics instance: %zu %zu %zu\n", on[0], on[1], on[2]);
	TU_CHECK(on[2] != 2, "the metrics instance's support is not {0,1,2}");
	memset(w, 0, sizeof w);
	TU_CHECK(bw_model_support_recovered(&inst, w) == 0, "w = 0 does not recover a support other than {0,1,2}");
	/* all on-support entries equal to one off-support entry of lower index */
	for (size_t j = 0; j < 3; j++)
		w[on[j]] = 1.0;
	w[off[0]] = off[0] < on[2] ? 1.0 : 0.0;
	TU_CHECK(bw_model_support_recovered(&inst, w) == (off[0] < on[2] ? 0 : 1),
		 "tie between the last support index %zu and off-support index %zu", on[2], off[0]);
	/* minimal case of the tie rule: support entries and one off-support
	 * entry between the first and last support index, all equal to 1; the
	 * three largest with ties to the lower index include the off-support one */
	size_t mid = d;
	for (size_t j = on[0] + 1; j < on[2]; j++)
		if (ws[j] == 0) {
			mid = j;
			break;
		}
	TU_CHECK(mid < d, "an off-support index lies between %zu and %zu", on[0], on[2]);
	if (mid < d) {
		memset(w, 0, sizeof w);
		for (size_t j = 0; j < 3; j++)
			w[on[j]] = 1.0;
		w[mid] = -1.0;
		TU_CHECK(bw_model_support_recovered(&inst, w) == 0,
			 "tie: |w| = 1 at support {%zu,%zu,%zu} and at off-support %zu: the top 3 (ties to the "
			 "lower index) include %zu, so not recovered", on[0], on[1], on[2], mid, mid);
	}
	memcpy(w, ws, sizeof w);
	w[off[1]] = NAN;
	TU_CHECK(bw_model_support_recovered(&inst, w) == 0, "NaN: not recovered");

	/* ties and random integer vectors against the stable-sort oracle */
	int agree = 0, trials = 4000, pos = 0;
	for (int t = 0; t < trials; t++) {
		for (size_t j = 0; j < d; j++)
			w[j] = (double)((long)gsl_rng_uniform_int(rng, 5) - 2); /* many ties */
		if (t % 2 == 0) /* on-support in {+-2, +-3}: ties decide often */
			for (size_t j = 0; j < 3; j++)
				w[on[j]] = (2.0 + (double)gsl_rng_uniform_int(rng, 2)) * (gsl_rng_uniform(rng) < 0.5 ? -1 : 1);
		int got = bw_model_support_recovered(&inst, w), want = oracle_support(&inst, w);
		agree += got == want;
		pos += want;
		if (got != want && t - agree < 3) {
			printf("  mismatch: w =");
			for (size_t j = 0; j < d; j++)
				printf(" %g", w[j]);
			printf(" got %d want %d\n", got, want);
		}
	}
	TU_CHECK(agree == trials, "support_recovered vs stable-sort oracle: %d/%d agree (%d positives)", agree, trials,
		 pos);
	TU_CHECK(pos > 300, "the random tie test exercised positives (%d)", pos);

	/* finiteness */
	double f[4] = {1, -2, 1e308, 0};
	TU_CHECK(bw_model_finite(4, f) == 1, "finite vector");
	f[2] = INFINITY;
	TU_CHECK(bw_model_finite(4, f) == 0, "Inf detected");
	f[2] = -INFINITY;
	TU_CHECK(bw_model_finite(4, f) == 0, "-Inf detected");
	f[2] = NAN;
	TU_CHECK(bw_model_finite(4, f) == 0, "NaN detected");
	TU_CHECK(bw_model_finite(0, f) == 1, "empty vector is finite");
	bw_instance_release(&inst);
}

int main(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 12345);
	struct bw_instance_spec rad = {.design = BW_DESIGN_RADEMACHER, .d = 11, .n = 6, .kappa = 3, .seed_index = 1};
	struct bw_instance_spec gau = {.design = BW_DESIGN_GAUSSIAN, .d = 10, .n = 7, .kappa = 2, .seed_index = 2};
	struct bw_instance_spec gau2 = {
		.design = BW_DESIGN_GAUSSIAN, .wstar = BW_WSTAR_GAUSSIAN, .d = 8, .n = 12, .kappa = 3, .seed_index = 3};
	check_instance("rademacher d=11 n=6", &rad, rng);
	check_instance("gaussian d=10 n=7", &gau, rng);
	check_instance("gaussian/gaussian-w* d=8 n=12", &gau2, rng);
	check_metrics(rng);
	gsl_rng_free(rng);
	return tu_summary("test_model");
}
