/* runs.c - sgd, gd and the flow through bw_run, and their kernels alone
 * (bench_runs.h). */
#include "biasweep/bench_runs.h"
#include "biasweep/clock.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/instance.h"
#include "biasweep/spec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* bw_run of `steps` steps with the whole budget run: wall seconds (NaN when
 * it fails) and *taken, the steps done. */
static double run_wall(const struct bw_instance *inst, enum bw_algo algo, long batch, long steps, long *taken)
{
	struct bw_run_params p;
	bw_run_params_default(&p, algo);
	p.alpha = 0.5;
	p.batch = batch;
	p.max_steps = steps;
	p.tol = 1e-300; /* run the whole budget */
	p.project = 0;
	p.noise_seed = bw_noise_seed(inst->seed, algo); /* batch, project, noise: sgd's alone */
	struct bw_outcome o;
	*taken = 0;
	if (bw_run(inst, &p, &o) != BW_OK) {
		bw_error_clear();
		return NAN;
	}
	double w = o.wall_s;
	*taken = o.steps;
	bw_outcome_release(&o);
	return w;
}

/* ns per (step x coordinate x batch) of the steps between S and 2S: RNG,
 * residuals and the 3 checkpoints of the doubling (O(nd) each) stay in. */
static double run_once(const struct bw_instance *inst, enum bw_algo algo, long batch, long steps)
{
	long s1, s2;
	double t1 = run_wall(inst, algo, batch, steps, &s1), t2 = run_wall(inst, algo, batch, 2 * steps, &s2);
	if (!(s2 > s1) || !isfinite(t1) || !isfinite(t2))
		return NAN;
	return (t2 - t1) * 1e9 / ((double)(s2 - s1) * (double)inst->d * (double)batch);
}

static size_t task_bytes(enum bw_algo algo, size_t d, size_t n)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.d = d;
	t.inst.n = n;
	t.inst.kappa = 2;
	bw_run_params_default(&t.run, algo);
	return bw_task_bytes(&t);
}

/* A section's instance at (d, n), with n and the task's bytes recorded;
 * -1 when it cannot be made (the size is then not measured). */
static int section_instance(enum bw_algo algo, size_t d, size_t n, size_t *n_out, size_t *bytes,
			    struct bw_instance *inst)
{
	*n_out = n;
	*bytes = task_bytes(algo, d, n);
	struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .wstar = BW_WSTAR_SIGNS, .d = d, .n = n,
				     .kappa = 2, .sweep_seed = 7, .seed_index = 0};
	if (bw_instance_init(inst, &s) != BW_OK) {
		bw_error_clear();
		return -1;
	}
	return 0;
}

void bw_bench_sgd(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	int R = bw_bench_rep_count(c);
	struct bw_kernel_variant vs[BW_BENCH_NVARIANT];
	size_t active, nv = bw_bench_kernel_variants(vs, &active);
	for (int di = 0; di < BW_BENCH_ND; di++) {
		size_t d = bw_bench_dims[di], n = d / 10;
		struct bw_instance inst;
		if (section_instance(bw_bench_algo(BW_BENCH_NOISY_SGD), d, n, &r->sgd_n[di], &r->bytes_sgd[di], &inst) != 0)
			continue;
		double *u = bw_vec64(d), *v = bw_vec64(d); /* aligned as a run's (bw_outcome_alloc) */
		/* coordinate-updates per measurement: ~0.1 s of kernel; more at d = 10000,
		 * where a checkpoint (O(nd), 80 MB of Z) costs ~10^4 steps' worth */
		long steps = (long)((c->quick ? 0.25 : 1.0) * (d >= 10000 ? 1e9 : 2e8) / (double)d);
		long ksteps = d >= 10000 ? steps / 5 : steps; /* the kernel alone has no checkpoints */
		double x[BW_BENCH_MAXREP];
		for (size_t k = 0; k < nv && u && v; k++) {
			r->kern_ok[k] = vs[k].supported;
			if (!r->kern_ok[k])
				continue;
			for (int f = 0; f < 2; f++) {
				bw_bench_sgd_kernel_ns(k, f, &inst, ksteps / 10, u, v); /* warm-up */
				for (int i = 0; i < R; i++)
					x[i] = bw_bench_sgd_kernel_ns(k, f, &inst, ksteps, u, v);
				r->kern[di][k][f] = bw_stat3_of(x, R);
			}
		}
		run_once(&inst, bw_bench_algo(BW_BENCH_NOISY_SGD), 1, steps / 10);
		for (int i = 0; i < R; i++)
			x[i] = run_once(&inst, bw_bench_algo(BW_BENCH_NOISY_SGD), 1, steps);
		r->lnsgd[di] = bw_stat3_of(x, R);
		for (int i = 0; i < R; i++)
			x[i] = run_once(&inst, bw_bench_algo(BW_BENCH_MINIBATCH), 1, steps);
		r->sgd1[di] = bw_stat3_of(x, R);
		for (int i = 0; i < R; i++)
			x[i] = run_once(&inst, bw_bench_algo(BW_BENCH_MINIBATCH), 8, steps / 8);
		r->sgd8[di] = bw_stat3_of(x, R);
		free(u);
		free(v);
		bw_instance_release(&inst);
		bw_bench_note(c, "  sgd d=%zu done", d);
	}
}

