/* test_sgd_sparser.c - plain SGD (batch 1) ends sparser than gd from the same
 * alpha (Pesme, Pillaud-Vivien, Flammarion 2021): its effective
 * initialization alpha_inf is smaller, and its limit is near the gd limit
 * from alpha_inf (the Woodworth interpolant, solved independently in
 * woodworth.h).
 *
 * Oracles:
 *  - alpha_inf recomputed here as the geometric mean of sqrt(u_j v_j);
 *  - Rademacher rows: s_j^2 = 16 eta^2 r_i^2 z_ij^2 is the same for every j,
 *    so every u_j v_j shrinks by the same factor: u_j v_j must be equal
 *    across j (an exact property of the SGD update);
 *  - the Pesme prediction alpha exp(-8 eta mean(c/n) int L dt / B), in our
 *    normalization (ln u_j v_j drops by 16 eta^2 r_i^2 z_ij^2 per step, whose
 *    mean over i is 16 eta^2 (c_j/n) L), compared on the exponent
 *    ln(alpha/alpha_inf) within 20%;
 *  - the Woodworth interpolant at alpha and at sgd's alpha_inf: for
 *    Rademacher rows and batch 1, ln(u_j/v_j) drops by
 *    2 atanh(4 eta r_i z_ij) = 2 z_ij atanh(4 eta r_i) per step, so it stays in
 *    the range of Z^T while u_j v_j = alpha_inf^2 for every j: at zero loss
 *    w = 2 alpha_inf^2 sinh(Z^T mu) with Z w = y, the KKT point of
 *    W(alpha_inf) exactly (to the convergence tolerance); for Gaussian rows
 *    only approximately (checked loosely, against the per-coordinate
 *    alpha_j = sqrt(u_j v_j)).
 *
 * Parameters: at alpha 0.5-1 with d = 100 the stability bound
 * eta < 1/(8 d alpha^2) keeps the shrink of alpha below 2.5% (a weak case is
 * kept below); the main case is alpha = 0.2 with eta at 0.6 of the bound,
 * where sgd shrinks alpha by about 25% and ends visibly sparser. */
#include "biasweep/dynamics.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"
#include "testutil.h"
#include "woodworth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* geometric mean of sqrt(u_j v_j); NaN if some u_j v_j <= 0 */
static double geo_alpha(size_t d, const double *u, const double *v, double *spread)
{
	double lg = 0, lo = INFINITY, hi = -INFINITY;
	for (size_t j = 0; j < d; j++) {
		double q = u[j] * v[j];
		if (!(q > 0))
			return NAN;
		lg += 0.5 * log(q);
		lo = fmin(lo, q);
		hi = fmax(hi, q);
	}
	if (spread)
		*spread = (hi - lo) / hi;
	return exp(lg / (double)d);
}

