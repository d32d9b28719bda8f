/* bench.c - `biasweep bench`: how close the kernels run to this machine's
 * limits, against the NumPy code researchers write (bench/peers/), and the
 * scheduler's throughput.  The measurements are src/bench/ (bench.h and its
 * sections); this file parses the flags, runs them and prints the table.
 * Reports, never fails on a slow machine: every figure is the median of
 * --repeats runs with the min and max beside it, and the targets are printed
 * as held / not held with their numbers.  A table goes to stdout, everything
 * to JSON (results/bench/bench-HOST-DATE.json unless --json or --out say
 * otherwise).  The MPI runs are this same binary, started through mpirun as
 * `biasweep bench --child SPEC CATALOG DIR` (bench_mpi.h). */
#include "biasweep/bench.h"
#include "biasweep/bench_mpi.h"
#include "biasweep/bench_report.h"
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "revision.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *yes(int ok) { return ok ? "holds" : "does not hold"; }

static void note(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
	fflush(stdout);
}

static void print_peer(const char *what, const struct bw_bench_peer *p, double c_ns)
{
	if (p->ok)
		printf("  %-30s %9.3f ns  (min %.3f, max %.3f)  %7.1fx the C code\n", what, p->ns, p->lo, p->hi,
		       bw_bench_ratio(p->ns, c_ns));
	else
		printf("  %-30s not measured: %s\n", what, p->err);
}

/* one row of the sgd table: a name, then median (min-max) per size */
static void print_row(const char *name, const struct bw_stat3 s[BW_BENCH_ND])
{
	printf("  %-28s", name);
	for (int di = 0; di < BW_BENCH_ND; di++)
		printf("  %6.3f (%.3f-%.3f)", s[di].med, s[di].lo, s[di].hi);
	printf("\n");
}

/* what, x in fmt, and whether the target holds */
static void print_target(const char *what, double x, const char *fmt, int held, const char *missing)
{
	printf("%s", what);
	printf(fmt, x);
	printf("  %s\n", isfinite(x) ? yes(held) : missing);
}

