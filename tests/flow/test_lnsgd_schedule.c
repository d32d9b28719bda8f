/* test_lnsgd_schedule.c - label-noise SGD with the step that follows the
 * sharpness (schedule sharpness, docs/model.md "The step schedule") against
 * the constant step and the flow, on small instances.
 *
 * (1) Verdicts near the l1 threshold: Rademacher d = 64, kappa = 2, alpha = 0.5,
 *     sigma = 1, the automatic step, default budgets, n = 8..15 x seeds 0..4
 *     (40 instances).  Oracles independent of the schedule's code: the
 *     constant step's verdict, the flow's, and weighted basis pursuit by GLPK
 *     (lp.h; the limit of both).  Asserted: the sharpness run's success
 *     verdict equals the constant step's on >= 39 of 40 (97.5%) and the
 *     flow's on >= 39 of 40; its projected answer is at the LP optimum
 *     (sum c|w| within 1e-4) where the constant step's is.  The step counts
 *     of both are printed (their ratio, not asserted: speed is the bench's).
 * (2) First order in the fraction: on one instance (d = 64, n = 20, kappa = 2,
 *     alpha = 0.5) R of the raw iterate at t = 0.05 (R falls from 256 to ~16;
 *     at 0.05 it is ~66) minus the flow's R at the run's own final t, relative,
 *     averaged over 32 noise realizations, at eta_scale 1, 1/2 and 1/4: each
 *     halving of the fraction shrinks the mean deviation by a ratio in
 *     [1.5, 2.7] (first order: 2), and the deviation at 1/4 is below 12%.
 *     A negative control: the same runs against the flow at 1.3 t miss by
 *     more than 12% at 1/4 (the comparison sees the clock). */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"

#include "runs.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static void verdicts(void)
{
	int total = 0, same_const = 0, same_flow = 0, same_lp = 0, at_opt = 0, const_opt = 0, capped = 0;
	double steps_c = 0, steps_s = 0, wall_c = 0, wall_s = 0;
	for (size_t n = 8; n <= 15; n++)
		for (uint32_t seed = 0; seed < 5; seed++) {
			struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .d = 64, .n = n, .kappa = 2,
						     .seed_index = seed};
			struct bw_instance inst;
			double *wlp, obj;
			if (lp_instance(&s, &inst, &wlp, &obj) != 0)
				continue;
			int lp_ok = bw_model_test_error(&inst, wlp) <= 0.1;
			struct bw_outcome c, g, f;
			if (run_default(&inst, BW_LABEL_NOISE_SGD, BW_SCHEDULE_CONSTANT, 0, &c) == BW_OK) {
				if (run_default(&inst, BW_LABEL_NOISE_SGD, BW_SCHEDULE_SHARPNESS, 0, &g) == BW_OK) {
					if (run_default(&inst, BW_RIEMANNIAN_FLOW, BW_SCHEDULE_CONSTANT, 0, &f) == BW_OK) {
						double cg = wcost(&inst, g.w), cc = wcost(&inst, c.w);
						int gopt = fabs(cg - obj) <= 1e-4 * obj, copt = fabs(cc - obj) <= 1e-4 * obj;
						printf("n=%zu seed=%u: sharpness %s t=%.3g %ld steps err=%.3g%s | constant %s t=%.3g "
						       "%ld steps err=%.3g%s | flow err=%.3g | LP err=%.3g\n",
						       n, seed, bw_run_status_name(g.status), g.t, g.steps, g.test_error,
						       gopt ? "" : " (off the LP optimum)", bw_run_status_name(c.status), c.t,
						       c.steps, c.test_error, copt ? "" : " (off the LP optimum)", f.test_error,
						       bw_model_test_error(&inst, wlp));
						total++;
						same_const += g.success == c.success;
						same_flow += g.success == f.success;
						same_lp += g.success == lp_ok;
						at_opt += gopt;
						const_opt += copt;
						capped += g.status == BW_RUN_BUDGET;
						steps_c += (double)c.steps;
						steps_s += (double)g.steps;
						wall_c += c.wall_s;
						wall_s += g.wall_s;
						TU_CHECK(gopt || !copt, "n=%zu seed=%u: the constant step reaches the LP optimum, "
							 "the sharpness schedule not (sum c|w| %.8g vs %.8g)", n, seed, cg, obj);
						bw_outcome_release(&f);
					}
					bw_outcome_release(&g);
				}
				bw_outcome_release(&c);
			}
			free(wlp);
			bw_instance_release(&inst);
		}
	printf("verdicts: sharpness = constant on %d of %d, = flow on %d, = LP on %d; at the LP optimum: sharpness %d, "
	       "constant %d; sharpness capped %d\n",
	       same_const, total, same_flow, same_lp, at_opt, const_opt, capped);
	printf("steps: constant %.4g, sharpness %.4g in all (%.1fx fewer); wall %.3g s vs %.3g s\n", steps_c, steps_s,
	       steps_c / fmax(steps_s, 1), wall_c, wall_s);
	TU_CHECK(total == 40, "%d of 40 instances ran", total);
	TU_CHECK(same_const >= 39, "the sharpness verdict is the constant step's on %d of %d (want >= 39)", same_const,
		 total);
	TU_CHECK(same_flow >= 39, "the sharpness verdict is the flow's on %d of %d (want >= 39)", same_flow, total);
}

