/* run.c - `biasweep run SPEC`: the sweep across MPI ranks, with progress. */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/sweeprun.h"

#include <errno.h>
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
	const struct bw_opt_list *sets; /* --set, repeated in the resume hint */
	long busy_ms;        /* a wait for the catalog's lock is reported once it is this long */
	double busy_said;    /* waited_s of the last busy line, -1 when none this wait */
	int summarized;
};

/* The closing lines go out from the final progress call, before MPI is
 * finalized: mpirun stops forwarding output once it is tearing the job down.
 * "done" counts the outcomes committed to the catalog. */
static void print_summary(struct progress_ctx *ctx, const struct bw_progress *p)
{
	char lost[64] = "";
	if (p->finished > p->done)
		snprintf(lost, sizeof lost, ", %zu finished but not committed", p->finished - p->done);
	printf("sweep run %lld: %zu tasks done (%zu diverged, %zu failed)%s, %zu already in the catalog, "
	       "%.1f s on %d rank%s; catalog %s\n",
	       (long long)p->sweep_id, p->done, p->diverged, p->failed, lost, p->skipped, p->elapsed_s, p->ranks,
	       p->ranks == 1 ? "" : "s", ctx->catalog);
	if (!stop_flag && p->total == 0 && p->done == 0)
		printf("sweep run %lld was a no-op: everything was already in the catalog (biasweep status marks it)\n",
		       (long long)p->sweep_id);
	fflush(stdout);
	ctx->summarized = 1;
	if (stop_flag) {
		int dflt = !strcmp(ctx->catalog, "results/catalog.sqlite");
		/* a Slurm element (slurm/element.sbatch): the command that resubmits it */
		const char *resume = getenv("BIASWEEP_RESUME");
		if (resume && *resume)
			fprintf(stderr,
				"biasweep run: interrupted: %zu of %zu tasks committed, %zu left; a requeued element "
				"resumes by itself, else resubmit this one (it resumes from its shard catalog): %s\n",
				p->done, p->total, p->total - p->done, resume);
		else
			fprintf(stderr,
			"biasweep run: interrupted: %zu of %zu tasks committed, %zu left; resume by running the "
			"same command again (e.g. mpirun -np %d biasweep run %s%s%s",
			p->done, p->total, p->total - p->done, p->ranks, ctx->spec, dflt ? "" : " --catalog ",
			dflt ? "" : ctx->catalog);
		for (int k = 0; ctx->sets && k < ctx->sets->len; k++)
			fprintf(stderr, " --set '%s'", ctx->sets->items[k]);
		fputs(")\n", stderr);
		fflush(stderr);
	}
}

/* A write waiting for another connection's lock: said once it has waited
 * busy_ms, then every 10 s, and when it is over. */
static void on_busy(void *vctx, const struct bw_busy *b)
{
	struct progress_ctx *ctx = vctx;
	const char *nl = ctx->tty && !ctx->quiet ? "\n" : ""; /* off the progress bar's line */
	char kept[64] = "";
	if (b->waiting)
		snprintf(kept, sizeof kept, "; %zu finished outcomes kept", b->waiting);
	if (b->over) {
		if (ctx->busy_said >= 0)
			fprintf(stderr, "%sbiasweep run: catalog '%s': %s after waiting %.1f s for its lock\n", nl,
				b->catalog, b->over == 2 ? "gave up (a signal)" : "went through", b->waited_s);
		ctx->busy_said = -1;
	} else if (b->waited_s * 1000 >= (double)ctx->busy_ms &&
		   (ctx->busy_said < 0 || b->waited_s - ctx->busy_said >= 10)) {
		fprintf(stderr,
			"%sbiasweep run: catalog '%s' is locked by another connection (a reader holding a "
			"transaction?) for %.1f s; retrying (%s%s)\n",
			nl, b->catalog, b->waited_s, b->what, kept);
		ctx->busy_said = b->waited_s;
	}
	fflush(stderr);
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
	if (!ctx->quiet) {
		/* dropped tasks (a signal) are not done: an interrupted run shows no full bar */
		size_t fin = p->finished;
		double rate = p->elapsed_s > 0 ? (double)fin / p->elapsed_s : 0;
		char eta[32], srch[64] = "";
		/* calibrated on the finished tasks, per dynamics (scheduler.h, bw_sched_eta) */
		fmt_eta(eta, sizeof eta, fin + p->dropped >= p->total ? 0 : p->eta_s);
		if (p->searches)
			snprintf(srch, sizeof srch, "searches %zu/%zu resolved%s", p->searches_resolved, p->searches,
				 ctx->tty ? "  " : ", ");
		if (ctx->tty) {
			int width = 30, filled = p->total ? (int)((double)fin / (double)p->total * width) : width;
			char bar[64];
			for (int i = 0; i < width; i++)
				bar[i] = i < filled ? '=' : ' ';
			bar[width] = 0;
			fprintf(stderr, "\r[%s] %zu/%zu tasks  %s%.1f/s  ETA %s  diverged %zu  failed %zu%s ", bar, fin,
				p->total, srch, rate, eta, p->diverged, p->failed,
				p->final && stop_flag ? "  interrupted" : "");
			if (p->final)
				fprintf(stderr, "\n");
		} else if (p->final || p->elapsed_s - ctx->last_line >= 5.0 || ctx->last_line < 0) {
			fprintf(stderr,
				"progress: %zu/%zu tasks, %s%.1f tasks/s, ETA %s, diverged %zu, failed %zu, elapsed %.0f s%s\n",
				fin, p->total, srch, rate, eta, p->diverged, p->failed, p->elapsed_s,
				p->final && stop_flag ? ", interrupted" : "");
			ctx->last_line = p->elapsed_s;
		}
		fflush(stderr);
	}
	if (p->final) /* after the last progress line */
		print_summary(ctx, p);
}

