/* test_gd_woodworth.c - gd from u = v = alpha converges to the Woodworth et
 * al. (2020) interpolant argmin Q_alpha(w) s.t. Z w = y, with
 * Q_alpha(w) = alpha^2 sum q(w_j/alpha^2), q(z) = 2 - sqrt(4+z^2) + z asinh(z/2).
 *
 * Oracle, independent of the library's dynamics: the dual
 *   min_lambda F(lambda) = alpha^2 sum_j (2 cosh(a_j) - 2) - lambda^T y,  a = Z^T lambda,
 * solved by Newton's method with Armijo backtracking (Hessian Z diag(2 alpha^2 cosh a) Z^T,
 * Cholesky by GSL; woodworth.h), then w = 2 alpha^2 sinh(Z^T lambda).  The oracle is checked
 * on its own: Z w = y to 1e-12, and Q_alpha increases along random directions
 * in the null space of Z.
 *
 * Discrete gd shrinks u_j v_j by (1 - s_j^2) per step, i.e. converges to the
 * Q of a slightly smaller, coordinate-dependent alpha; the step eta is chosen
 * small enough for this to stay below the 1e-3 tolerance (the measured
 * shrink, 1 - alpha_inf/alpha, is printed). */
#include "biasweep/dynamics.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"
#include "testutil.h"
#include "woodworth.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Q_alpha(w + t e) >= Q_alpha(w) for random e in null(Z), computed as
 * e = x - Z^T (Z Z^T)^{-1} Z x. */
static int oracle_is_min(const struct bw_instance *inst, double alpha, const double *w, gsl_rng *rng)
{
	size_t n = inst->n, d = inst->d;
	gsl_matrix *G = gsl_matrix_alloc(n, n);
	gsl_vector *b = gsl_vector_alloc(n), *c = gsl_vector_alloc(n);
	double *x = malloc(d * sizeof(double)), *wt = malloc(d * sizeof(double));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++) {
			double s = 0;
			for (size_t j = 0; j < d; j++)
				s += inst->Z[i * d + j] * inst->Z[k * d + j];
			gsl_matrix_set(G, i, k, s);
		}
	gsl_linalg_cholesky_decomp1(G);
	double Q0 = ww_Q(alpha, d, w), wn = 0;
	for (size_t j = 0; j < d; j++)
		wn += w[j] * w[j];
	wn = sqrt(wn);
	int ok = 1;
	for (int trial = 0; trial < 20; trial++) {
		for (size_t j = 0; j < d; j++)
			x[j] = gsl_ran_gaussian(rng, 1.0);
		for (size_t i = 0; i < n; i++) {
			double s = 0;
			for (size_t j = 0; j < d; j++)
				s += inst->Z[i * d + j] * x[j];
			gsl_vector_set(b, i, s);
		}
		gsl_linalg_cholesky_solve(G, b, c);
		double en = 0;
		for (size_t j = 0; j < d; j++) {
			double s = 0;
			for (size_t i = 0; i < n; i++)
				s += inst->Z[i * d + j] * gsl_vector_get(c, i);
			x[j] -= s;
			en += x[j] * x[j];
		}
		en = sqrt(en);
		for (double t = 1e-3; t <= 1e-1; t *= 10) {
			for (size_t j = 0; j < d; j++)
				wt[j] = w[j] + t * wn * x[j] / en;
			if (ww_residual(inst, wt) > 1e-10 || ww_Q(alpha, d, wt) < Q0)
				ok = 0;
		}
	}
	gsl_matrix_free(G);
	gsl_vector_free(b);
	gsl_vector_free(c);
	free(x);
	free(wt);
	return ok;
}

