/* test_lnsgd_settle.c - label-noise SGD's rule phi3 ends the runs that the
 * speed tests alone (rule phi2) left to the cap (docs/model.md, "Convergence
 * and budgets"; results/stopping.md).
 *
 * 1. Jitter.  Gaussian design, d = 128, kappa = 4, n = 16..18, seeds 0..2,
 *    alpha = 0.5, the step schedule sharpness and every other parameter its
 *    default (cap t = 10^4): near the l1 threshold Phi(x_k) jitters about its
 *    limit (||w(Phi)|| within +-5%), so its speed falls only as 1/dt.  Under
 *    phi2, n = 17 seed 0 ran to the cap (t = 10^4, 23 s of the 15 runs' 23.2 s)
 *    and n = 18 seeds 0 and 2 stopped at t = 379 where the flow stops by
 *    t = 15.  Here every run must end converged, before t = 10^3, with the
 *    success verdict (err <= 0.1) of weighted basis pursuit solved by GLPK
 *    (lp.h: the flow's limit, an oracle independent of the dynamics).
 * 2. Labels all 0.  Rademacher d = 32, n = 2, kappa = 2, sweep seed 0, seed 0
 *    (a cell of jobs/default.cfg): both rows of Z w* are 0 (checked).  The
 *    only minimizer of sum c|w| subject to Z w = 0 is w = 0 (closed form);
 *    the iterate flushes to the origin, a fixed point, whose R is 0, and
 *    phi2's relative speeds were 0/0: it ran to its cap (then t = 100, now
 *    1000).  Here it must end converged before t = 100 (t = 45.9 when this
 *    was written), with w = 0 exactly. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"

#include "runs.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static double rel_err(const struct bw_instance *inst, const double *w)
{
	double e = 0, s = 0;
	for (size_t j = 0; j < inst->d; j++) {
		e += (w[j] - inst->w_star[j]) * (w[j] - inst->w_star[j]);
		s += inst->w_star[j] * inst->w_star[j];
	}
	return sqrt(e / s);
}

static void jitter(void)
{
	int runs = 0, agree = 0;
	double tmax = 0;
	for (size_t n = 16; n <= 18; n++)
		for (uint32_t seed = 0; seed < 3; seed++) {
			struct bw_instance_spec s = {.design = BW_DESIGN_GAUSSIAN, .d = 128, .n = n, .kappa = 4,
						     .seed_index = seed};
			struct bw_instance inst;
			double *wlp, obj;
			if (lp_instance(&s, &inst, &wlp, &obj) != 0)
				continue;
			struct bw_outcome g;
			if (run_default(&inst, BW_LABEL_NOISE_SGD, BW_SCHEDULE_SHARPNESS, 0, &g) == BW_OK) {
				int lp_ok = rel_err(&inst, wlp) <= 0.1;
				printf("gaussian d=128 kappa=4 n=%zu seed=%u: lnsgd %s t=%.4g err=%.3g | LP err=%.3g\n", n,
				       seed, bw_run_status_name(g.status), g.t, g.test_error, rel_err(&inst, wlp));
				TU_CHECK(g.status == BW_RUN_CONVERGED && g.t < 1000, "n=%zu seed=%u: lnsgd ended %s at t=%g",
					 n, seed, bw_run_status_name(g.status), g.t);
				runs++;
				agree += g.success == lp_ok;
				tmax = fmax(tmax, g.t);
				bw_outcome_release(&g);
			}
			free(wlp);
			bw_instance_release(&inst);
		}
	printf("jitter: %d runs, verdict = LP's on %d, latest stop t = %.4g\n", runs, agree, tmax);
	TU_CHECK(runs == 9 && agree == runs, "label_noise_sgd's verdict is the LP's on %d of %d", agree, runs);
}

static void zero_labels(void)
{
	struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .d = 32, .n = 2, .kappa = 2, .seed_index = 0};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &s) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return;
	}
	TU_CHECK(inst.y[0] == 0 && inst.y[1] == 0, "the fixture: labels %g %g, want both 0", inst.y[0], inst.y[1]);
	struct bw_outcome g;
	if (run_default(&inst, BW_LABEL_NOISE_SGD, BW_SCHEDULE_CONSTANT, 0, &g) == BW_OK) {
		int zero = 1;
		for (size_t j = 0; j < inst.d; j++)
			zero &= g.w[j] == 0;
		printf("labels all 0: lnsgd %s t=%.4g steps=%ld R=%g w=0: %d\n", bw_run_status_name(g.status), g.t,
		       g.steps, g.R, zero);
		TU_CHECK(g.status == BW_RUN_CONVERGED && g.t < 100, "labels all 0: lnsgd ended %s at t=%g (phi2: at its cap)",
			 bw_run_status_name(g.status), g.t);
		TU_CHECK(zero, "labels all 0: the answer is w = 0");
		TU_CHECK(!g.success, "labels all 0: w = 0 is not w* (a failure)");
		bw_outcome_release(&g);
	}
	bw_instance_release(&inst);
}

int main(void)
{
	jitter();
	zero_labels();
	glp_free_env();
	return tu_summary("test_lnsgd_settle");
}