#define NREAL 32
#define T_CMP 0.05

/* The mean over NREAL noise realizations of (R_sgd(t) - R_flow(tscale t)) / R_flow at
 * the end of runs to T_CMP (t: each run's final time) at the fraction x. */
static double mean_dev(const struct bw_instance *inst, double x, double tscale, long *steps)
{
	double sum = 0;
	for (uint32_t k = 0; k < NREAL; k++) {
		struct bw_run_params p;
		bw_run_params_default(&p, BW_LABEL_NOISE_SGD);
		p.alpha = 0.5;
		p.eta_scale = x;
		p.schedule = BW_SCHEDULE_SHARPNESS;
		p.max_time = T_CMP;
		p.project = 0;
		p.noise_index = k;
		p.noise_seed = bw_noise_seed_k(inst->seed, BW_LABEL_NOISE_SGD, k);
		struct bw_outcome o;
		if (bw_run(inst, &p, &o) != BW_OK) {
			TU_CHECK(0, "label_noise_sgd: %s", bw_error_message());
			return NAN;
		}
		TU_CHECK(o.status == BW_RUN_BUDGET && o.t >= T_CMP && o.t <= T_CMP * 1.01,
			 "eta_scale %g: ended %s at t=%g (want the budget, t just past %g)", x,
			 bw_run_status_name(o.status), o.t, T_CMP);
		double Rf = flow_R(inst, 0.5, tscale * o.t);
		sum += (o.R - Rf) / Rf;
		*steps = o.steps;
		bw_outcome_release(&o);
	}
	return sum / NREAL;
}

static void first_order(void)
{
	struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .d = 64, .n = 20, .kappa = 2};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &s) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return;
	}
	const double x[3] = {1.0, 0.5, 0.25};
	double dev[3];
	for (int i = 0; i < 3; i++) {
		long steps = 0;
		dev[i] = mean_dev(&inst, x[i], 1.0, &steps);
		printf("eta_scale %-5g: mean (R - R_flow)/R_flow at t = %g over %d realizations: %+.4f (%ld steps)%s\n", x[i],
		       T_CMP, NREAL, dev[i], steps, i ? "" : "");
	}
	long steps = 0;
	double ctl = mean_dev(&inst, 0.25, 1.3, &steps);
	double r1 = dev[0] / dev[1], r2 = dev[1] / dev[2];
	printf("ratios: %.3f (1 -> 1/2), %.3f (1/2 -> 1/4); control (flow at 1.3 t): %+.4f\n", r1, r2, ctl);
	TU_CHECK(r1 >= 1.5 && r1 <= 2.7, "halving the fraction 1 -> 1/2 shrinks the deviation by %.3f (want [1.5, 2.7])",
		 r1);
	TU_CHECK(r2 >= 1.5 && r2 <= 2.7,
		 "halving the fraction 1/2 -> 1/4 shrinks the deviation by %.3f (want [1.5, 2.7])", r2);
	TU_CHECK(fabs(dev[2]) <= 0.12, "at eta_scale 1/4 R is %.1f%% off the flow's", 100 * dev[2]);
	TU_CHECK(fabs(ctl) > 0.12, "negative control: against the flow at 1.3 t still within 12%% (%.3f)", ctl);
	bw_instance_release(&inst);
}

int main(void)
{
	bw_error_install_gsl_handler();
	verdicts();
	first_order();
	glp_free_env(); /* GLPK's environment (glp_init_env at the first problem) */
	return tu_summary("test_lnsgd_schedule");
}
