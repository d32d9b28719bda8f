/* mpi.c - MPI jobs of this binary started through mpirun and read back
 * (bench_mpi.h); the MPI itself stays in src/distribution (bw_sweep_run). */
#include "biasweep/bench_kernels.h"
#include "biasweep/bench_mpi.h"
#include "biasweep/clock.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/proc.h"
#include "biasweep/spec.h"
#include "biasweep/sweeprun.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the ranks of a --child run left in dir: elapsed and done from rank 0,
 * the largest peak RSS over ranks. */
static int read_child(const char *dir, double *elapsed, size_t *done, long *rss_kb)
{
	*elapsed = NAN;
	*done = 0;
	*rss_kb = 0;
	DIR *dp = opendir(dir);
	if (!dp)
		return -1;
	struct dirent *e;
	int found = 0;
	char path[8300];
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, "rank-", 5))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char line[256];
		while (fgets(line, sizeof line, f)) {
			double x;
			long l;
			size_t z;
			if (sscanf(line, "elapsed %lf", &x) == 1) {
				*elapsed = x;
				found = 1;
			} else if (sscanf(line, "done %zu", &z) == 1) {
				*done = z;
			} else if (sscanf(line, "maxrss_kb %ld", &l) == 1 && l > *rss_kb) {
				*rss_kb = l;
			}
		}
		fclose(f);
	}
	closedir(dp);
	return found ? 0 : -1;
}

/* the first line of the log that says something, for an error message */
static void log_head(const char *log, char *tail, size_t len)
{
	tail[0] = 0;
	FILE *f = fopen(log, "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char *p = line + strspn(line, " -\t\r\n");
		if (*p && !tail[0])
			snprintf(tail, len, "%.150s", p);
	}
	fclose(f);
	tail[strcspn(tail, "\n")] = 0;
}

struct job {
	double elapsed, wall;
	size_t done;
	long rss_kb;
};

/* mpirun -np K self bench --child SPEC CATALOG DIR; returns 0 and fills *j,
 * or -1 with err set. */
static int mpi_run(const struct bw_bench_cfg *c, int ranks, const char *spec, const char *tag, struct job *j,
		   char *err, size_t errlen)
{
	char dir[4200], cat[4300], log[4300], np[16];
	snprintf(dir, sizeof dir, "%s/%s", c->tmp, tag);
	bw_proc_rm_tree(dir);
	if (mkdir(dir, 0755) != 0) {
		snprintf(err, errlen, "cannot create %.120s: %.60s", dir, strerror(errno));
		return -1;
	}
	snprintf(cat, sizeof cat, "%s/catalog.sqlite", dir);
	snprintf(log, sizeof log, "%s/log.txt", c->tmp);
	snprintf(np, sizeof np, "%d", ranks);
	char *argv[] = {(char *)c->mpirun, "--oversubscribe", "-np", np, (char *)c->self, "bench", "--child",
			(char *)spec, cat, dir, NULL};
	/* the bench starts its own MPI jobs: as root, Open MPI refuses them without these */
	const char *root_env[] = {"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", NULL};
	double t = bw_now_s();
	int rc = bw_proc_spawn(argv, geteuid() == 0 ? root_env : NULL, NULL, 0, log);
	j->wall = bw_now_s() - t;
	int got = read_child(dir, &j->elapsed, &j->done, &j->rss_kb);
	bw_proc_rm_tree(dir);
	if (rc != 0 || got != 0) {
		char tail[160];
		log_head(log, tail, sizeof tail);
		snprintf(err, errlen, "%s -np %d exited with %d%s%s%s", c->mpirun, ranks, rc, tail[0] ? " (" : "", tail,
			 tail[0] ? ")" : "");
		if (rc == -1)
			snprintf(err, errlen, "cannot start %s (see --mpirun)", c->mpirun);
		return -1;
	}
	return 0;
}

/* What one empty task costs without any MPI: instance, one gd step, outcome. */
static double task_exec_us(long count)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.d = t.inst.n = t.inst.kappa = 1;
	bw_run_params_default(&t.run, bw_bench_algo(BW_BENCH_FULL_BATCH));
	t.run.max_steps = 1;
	double s = bw_now_s();
	for (long i = 0; i < count; i++) {
		t.inst.seed_index = (uint32_t)i;
		struct bw_instance inst;
		struct bw_outcome o;
		if (bw_instance_init(&inst, &t.inst) != BW_OK)
			return NAN;
		if (bw_run(&inst, &t.run, &o) == BW_OK)
			bw_outcome_release(&o);
		bw_instance_release(&inst);
	}
	return (bw_now_s() - s) * 1e6 / (double)count;
}

