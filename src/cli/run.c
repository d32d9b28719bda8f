/* run.c - `biasweep run SPEC`: the sweep across MPI ranks, with progress. */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/sweeprun.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct progress_ctx {
	int quiet, tty;
	double last_line;
	const char *spec, *catalog;
};

/* The closing lines go out from the final progress call, before MPI is
 * finalized: mpirun stops forwarding output once it is tearing the job down. */
static void print_summary(const struct progress_ctx *ctx, const struct bw_progress *p)
{
	printf("sweep run %lld: %zu tasks done (%zu diverged, %zu failed), %zu already in the catalog, "
	       "%.1f s on %d rank%s; catalog %s\n",
	       (long long)p->sweep_id, p->done, p->diverged, p->failed, p->skipped, p->elapsed_s, p->ranks,
	       p->ranks == 1 ? "" : "s", ctx->catalog);
	fflush(stdout);
	if (stop_flag) {
		int dflt = !strcmp(ctx->catalog, "results/catalog.sqlite");
		fprintf(stderr,
			"biasweep run: interrupted: %zu of %zu tasks committed, %zu not run; resume by running the "
			"same command again (e.g. mpirun -np %d biasweep run %s%s%s)\n",
			p->done, p->total, p->total - p->done, p->ranks, ctx->spec, dflt ? "" : " --catalog ",
			dflt ? "" : ctx->catalog);
		fflush(stderr);
	}
}

static void fmt_eta(char *buf, size_t len, double s)
{
	if (!(s >= 0) || s > 1e7)
		snprintf(buf, len, "--:--");
	else if (s >= 3600)
		snprintf(buf, len, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
	else
		snprintf(buf, len, "%d:%02d", (int)s / 60, (int)s % 60);
}

static void on_progress(void *vctx, const struct bw_progress *p)
{
	struct progress_ctx *ctx = vctx;
	if (p->final)
		print_summary(ctx, p);
	if (ctx->quiet)
		return;
	size_t fin = p->done + p->dropped;
	double rate = p->elapsed_s > 0 ? (double)p->done / p->elapsed_s : 0;
	char eta[32];
	/* tasks go out largest first, so the ETA extrapolates estimated cost, not counts */
	double left = p->cost_done > 0 ? p->elapsed_s * (p->cost_total - p->cost_done) / p->cost_done : -1;
	fmt_eta(eta, sizeof eta, fin >= p->total ? 0 : left);
	if (ctx->tty) {
		int width = 30, filled = p->total ? (int)((double)fin / (double)p->total * width) : width;
		char bar[64];
		for (int i = 0; i < width; i++)
			bar[i] = i < filled ? '=' : ' ';
		bar[width] = 0;
		fprintf(stderr, "\r[%s] %zu/%zu tasks  %.1f/s  ETA %s  diverged %zu  failed %zu ", bar, fin, p->total,
			rate, eta, p->diverged, p->failed);
		if (p->final)
			fprintf(stderr, "\n");
	} else if (p->final || p->elapsed_s - ctx->last_line >= 5.0 || ctx->last_line < 0) {
		fprintf(stderr, "progress: %zu/%zu tasks, %.1f tasks/s, ETA %s, diverged %zu, failed %zu, elapsed %.0f s\n",
			fin, p->total, rate, eta, p->diverged, p->failed, p->elapsed_s);
		ctx->last_line = p->elapsed_s;
	}
	fflush(stderr);
}

static const char summary[] =
	"Run every task of the spec that the catalog does not hold yet, on all MPI ranks:\n"
	"  mpirun -np K biasweep run jobs/default.cfg\n"
	"Rank 0 coordinates (and computes on a second thread); the others are workers.\n"
	"Outcomes go to the SQLite catalog, trajectories to <catalog dir>/<catalog stem>-<sweep>-<run>.h5.\n"
	"Kill it at any time: rerunning the same command resumes (finished tasks are skipped).\n"
	"The spec is admitted as `biasweep plan` does (the same checks and messages) before anything is written.";

static const char epilog[] =
	"progress goes to stderr: a live bar on a terminal, a line every 5 s otherwise.\n"
	"SIGTERM/SIGINT: no new work is handed out, tasks in flight are dropped, everything\n"
	"finished is committed, and the exit status is 3 with a line saying how to resume.\n"
	"exit status: 0 done, 2 bad input (nothing written), 3 interrupted, 1 other errors.\n";

int cmd_run(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite", *shard = NULL;
	int quiet = 0;
	struct bw_sweep_opts o = {0};
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT("shard", BW_OPT_STRING, &shard, "I/N", "run only shard I of N (0 <= I < N), cost-balanced"),
		BW_OPT("memory-limit", BW_OPT_BYTES, &o.memory_limit, "BYTES",
		 "memory per rank, as in plan (default: physical memory / cores)"),
		BW_OPT("quiet", BW_OPT_FLAG, &quiet, NULL, "no progress on stderr"),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "run", .args = "SPEC", .minpos = 1, .maxpos = 1,
				 .pos_missing = "expected one SPEC file (see --help)", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	o.spec_path = argv[0];
	o.catalog = catalog;
	o.shard_count = 1;
	if (shard) {
		int i, n, used = 0;
		if (sscanf(shard, "%d/%d%n", &i, &n, &used) != 2 || shard[used] || n < 1 || i < 0 || i >= n)
			return RAISE(BW_EINVAL, "--shard: '%s' is not I/N with 0 <= I < N", shard);
		o.shard_index = i;
		o.shard_count = n;
		o.sharded = 1; /* 0/1 too: what `slurm/submit --array 1` runs */
	}
	struct progress_ctx ctx = {quiet, isatty(2), -1, argv[0], catalog};
	o.cancel = &stop_flag;
	o.progress = on_progress;
	o.progress_ctx = &ctx;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct bw_progress rep;
	int root = 0;
	rc = bw_sweep_run(&o, &rep, &root);
	if (rc == BW_EINTR)
		bw_error_clear(); /* the final progress call said it, with how to resume */
	return rc;
}