static size_t gd_n_for(size_t d) { return d >= 10000 ? 500 : d / 10; }

/* runs of steps_per_run gd steps until budget_s of them: ns per step and entry */
static double gd_once(const struct bw_instance *inst, long steps_per_run, double budget_s)
{
	double total = 0;
	long steps = 0;
	do {
		long taken;
		double w = run_wall(inst, bw_bench_algo(BW_BENCH_FULL_BATCH), 1, steps_per_run, &taken);
		if (!isfinite(w))
			return NAN;
		total += w;
		steps += taken;
	} while (total < budget_s);
	return total * 1e9 / ((double)steps * (double)inst->n * (double)inst->d);
}

void bw_bench_gd(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	int R = bw_bench_rep_count(c);
	double budget = c->quick ? 0.05 : 0.2;
	for (int di = 0; di < BW_BENCH_ND; di++) {
		size_t d = bw_bench_dims[di], n = gd_n_for(d);
		struct bw_instance inst;
		if (section_instance(bw_bench_algo(BW_BENCH_FULL_BATCH), d, n, &r->gd_n[di], &r->bytes_gd[di], &inst) != 0)
			continue;
		long spr = d <= 100 ? 2000 : d <= 1000 ? 500 : 50;
		double x[BW_BENCH_MAXREP];
		gd_once(&inst, spr, budget / 4);
		for (int i = 0; i < R; i++)
			x[i] = gd_once(&inst, spr, budget);
		r->gd[di] = bw_stat3_of(x, R);
		double *w = malloc(d * sizeof(double)), *rr = malloc(n * sizeof(double)), *g = malloc(d * sizeof(double));
		if (w && rr && g) {
			for (size_t j = 0; j < d; j++)
				w[j] = 0.01 * (double)(j % 7) - 0.03;
			memcpy(rr, inst.y, n * sizeof(double));
			/* as many products as ~budget seconds at the gd step's pace */
			long gsteps = (long)(budget / (r->gd[di].med * 1e-9 * (double)n * (double)d));
			if (gsteps < 10 || !isfinite(r->gd[di].med))
				gsteps = 10;
			bw_bench_two_dgemv_ns(&inst, gsteps / 4, w, rr, g);
			for (int i = 0; i < R; i++)
				x[i] = bw_bench_two_dgemv_ns(&inst, gsteps, w, rr, g);
			r->gemv[di] = bw_stat3_of(x, R);
		}
		free(w);
		free(rr);
		free(g);
		bw_instance_release(&inst);
		bw_bench_note(c, "  gd d=%zu done", d);
	}
}

static size_t flow_n_for(size_t d) { return d / 10 < 100 ? d / 10 : 100; }

/* velocity evaluations for budget_s: ns per evaluation */
static double flow_eval_once(const struct bw_instance *inst, double budget_s)
{
	size_t d = inst->d;
	double *u = malloc(d * sizeof(double)), *v = malloc(d * sizeof(double));
	double *du = malloc(d * sizeof(double)), *dv = malloc(d * sizeof(double));
	double el = NAN;
	long k = 0;
	if (u && v && du && dv) {
		for (size_t j = 0; j < d; j++)
			u[j] = v[j] = 0.5;
		double t = bw_now_s();
		do {
			if (bw_flow_velocity(inst, u, v, du, dv, NULL, NULL) != BW_OK)
				bw_error_clear();
			k++;
			el = bw_now_s() - t;
		} while (el < budget_s);
	}
	free(u);
	free(v);
	free(du);
	free(dv);
	return el * 1e9 / (double)k;
}

void bw_bench_flow(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	int R = bw_bench_rep_count(c);
	for (int di = 0; di < BW_BENCH_ND; di++) {
		size_t d = bw_bench_dims[di], n = flow_n_for(d);
		struct bw_instance inst;
		if (section_instance(bw_bench_algo(BW_BENCH_FLOW), d, n, &r->flow_n[di], &r->bytes_flow[di], &inst) != 0)
			continue;
		double x[BW_BENCH_MAXREP];
		int m = 0;
		for (int i = 0; i < R; i++)
			x[i] = flow_eval_once(&inst, c->quick ? 0.03 : 0.1);
		r->flow_eval[di] = bw_stat3_of(x, R);
		long K = d <= 100 ? 200 : d <= 1000 ? 40 : 15;
		int Rf = d >= 10000 && R > 3 ? 3 : R; /* each run redoes the gd start (~1 s here) */
		for (int i = 0; i < Rf; i++) {
			long s1, s2;
			double t1 = run_wall(&inst, bw_bench_algo(BW_BENCH_FLOW), 1, 1, &s1);
			double t2 = run_wall(&inst, bw_bench_algo(BW_BENCH_FLOW), 1, 1 + K, &s2);
			if (s2 > s1 && isfinite(t1) && isfinite(t2))
				x[m++] = (t2 - t1) * 1e9 / (double)(s2 - s1);
		}
		r->flow_step[di] = bw_stat3_of(x, m);
		bw_instance_release(&inst);
		bw_bench_note(c, "  flow d=%zu done", d);
	}
}
