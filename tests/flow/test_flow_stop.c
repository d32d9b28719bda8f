/* test_flow_stop.c - the flow at its default budget ends at its limit, by its
 * stopping rule "stationary" (docs/model.md, "Convergence and budgets"), on
 * slow instances: Gaussian designs near the l1 threshold (d = 40, kappa = 2)
 * whose flow needs t = 40..240 to reach weighted basis pursuit, beyond the
 * old default budget t = 50 (which ended them on budget).
 *
 * Oracle: weighted basis pursuit by GLPK (lp.h), unique on these instances.
 * For every instance: status converged (the cap, t = 1e4, is not reached),
 * sum_j c_j |w_j| within 1e-6 of the LP's optimum, ||w - w_LP|| <= 1e-4 ||w_LP||,
 * and the success verdict (err <= 0.1) equal to the LP solution's.  A
 * negative control: the same instances stopped at t = 20 are off the optimum. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"

#include "lp.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static const struct {
	size_t n;
	uint32_t seed;
} cases[] = {{6, 2}, {7, 10}, {7, 14}, {8, 10}, {8, 13}, {9, 4}, {9, 13}, {10, 13}, {10, 15}, {11, 9}};
enum { NCASES = sizeof cases / sizeof cases[0] };

int main(void)
{
	int off_early = 0;
	for (int i = 0; i < NCASES; i++) {
		struct bw_instance_spec s = {.design = BW_DESIGN_GAUSSIAN, .d = 40, .n = cases[i].n, .kappa = 2,
					     .seed_index = cases[i].seed};
		struct bw_instance inst;
		if (bw_instance_init(&inst, &s) != BW_OK) {
			TU_CHECK(0, "instance: %s", bw_error_message());
			continue;
		}
		double *wlp = malloc(s.d * sizeof(double));
		double obj = solve_lp(&inst, wlp);
		TU_CHECK(isfinite(obj), "GLPK did not solve the LP");
		for (int early = 0; early < 2; early++) {
			struct bw_run_params p;
			bw_run_params_default(&p, BW_RIEMANNIAN_FLOW);
			p.alpha = 0.5;
			bw_default_budget(BW_RIEMANNIAN_FLOW, &p.max_steps, &p.max_time);
			if (early)
				p.max_time = 20;
			struct bw_outcome o;
			if (bw_run(&inst, &p, &o) != BW_OK) {
				TU_CHECK(0, "bw_run: %s", bw_error_message());
				continue;
			}
			double cw = 0, dw = 0, nl = 0;
			for (size_t j = 0; j < s.d; j++) {
				cw += inst.c[j] * fabs(o.w[j]);
				dw += (o.w[j] - wlp[j]) * (o.w[j] - wlp[j]);
				nl += wlp[j] * wlp[j];
			}
			double rel = sqrt(dw / nl), err_lp = bw_model_test_error(&inst, wlp);
			if (early) {
				off_early += fabs(cw - obj) > 1e-6 * obj;
			} else {
				printf("gaussian d=40 kappa=2 n=%zu seed=%u: %s t=%.4g err=%.3g (LP %.3g) cost/LP-1=%.1e "
				       "|w-w_LP|/|w_LP|=%.1e\n",
				       s.n, s.seed_index, bw_run_status_name(o.status), o.t, o.test_error, err_lp,
				       cw / obj - 1, rel);
				TU_CHECK(o.status == BW_RUN_CONVERGED, "n=%zu seed=%u: ended %s at t=%g", s.n, s.seed_index,
					 bw_run_status_name(o.status), o.t);
				TU_CHECK(fabs(cw - obj) <= 1e-6 * obj, "n=%zu seed=%u: sum c|w| %.10g, LP %.10g", s.n,
					 s.seed_index, cw, obj);
				TU_CHECK(rel <= 1e-4, "n=%zu seed=%u: |w - w_LP|/|w_LP| = %g", s.n, s.seed_index, rel);
				TU_CHECK(o.success == (err_lp <= 0.1), "n=%zu seed=%u: verdict %d, LP's %d", s.n, s.seed_index,
					 o.success, err_lp <= 0.1);
			}
			bw_outcome_release(&o);
		}
		free(wlp);
		bw_instance_release(&inst);
	}
	printf("negative control: %d of %d runs stopped at t = 20 are off the optimum\n", off_early, NCASES);
	TU_CHECK(off_early >= NCASES / 2, "negative control: only %d of %d off the optimum at t = 20", off_early, NCASES);
	glp_free_env(); /* GLPK's environment (glp_init_env at the first problem) */
	return tu_summary("test_flow_stop");
}
