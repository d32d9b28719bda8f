/* test_lnsgd_verdict.c - label-noise SGD at its default budget ends at its
 * limit, by its stopping rule (docs/model.md, "Convergence and budgets"):
 * status converged, never the cap, at the flow's limit.
 *
 * Oracles, both independent of label-noise SGD's code: weighted basis pursuit
 * by GLPK (lp.h; the limit of the flow, hence of label-noise SGD), and the
 * flow's success verdict.  On small instances near the l1 threshold (d = 40,
 * kappa = 2, n = 7..11, Rademacher and Gaussian designs, alpha = 0.5, sigma = 1,
 * the automatic step, every other parameter its default), for every instance:
 *   - label_noise_sgd ends converged (the cap, time 1000, is never reached);
 *   - its projected answer is at the LP optimum: sum_j c_j |w_j| within 1e-4
 *     of the LP's (a run stopped before its limit has a larger cost: the
 *     negative control below stops at a fixed time 0.05 and misses by more);
 *   - its success verdict (err <= 0.1) is the flow's.
 * Before the stopping rule label_noise_sgd ran its whole default budget
 * (time 5): status budget on every instance. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"

#include "runs.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

int main(void)
{
	int total = 0, agree = 0, early_miss = 0;
	for (int des = 0; des < 2; des++)
		for (size_t n = 7; n <= 11; n++)
			for (uint32_t seed = 0; seed < 2; seed++) {
				struct bw_instance_spec s = {.design = des ? BW_DESIGN_GAUSSIAN : BW_DESIGN_RADEMACHER,
							     .d = 40, .n = n, .kappa = 2, .seed_index = seed};
				struct bw_instance inst;
				double *wlp, obj;
				if (lp_instance(&s, &inst, &wlp, &obj) != 0)
					continue;
				struct bw_outcome g, f, e;
				if (run_default(&inst, BW_LABEL_NOISE_SGD, BW_SCHEDULE_CONSTANT, 0, &g) == BW_OK) {
					if (run_default(&inst, BW_RIEMANNIAN_FLOW, BW_SCHEDULE_CONSTANT, 0, &f) == BW_OK) {
						double cg = wcost(&inst, g.w);
						printf("%s n=%zu seed=%u: lnsgd %s t=%.4g err=%.3g cost/LP-1=%.1e | flow %s "
						       "t=%.4g err=%.3g\n",
						       bw_design_name(s.design), n, seed, bw_run_status_name(g.status), g.t,
						       g.test_error, cg / obj - 1, bw_run_status_name(f.status), f.t,
						       f.test_error);
						TU_CHECK(g.status == BW_RUN_CONVERGED, "n=%zu seed=%u: lnsgd ended %s at t=%g", n,
							 seed, bw_run_status_name(g.status), g.t);
						TU_CHECK(fabs(cg - obj) <= 1e-4 * obj,
							 "n=%zu seed=%u: lnsgd's sum c|w| = %.8g, the LP's %.8g", n, seed, cg, obj);
						total++;
						agree += g.success == f.success;
						bw_outcome_release(&f);
					}
					bw_outcome_release(&g);
				}
				if (run_default(&inst, BW_LABEL_NOISE_SGD, BW_SCHEDULE_CONSTANT, 0.05, &e) == BW_OK) {
					early_miss += fabs(wcost(&inst, e.w) - obj) > 1e-4 * obj;
					bw_outcome_release(&e);
				}
				free(wlp);
				bw_instance_release(&inst);
			}
	printf("verdicts: label_noise_sgd = flow on %d of %d instances; stopped at t = 0.05: %d off the optimum\n",
	       agree, total, early_miss);
	TU_CHECK(total == 20 && agree == total, "label_noise_sgd's verdict is the flow's on %d of %d", agree, total);
	TU_CHECK(early_miss >= 10, "negative control: only %d of 20 runs stopped at t = 0.05 are off the optimum",
		 early_miss);
	glp_free_env(); /* GLPK's environment (glp_init_env at the first problem) */
	return tu_summary("test_lnsgd_verdict");
}