static void print_kernels(const struct bw_bench_cfg *c, const struct bw_bench_results *r,
			  const struct bw_bench_summary *s)
{
	int R = bw_bench_rep_count(c);
	printf("\n== peak (GFLOP/s, median of %d; min-max) ==\n", R);
	for (int k = 0; k < BW_PEAK_COUNT; k++)
		if (isfinite(r->peak[k].med))
			printf("  %-16s %7.2f  (%.2f-%.2f)\n", bw_peak_names[k], r->peak[k].med, r->peak[k].lo, r->peak[k].hi);
	printf("  measured peak: %.2f GFLOP/s (%s); without FMA (what a kernel that may not contract can reach): "
	       "%.2f\n",
	       s->peak, s->peak_name, s->peak_noFMA);

	printf("\n== label-noise SGD, n = d/10: ns per coordinate-update (median; min-max) ==\n");
	printf("  %-28s", "");
	for (int di = 0; di < BW_BENCH_ND; di++)
		printf("  d=%-19zu", bw_bench_dims[di]);
	printf("\n");
	for (size_t k = 0; k < s->nv; k++)
		for (int f = 0; f < 2; f++) {
			if (!r->kern_ok[k])
				continue;
			char nm[64];
			snprintf(nm, sizeof nm, "kernel %s %s%s", s->v[k].name, f ? "f64" : "int8",
				 k == s->active && f == s->act_f64 ? " *" : "");
			struct bw_stat3 row[BW_BENCH_ND];
			for (int di = 0; di < BW_BENCH_ND; di++)
				row[di] = r->kern[di][k][f];
			print_row(nm, row);
		}
	print_row("bw_run label_noise_sgd", r->lnsgd);
	print_row("bw_run sgd (batch 1)", r->sgd1);
	print_row("bw_run sgd (batch 8) /B", r->sgd8);
	printf("  %-28s", "GFLOP/s of the kernel *");
	for (int di = 0; di < BW_BENCH_ND; di++) {
		double g = BW_BENCH_SGD_FLOPS / r->kern[di][s->active][s->act_f64].med;
		printf("  %6.2f = %3.0f%% / %3.0f%%  ", g, 100 * g / s->peak, 100 * g / s->peak_noFMA);
	}
	printf("\n  (* the variant and rows bw_run uses; %% of the measured peak / of the no-FMA peak)\n");
	for (int di = 0; di < BW_BENCH_ND && !c->no_peers; di++) {
		printf(" NumPy peers at d=%zu (n=%zu):\n", bw_bench_dims[di], r->sgd_n[di]);
		print_peer("lnsgd, per-sample loop", &r->p_loop[di], r->lnsgd[di].med);
		print_peer("lnsgd, batched R=64", &r->p_batch[di], r->lnsgd[di].med);
	}

	printf("\n== gd: ns per step and matrix entry (median; min-max) ==\n");
	for (int di = 0; di < BW_BENCH_ND; di++) {
		const struct bw_stat3 *g = &r->gd[di], *m = &r->gemv[di];
		printf("  d=%-6zu n=%-4zu gd step %.3f (%.3f-%.3f)  two dgemv %.3f (%.3f-%.3f)  step/dgemv %.2f  "
		       "%.2f GFLOP/s\n",
		       bw_bench_dims[di], r->gd_n[di], g->med, g->lo, g->hi, m->med, m->lo, m->hi,
		       bw_bench_ratio(g->med, m->med), 4.0 / g->med);
		if (!c->no_peers) {
			print_peer("NumPy gd, loop", &r->p_gd_loop[di], g->med);
			print_peer("NumPy gd, batched R=64 (gemm)", &r->p_gd_batch[di], g->med);
		}
	}

	printf("\n== riemannian flow, n = min(d/10, 100): ms (median; min-max) ==\n");
	for (int di = 0; di < BW_BENCH_ND; di++) {
		size_t d = bw_bench_dims[di], n = r->flow_n[di];
		const struct bw_stat3 *e = &r->flow_eval[di], *t = &r->flow_step[di];
		double fl = (double)n * (double)n * (double)d + (double)n * n * n / 3.0 + 4.0 * n * d;
		printf("  d=%-6zu n=%-4zu evaluation %.4f (%.4f-%.4f) = %.2f GFLOP/s   step %.4f (%.4f-%.4f, %d runs)\n",
		       d, n, e->med * 1e-6, e->lo * 1e-6, e->hi * 1e-6, fl / e->med, t->med * 1e-6, t->lo * 1e-6,
		       t->hi * 1e-6, t->n);
	}

	printf("\n== label-noise SGD, step schedule sharpness vs the constant step: whole runs, Rademacher kappa=4 "
	       "alpha=0.5 ==\n");
	printf("  %-5s %-3s %-38s %-50s %-8s %s\n", "d", "n", "sharpness: steps, t, wall, verdict",
	       "constant: steps, t, wall, verdict", "speedup", "NumPy loop: ns/step, x constant's steps");
	for (int k = 0; k < BW_BENCH_NSCHED; k++) {
		const struct bw_bench_sched *q = &r->sched[k];
		char sh[96], co[128], pe[96];
		snprintf(sh, sizeof sh, "%.3g %.3g %.3g s %s%s", q->sharp_steps, q->sharp_t, q->sharp_wall,
			 q->sharp_success ? "success" : "failure", q->sharp_status && strcmp(q->sharp_status, "converged")
								  ? " (capped)" : "");
		if (q->const_measured)
			snprintf(co, sizeof co, "%.3g %.3g %.3g s %s%s", q->const_steps, q->const_t, q->const_wall,
				 q->const_success ? "success" : "failure",
				 q->const_status && strcmp(q->const_status, "converged") ? " (capped)" : "");
		else
			snprintf(co, sizeof co, "est. %.3g x %.3g ns = %.3g s to the flow's t %.3g", q->const_steps,
				 q->const_ns_step, q->const_wall, q->const_t);
		if (isfinite(q->peer.ns))
			snprintf(pe, sizeof pe, "%.4g ns, %.3g s", q->peer.ns * (double)bw_bench_sched_dims[k], q->peer_s);
		else
			snprintf(pe, sizeof pe, "%s", q->peer.err);
		printf("  %-5zu %-3zu %-38s %-50s %6.1fx  %s\n", bw_bench_sched_dims[k], bw_bench_sched_n[k], sh, co,
		       q->speedup, pe);
	}
	printf("  (flow verdicts:");
	for (int k = 0; k < BW_BENCH_NSCHED; k++)
		printf(" d=%zu %s at t %.3g;", bw_bench_sched_dims[k], r->sched[k].flow_success ? "success" : "failure",
		       r->sched[k].flow_t);
	printf(" est.: the constant step's measured ns per step x the steps to the flow's stationary time)\n");

	printf("\n== memory per rank (bw_task_bytes, MiB) ==\n");
	for (int di = 0; di < BW_BENCH_ND; di++)
		printf("  d=%-6zu lnsgd n=%-5zu %8.2f   gd n=%-4zu %8.2f   flow n=%-4zu %8.2f\n", bw_bench_dims[di],
		       r->sgd_n[di], r->bytes_sgd[di] / 1048576.0, r->gd_n[di], r->bytes_gd[di] / 1048576.0, r->flow_n[di],
		       r->bytes_flow[di] / 1048576.0);
	printf("  this process: peak RSS %.1f MiB\n", r->self_rss_kb / 1024.0);
}

