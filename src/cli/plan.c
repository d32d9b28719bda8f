/* plan.c - `biasweep plan SPEC`: validate a spec, expand its grid and print
 * the task counts, the estimated cost and the memory one rank needs; refuse
 * grids that would not fit. */
#include "biasweep/cli.h"
#include "biasweep/scheduler.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/output.h"
#include "biasweep/opts.h"
#include "biasweep/shard.h"
#include "biasweep/spec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS_PER_UPDATE (BW_S_PER_UPDATE * 1e9) /* wall time of one coordinate-update on one core (scheduler.h) */

static const char summary[] =
	"Parse and validate SPEC (a libconfig file, e.g. jobs/smoke.cfg), expand its grid into tasks and print\n"
	"the tasks per algorithm, the points dropped by constraints, the estimated cost and the memory one rank\n"
	"needs.  Refuses (exit 2) grids whose largest task does not fit in the memory limit, grids of more\n"
	"than 10 million tasks and costs that are not finite; `biasweep run` applies the same admission.";

static const char epilog_fmt[] =
	"spec format (libconfig; the full commented reference is the top of jobs/smoke.cfg):\n"
	"  name = \"x\";  seed = 0;             spec name (default: file name without .cfg); sweep seed (integer >= 0)\n"
	"                                     a name is 1-128 bytes of UTF-8, not . or .., without '/', control or\n"
	"                                     bidirectional-control characters (it names the trajectory files)\n"
	"  algorithm = [\"gd\", \"sgd\"];         which dynamics run (default: those with a group in 'algorithms')\n"
	"  algorithms = { gd = { alpha = 3.0; }; riemannian_flow = {}; };\n"
	"                                     per-algorithm overrides of any axis below; top-level axes are defaults\n"
	"  axes: design ('rademacher' | 'gaussian'), wstar ('signs' | 'gaussian'), d, n, kappa, seeds,\n"
	"        noise_seeds, alpha, eta, eta_scale, sigma, batch, eps, tol, project (true | false), checkpoints,\n"
	"        schedule ('constant' | 'sharpness'), steps, time\n"
	"  each axis takes a value, a list [a, b, c] or ( ... ), or a range ([ ] holds one type: [1.0, 2.5]):\n"
	"        { lin = [lo, hi]; count = k; }   or   { log = [lo, hi]; count = k; }\n"
	"        (integer axes round and dedupe; count = 1 gives lo)\n"
	"  seeds = 8;  means seed indices 0..7;  seeds = [0, 3, 5];  lists the indices\n"
	"  noise_seeds = 3;  noise realizations 0..2 (the dynamics that read noise; default 1: realization 0)\n"
	"  steps = 100000;  time = 5.0;  or a formula  steps = { scale = 2.0; eta_power = -2.0; d_power = 0.0; };\n"
	"        = ceil(scale * eta^eta_power * d^d_power) (time: without ceil; eta: the automatic step if unset).\n"
	"        steps and time form one budget (whichever ends first); a group that sets either replaces both.\n"
	"        Defaults: %s.\n"
	"  eta is read by %s (unset = automatic, see run-one --help); eta_scale = [1.0, 2.0];\n"
	"  by the same: the step is that multiple of the task's automatic step (0 < x <= 1e6; not with eta in\n"
	"  the same level: a group that sets either replaces both of the top level);\n"
	"  sigma by %s; project by %s; batch by %s;\n"
	"  schedule by %s ('sharpness': the step follows the sample sharpness, default time cap %g;\n"
	"  run-one --help).\n"
	"  Setting them in another algorithm's group is an error; top-level values are ignored by\n"
	"  algorithms that do not read them.  Defaults: alpha 1, sigma 1, batch 1,\n"
	"  eps 0.1, tol 1e-10 (gd, sgd) or 1e-7 (flow), project true, design rademacher, wstar signs, seeds 1,\n"
	"  checkpoints 10 (per decade of steps, the flow's of its time; 1..1000).\n"
	"  Points with kappa > n, kappa > d or batch > n (sgd) are dropped and counted, and so are points with\n"
	"  n > max_n_over_d * d where 'max_n_over_d = 1.0;' (a filter, top level or per group) is set.\n"
	"cost: estimated coordinate-updates per task (see include/biasweep/spec.h); wall time at ~0.7 ns each.\n"
	"memory: the largest task's instance plus buffers; the default limit per rank is the physical memory\n"
	"divided by the number of cores.  --memory-limit takes bytes or a suffix: 512MiB, 8GiB, 2G, 1.5e9.\n"
	"exit status: 0 ok, 2 bad spec or a grid too large.\n";

