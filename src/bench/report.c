/* report.c - the JSON of bench_report.h, written through json.h. */
#include "biasweep/bench_kernels.h"
#include "biasweep/bench_report.h"
#include "biasweep/error.h"
#include "biasweep/proc.h"
#include "revision.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void jstat(struct bw_json *j, const char *key, struct bw_stat3 s)
{
	bw_json_object(j, key);
	bw_json_number(j, "median", s.med);
	bw_json_number(j, "min", s.lo);
	bw_json_number(j, "max", s.hi);
	bw_json_number(j, "repeats", s.n);
	bw_json_end(j);
}

/* a NumPy peer against the C figure c_ns; with_range: its min and max too */
static void jpeer(struct bw_json *j, const char *key, const struct bw_bench_peer *p, double c_ns, int with_range)
{
	bw_json_object(j, key);
	bw_json_number(j, "ns", p->ns);
	if (with_range) {
		bw_json_number(j, "min", p->lo);
		bw_json_number(j, "max", p->hi);
	}
	bw_json_number(j, "steps", (double)p->steps);
	bw_json_number(j, "ratio", bw_bench_ratio(p->ns, c_ns));
	bw_json_end(j);
}

static void jsize(const struct bw_bench_cfg *c, const struct bw_bench_results *r, const struct bw_bench_summary *s,
		  int di, struct bw_json *j)
{
	bw_json_object(j, NULL);
	bw_json_number(j, "d", (double)bw_bench_dims[di]);
	bw_json_object(j, bw_algo_name(bw_bench_algo(BW_BENCH_NOISY_SGD)));
	bw_json_number(j, "n", (double)r->sgd_n[di]);
	bw_json_string(j, "unit", "ns per step and coordinate");
	bw_json_object(j, "kernel");
	for (size_t k = 0; k < s->nv; k++)
		if (r->kern_ok[k]) {
			char key[64];
			snprintf(key, sizeof key, "%s_int8", s->v[k].name);
			jstat(j, key, r->kern[di][k][0]);
			snprintf(key, sizeof key, "%s_f64", s->v[k].name);
			jstat(j, key, r->kern[di][k][1]);
		}
	bw_json_end(j);
	jstat(j, "bw_run", r->lnsgd[di]);
	bw_json_number(j, "kernel_gflops", BW_BENCH_SGD_FLOPS / r->kern[di][s->active][s->act_f64].med);
	bw_json_number(j, "bw_run_gflops", BW_BENCH_SGD_FLOPS / r->lnsgd[di].med);
	bw_json_number(j, "task_bytes", (double)r->bytes_sgd[di]);
	if (!c->no_peers) {
		jpeer(j, "numpy_loop", &r->p_loop[di], r->lnsgd[di].med, 1);
		jpeer(j, "numpy_batched_R64", &r->p_batch[di], r->lnsgd[di].med, 1);
	}
	bw_json_end(j);
	bw_json_object(j, bw_algo_name(bw_bench_algo(BW_BENCH_MINIBATCH)));
	bw_json_number(j, "n", (double)r->sgd_n[di]);
	jstat(j, "batch1_bw_run", r->sgd1[di]);
	jstat(j, "batch8_bw_run_per_sample", r->sgd8[di]);
	bw_json_end(j);
	bw_json_object(j, bw_algo_name(bw_bench_algo(BW_BENCH_FULL_BATCH)));
	bw_json_number(j, "n", (double)r->gd_n[di]);
	bw_json_string(j, "unit", "ns per step and matrix entry");
	jstat(j, "bw_run", r->gd[di]);
	jstat(j, "two_dgemv", r->gemv[di]);
	bw_json_number(j, "ratio_step_to_dgemv", bw_bench_ratio(r->gd[di].med, r->gemv[di].med));
	bw_json_number(j, "gflops", 4.0 / r->gd[di].med);
	bw_json_number(j, "task_bytes", (double)r->bytes_gd[di]);
	if (!c->no_peers) {
		jpeer(j, "numpy_loop", &r->p_gd_loop[di], r->gd[di].med, 0);
		jpeer(j, "numpy_batched_R64", &r->p_gd_batch[di], r->gd[di].med, 0);
	}
	bw_json_end(j);
	bw_json_object(j, bw_algo_name(bw_bench_algo(BW_BENCH_FLOW)));
	bw_json_number(j, "n", (double)r->flow_n[di]);
	bw_json_string(j, "unit", "ns per evaluation / per accepted step");
	jstat(j, "evaluation", r->flow_eval[di]);
	jstat(j, "step", r->flow_step[di]);
	bw_json_number(j, "task_bytes", (double)r->bytes_flow[di]);
	bw_json_end(j);
	bw_json_end(j);
}

