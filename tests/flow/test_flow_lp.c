/* test_flow_lp.c - the flow's limit against an independent LP solver (docs/model.md,
 * known limits): riemannian_flow converges to the weighted basis pursuit
 *   argmin sum_j c_j |w_j|  s.t.  Z w = y,
 * with u_j v_j = 0 at the limit and R = (8/n) sum_j c_j |w_j| there.
 * The LP is solved by GLPK's simplex (lp.h).  Instances
 * include ones where the LP solution is not w* (small n), so the check is a
 * real LP check, and Gaussian designs, where c_j differ (weighted).  The LP
 * solutions here are unique (checked: a different optimum at equal cost is
 * reported as such). */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"

#include "lp.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

struct lp_case {
	enum bw_design design;
	enum bw_wstar wstar;
	size_t d, n, kappa;
	uint32_t seed;
	double max_time;
	int lp_is_wstar; /* 1: the LP recovers w*; 0: it does not (a real LP check) */
};

static void check_case(const struct lp_case *k)
{
	struct bw_instance_spec spec = {
		.design = k->design, .wstar = k->wstar, .d = k->d, .n = k->n, .kappa = k->kappa, .seed_index = k->seed};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &spec) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return;
	}
	size_t d = k->d, n = k->n;
	char name[96];
	snprintf(name, sizeof name, "%s/%s d=%zu n=%zu kappa=%zu seed=%u", bw_design_name(k->design),
		 bw_wstar_name(k->wstar), d, n, k->kappa, k->seed);
	double *wlp = malloc(d * sizeof(double));
	double obj = solve_lp(&inst, wlp);
	TU_CHECK(isfinite(obj), "%s: GLPK did not solve the LP", name);
	double err_lp = bw_model_test_error(&inst, wlp);
	if (k->lp_is_wstar)
		TU_CHECK(err_lp <= 1e-6, "%s: expected the LP to recover w* (err %g)", name, err_lp);
	else
		TU_CHECK(err_lp >= 0.1, "%s: expected an LP solution away from w* (err %g)", name, err_lp);

	struct bw_run_params p;
	bw_run_params_default(&p, BW_RIEMANNIAN_FLOW);
	p.max_time = k->max_time;
	struct bw_outcome o;
	if (bw_run(&inst, &p, &o) != BW_OK) {
		TU_CHECK(0, "%s: bw_run: %s", name, bw_error_message());
		free(wlp);
		bw_instance_release(&inst);
		return;
	}
	double diff = 0, wmax = 0, uv = 0, cw = 0;
	for (size_t j = 0; j < d; j++) {
		diff = fmax(diff, fabs(o.w[j] - wlp[j]));
		wmax = fmax(wmax, fabs(wlp[j]));
		uv = fmax(uv, fabs(o.u[j] * o.v[j]));
		cw += inst.c[j] * fabs(o.w[j]);
	}
	double scale = fmax(1.0, wmax), Rlp = 8.0 * obj / (double)n, Rw = 8.0 * cw / (double)n;
	printf("%-44s %s t=%-8.4g steps=%-4ld LP err(w*)=%.3f  max|w-w_LP|=%.2e  max|u.v|=%.1e  "
	       "R=%.10g  8 c.|w_LP|/n=%.10g\n",
	       name, bw_run_status_name(o.status), o.t, o.steps, err_lp, diff, uv, o.R, Rlp);
	TU_CHECK(o.status == BW_RUN_CONVERGED, "%s: flow ended %s at t=%g (%s)", name, bw_run_status_name(o.status),
		 o.t, o.message);
	if (diff > 1e-4 * scale && fabs(Rw - Rlp) <= 1e-7 * Rlp)
		TU_CHECK(0, "%s: the flow found another optimum of equal cost: the LP is not unique here, "
			    "pick another instance", name);
	else
		TU_CHECK(diff <= 1e-4 * scale, "%s: flow limit differs from the LP solution by %g", name, diff);
	TU_CHECK(uv <= 1e-6 * scale, "%s: u_j v_j = %g at the limit, expected ~0", name, uv);
	TU_REL(o.R, Rlp, 1e-6, "R at the limit vs (8/n) sum c_j |w_LP,j|");
	TU_REL(o.R, Rw, 1e-8, "R at the limit vs (8/n) sum c_j |w_j|");
	bw_outcome_release(&o);
	free(wlp);
	bw_instance_release(&inst);
}

int main(void)
{
	bw_error_install_gsl_handler();
	static const struct lp_case cases[] = {
		{BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, 60, 25, 3, 0, 50, 1},
		{BW_DESIGN_GAUSSIAN, BW_WSTAR_SIGNS, 60, 25, 3, 0, 50, 1},
		{BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, 200, 25, 8, 2, 100, 0},
		{BW_DESIGN_GAUSSIAN, BW_WSTAR_GAUSSIAN, 60, 15, 5, 1, 100, 0},
		{BW_DESIGN_GAUSSIAN, BW_WSTAR_SIGNS, 60, 12, 4, 0, 100, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
	glp_free_env(); /* GLPK's environment (glp_init_env at the first problem) */
	return tu_summary("test_flow_lp");
}