/* The epilog with the names and default budgets of the dynamics filled in from the table. */
static void make_epilog(char *buf, size_t len)
{
	char budgets[512] = "", eta[256], sigma[256], project[256], batch[256], sched[256];
	for (int a = 0, off = 0; a < BW_ALGO_COUNT && off < (int)sizeof budgets; a++) {
		const struct bw_dynamics *r = bw_dynamics_table[a];
		off += r->budget_steps > 0 ? snprintf(budgets + off, sizeof budgets - (size_t)off, "%s%s steps %ld",
						      a ? ", " : "", r->name, r->budget_steps)
					   : snprintf(budgets + off, sizeof budgets - (size_t)off, "%s%s time %g",
						      a ? ", " : "", r->name, r->budget_time);
	}
	bw_dynamics_list(BW_USES_ETA, ", ", " and ", eta, sizeof eta);
	bw_dynamics_list(BW_USES_SIGMA, ", ", " and ", sigma, sizeof sigma);
	bw_dynamics_list(BW_USES_PROJECT, ", ", " and ", project, sizeof project);
	bw_dynamics_list(BW_USES_BATCH, ", ", " and ", batch, sizeof batch);
	bw_dynamics_list(BW_USES_SCHEDULE, ", ", " and ", sched, sizeof sched);
	double cap = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		cap = fmax(cap, bw_dynamics_table[a]->budget_time_scheduled);
	snprintf(buf, len, epilog_fmt, budgets, eta, sigma, project, batch, sched, cap);
}

static void human_seconds(double s, char *buf, size_t len)
{
	if (s >= 1e6 * 86400)
		snprintf(buf, len, "%.3g days", s / 86400);
	else if (s < 120)
		snprintf(buf, len, "%.1f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.1f min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
}

/* What `run --shard i/N` would run of the spec, per shard (shard.h's split). */
struct shard_load {
	size_t tasks, searches;
	double cost;
};

/* loads[0..count) for --shards count, and how many shards get nothing; NULL when out of memory */
static struct shard_load *shard_loads(const struct bw_spec *spec, long count, size_t *empty)
{
	struct shard_load *l = calloc((size_t)count, sizeof *l);
	int32_t *idx = malloc((spec->ntasks > spec->nsearch ? spec->ntasks : spec->nsearch) * sizeof *idx + 1);
	if (!l || !idx) {
		free(l);
		free(idx);
		return NULL;
	}
	*empty = 0;
	for (long i = 0; i < count; i++) {
		l[i].tasks = bw_spec_shard(spec, (int)i, (int)count, idx);
		for (size_t k = 0; k < l[i].tasks; k++)
			l[i].cost += spec->tasks[idx[k]].cost;
		l[i].searches = bw_spec_shard_searches(spec, (int)i, (int)count, idx);
		for (size_t k = 0; k < l[i].searches; k++)
			l[i].cost += spec->searches[idx[k]].cost;
		*empty += l[i].tasks + l[i].searches == 0;
	}
	free(idx);
	return l;
}

/* x as fmt formats it ("%.6g"), a JSON number */
static void json_fmt(struct bw_json *j, const char *key, const char *fmt, double x)
{
	char buf[64];
	snprintf(buf, sizeof buf, fmt, x);
	bw_json_raw(j, key, buf);
}

static int print_json(const struct bw_spec *spec, double limit, long cores, size_t bytes, const struct bw_task *big,
		      int list, const struct shard_load *sh, long nshards, size_t empty)
{
	double one = spec->total_cost * NS_PER_UPDATE * 1e-9;
	char hash[32];
	struct bw_json j;
	bw_json_init(&j, 17, 0);
	bw_json_object(&j, NULL);
	bw_json_string(&j, "spec", spec->path);
	bw_json_string(&j, "name", spec->name);
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)spec->text_hash);
	bw_json_string(&j, "text_hash", hash);
	bw_json_uint(&j, "sweep_seed", spec->sweep_seed);
	bw_json_uint(&j, "tasks", spec->ntasks);
	bw_json_uint(&j, "searches", spec->nsearch);
	bw_json_object(&j, "per_algorithm");
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		bw_json_uint(&j, bw_algo_name((enum bw_algo)a), spec->per_algo[a]);
	bw_json_end(&j);
	bw_json_uint(&j, "dropped", spec->dropped);
	bw_json_number(&j, "total_cost", spec->total_cost);
	json_fmt(&j, "ns_per_update", "%g", NS_PER_UPDATE);
	json_fmt(&j, "wall_s_one_core", "%.6g", one);
	bw_json_int(&j, "cores", cores);
	json_fmt(&j, "wall_s_all_cores", "%.6g", one / (double)cores);
	json_fmt(&j, "core_hours", "%.6g", one / 3600);
	bw_json_uint(&j, "memory_per_rank", bytes);
	bw_json_uint(&j, "max_instance_bytes", spec->max_instance_bytes);
	json_fmt(&j, "memory_limit", "%.0f", limit);
	bw_json_string(&j, "largest_task", big ? big->key_hex : NULL);
	if (sh) {
		bw_json_uint(&j, "empty_shards", empty);
		bw_json_array(&j, "shards");
		for (long i = 0; i < nshards; i++) {
			bw_json_object(&j, NULL);
			bw_json_int(&j, "shard", i);
			bw_json_uint(&j, "tasks", sh[i].tasks);
			bw_json_uint(&j, "searches", sh[i].searches);
			bw_json_number(&j, "cost", sh[i].cost);
			json_fmt(&j, "wall_s_one_core", "%.6g", sh[i].cost * NS_PER_UPDATE * 1e-9);
			json_fmt(&j, "core_hours", "%.6g", sh[i].cost * NS_PER_UPDATE * 1e-9 / 3600);
			bw_json_end(&j);
		}
		bw_json_end(&j);
	}
	if (list) {
		char canon[BW_TASK_CANONICAL_MAX];
		bw_json_array(&j, "task_list");
		for (size_t i = 0; i < spec->ntasks; i++) {
			bw_task_canonical(&spec->tasks[i], canon, sizeof canon);
			bw_json_object(&j, NULL);
			bw_json_string(&j, "key", spec->tasks[i].key_hex);
			bw_json_number(&j, "cost", spec->tasks[i].cost);
			bw_json_string(&j, "canonical", canon);
			bw_json_end(&j);
		}
		bw_json_end(&j);
	}
	bw_json_end(&j);
	return bw_json_print(stdout, &j);
}