/* A live bar: stderr is a terminal, or under mpirun (which forwards a rank's
 * stderr through a pipe) mpirun's own stderr is one. */
static int progress_tty(void)
{
	if (isatty(2))
		return 1;
	if (!getenv("OMPI_COMM_WORLD_RANK"))
		return 0;
	char link[64], target[256];
	snprintf(link, sizeof link, "/proc/%ld/fd/2", (long)getppid());
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n <= 0)
		return 0;
	target[n] = 0;
	return !strncmp(target, "/dev/pts/", 9) || !strncmp(target, "/dev/tty", 8);
}

static const char summary[] =
	"Run every task of the spec that the catalog does not hold yet, on all MPI ranks:\n"
	"  mpirun -np K biasweep run jobs/default.cfg\n"
	"Rank 0 coordinates (and computes on a second thread); the others are workers.\n"
	"Outcomes go to the SQLite catalog, trajectories to <catalog dir>/<catalog stem>-<sweep>-<run>.h5.\n"
	"Kill it at any time: rerunning the same command resumes (finished tasks are skipped).\n"
	"The spec is admitted as `biasweep plan` does (the same checks and messages) before anything is written.";

static const char epilog[] =
	"progress goes to stderr: a live bar on a terminal (also when mpirun's stderr is one), a line\n"
	"every 5 s otherwise, the last one before the summary; with n-searches, how many are resolved.\n"
	"The ETA is calibrated as the run goes: seconds per estimated cost unit measured on the\n"
	"finished tasks of each dynamics, times the estimated cost left (searches: their expected\n"
	"remaining probes, with thresholds expected where the resolved searches of the same dynamics\n"
	"had theirs), over the ranks.\n"
	"SIGTERM/SIGINT: no new work is handed out, tasks in flight are dropped, everything\n"
	"finished is committed, and the exit status is 3 with a line saying how to resume\n"
	"(in a Slurm element, BIASWEEP_RESUME: the slurm/submit --only command that resubmits it).\n"
	"A catalog locked by another connection (a reader's transaction on a shard catalog,\n"
	"which uses a rollback journal) is waited out: finished outcomes are kept and the commit\n"
	"is retried while the run goes on; after BIASWEEP_BUSY_TIMEOUT_MS (default 30000) of\n"
	"waiting it says so on stderr.  Only SIGTERM/SIGINT end the wait (2 s later).\n"
	"exit status: 0 done, 2 bad input (nothing written), 3 interrupted, 1 other errors.\n";

/* BIASWEEP_BUSY_TIMEOUT_MS: milliseconds, default (unset or empty) 30000. */
static int busy_ms_from_env(long *ms)
{
	const char *v = getenv("BIASWEEP_BUSY_TIMEOUT_MS");
	char *end = NULL;
	*ms = 30000;
	if (!v || !*v)
		return BW_OK;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (*end || errno || x < 0)
		return RAISE(BW_EINVAL, "BIASWEEP_BUSY_TIMEOUT_MS: '%.40s' is not a number of milliseconds >= 0", v);
	*ms = x;
	return BW_OK;
}

int cmd_run(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite", *shard = NULL;
	int quiet = 0;
	struct bw_sweep_opts o = {0};
	struct bw_opt_list sets = {0};
	struct bw_option opts[] = {
		BW_OPT_SET(&sets),
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
	o.sets = sets.items;
	o.nsets = (size_t)sets.len;
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
	struct progress_ctx ctx = {quiet, progress_tty(), -1, argv[0], catalog, &sets, 0, -1, 0};
	CHECK(busy_ms_from_env(&ctx.busy_ms));
	o.cancel = &stop_flag;
	o.progress = on_progress;
	o.progress_ctx = &ctx;
	o.busy = on_busy;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct bw_progress rep;
	int root = 0;
	rc = bw_sweep_run(&o, &rep, &root);
	if (rc == BW_EINTR && ctx.summarized)
		bw_error_clear(); /* the final progress call said it, with how to resume */
	return rc;
}
