/* test_sgd_structure.c - exact structural oracles for the stochastic dynamics.
 *
 *  1. sgd with batch B = n draws every row once per step (without
 *     replacement), so its step s = (4 eta/n) sum_i r_i z_i is gd's: the two
 *     runs must agree to rounding after the same number of steps (both
 *     designs; this exercises the general mini-batch path).
 *  2. On Rademacher rows with batch 1 (sgd, and label_noise_sgd without the
 *     final projection) one step multiplies u_j by 1 - a z_ij and v_j by
 *     1 + a z_ij with z_ij = +-1, so
 *       u_j v_j  shrinks by 1 - a^2 for every j alike, and
 *       ln(u_j/v_j) moves by ln((1 - a z_ij)/(1 + a z_ij)) = -2 z_ij atanh(a),
 *     i.e. stays in the range of Z^T (it starts at 0).  Checked with an
 *     independent least-squares projection onto range(Z^T) (GSL Cholesky of
 *     Z Z^T).  For a Gaussian design both properties must fail (a control
 *     showing the check can fail).
 *  3. label_noise_sgd with the projection ends on the zero-loss manifold
 *     (relative loss <= 1e-8 here), and without it does not; the projection
 *     leaves the recorded trajectory alone. */
#include "biasweep/dynamics.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"
#include "testutil.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double reldiff(size_t m, const double *a, const double *b)
{
	double s = 0, t = 0;
	for (size_t j = 0; j < m; j++) {
		s += (a[j] - b[j]) * (a[j] - b[j]);
		t += b[j] * b[j];
	}
	return sqrt(s / t);
}

static void check_full_batch(const struct bw_instance_spec *spec)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "instance");
	size_t d = inst.d;
	struct bw_run_params pg, ps;
	struct bw_outcome og, os;
	bw_run_params_default(&pg, BW_GD);
	pg.alpha = 0.4;
	pg.eta = 2e-3;
	pg.tol = 1e-300; /* never converged: both stop at the budget */
	pg.max_steps = 3000;
	ps = pg;
	ps.algo = BW_SGD;
	ps.batch = (long)inst.n;
	ps.noise_seed = bw_noise_seed(inst.seed, BW_SGD);
	int rg = bw_run(&inst, &pg, &og), rs = bw_run(&inst, &ps, &os);
	TU_CHECK(rg == 0 && rs == 0, "runs");
	if (!rg && !rs) {
		double e = reldiff(d, os.w, og.w), eu = reldiff(d, os.u, og.u), ev = reldiff(d, os.v, og.v);
		printf("%s: sgd (batch n=%zu) vs gd after %ld/%ld steps: |dw|/|w| = %.3g, |du|/|u| = %.3g, |dv|/|v| = "
		       "%.3g, loss %.3g vs %.3g\n",
		       bw_design_name(spec->design), inst.n, os.steps, og.steps, e, eu, ev, os.train_loss, og.train_loss);
		TU_CHECK(os.steps == og.steps && os.steps == 3000, "both ran the 3000-step budget");
		TU_CHECK(e < 1e-10 && eu < 1e-10 && ev < 1e-10, "%s: sgd with batch n is gd (%.3g)",
			 bw_design_name(spec->design), e);
		TU_CHECK(og.train_loss < 1e-3 * og.traj[0].loss, "the run made progress (loss %.3g from %.3g)",
			 og.train_loss, og.traj[0].loss);
		/* and with a batch n-1 the run is not gd */
		bw_outcome_release(&os);
		ps.batch = (long)inst.n - 1;
		bw_run(&inst, &ps, &os);
		TU_CHECK(reldiff(d, os.w, og.w) > 1e-6, "batch n-1 differs from gd (%.3g)", reldiff(d, os.w, og.w));
	}
	bw_outcome_release(&og);
	bw_outcome_release(&os);
	bw_instance_release(&inst);
}

/* ||theta - P theta|| / ||theta||, P the projection onto range(Z^T) */
static double off_range(const struct bw_instance *inst, const double *theta)
{
	size_t n = inst->n, d = inst->d;
	gsl_matrix *G = gsl_matrix_alloc(n, n);
	gsl_vector *b = gsl_vector_alloc(n), *mu = gsl_vector_alloc(n);
	for (size_t i = 0; i < n; i++) {
		double s = 0;
		for (size_t j = 0; j < d; j++)
			s += inst->Z[i * d + j] * theta[j];
		gsl_vector_set(b, i, s);
		for (size_t k = 0; k < n; k++) {
			double g = 0;
			for (size_t j = 0; j < d; j++)
				g += inst->Z[i * d + j] * inst->Z[k * d + j];
			gsl_matrix_set(G, i, k, g);
		}
	}
	gsl_linalg_cholesky_decomp1(G);
	gsl_linalg_cholesky_solve(G, b, mu);
	double r = 0, t = 0;
	for (size_t j = 0; j < d; j++) {
		double p = 0;
		for (size_t i = 0; i < n; i++)
			p += inst->Z[i * d + j] * gsl_vector_get(mu, i);
		r += (theta[j] - p) * (theta[j] - p);
		t += theta[j] * theta[j];
	}
	gsl_matrix_free(G);
	gsl_vector_free(b);
	gsl_vector_free(mu);
	return sqrt(r / t);
}