static void check_design(const struct bw_instance_spec *spec, gsl_rng *rng)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "instance");
	printf("-- %s d=%zu n=%zu kappa=%zu\n", bw_design_name(spec->design), spec->d, spec->n, spec->kappa);
	size_t d = inst.d;
	const double alphas[3] = {0.01, 0.3, 3.0};
	/* steps: the error to the flow's limit is first order in eta (measured:
	 * alpha=0.3 gives 2.3e-3 at eta=4e-3, 1.1e-3 at 2e-3, 1.1e-4 at 2e-4) */
	const double etas[3] = {5e-4, 2e-4, 1e-4};
	double yy = 0; /* |y|^2/n, the loss scale of the relative tolerance */
	for (size_t i = 0; i < inst.n; i++)
		yy += inst.y[i] * inst.y[i] / (double)inst.n;
	double *wo[3];
	for (int k = 0; k < 3; k++) {
		double alpha = alphas[k];
		wo[k] = malloc(d * sizeof(double));
		int it = woodworth_oracle(&inst, alpha, wo[k]);
		double res = ww_residual(&inst, wo[k]);
		printf("alpha=%g: dual Newton %d iterations, |Z w - y|/|y| = %.3g, l1 = %.6g, Q = %.6g\n", alpha, it,
		       res, bw_model_l1(d, wo[k]), ww_Q(alpha, d, wo[k]));
		TU_CHECK(it >= 0, "alpha=%g: the dual Newton solver converged", alpha);
		TU_CHECK(res < 1e-12, "alpha=%g: oracle interpolates, |Zw-y|/|y| = %.3g", alpha, res);
		TU_CHECK(oracle_is_min(&inst, alpha, wo[k], rng), "alpha=%g: oracle minimizes Q on {Zw=y}", alpha);

		struct bw_run_params p;
		bw_run_params_default(&p, BW_GD);
		p.alpha = alpha;
		p.eta = etas[k];
		p.tol = 1e-14;
		p.max_steps = 20000000;
		struct bw_outcome out;
		int rc = bw_run(&inst, &p, &out);
		TU_CHECK(rc == 0, "alpha=%g: bw_run(gd) returned %d", alpha, rc);
		if (rc)
			continue;
		double e = reldist(d, out.w, wo[k]);
		printf("alpha=%g eta=%g: gd %s after %ld steps (t=%.4g, rel loss %.3g), alpha_inf/alpha = 1 - %.3g, "
		       "|w_gd - w_oracle|/|w_oracle| = %.3g (wall %.2f s)\n",
		       alpha, out.eta_used, bw_run_status_name(out.status), out.steps, out.t,
		       out.train_loss / yy, 1 - out.alpha_inf / alpha,
		       e, out.wall_s);
		TU_CHECK(out.status == BW_RUN_CONVERGED, "alpha=%g: gd converged (status %s)", alpha,
			 bw_run_status_name(out.status));
		TU_CHECK(e < 1e-3, "alpha=%g: |w_gd - w_oracle|/|w_oracle| = %.3g >= 1e-3", alpha, e);
		bw_outcome_release(&out);
		if (k != 1)
			continue;
		/* the remaining gap is the discretization: ten times the step gives
		 * about ten times the error (first order in eta) */
		p.eta = 10 * etas[k];
		rc = bw_run(&inst, &p, &out);
		TU_CHECK(rc == 0 && out.status == BW_RUN_CONVERGED, "alpha=%g eta=%g: gd converged", alpha, p.eta);
		if (rc)
			continue;
		double e10 = reldist(d, out.w, wo[k]);
		printf("alpha=%g eta=%g: |w_gd - w_oracle|/|w_oracle| = %.3g (ratio %.3g to eta=%g)\n", alpha, p.eta, e10,
		       e10 / e, etas[k]);
		TU_CHECK(e10 / e > 5 && e10 / e < 15, "alpha=%g: the gap grows like eta (ratio %.3g for 10x eta)", alpha,
			 e10 / e);
		bw_outcome_release(&out);
	}
	/* the three alphas give visibly different interpolants: the test can tell them apart */
	double e01 = reldist(d, wo[0], wo[1]), e12 = reldist(d, wo[1], wo[2]), e02 = reldist(d, wo[0], wo[2]);
	printf("oracle distances: |w(0.01)-w(0.3)| = %.3g, |w(0.3)-w(3)| = %.3g, |w(0.01)-w(3)| = %.3g (relative)\n", e01,
	       e12, e02);
	TU_CHECK(e01 > 2e-2 && e12 > 2e-2 && e02 > 2e-2, "the three alphas give distinct solutions");
	/* alpha -> 0 approaches min l1, alpha large the min l2: l1 grows with alpha */
	TU_CHECK(bw_model_l1(d, wo[0]) < bw_model_l1(d, wo[1]) && bw_model_l1(d, wo[1]) < bw_model_l1(d, wo[2]),
		 "l1 of the oracle increases with alpha");
	for (int k = 0; k < 3; k++)
		free(wo[k]);
	bw_instance_release(&inst);
}

int main(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 2024);
	struct bw_instance_spec rad = {.design = BW_DESIGN_RADEMACHER, .d = 50, .n = 20, .kappa = 4, .seed_index = 7};
	struct bw_instance_spec gau = {.design = BW_DESIGN_GAUSSIAN, .d = 60, .n = 25, .kappa = 4, .seed_index = 3};
	check_design(&rad, rng);
	check_design(&gau, rng);
	gsl_rng_free(rng);
	return tu_summary("test_gd_woodworth");
}