static void check_case(const char *label, const struct bw_instance_spec *spec, double alpha, double eta_frac,
		       int strong)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "%s: instance", label);
	size_t d = inst.d, n = inst.n;
	double eta = eta_frac * fmin(1.0 / (8.0 * (double)d * alpha * alpha), 1.0 / (8.0 * (double)spec->kappa));

	struct bw_run_params pg, ps;
	struct bw_outcome og, os;
	bw_run_params_default(&pg, BW_GD);
	pg.alpha = alpha;
	pg.tol = 1e-12;
	pg.noise_seed = bw_noise_seed(inst.seed, BW_GD);
	bw_run_params_default(&ps, BW_SGD);
	ps.alpha = alpha;
	ps.eta = eta;
	ps.batch = 1;
	ps.tol = 1e-12;
	ps.noise_seed = bw_noise_seed(inst.seed, BW_SGD);
	int rg = bw_run(&inst, &pg, &og), rs = bw_run(&inst, &ps, &os);
	TU_CHECK(rg == 0 && rs == 0, "%s: bw_run gd %d sgd %d", label, rg, rs);
	if (rg || rs) {
		bw_instance_release(&inst);
		return;
	}
	TU_CHECK(og.status == BW_RUN_CONVERGED, "%s: gd converged (%s)", label, bw_run_status_name(og.status));
	TU_CHECK(os.status == BW_RUN_CONVERGED, "%s: sgd converged (%s)", label, bw_run_status_name(os.status));

	/* l1 and test error from the final w, recomputed here */
	double l1g = 0, l1s = 0;
	for (size_t j = 0; j < d; j++) {
		l1g += fabs(og.u[j] * og.u[j] - og.v[j] * og.v[j]);
		l1s += fabs(os.u[j] * os.u[j] - os.v[j] * os.v[j]);
	}
	TU_REL(og.l1, l1g, 1e-12, "gd l1 field");
	TU_REL(os.l1, l1s, 1e-12, "sgd l1 field");
	printf("%s: alpha=%g, gd eta=%.4g: %ld steps, l1=%.6f, err=%.4f | sgd eta=%.4g: %ld steps, l1=%.6f, err=%.4f\n",
	       label, alpha, og.eta_used, og.steps, og.l1, og.test_error, os.eta_used, os.steps, os.l1, os.test_error);
	TU_CHECK(l1s < l1g, "%s: sgd l1 %.6f < gd l1 %.6f", label, l1s, l1g);
	TU_CHECK(os.test_error < og.test_error, "%s: sgd test error %.4f < gd %.4f", label, os.test_error,
		 og.test_error);

	/* effective initialization */
	double spread_s, spread_g;
	double ag = geo_alpha(d, og.u, og.v, &spread_g), as = geo_alpha(d, os.u, os.v, &spread_s);
	TU_REL(og.alpha_inf, ag, 1e-12, "gd alpha_inf = geometric mean of sqrt(u v)");
	TU_REL(os.alpha_inf, as, 1e-12, "sgd alpha_inf = geometric mean of sqrt(u v)");
	if (spec->design == BW_DESIGN_RADEMACHER)
		TU_CHECK(spread_s < 1e-10, "%s: rademacher sgd shrinks every u_j v_j alike (spread %.3g)", label,
			 spread_s);
	TU_CHECK(as < ag && ag < alpha, "%s: alpha_inf sgd %.6f < gd %.6f < alpha %g", label, as, ag, alpha);
	double e_meas = log(alpha / as), e_pred = log(alpha / os.alpha_inf_pred);
	printf("%s: alpha_inf gd=%.6f sgd=%.6f, Pesme prediction %.6f (int L dt = %.4g); exponent ln(alpha/alpha_inf) "
	       "measured %.4g predicted %.4g (ratio %.3f)\n",
	       label, ag, as, os.alpha_inf_pred, os.int_loss_dt, e_meas, e_pred, e_pred / e_meas);
	TU_CHECK(isfinite(os.alpha_inf_pred) && fabs(e_pred / e_meas - 1) < 0.2,
		 "%s: Pesme exponent %.4g within 20%% of the measured %.4g", label, e_pred, e_meas);
	double cbar = 0;
	for (size_t j = 0; j < d; j++)
		cbar += inst.c[j] / (double)n / (double)d;
	TU_REL(os.alpha_inf_pred, alpha * exp(-8.0 * eta * cbar * os.int_loss_dt), 1e-12,
	       "alpha_inf_pred = alpha exp(-8 eta cbar int L dt)");
	/* int L dt against the trapezoid over the recorded trajectory (t = k eta) */
	double I = 0;
	for (size_t c = 1; c < os.ntraj; c++)
		I += 0.5 * (os.traj[c].loss + os.traj[c - 1].loss) * (os.traj[c].t - os.traj[c - 1].t);
	printf("%s: int L dt: outcome %.4g, trapezoid over the %zu checkpoints %.4g\n", label, os.int_loss_dt,
	       os.ntraj, I);
	TU_CHECK(fabs(os.int_loss_dt / I - 1) < 0.35, "%s: int L dt %.4g vs trajectory trapezoid %.4g", label,
		 os.int_loss_dt, I);
	/* the linear convergence rate of ln L per step (Wojtowytsch) is negative */
	TU_CHECK(os.loss_rate < 0, "%s: fitted ln L rate %.3g < 0", label, os.loss_rate);

	/* the limits against the Woodworth interpolants at alpha, at alpha_inf,
	 * and at the per-coordinate alpha_j = sqrt(u_j v_j) of the final state
	 * (u_j v_j is the flow's invariant; on Gaussian rows sgd shrinks it
	 * unevenly, by the z_ij^2 of the samples drawn) */
	double *wa = malloc(d * sizeof(double)), *wi = malloc(d * sizeof(double)), *wv = malloc(d * sizeof(double));
	double *av = malloc(d * sizeof(double));
	for (size_t j = 0; j < d; j++)
		av[j] = sqrt(os.u[j] * os.v[j]);
	int ok1 = woodworth_oracle(&inst, alpha, wa) >= 0, ok2 = woodworth_oracle(&inst, as, wi) >= 0,
	    ok3 = woodworth_oracle_v(&inst, av, wv) >= 0;
	TU_CHECK(ok1 && ok2 && ok3, "%s: Woodworth oracles converged", label);
	double g_a = reldist(d, og.w, wa), s_a = reldist(d, os.w, wa), s_i = reldist(d, os.w, wi),
	       s_v = reldist(d, os.w, wv), sep = reldist(d, wi, wa);
	printf("%s: |w_gd - W(alpha)| = %.3g; |w_sgd - W(alpha)| = %.3g, |w_sgd - W(alpha_inf)| = %.3g, "
	       "|w_sgd - W(alpha_j)| = %.3g; |W(alpha_inf) - W(alpha)| = %.3g (relative)\n",
	       label, g_a, s_a, s_i, s_v, sep);
	TU_CHECK(g_a < 1e-2, "%s: gd (auto eta) ends at the Woodworth interpolant: %.3g", label, g_a);
	TU_CHECK(s_i < s_a, "%s: sgd ends nearer W(alpha_inf) (%.3g) than W(alpha) (%.3g)", label, s_i, s_a);
	/* Rademacher rows, batch 1: atanh(4 eta r_i z_ij) = z_ij atanh(4 eta r_i), so
	 * ln(u_j/v_j) stays in the range of Z^T and u_j v_j = alpha_inf^2 for all j:
	 * the sgd limit is exactly the KKT point of W(alpha_inf) */
	if (spec->design == BW_DESIGN_RADEMACHER)
		TU_CHECK(s_i < 1e-4, "%s: rademacher sgd ends exactly at W(alpha_inf): %.3g", label, s_i);
	if (strong) {
		TU_CHECK(sep > 0.05, "%s: the two interpolants differ visibly (%.3g)", label, sep);
		TU_CHECK(s_v < 0.35 * s_a, "%s: sgd ends near W(alpha_j): %.3g, against %.3g from W(alpha)", label,
			 s_v, s_a);
		TU_CHECK(l1s < 0.95 * l1g, "%s: sgd l1 at least 5%% below gd (%.4f vs %.4f)", label, l1s, l1g);
	}
	free(wv);
	free(av);
	free(wa);
	free(wi);
	bw_outcome_release(&og);
	bw_outcome_release(&os);
	bw_instance_release(&inst);
}

int main(void)
{
	struct bw_instance_spec rad = {.design = BW_DESIGN_RADEMACHER, .d = 100, .n = 40, .kappa = 3, .seed_index = 0};
	check_case("rademacher alpha=0.2", &rad, 0.2, 0.6, 1);
	check_case("rademacher alpha=0.5 (weak)", &rad, 0.5, 0.8, 0);
	struct bw_instance_spec gau = {.design = BW_DESIGN_GAUSSIAN, .d = 100, .n = 40, .kappa = 3, .seed_index = 0};
	check_case("gaussian alpha=0.2", &gau, 0.2, 0.5, 1);
	return tu_summary("test_sgd_sparser");
}
