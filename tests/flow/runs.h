/* runs.h - what the flow tests share of running the dynamics (static
 * functions, include once): a run at the defaults the tests use, the flow's
 * R at a time, an instance with its LP solution, and the LP's cost of a point. */
#ifndef BIASWEEP_TEST_FLOW_RUNS_H
#define BIASWEEP_TEST_FLOW_RUNS_H

#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"

#include "lp.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

/* Dynamics a at alpha = 0.5, schedule sch, its default budget (max_time > 0
 * replaces the time), every other parameter its default. */
static inline int run_default(const struct bw_instance *inst, enum bw_algo a, enum bw_schedule sch, double max_time,
		       struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, a);
	p.alpha = 0.5;
	p.schedule = sch;
	p.noise_seed = bw_noise_seed(inst->seed, a);
	bw_run_default_budget(&p, &p.max_steps, &p.max_time);
	if (max_time > 0)
		p.max_time = max_time;
	int rc = bw_run(inst, &p, o);
	TU_CHECK(rc == BW_OK, "%s: %s", bw_algo_name(a), bw_error_message());
	return rc;
}

/* R of the flow from alpha at exactly time t (its trajectory is exact in t). */
static inline double flow_R(const struct bw_instance *inst, double alpha, double t)
{
	struct bw_run_params p;
	bw_run_params_default(&p, BW_RIEMANNIAN_FLOW);
	p.alpha = alpha;
	p.max_time = t;
	struct bw_outcome o;
	if (bw_run(inst, &p, &o) != BW_OK) {
		TU_CHECK(0, "flow: %s", bw_error_message());
		return NAN;
	}
	TU_CHECK(o.status == BW_RUN_BUDGET && fabs(o.t - t) <= 1e-12 * t, "flow to t=%g ended %s at %g", t,
		 bw_run_status_name(o.status), o.t);
	double R = o.R;
	bw_outcome_release(&o);
	return R;
}

/* The LP's objective at w: sum_j c_j |w_j| (lp.h). */
static inline double wcost(const struct bw_instance *inst, const double *w)
{
	double s = 0;
	for (size_t j = 0; j < inst->d; j++)
		s += inst->c[j] * fabs(w[j]);
	return s;
}

/* The instance of s into *inst and its weighted basis pursuit by GLPK (lp.h):
 * *wlp (malloc'd, d doubles) and *obj its cost; 0, or -1 when the instance
 * cannot be made (a failed check) or there is no memory. */
static inline int lp_instance(const struct bw_instance_spec *s, struct bw_instance *inst, double **wlp, double *obj)
{
	if (bw_instance_init(inst, s) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return -1;
	}
	if (!(*wlp = malloc(s->d * sizeof(double)))) {
		TU_CHECK(0, "out of memory");
		bw_instance_release(inst);
		return -1;
	}
	*obj = solve_lp(inst, *wlp);
	TU_CHECK(isfinite(*obj), "GLPK did not solve the LP");
	return 0;
}

#endif