static void print_text(const struct bw_spec *spec, double limit, int limit_given, long cores, size_t bytes,
		       const struct bw_task *big)
{
	char b1[32], b2[32], t1[32], t2[32];
	printf("%-10s %s (name %s, text hash %016llx, sweep seed %llu)\n", "spec", spec->path, spec->name,
	       (unsigned long long)spec->text_hash, (unsigned long long)spec->sweep_seed);
	printf("%-10s %zu\n", "tasks", spec->ntasks);
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		printf("  %-18s %zu\n", bw_algo_name((enum bw_algo)a), spec->per_algo[a]);
	if (spec->nsearch) {
		size_t probes = 0, grid = 0;
		for (size_t i = 0; i < spec->nsearch; i++) {
			probes += (size_t)spec->searches[i].max_probes;
			grid += (size_t)((spec->searches[i].hi - spec->searches[i].lo) / spec->searches[i].resolution + 1);
		}
		printf("%-10s %zu n-searches (one per cell and seed), at most %zu probe tasks; a full grid at the "
		       "same resolution would be %zu tasks\n",
		       "searches", spec->nsearch, probes, grid);
		for (int a = 0; a < BW_ALGO_COUNT; a++)
			if (spec->per_algo_search[a])
				printf("  %-18s %zu\n", bw_algo_name((enum bw_algo)a), spec->per_algo_search[a]);
	}
	printf("%-10s %zu grid points (kappa > n or d, batch > n, n > max_n_over_d * d)\n", "dropped", spec->dropped);
	double one = spec->total_cost * NS_PER_UPDATE * 1e-9;
	human_seconds(one, t1, sizeof t1);
	human_seconds(one / (double)cores, t2, sizeof t2);
	printf("%-10s %.3g coordinate-updates: ~%s on one core, ~%s on %ld cores (at %.1f ns each); %.3g core-hours\n",
	       "cost", spec->total_cost, t1, t2, cores, NS_PER_UPDATE, one / 3600);
	bw_format_bytes((double)bytes, b1, sizeof b1);
	bw_format_bytes(limit, b2, sizeof b2);
	printf("%-10s %s per rank", "memory", b1);
	if (big)
		printf(" (%s d=%zu n=%zu)", bw_algo_name(big->run.algo), big->inst.d, big->inst.n);
	printf(", limit %s%s\n", b2, limit_given ? " (--memory-limit)" : " (physical memory / cores)");
}

