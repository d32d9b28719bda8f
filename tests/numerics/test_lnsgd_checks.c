/* test_lnsgd_checks.c - the checks of label_noise_sgd's stopping rule phi3
 * follow their documented schedule, which bounds their cost (docs/model.md,
 * "Convergence and budgets"): the points of the default checkpoint schedule
 * (every step to 10, then s -> ceil(s 10^(1/10))) at or after step 100 and at
 * least gap = ceil(12 n^2 (d + n/3) / d) steps after the previous check (step
 * 0 before the first), so a check, ~2 n^2 (d + n/3) multiply-adds, costs
 * about 5% of the steps' work since the previous one.
 *
 * Oracle: that closed form, computed here.  For instances where the gap
 * binds (it is larger than the schedule's spacing for a while) and one where
 * it does not, the number of projections a run made (outcome.stop_checks) is
 * the number of scheduled checks up to its last step, and budgets ending at a
 * scheduled check and one step before it differ by exactly that check (so
 * the checks are where the closed form puts them, not only as many).
 * Negative control: the schedule of the rule before (phi: every point from
 * step 100) has more checks on the instances where the gap binds, so the
 * counts tell the two apart.
 *
 * A run the rule ended takes its final projection from its last check: its
 * projected state is, bit for bit, bw_flow_project of its raw final iterate
 * (the run without the projection). */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/instance.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static long next_point(long k) { return k < 10 ? k + 1 : (long)ceil((double)k * pow(10.0, 0.1)); }

/* the scheduled checks up to step S: their number, the first few in at[] */
static long scheduled(size_t n, size_t d, long S, int with_gap, long *at, int nat)
{
	double nn = (double)n, dd = (double)d;
	long gap = with_gap ? (long)ceil(12.0 * nn * nn * (dd + nn / 3.0) / dd) : 1;
	long count = 0, prev = 0, k = 0;
	for (;;) {
		long due = prev + gap > 100 ? prev + gap : 100;
		do
			k = next_point(k);
		while (k < due);
		if (k > S)
			return count;
		if (count < nat)
			at[count] = k;
		count++;
		prev = k;
	}
}

static int run_p(const struct bw_instance *inst, long steps, int project, struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, BW_LABEL_NOISE_SGD);
	p.alpha = 0.5;
	p.max_steps = steps;
	p.project = project;
	p.noise_seed = bw_noise_seed(inst->seed, BW_LABEL_NOISE_SGD);
	int rc = bw_run(inst, &p, o);
	TU_CHECK(rc == BW_OK, "bw_run: %s", bw_error_message());
	return rc;
}

static int run(const struct bw_instance *inst, long steps, struct bw_outcome *o) { return run_p(inst, steps, 0, o); }

/* the converged run's projection against bw_flow_project of its raw iterate */
static void check_projection(const struct bw_instance *inst, long steps)
{
	struct bw_outcome raw, pr;
	if (run_p(inst, steps, 0, &raw) != BW_OK)
		return;
	if (run_p(inst, steps, 1, &pr) == BW_OK) {
		size_t d = inst->d;
		double *w = malloc(d * sizeof(double)), *r = malloc(inst->n * sizeof(double));
		TU_CHECK(raw.status == BW_RUN_CONVERGED && pr.status == BW_RUN_CONVERGED && raw.steps == pr.steps,
			 "the projection case: %s at %ld, %s at %ld (want converged twice)", bw_run_status_name(raw.status),
			 raw.steps, bw_run_status_name(pr.status), pr.steps);
		int ok = bw_flow_project(inst, raw.u, raw.v, w, r) == BW_OK;
		TU_CHECK(ok, "bw_flow_project: %s", bw_error_message());
		TU_CHECK(pr.projected, "the converged run was not projected");
		if (ok)
			TU_CHECK(!memcmp(pr.u, raw.u, d * sizeof(double)) && !memcmp(pr.v, raw.v, d * sizeof(double)),
				 "the converged run's projected state is not bw_flow_project of its final iterate");
		free(w);
		free(r);
		bw_outcome_release(&pr);
	}
	bw_outcome_release(&raw);
}

int main(void)
{
	struct {
		enum bw_design design;
		size_t d, n;
		long steps;
		int binds; /* the gap exceeds the schedule's spacing somewhere after step 100 */
	} cases[] = {
		{BW_DESIGN_RADEMACHER, 64, 16, 200000, 1},
		{BW_DESIGN_GAUSSIAN, 40, 10, 100000, 1},
		{BW_DESIGN_RADEMACHER, 300, 60, 400000, 1},
		{BW_DESIGN_GAUSSIAN, 40, 8, 5000000, 1},
		{BW_DESIGN_RADEMACHER, 30, 1, 100000, 0}, /* gap 13 < the spacing from step 119 on */
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct bw_instance_spec s = {.design = cases[c].design, .d = cases[c].d, .n = cases[c].n, .kappa = 2,
					     .seed_index = (uint32_t)c};
		struct bw_instance inst;
		if (bw_instance_init(&inst, &s) != BW_OK) {
			TU_CHECK(0, "instance: %s", bw_error_message());
			continue;
		}
		size_t d = s.d, n = s.n;
		struct bw_outcome o;
		if (run(&inst, cases[c].steps, &o) == BW_OK) {
			long at[4];
			long want = scheduled(n, d, o.steps, 1, at, 4), old = scheduled(n, d, o.steps, 0, NULL, 0);
			printf("d=%zu n=%zu: %s at step %ld, %ld checks (schedule %ld; every point from 100: %ld)\n", d, n,
			       bw_run_status_name(o.status), o.steps, o.stop_checks, want, old);
			TU_CHECK(o.stop_checks == want, "d=%zu n=%zu: %ld checks up to step %ld, the schedule has %ld", d, n,
				 o.stop_checks, o.steps, want);
			if (cases[c].binds)
				TU_CHECK(old > want, "d=%zu n=%zu: the gap does not bind (%ld checks either way)", d, n, want);
			else
				TU_CHECK(old == want, "d=%zu n=%zu: the gap binds (%ld checks, %ld without)", d, n, want, old);
			if (o.status == BW_RUN_CONVERGED) /* the rule ends a run at a check */
				TU_CHECK(scheduled(n, d, o.steps - 1, 1, NULL, 0) == want - 1, "d=%zu n=%zu: converged at "
					 "step %ld, not a scheduled check", d, n, o.steps);
			if (o.status == BW_RUN_CONVERGED)
				check_projection(&inst, cases[c].steps);
			long nat = want < 4 ? want : 4;
			bw_outcome_release(&o);
			for (long i = 0; i < nat && at[i] < cases[c].steps; i++) {
				struct bw_outcome a, b;
				if (run(&inst, at[i], &a) != BW_OK)
					continue;
				if (run(&inst, at[i] - 1, &b) == BW_OK) {
					TU_CHECK(a.stop_checks == i + 1 && b.stop_checks == i,
						 "d=%zu n=%zu: budgets %ld and %ld made %ld and %ld checks, want %ld and %ld", d,
						 n, at[i], at[i] - 1, a.stop_checks, b.stop_checks, i + 1, i);
					bw_outcome_release(&b);
				}
				bw_outcome_release(&a);
			}
		}
		bw_instance_release(&inst);
	}
	return tu_summary("test_lnsgd_checks");
}