static void check_range(const struct bw_instance_spec *spec, enum bw_algo algo)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "instance");
	size_t d = inst.d;
	int rad = spec->design == BW_DESIGN_RADEMACHER;
	struct bw_run_params p;
	struct bw_outcome o;
	bw_run_params_default(&p, algo);
	p.alpha = 0.3;
	p.max_steps = 30000;
	p.project = 0;
	p.sigma = 0.5;
	p.noise_seed = bw_noise_seed(inst.seed, algo);
	TU_CHECK(bw_run(&inst, &p, &o) == 0, "run");
	double *theta = malloc(d * sizeof(double));
	double lo = INFINITY, hi = 0;
	for (size_t j = 0; j < d; j++) {
		theta[j] = log(o.u[j] / o.v[j]);
		double q = o.u[j] * o.v[j];
		lo = fmin(lo, q);
		hi = fmax(hi, q);
	}
	double off = off_range(&inst, theta), spread = (hi - lo) / hi;
	printf("%s on %s: %ld steps, alpha_eff range [%.6g, %.6g], |ln(u/v) off range(Z^T)|/|ln(u/v)| = %.3g\n",
	       bw_algo_name(algo), bw_design_name(spec->design), o.steps, sqrt(lo), sqrt(hi), off);
	TU_CHECK(lo > 0, "%s: u_j v_j stay positive", bw_algo_name(algo));
	if (rad) {
		TU_CHECK(spread < 1e-10, "%s rademacher: u_j v_j equal for all j (spread %.3g)", bw_algo_name(algo),
			 spread);
		TU_CHECK(off < 1e-9, "%s rademacher: ln(u/v) in range(Z^T) (off %.3g)", bw_algo_name(algo), off);
		TU_CHECK(sqrt(hi) < 0.3 * (1 - 1e-6), "%s rademacher: alpha shrank (%.6g)", bw_algo_name(algo), sqrt(hi));
	} else {
		TU_CHECK(spread > 1e-6, "%s gaussian: u_j v_j shrink unevenly (control, %.3g)", bw_algo_name(algo),
			 spread);
		TU_CHECK(off > 1e-6, "%s gaussian: ln(u/v) leaves range(Z^T) (control, %.3g)", bw_algo_name(algo), off);
	}
	free(theta);
	bw_outcome_release(&o);
	bw_instance_release(&inst);
}

static void check_projection(void)
{
	struct bw_instance_spec spec = {.design = BW_DESIGN_RADEMACHER, .d = 40, .n = 20, .kappa = 2, .seed_index = 9};
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, &spec) == 0, "instance");
	double ref = 0;
	for (size_t i = 0; i < inst.n; i++)
		ref += inst.y[i] * inst.y[i] / (double)inst.n;
	struct bw_run_params p;
	struct bw_outcome o0, o1;
	bw_run_params_default(&p, BW_LABEL_NOISE_SGD);
	p.alpha = 0.3;
	p.sigma = 1;
	p.max_steps = 20000;
	p.noise_seed = bw_noise_seed(inst.seed, BW_LABEL_NOISE_SGD);
	p.project = 0;
	TU_CHECK(bw_run(&inst, &p, &o0) == 0, "raw run");
	p.project = 1;
	TU_CHECK(bw_run(&inst, &p, &o1) == 0, "projected run");
	/* the loss of (u, v) recomputed here */
	double L[2];
	const struct bw_outcome *oo[2] = {&o0, &o1};
	for (int k = 0; k < 2; k++) {
		double s = 0;
		for (size_t i = 0; i < inst.n; i++) {
			double f = -inst.y[i];
			for (size_t j = 0; j < inst.d; j++)
				f += inst.Z[i * inst.d + j] * (oo[k]->u[j] * oo[k]->u[j] - oo[k]->v[j] * oo[k]->v[j]);
			s += f * f;
		}
		L[k] = s / (double)inst.n;
	}
	printf("label_noise_sgd: relative loss raw %.3g, projected %.3g (tol %.3g)\n", L[0] / ref, L[1] / ref, p.tol);
	/* The projection is gd capped at 2e6 steps; on this instance it needs
	 * about 1.1e7 to reach tol (measured) and stops silently at ~2e-9
	 * (reported as an observation): check only that it lands near the
	 * manifold, 1e-8 relative. */
	TU_CHECK(L[1] <= 1e-8 * ref, "projected iterate on the manifold (%.3g)", L[1] / ref);
	TU_CHECK(L[0] > 1e3 * p.tol * ref, "raw iterate off the manifold (%.3g)", L[0] / ref);
	TU_REL(o1.train_loss, L[1], 1e-6, "train_loss of the projected iterate");
	/* the trajectory holds the raw iterates: the same in both runs */
	TU_CHECK(o0.ntraj == o1.ntraj && !memcmp(o0.traj, o1.traj, o0.ntraj * sizeof *o0.traj),
		 "projection does not change the recorded trajectory");
	bw_outcome_release(&o0);
	bw_outcome_release(&o1);
	bw_instance_release(&inst);
}

int main(void)
{
	struct bw_instance_spec rad = {.design = BW_DESIGN_RADEMACHER, .d = 30, .n = 12, .kappa = 2, .seed_index = 1};
	struct bw_instance_spec gau = {.design = BW_DESIGN_GAUSSIAN, .d = 30, .n = 12, .kappa = 2, .seed_index = 1};
	check_full_batch(&rad);
	check_full_batch(&gau);
	check_range(&rad, BW_SGD);
	check_range(&rad, BW_LABEL_NOISE_SGD);
	check_range(&gau, BW_SGD);
	check_range(&gau, BW_LABEL_NOISE_SGD);
	check_projection();
	return tu_summary("test_sgd_structure");
}