void bw_bench_coord(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	int R = bw_bench_rep_count(c);
	char spec[4200];
	snprintf(spec, sizeof spec, "%s/empty.cfg", c->tmp);
	FILE *f = fopen(spec, "w");
	if (!f) {
		snprintf(r->coord_err[0], sizeof r->coord_err[0], "cannot write %.150s", spec);
		return;
	}
	const char *algo = bw_algo_name(bw_bench_algo(BW_BENCH_FULL_BATCH));
	fprintf(f,
		"# empty tasks: each is one %s step at d = n = 1 (instance, step, checkpoint,\n"
		"# trajectory row and catalog row: the real path, with no work in it)\n"
		"name = \"empty\";\nd = 1;\nn = 1;\nkappa = 1;\nseeds = %ld;\n"
		"algorithms = { %s = { steps = 1; }; };\n",
		algo, c->tasks, algo);
	fclose(f);
	r->task_exec_us = task_exec_us(20000);
	for (int k = 0; k < BW_BENCH_NCOORD; k++) {
		double x[BW_BENCH_MAXREP];
		int m = 0, ranks = bw_bench_coord_ranks[k];
		for (int i = 0; i < R; i++) {
			struct job j;
			char tag[32];
			snprintf(tag, sizeof tag, "coord-%d-%d", ranks, i);
			if (mpi_run(c, ranks, spec, tag, &j, r->coord_err[k], sizeof r->coord_err[k]) != 0)
				break;
			x[m++] = (double)j.done / j.elapsed;
			if (j.rss_kb > r->coord_rss_kb[k])
				r->coord_rss_kb[k] = j.rss_kb;
		}
		r->coord_ok[k] = m > 0;
		r->coord[k] = bw_stat3_of(x, m);
		bw_bench_note(c, "  coordinator %d rank%s: %s", ranks, k ? "s" : "", m ? "done" : r->coord_err[k]);
	}
}

void bw_bench_sweep(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	for (int k = 0; k < 2; k++) {
		char tag[32];
		snprintf(tag, sizeof tag, "sweep-%d", k + 1);
		bw_bench_note(c, "  sweep %s on %d rank%s (minutes)...", c->spec, k + 1, k ? "s" : "");
		r->sweep_load[k][0] = bw_loadavg();
		struct job j;
		if (mpi_run(c, k + 1, c->spec, tag, &j, r->sweep_err[k], sizeof r->sweep_err[k]) == 0) {
			r->sweep_ok[k] = 1;
			r->sweep_elapsed[k] = j.elapsed;
			r->sweep_wall[k] = j.wall;
			r->sweep_done[k] = j.done;
			r->sweep_rss_kb[k] = j.rss_kb;
		}
		r->sweep_load[k][1] = bw_loadavg();
		bw_bench_note(c, "  sweep %d rank%s: %s", k + 1, k ? "s" : "", r->sweep_ok[k] ? "done" : r->sweep_err[k]);
	}
}

/* ---- the child: one bw_sweep_run, its clock and peak RSS left in DIR ---- */
struct child_ctx {
	double elapsed;
	size_t done;
};

static void child_progress(void *vctx, const struct bw_progress *p)
{
	struct child_ctx *ctx = vctx;
	if (p->final) {
		ctx->elapsed = p->elapsed_s;
		ctx->done = p->done;
	}
}

int bw_bench_child(const char *spec, const char *catalog, const char *dir)
{
	struct bw_sweep_opts o;
	memset(&o, 0, sizeof o);
	o.spec_path = spec;
	o.catalog = catalog;
	o.shard_count = 1;
	struct child_ctx ctx = {NAN, 0};
	o.progress = child_progress;
	o.progress_ctx = &ctx;
	struct bw_progress rep;
	int root = 0;
	int rc = bw_sweep_run(&o, &rep, &root);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	char path[4200];
	snprintf(path, sizeof path, "%s/rank-%s-%ld.txt", dir, root ? "0" : "w", (long)getpid());
	FILE *f = fopen(path, "w");
	if (f) {
		if (root && rc == BW_OK)
			fprintf(f, "elapsed %.9f\ndone %zu\n", ctx.elapsed, ctx.done);
		fprintf(f, "maxrss_kb %ld\n", ru.ru_maxrss);
		fclose(f);
	}
	return rc;
}