static void jsched(const struct bw_bench_results *r, struct bw_json *j)
{
	bw_json_array(j, "schedule");
	for (int k = 0; k < BW_BENCH_NSCHED; k++) {
		const struct bw_bench_sched *q = &r->sched[k];
		bw_json_object(j, NULL);
		bw_json_number(j, "d", (double)bw_bench_sched_dims[k]);
		bw_json_number(j, "n", (double)bw_bench_sched_n[k]);
		bw_json_object(j, "sharpness");
		bw_json_number(j, "steps", q->sharp_steps);
		bw_json_number(j, "t", q->sharp_t);
		bw_json_number(j, "wall_s", q->sharp_wall);
		bw_json_bool(j, "success", q->sharp_success);
		bw_json_string(j, "status", q->sharp_status ? q->sharp_status : "not run");
		bw_json_end(j);
		bw_json_object(j, "constant");
		bw_json_bool(j, "measured", q->const_measured);
		bw_json_number(j, "steps", q->const_steps);
		bw_json_number(j, "t", q->const_t);
		bw_json_number(j, "wall_s", q->const_wall);
		bw_json_number(j, "ns_per_step", q->const_ns_step);
		if (q->const_measured) {
			bw_json_bool(j, "success", q->const_success);
			bw_json_string(j, "status", q->const_status ? q->const_status : "not run");
		} else {
			bw_json_string(j, "estimate", "ns_per_step x steps to the flow's stationary time");
		}
		bw_json_end(j);
		bw_json_object(j, "flow");
		bw_json_number(j, "t", q->flow_t);
		bw_json_bool(j, "success", q->flow_success);
		bw_json_end(j);
		bw_json_number(j, "speedup", q->speedup);
		bw_json_object(j, "numpy_loop");
		bw_json_number(j, "ns_per_step", q->peer.ns * (double)bw_bench_sched_dims[k]);
		bw_json_number(j, "s_for_the_constant_steps", q->peer_s);
		bw_json_end(j);
		bw_json_end(j);
	}
	bw_json_end(j);
}

static void jcoord(const struct bw_bench_cfg *c, const struct bw_bench_results *r, struct bw_json *j)
{
	bw_json_object(j, "coordinator");
	bw_json_number(j, "tasks", (double)c->tasks);
	bw_json_number(j, "task_exec_us", r->task_exec_us);
	for (int k = 0; k < BW_BENCH_NCOORD; k++) {
		char key[32];
		snprintf(key, sizeof key, "ranks%d", bw_bench_coord_ranks[k]);
		bw_json_object(j, key);
		if (r->coord_ok[k]) {
			jstat(j, "tasks_per_s", r->coord[k]);
			bw_json_number(j, "max_rank_rss_mib", r->coord_rss_kb[k] / 1024.0);
		} else {
			bw_json_string(j, "error", r->coord_err[k]);
		}
		bw_json_end(j);
	}
	bw_json_end(j);
}

static void jsweep(const struct bw_bench_cfg *c, const struct bw_bench_results *r, const struct bw_bench_summary *s,
		   struct bw_json *j)
{
	bw_json_object(j, "sweep");
	bw_json_string(j, "spec", c->spec);
	for (int k = 0; k < 2; k++) {
		char key[32];
		snprintf(key, sizeof key, "ranks%d", k + 1);
		bw_json_object(j, key);
		if (r->sweep_ok[k]) {
			bw_json_number(j, "tasks", (double)r->sweep_done[k]);
			bw_json_number(j, "elapsed_s", r->sweep_elapsed[k]);
			bw_json_number(j, "wall_s", r->sweep_wall[k]);
			bw_json_number(j, "max_rank_rss_mib", r->sweep_rss_kb[k] / 1024.0);
			bw_json_number(j, "loadavg_before", r->sweep_load[k][0]);
			bw_json_number(j, "loadavg_after", r->sweep_load[k][1]);
		} else {
			bw_json_string(j, "error", r->sweep_err[k]);
		}
		bw_json_end(j);
	}
	bw_json_number(j, "efficiency_2_ranks", s->eff);
	bw_json_end(j);
}