/* "shards  4 (run --shard i/4): ..." then one line per shard */
static void print_shards(const struct bw_spec *spec, const struct shard_load *sh, long n, size_t empty)
{
	char t[32];
	double most = 0;
	for (long i = 0; i < n; i++)
		most = sh[i].cost > most ? sh[i].cost : most;
	human_seconds(most * NS_PER_UPDATE * 1e-9, t, sizeof t);
	printf("%-10s %ld (run --shard i/%ld), cost-balanced; the dearest element %.3g core-hours (~%s on one core, "
	       "divide by its ranks)",
	       "shards", n, n, most * NS_PER_UPDATE * 1e-9 / 3600, t);
	if (empty)
		printf("; %zu get nothing: the spec has %zu tasks and %zu searches", empty, spec->ntasks, spec->nsearch);
	printf("\n");
	for (long i = 0; i < n; i++) {
		human_seconds(sh[i].cost * NS_PER_UPDATE * 1e-9, t, sizeof t);
		printf("  shard %-4ld %6zu tasks %5zu searches  cost %.3g  ~%s on one core\n", i, sh[i].tasks, sh[i].searches,
		       sh[i].cost, t);
	}
}

int cmd_plan(int argc, char **argv)
{
	struct bw_admit_opts ao = {0, NULL};
	int json = 0, list = 0;
	long nshards = 0;
	struct bw_opt_list sets = {0};
	struct bw_option opts[] = {
		BW_OPT_SET(&sets),
		BW_OPT("memory-limit", BW_OPT_BYTES, &ao.memory_limit, "BYTES",
		 "memory per rank (bytes, or 512MiB, 8GiB, ...; default: physical memory / cores)"),
		BW_OPT("json", BW_OPT_FLAG, &json, NULL, "print one JSON object instead of a table"),
		BW_OPT("list", BW_OPT_FLAG, &list, NULL, "also print every task, in run order: key, cost, canonical string"),
		BW_OPT("shards", BW_OPT_LONG, &nshards, "N",
		 "also print what each of N shards (run --shard i/N, a Slurm element) runs: tasks, searches, cost"),
		{0},
	};
	char epilog[sizeof epilog_fmt + 2048];
	make_epilog(epilog, sizeof epilog);
	struct bw_cli_cmd cmd = {.name = "plan", .args = "SPEC", .minpos = 1, .maxpos = 1,
				 .pos_missing = "expected one SPEC file (see --help)", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	if (bw_opt_given(opts, &nshards) && (nshards < 1 || nshards > 100000))
		return RAISE(BW_EINVAL, "--shards must be between 1 and 100000 (got %ld)", nshards);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;

	/* the admission `run` applies too (src/sweep/spec.c) */
	struct bw_spec spec;
	struct bw_admission adm;
	CHECK(bw_spec_load_with(argv[0], sets.items, (size_t)sets.len, &spec));
	rc = bw_spec_admit(&spec, &ao, &adm);
	if (rc != BW_OK) {
		bw_spec_release(&spec);
		return rc;
	}
	double limit = adm.memory_limit;
	size_t bytes = adm.bytes;
	const struct bw_task *big = adm.largest;
	size_t empty = 0;
	struct shard_load *sh = nshards ? shard_loads(&spec, nshards, &empty) : NULL;
	if (nshards && !sh) {
		bw_spec_release(&spec);
		return RAISE(BW_ENOMEM, "out of memory for %ld shards", nshards);
	}
	if (json) {
		rc = print_json(&spec, limit, cores, bytes, big, list, sh, nshards, empty);
	} else {
		print_text(&spec, limit, bw_opt_given(opts, &ao.memory_limit), cores, bytes, big);
		if (sh)
			print_shards(&spec, sh, nshards, empty);
	}
	free(sh);
	if (list && !json) {
		char canon[BW_TASK_CANONICAL_MAX];
		for (size_t i = 0; i < spec.ntasks; i++) {
			bw_task_canonical(&spec.tasks[i], canon, sizeof canon);
			printf("%s %.3e %s\n", spec.tasks[i].key_hex, spec.tasks[i].cost, canon);
		}
	}
	bw_spec_release(&spec);
	return rc;
}
