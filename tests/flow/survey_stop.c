/* survey_stop.c - how runs end near the l1 threshold (issue: runs end at
 * convergence, not at a budget).  Not a test: a measurement, run by hand
 * (niced, on 2 cores; the sets and their results are in results/stopping.md):
 *
 *   build/tests/flow/survey_stop DESIGN D KAPPA NLO NHI SEEDS [lnsgd|flow] [constant|sharpness]
 *
 * (the last argument: label-noise SGD's step schedule, default constant; its
 * default cap follows it, bw_run_default_budget: time 1000, or 10000 under sharpness)
 *
 * For every instance (DESIGN, D, KAPPA, n in [NLO, NHI], seed index 0..SEEDS-1,
 * sweep seed 0, w* signs) it runs the flow and, unless "flow" is given,
 * label-noise SGD, both at alpha = 0.5 with every other parameter at its
 * default (the rows' generous caps, their stopping rules), and solves weighted
 * basis pursuit by GLPK (lp.h, the independent oracle).  One line per instance,
 * then the summary: the share of runs ended by the cap (status budget), the
 * agreement of label_noise_sgd's success verdict with the flow's, and of the
 * flow's with the LP solution's (err <= eps), how many flow runs end at an LP
 * optimum (sum_j c_j |w_j| equal to the LP's to 1e-6: where the optimum is not
 * unique, GLPK's vertex and the flow's point may differ in verdict, counted
 * as ties), and the largest
 * ||w_flow - w_lp|| / ||w_lp|| among converged flow runs. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"
#include "lp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum bw_schedule schedule = BW_SCHEDULE_CONSTANT;

static int run(const struct bw_instance *inst, enum bw_algo a, struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, a);
	p.alpha = 0.5;
	p.schedule = schedule;
	p.noise_seed = bw_noise_seed(inst->seed, a);
	bw_run_default_budget(&p, &p.max_steps, &p.max_time);
	if (bw_run(inst, &p, o) != BW_OK) {
		fprintf(stderr, "%s: %s\n", bw_algo_name(a), bw_error_message());
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: survey_stop DESIGN D KAPPA NLO NHI SEEDS [lnsgd|flow] [constant|sharpness]\n");
		return 2;
	}
	if (argc >= 9 && bw_schedule_parse(argv[8], &schedule) != BW_OK) {
		fprintf(stderr, "%s\n", bw_error_message());
		return 2;
	}
	struct bw_instance_spec s = {0};
	if (bw_design_parse(argv[1], &s.design) != BW_OK) {
		fprintf(stderr, "%s\n", bw_error_message());
		return 2;
	}
	s.d = (size_t)atol(argv[2]);
	s.kappa = (size_t)atol(argv[3]);
	long nlo = atol(argv[4]), nhi = atol(argv[5]), seeds = atol(argv[6]);
	int with_sgd = argc < 8 || strcmp(argv[7], "flow");
	int opt = 0, tie = 0, total = 0, cap_flow = 0, cap_sgd = 0, agree_sgd = 0, agree_lp = 0, lp_ok = 0;
	double worst = 0, tmax_flow = 0, tmax_sgd = 0, wall_flow = 0, wall_sgd = 0, steps_sgd = 0;
	printf("# design d kappa n seed | flow status t err ok | lnsgd status t err ok | lp err ok | |w_flow-w_lp|/|w_lp|\n");
	for (long n = nlo; n <= nhi; n++)
		for (long k = 0; k < seeds; k++) {
			s.n = (size_t)n;
			s.seed_index = (uint32_t)k;
			struct bw_instance inst;
			if (bw_instance_init(&inst, &s) != BW_OK) {
				fprintf(stderr, "%s\n", bw_error_message());
				return 1;
			}
			struct bw_outcome f, g;
			if (run(&inst, BW_RIEMANNIAN_FLOW, &f) || (with_sgd && run(&inst, BW_LABEL_NOISE_SGD, &g)))
				return 1;
			double *wl = malloc(s.d * sizeof(double));
			double obj = solve_lp(&inst, wl);
			double elp = bw_model_test_error(&inst, wl), dw = 0, nl = 0;
			for (size_t j = 0; j < s.d; j++) {
				dw += (f.w[j] - wl[j]) * (f.w[j] - wl[j]);
				nl += wl[j] * wl[j];
			}
			double rel = sqrt(dw / nl), cf = 0;
			for (size_t j = 0; j < s.d; j++)
				cf += inst.c[j] * fabs(f.w[j]);
			int on_face = fabs(cf - obj) <= 1e-6 * obj; /* the flow reached an LP optimum */
			opt += on_face;
			tie += f.success != (elp <= 0.1) && on_face;
			int lp_succ = elp <= 0.1;
			total++;
			lp_ok += isfinite(obj);
			cap_flow += f.status == BW_RUN_BUDGET;
			agree_lp += f.success == lp_succ;
			tmax_flow = fmax(tmax_flow, f.t);
			wall_flow += f.wall_s;
			if (f.status == BW_RUN_CONVERGED)
				worst = fmax(worst, rel);
			printf("%s %zu %zu %ld %ld | %s %.4g %.3g %d", argv[1], s.d, s.kappa, n, k, bw_run_status_name(f.status),
			       f.t, f.test_error, f.success);
			if (with_sgd) {
				cap_sgd += g.status == BW_RUN_BUDGET;
				agree_sgd += g.success == f.success;
				tmax_sgd = fmax(tmax_sgd, g.t);
				wall_sgd += g.wall_s;
				steps_sgd += (double)g.steps;
				printf(" | %s %.4g %.3g %d", bw_run_status_name(g.status), g.t, g.test_error, g.success);
				bw_outcome_release(&g);
			}
			printf(" | %.3g %d | %.2g%s\n", elp, lp_succ, rel, on_face ? "" : " OFF-OPTIMUM");
			fflush(stdout);
			free(wl);
			bw_outcome_release(&f);
			bw_instance_release(&inst);
		}
	printf("SUMMARY %s d=%zu kappa=%zu n=%ld..%ld seeds=%ld: instances %d (LP solved %d); flow ended by the cap %d "
	       "(%.1f%%), max t %.4g; flow verdict = LP verdict %d (%.1f%%), "
	       "flow at an LP optimum (sum c|w| within 1e-6) %d, disagreements on a tied optimum %d; max |w_flow - w_lp|/|w_lp| (converged) %.2g",
	       argv[1], s.d, s.kappa, nlo, nhi, seeds, total, lp_ok, cap_flow, 100.0 * cap_flow / total, tmax_flow,
	       agree_lp, 100.0 * agree_lp / total, opt, tie, worst);
	if (with_sgd)
		printf("; lnsgd (schedule %s) ended by the cap %d (%.1f%%), max t %.4g; lnsgd verdict = flow verdict %d "
		       "(%.1f%%); wall lnsgd %.3g s (%.4g steps), flow %.3g s", bw_schedule_name(schedule), cap_sgd,
		       100.0 * cap_sgd / total, tmax_sgd, agree_sgd, 100.0 * agree_sgd / total, wall_sgd, steps_sgd,
		       wall_flow);
	printf("\n");
	glp_free_env();
	return 0;
}