static void print_mpi(const struct bw_bench_cfg *c, const struct bw_bench_results *r, const struct bw_bench_summary *s)
{
	if (!c->no_mpi && !c->sweep_only) {
		printf("\n== coordinator: %ld empty tasks through MPI (tasks/s, median; min-max) ==\n", c->tasks);
		printf("  one empty task alone (instance + 1 gd step + outcome, no MPI): %.1f us\n", r->task_exec_us);
		for (int k = 0; k < BW_BENCH_NCOORD; k++) {
			int np = bw_bench_coord_ranks[k];
			if (r->coord_ok[k])
				printf("  %d rank%s %8.0f  (%.0f-%.0f), peak RSS of the largest rank %.1f MiB%s\n", np,
				       k ? "s:" : ": ", r->coord[k].med, r->coord[k].lo, r->coord[k].hi,
				       r->coord_rss_kb[k] / 1024.0, k ? "" : " (rank 0's compute thread alone)");
			else
				printf("  %d rank%s not measured: %s\n", np, k ? "s:" : ": ", r->coord_err[k]);
		}
	}
	if (!c->sweep)
		return;
	printf("\n== sweep %s ==\n", c->spec);
	for (int k = 0; k < 2; k++) {
		if (r->sweep_ok[k])
			printf("  %d rank%s: %zu tasks, %.1f s coordinating (%.1f s wall with start-up), peak RSS %.1f "
			       "MiB, load average %.2f before, %.2f after\n",
			       k + 1, k ? "s" : " ", r->sweep_done[k], r->sweep_elapsed[k], r->sweep_wall[k],
			       r->sweep_rss_kb[k] / 1024.0, r->sweep_load[k][0], r->sweep_load[k][1]);
		else
			printf("  %d rank%s: not measured: %s\n", k + 1, k ? "s" : "", r->sweep_err[k]);
	}
	printf("  strong-scaling efficiency T1/(2 T2): %.1f%%%s\n", 100 * s->eff,
	       s->eff > 1.02 ? " (above 100%: other load on the machine slowed one of the runs)" : "");
}

static void print_targets(const struct bw_bench_cfg *c, const struct bw_bench_summary *s)
{
	const char *nm = "not measured";
	printf("\n== targets ==\n");
	print_target("  lnsgd >= 30x the per-sample NumPy loop at d=1000:  ", s->r_loop, "%.1fx", s->r_loop >= 30, nm);
	print_target("  lnsgd >= 10x the batched NumPy (R=64) at d=1000:  ", s->r_batch, "%.1fx", s->r_batch >= 10, nm);
	printf("  SGD kernel >= 50%% of the measured peak at d=1000: %.1f%% of %.1f GFLOP/s (%.1f%% of the no-FMA "
	       "peak)  %s\n",
	       100 * s->kg / s->peak, s->peak, 100 * s->kg / s->peak_noFMA,
	       isfinite(s->kg / s->peak) ? yes(s->kg >= 0.5 * s->peak) : nm);
	print_target("  schedule sharpness >= 50x the constant step at d=256 (whole runs):  ", s->sched_256, "%.1fx",
		     s->sched_256 >= 50, nm);
	print_target("  schedule sharpness >= 300x the constant step at d=1024 (est.):     ", s->sched_1024, "%.1fx",
		     s->sched_1024 >= 300, nm);
	print_target("  gd step within 1.5x of two dgemv (worst d):        ", s->gd_worst, "%.2fx", s->gd_worst <= 1.5, nm);
	print_target("  coordinator >= 20000 empty tasks/s (2 and 4 ranks): ", s->coord_min, "%.0f", s->coord_min >= 20000,
		     nm);
	printf("  2-rank efficiency on %s >= 90%%: ", c->spec);
	print_target("", 100 * s->eff, "%.1f%%", s->eff >= 0.9, "not measured (bench --sweep)");
}