int bw_bench_json(const struct bw_bench_cfg *c, const struct bw_bench_results *r, const struct bw_bench_summary *s,
		  struct bw_json *j)
{
	bw_json_object(j, NULL);
	bw_json_string(j, "schema", "biasweep-bench/1");
	bw_json_string(j, "revision", BW_REVISION);
	bw_json_string(j, "host", r->m.host);
	bw_json_string(j, "cpu", r->m.cpu);
	bw_json_number(j, "cores", (double)r->m.cores);
	bw_json_string(j, "date", r->m.date);
	bw_json_string(j, "compiler", __VERSION__);
	bw_json_string(j, "openblas", bw_blas_config());
	bw_json_string(j, "sgd_kernel", bw_bench_kernel_active_name());
	bw_json_number(j, "repeats", bw_bench_rep_count(c));
	bw_json_number(j, "loadavg_before", r->m.load_before);
	bw_json_number(j, "loadavg_after", r->load_after);
	bw_json_number(j, "elapsed_s", r->elapsed_s);
	if (!c->sweep_only) {
		bw_json_object(j, "peak_gflops");
		for (int k = 0; k < BW_PEAK_COUNT; k++)
			if (isfinite(r->peak[k].med))
				jstat(j, bw_peak_keys[k], r->peak[k]);
		bw_json_end(j);
		bw_json_number(j, "peak_measured_gflops", s->peak);
		bw_json_number(j, "peak_noFMA_gflops", s->peak_noFMA);
		bw_json_number(j, "sgd_flops_per_update", BW_BENCH_SGD_FLOPS);
		bw_json_array(j, "sizes");
		for (int di = 0; di < BW_BENCH_ND; di++)
			jsize(c, r, s, di, j);
		bw_json_end(j);
	}
	if (!c->sweep_only)
		jsched(r, j);
	if (!c->no_mpi && !c->sweep_only)
		jcoord(c, r, j);
	if (c->sweep)
		jsweep(c, r, s, j);
	bw_json_object(j, "targets");
	bw_json_number(j, "lnsgd_vs_numpy_loop_d1000", s->r_loop);
	bw_json_number(j, "lnsgd_vs_numpy_batched_d1000", s->r_batch);
	bw_json_number(j, "sgd_kernel_fraction_of_peak_d1000", s->kg / s->peak);
	bw_json_number(j, "sgd_kernel_fraction_of_noFMA_peak_d1000", s->kg / s->peak_noFMA);
	bw_json_number(j, "schedule_speedup_d256", s->sched_256);
	bw_json_number(j, "schedule_speedup_d1024", s->sched_1024);
	bw_json_number(j, "gd_step_over_two_dgemv_worst", s->gd_worst);
	bw_json_number(j, "coordinator_tasks_per_s_min", s->coord_min);
	bw_json_number(j, "sweep_efficiency_2_ranks", s->eff);
	bw_json_end(j);
	bw_json_end(j);
	return bw_json_finish(j);
}

int bw_bench_write_json(const struct bw_bench_cfg *c, const struct bw_bench_results *r,
			const struct bw_bench_summary *s, char *path, size_t pathlen)
{
	if (c->json)
		snprintf(path, pathlen, "%s", c->json);
	else
		snprintf(path, pathlen, "%s/bench-%s-%s.json", c->out, r->m.host, r->m.stamp);
	struct bw_json j;
	bw_json_init(&j, 6, 0);
	int rc = bw_bench_json(c, r, s, &j);
	if (rc == BW_OK && !c->json && bw_proc_mkdir_p(c->out) != 0) {
		rc = RAISE(BW_EIO, "cannot create %s: %s", c->out, strerror(errno));
	} else if (rc == BW_OK) {
		FILE *f = fopen(path, "w");
		int bad = !f || fwrite(j.out.p, 1, j.out.len, f) != j.out.len;
		if ((f && fclose(f) != 0) || bad)
			rc = RAISE(BW_EIO, "cannot write %s", path);
	}
	bw_json_release(&j);
	return rc;
}
