/* schedule.c - the step schedule "sharpness" of the noisy SGD against its
 * constant step, whole runs to the same verdict (bench.h, struct bw_bench_sched). */
#include "biasweep/bench_runs.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"

#include <math.h>
#include <string.h>

const size_t bw_bench_sched_dims[BW_BENCH_NSCHED] = {256, 512, 1024};
const size_t bw_bench_sched_n[BW_BENCH_NSCHED] = {20, 24, 32};

/* The constant step is run whole up to this d: at d = 256 its run to the
 * stopping rule takes ~8 s; at d = 512 it took over 5 min on the 2-core
 * development machine (4x the steps, 2x the cost per step, a later stop),
 * beyond the bench's budget, so from d = 512 on it is estimated. */
#define SCHED_WHOLE_MAX_D 256

/* One run at the default budget (or max_steps > 0, then without the final
 * projection): BW_OK and *o, or an error. */
static int sched_run(const struct bw_instance *inst, enum bw_algo a, enum bw_schedule s, long max_steps,
		     struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, a);
	p.alpha = 0.5;
	p.project = max_steps <= 0;
	p.schedule = s;
	p.noise_seed = bw_noise_seed(inst->seed, a);
	bw_run_default_budget(&p, &p.max_steps, &p.max_time);
	if (max_steps > 0) {
		p.max_steps = max_steps;
		p.max_time = 0;
	}
	int rc = bw_run(inst, &p, o);
	if (rc != BW_OK)
		bw_error_clear();
	return rc;
}

void bw_bench_schedule(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	enum bw_algo a = bw_bench_algo(BW_BENCH_NOISY_SGD), fl = bw_bench_algo(BW_BENCH_FLOW);
	for (int k = 0; k < BW_BENCH_NSCHED; k++) {
		struct bw_bench_sched *q = &r->sched[k];
		size_t d = bw_bench_sched_dims[k];
		struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .wstar = BW_WSTAR_SIGNS, .d = d,
					     .n = bw_bench_sched_n[k], .kappa = 4};
		struct bw_instance inst;
		if (bw_instance_init(&inst, &s) != BW_OK) {
			bw_error_clear();
			continue;
		}
		struct bw_outcome o;
		if (sched_run(&inst, a, BW_SCHEDULE_SHARPNESS, 0, &o) == BW_OK) {
			q->sharp_wall = o.wall_s;
			q->sharp_t = o.t;
			q->sharp_steps = (double)o.steps;
			q->sharp_success = o.success;
			q->sharp_status = bw_run_status_name(o.status);
			bw_outcome_release(&o);
		}
		if (sched_run(&inst, fl, BW_SCHEDULE_CONSTANT, 0, &o) == BW_OK) {
			q->flow_t = o.t;
			q->flow_success = o.success;
			bw_outcome_release(&o);
		}
		q->const_measured = d <= (c->quick ? bw_bench_sched_dims[0] : SCHED_WHOLE_MAX_D);
		if (q->const_measured && sched_run(&inst, a, BW_SCHEDULE_CONSTANT, 0, &o) == BW_OK) {
			q->const_wall = o.wall_s;
			q->const_t = o.t;
			q->const_steps = (double)o.steps;
			q->const_ns_step = o.wall_s * 1e9 / (double)o.steps;
			q->const_success = o.success;
			q->const_status = bw_run_status_name(o.status);
			bw_outcome_release(&o);
		} else if (!q->const_measured) {
			/* ~1 s of steps for its pace (sched_run: no projection, a short run's would weigh) */
			long steps = (long)((c->quick ? 2e8 : 1e9) / (double)d);
			struct bw_run_params p;
			bw_run_params_default(&p, a);
			p.alpha = 0.5;
			double eta = bw_run_eta(&p, &inst.spec), dt = eta * eta * p.sigma * p.sigma / 2;
			if (sched_run(&inst, a, BW_SCHEDULE_CONSTANT, steps, &o) == BW_OK) {
				q->const_ns_step = o.wall_s * 1e9 / (double)o.steps;
				bw_outcome_release(&o);
			}
			q->const_t = q->flow_t;
			q->const_steps = ceil(q->flow_t / dt);
			q->const_wall = q->const_ns_step * 1e-9 * q->const_steps;
		}
		q->speedup = bw_bench_ratio(q->const_wall, q->sharp_wall);
		q->ok = isfinite(q->speedup);
		bw_instance_release(&inst);
		bw_bench_note(c, "  schedule d=%zu done", d);
	}
}