static const char summary[] =
	"Measure the kernels against this CPU's peak, against NumPy peers (bench/peers/), the step schedule\n"
	"sharpness against the constant step (whole runs to the same verdict), and the\n"
	"coordinator's throughput; print a table and write JSON under results/bench/.\n"
	"  biasweep bench            (a few minutes; run from the repository root)\n"
	"  biasweep bench --sweep    (adds jobs/default.cfg on 1 and 2 ranks: +10-20 minutes)\n"
	"Figures are medians of --repeats runs, with min and max: the machine is shared and noisy.\n"
	"Targets are reported as held or not, never as a failure.";

static const char epilog[] =
	"units: sgd ns per step and coordinate (8 flops each), gd ns per step and matrix entry,\n"
	"flow ns per evaluation / step; peers ns per the same unit (NumPy with one BLAS thread).\n"
	"The MPI runs are `mpirun --oversubscribe -np K biasweep bench --child SPEC CATALOG DIR`\n"
	"(run as root, bench sets OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 for them).\n"
	"BIASWEEP_KERNEL=generic|avx2|avx512 forces an SGD kernel variant for every command.\n";

int cmd_bench(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "--child")) {
		if (argc != 4)
			return RAISE(BW_EINVAL, "--child SPEC CATALOG DIR (internal: the MPI runs of bench)");
		return bw_bench_child(argv[1], argv[2], argv[3]);
	}
	struct bw_bench_cfg c = {.repeats = 5, .tasks = 20000, .python = "/usr/bin/python3", .peers = "bench/peers",
				 .mpirun = "mpirun", .spec = "jobs/default.cfg", .out = "results/bench", .progress = note};
	struct bw_option opts[] = {
		BW_OPT("repeats", BW_OPT_LONG, &c.repeats, "R", "repetitions of every measurement, median reported (default 5)"),
		BW_OPT("sweep", BW_OPT_FLAG, &c.sweep, NULL, "also time --spec on 1 and 2 ranks (strong scaling; minutes)"),
		BW_OPT("sweep-only", BW_OPT_FLAG, &c.sweep_only, NULL, "only the --sweep measurement (to repeat it)"),
		BW_OPT("spec", BW_OPT_STRING, &c.spec, "FILE", "the sweep of --sweep (default jobs/default.cfg)"),
		BW_OPT("tasks", BW_OPT_LONG, &c.tasks, "N", "empty tasks per coordinator run (default 20000)"),
		BW_OPT("quick", BW_OPT_FLAG, &c.quick, NULL, "shorter measurements (a smoke run of the bench itself)"),
		BW_OPT("peers", BW_OPT_STRING, &c.peers, "DIR", "the NumPy peers (default bench/peers)"),
		BW_OPT("python", BW_OPT_STRING, &c.python, "PATH", "Python with NumPy for the peers (default /usr/bin/python3)"),
		BW_OPT("no-peers", BW_OPT_FLAG, &c.no_peers, NULL, "skip the NumPy peers"),
		BW_OPT("mpirun", BW_OPT_STRING, &c.mpirun, "PATH", "mpirun for the coordinator and sweep runs (default mpirun)"),
		BW_OPT("no-mpi", BW_OPT_FLAG, &c.no_mpi, NULL, "skip the coordinator (and sweep) runs"),
		BW_OPT("out", BW_OPT_STRING, &c.out, "DIR", "directory of the JSON report (default results/bench)"),
		BW_OPT("json", BW_OPT_STRING, &c.json, "FILE", "write the JSON report here instead"),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "bench", .summary = summary, .epilog = epilog, .opts = opts};
	int npos;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	CHECK(bw_bench_prepare(&c));
	struct bw_bench_results *r = calloc(1, sizeof *r);
	if (!r) {
		bw_bench_release(&c);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	bw_bench_results_init(&c, r);
	printf("biasweep bench %s on %s (%s, %ld cores), load %.2f, %ld repeats per figure\n", BW_REVISION, r->m.host,
	       r->m.cpu, r->m.cores, r->m.load_before, c.repeats);
	printf("sgd kernels: %s; %s\n", bw_bench_kernel_active_name(), bw_blas_config());
	fflush(stdout);
	bw_bench_run(&c, r);
	struct bw_bench_summary s;
	bw_bench_summarize(&c, r, &s);
	if (!c.sweep_only)
		print_kernels(&c, r, &s);
	print_mpi(&c, r, &s);
	print_targets(&c, &s);
	printf("\nbench took %.0f s; load average %.2f before, %.2f after\n", r->elapsed_s, r->m.load_before,
	       r->load_after);
	char path[4400];
	int rc = bw_bench_write_json(&c, r, &s, path, sizeof path);
	if (rc == BW_OK)
		printf("JSON: %s\n", path);
	free(r);
	bw_bench_release(&c);
	return rc;
}
