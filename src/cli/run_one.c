/* run_one.c - `biasweep run-one`: one dynamics on one instance. */
#include "biasweep/cli.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/h5run.h"
#include "biasweep/instance.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/spec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char summary[] =
	"Generate the instance (design, d, n, kappa, seed), run one dynamics from u = v = alpha,\n"
	"and print the outcome: a table, or one JSON object with --json.";

/* %g without the exponent's sign + and leading zeros: 1e6, 1e-7 */
static void compact(double x, char *b, size_t n)
{
	char g[32], *e;
	snprintf(g, sizeof g, "%g", x);
	size_t z = (e = strchr(g, 'e')) ? strspn(e + 1, "+-0") : 0;
	if (e)
		snprintf(b, n, "%.*se%s%s", (int)(e - g), g, e[1] == '-' ? "-" : "", e[1 + z] ? e + 1 + z : "0");
	else
		snprintf(b, n, "%s", g);
}

static void eta_phrase(const struct bw_dynamics *r, char *b, size_t n) { snprintf(b, n, "%s", r->eta_doc); }
static void time_phrase(const struct bw_dynamics *r, char *b, size_t n) { snprintf(b, n, "%s", r->time_doc); }
static void project_phrase(const struct bw_dynamics *r, char *b, size_t n)
{
	snprintf(b, n, "%s", (r->uses & BW_USES_PROJECT) && r->descent ? r->descent->name : "");
}
static void converged_phrase(const struct bw_dynamics *r, char *b, size_t n)
{
	snprintf(b, n, "%s", r->converged_doc ? r->converged_doc : "");
}

/* For each distinct phrase of the rows (phrase() fills it, "" for none), in
 * table order: the rows that share it, joined by ", " and `last`, written by
 * fmt (%1$s the names, %2$s the phrase); groups joined by gsep. */
static void groups(FILE *f, void (*phrase)(const struct bw_dynamics *, char *, size_t), const char *last,
		   const char *fmt, const char *gsep)
{
	char ph[BW_ALGO_COUNT][800];
	int ng = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		phrase(bw_dynamics_table[a], ph[a], sizeof ph[a]);
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		int first = ph[a][0] != 0, n = 0, k = 0;
		for (int b = 0; b < BW_ALGO_COUNT; b++) {
			first &= b >= a || strcmp(ph[a], ph[b]);
			n += !strcmp(ph[a], ph[b]);
		}
		char names[256] = "";
		for (int b = a; b < BW_ALGO_COUNT && first; b++)
			if (!strcmp(ph[a], ph[b]))
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
					 k++ ? (k == n ? last : ", ") : "", bw_dynamics_table[b]->name);
		if (first) {
			fputs(ng++ ? gsep : "", f);
			fprintf(f, fmt, names, ph[a]);
		}
	}
}

/* The help's list of dynamics and their conventions, from the table (NULL
 * when out of memory). */
static char *make_epilog(void)
{
	char *buf = NULL, x[32], names[256];
	size_t size;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	const char *cont = ";\n             ";
	fputs("dynamics (--algo):\n", f);
	int width = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		if ((int)strlen(bw_dynamics_table[a]->name) > width)
			width = (int)strlen(bw_dynamics_table[a]->name);
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		fprintf(f, "  %-*s %s\n", width, bw_dynamics_table[a]->name, bw_dynamics_table[a]->summary);
	fputs("defaults and conventions:\n  --eta      auto: ", f);
	groups(f, eta_phrase, " and ", "%1$s %2$s", cont);
	fputs("\n  budget     ", f);
	for (int time = 0, k = 0; time < 2; time++) /* the budgets in steps, then those in time */
		for (int a = 0; a < BW_ALGO_COUNT; a++) {
			const struct bw_dynamics *r = bw_dynamics_table[a];
			if (time ? r->budget_time > 0 : r->budget_steps > 0) {
				compact(time ? r->budget_time : (double)r->budget_steps, x, sizeof x);
				fprintf(f, time ? "%s%s --time %s" : "%s%s %s steps", k++ ? ", " : "", r->name, x);
				if (time && r->budget_time_scheduled > 0) {
					compact(r->budget_time_scheduled, x, sizeof x);
					fprintf(f, " (%s with --schedule sharpness)", x);
				}
			}
		}
	fputs(";\n             --steps and --time may be combined (whichever ends first)\n  t          ", f);
	groups(f, time_phrase, ", ", "%1$s: %2$s", "; ");
	fputs("\n  success    test error ||w - w*||/||w*|| <= eps (default 0.1)\n  converged  ", f);
	groups(f, converged_phrase, " and ", "%1$s: %2$s", cont);
	fputs(";\n             (k = 16 max_j c_j / n, the flow's rate; budgets are caps, status says which ended a run)",
	      f);
	fputs("\n", f);
	groups(f, project_phrase, " and ",
	       "  %1$s: the final iterate is projected onto the zero-loss manifold by noise-free %2$s\n"
	       "  (the theory's Phi) unless --no-project; the trajectory holds the raw iterates.\n",
	       "");
	bw_dynamics_list(BW_USES_SCHEDULE, ", ", " and ", names, sizeof names);
	fprintf(f, "  --schedule sharpness (%s): eta_k = eta B_0/B_k, B_k = max(max_i sum_j z_ij^2 (u_j^2+v_j^2), kappa)\n"
		   "  (the largest sample sharpness over 8) recomputed every %d steps (+-1 rows) or every multiple of\n"
		   "  %d >= n, eta the step above (so --eta-scale is the fraction of the stability bound it keeps);\n"
		   "  t = sum_k eta_k^2 sigma^2/2, the same clock.\n", names, BW_SCHEDULE_REFRESH, BW_SCHEDULE_REFRESH);
	fputs("  --eta, --sigma, --batch, --schedule and --no-project are refused (exit 2) for a dynamics that\n"
	      "  does not read them, as a spec refuses them in its group; the table prints only the parameters read.\n", f);
	fputs("  instances depend on (sweep seed, design, d, kappa, w*, seed index) only and are nested in n.\n"
	      "exit status: 0 ok (diverged is an outcome), 2 bad input, 1 other errors.\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "alpha=0.4 eta=0.0052 (auto) sigma=1 eps=0.1": the parameters the dynamics reads */
static void print_parameters(const struct bw_run_params *p, const struct bw_outcome *o, int eta_given)
{
	unsigned uses = bw_dynamics_table[p->algo]->uses;
	printf("%-18s alpha=%g", "parameters", p->alpha);
	if (uses & BW_USES_ETA)
		printf(" eta=%g%s", o->eta_used, eta_given ? "" : " (auto)");
	if (uses & BW_USES_SIGMA)
		printf(" sigma=%g", p->sigma);
	if (uses & BW_USES_BATCH)
		printf(" batch=%ld", p->batch);
	if (uses & BW_USES_SCHEDULE)
		printf(" schedule=%s", bw_schedule_name(p->schedule));
	printf(" eps=%g\n", p->eps);
}

/* one row of the outcome: label, value, and (when the run was projected) whose value it is */
static void row(const char *label, const char *value, const char *of)
{
	if (of)
		printf("%-18s %-24s %s\n", label, value, of);
	else
		printf("%-18s %s\n", label, value);
}

static void print_table(const struct bw_instance *inst, const struct bw_run_params *p, const struct bw_outcome *o,
			int eta_given)
{
	const struct bw_dynamics *dy = bw_dynamics_table[p->algo];
	const char *phi = o->projected ? "[Phi]" : NULL, *last = o->projected ? "[x_K]" : NULL;
	char v[96];
	printf("%-18s %s\n", "algorithm", bw_algo_name(p->algo));
	printf("%-18s %s d=%zu n=%zu kappa=%zu seed=%u\n", "instance", bw_design_name(inst->spec.design), inst->d,
	       inst->n, inst->spec.kappa, inst->spec.seed_index);
	print_parameters(p, o, eta_given);
	if (!(dy->uses & BW_USES_ETA) && dy->descent)
		printf("%-18s Phi(x0) by noise-free %s at eta=%g\n", "start", dy->descent->name, o->eta_used);
	printf("%-18s %s%s%s\n", "status", bw_run_status_name(o->status), o->message[0] ? ": " : "", o->message);
	if (o->projected)
		printf("%-18s [Phi] of Phi(x_K), the last iterate x_K projected onto the zero-loss manifold;\n"
		       "%-18s [x_K] of the iterates themselves\n", "values", "");
	else
		printf("%-18s of the last iterate x_K%s\n", "values",
		       (dy->uses & BW_USES_PROJECT) && !p->project ? " (not projected: --no-project)" : "");
	snprintf(v, sizeof v, "%.6g", o->train_loss);
	row("train loss", v, phi);
	snprintf(v, sizeof v, "%.6g %s", o->test_error, o->success ? "(success)" : "(failure)");
	row("test error", v, phi);
	snprintf(v, sizeof v, "%.6g", o->R);
	row("R = tr Hessian", v, phi);
	snprintf(v, sizeof v, "%.6g", o->l1);
	row("||w||_1", v, phi);
	row("support recovered", o->support_recovered ? "yes" : "no", phi);
	snprintf(v, sizeof v, "%ld", o->steps);
	row("steps", v, last);
	snprintf(v, sizeof v, "%.6g", o->t);
	row("simulated time t", v, last);
	printf("%-18s %.3f s (%.4g steps/s)\n", "wall time", o->wall_s, o->wall_s > 0 ? o->steps / o->wall_s : 0.0);
	if (dy->reports & BW_REPORTS_LOSS_RATE) {
		printf("%-18s %.6g per step\n", "ln L rate", o->loss_rate);
		printf("%-18s %.6g (Pesme et al. predict %.6g)\n", "alpha_inf", o->alpha_inf, o->alpha_inf_pred);
	}
	size_t stride = o->ntraj > 24 ? (o->ntraj + 23) / 24 : 1, shown = 0;
	for (size_t i = 0; i < o->ntraj; i++)
		shown += i % stride == 0 || i + 1 == o->ntraj;
	printf("\ntrajectory (");
	if (shown < o->ntraj)
		printf("%zu of %zu checkpoints shown; --json has all", shown, o->ntraj);
	else
		printf("%zu checkpoints", o->ntraj);
	printf("%s)\n%12s %14s %14s %14s %14s\n", o->projected ? "; the iterates, before the projection" : "", "step",
	       "t", "loss", "test_error", "R");
	for (size_t i = 0; i < o->ntraj; i++)
		if (i % stride == 0 || i + 1 == o->ntraj)
			printf("%12ld %14.6g %14.6g %14.6g %14.6g\n", o->traj[i].step, o->traj[i].t, o->traj[i].loss,
			       o->traj[i].test_error, o->traj[i].R);
}

int cmd_run_one(int argc, char **argv)
{
	const char *algo = NULL, *design = "rademacher", *wstar = "signs", *save = NULL, *schedule = "constant";
	long d = 0, n = 0, kappa = 0, seed = 0, batch = 1, steps = 0, sweep_seed = 0, checkpoints = BW_CHECKPOINTS_DEFAULT,
	     noise_seed = 0;
	double alpha = 0, eta = 0, eta_scale = 0, sigma = 1, time = 0, eps = 0.1, tol = 0, memory_limit = 0;
	int json = 0, no_project = 0;
	/* what names a dynamics comes from the table */
	char algos[256], algo_help[300], eta_help[300], sigma_help[300], batch_help[300], project_help[300], names[256];
	bw_dynamics_list(BW_USES_ETA, ", ", " and ", names, sizeof names);
	snprintf(eta_help, sizeof eta_help, "step of %s, > 0 (default: auto, below)", names);
	bw_dynamics_list(0, " | ", " | ", names, sizeof names);
	snprintf(algo_help, sizeof algo_help, "%s (required)", names);
	char eta_scale_help[400], noise_help[400], schedule_help[600];
	bw_dynamics_list(BW_USES_SCHEDULE, ", ", " and ", names, sizeof names);
	snprintf(schedule_help, sizeof schedule_help,
		 "step schedule of %s: constant (default) | sharpness (below)", names);
	bw_dynamics_list(BW_USES_NOISE, ", ", " and ", names, sizeof names);
	snprintf(noise_help, sizeof noise_help,
		 "noise realization K >= 0 of %s (default 0: the stream of the instance and algorithm)", names);
	bw_dynamics_list(BW_USES_ETA, ", ", " and ", names, sizeof names);
	snprintf(eta_scale_help, sizeof eta_scale_help,
		 "step = X times the automatic step (below), 0 < X <= 1e6, for %s; excludes --eta", names);
	bw_dynamics_list(BW_USES_SIGMA, ", ", " and ", names, sizeof names);
	snprintf(sigma_help, sizeof sigma_help, "noise scale of %s (default 1)", names);
	bw_dynamics_list(BW_USES_BATCH, ", ", " and ", names, sizeof names);
	snprintf(batch_help, sizeof batch_help, "batch of %s, 1 <= B <= N (default 1)", names);
	bw_dynamics_list(BW_USES_PROJECT, ", ", " and ", names, sizeof names);
	snprintf(project_help, sizeof project_help, "%s: report the raw final iterate", names);
	bw_dynamics_list(0, ", ", " or ", algos, sizeof algos);
	char algo_missing[300];
	snprintf(algo_missing, sizeof algo_missing, "--algo is required (%s)", algos);
	struct bw_option opts[] = {
		BW_OPT("algo", BW_OPT_STRING, &algo, "NAME", algo_help, .flags = BW_OPT_REQUIRED,
		 .missing = algo_missing),
		BW_OPT("design", BW_OPT_STRING, &design, "NAME", "rademacher | gaussian (default rademacher)"),
		BW_OPT("wstar", BW_OPT_STRING, &wstar, "NAME", "nonzero entries of w*: signs | gaussian (default signs)"),
		BW_OPT("d", BW_OPT_LONG, &d, "D", "dimension (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT("n", BW_OPT_LONG, &n, "N", "samples (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT("kappa", BW_OPT_LONG, &kappa, "K", "sparsity of w*, 1 <= K <= D (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT("alpha", BW_OPT_DOUBLE, &alpha, "A", "initialization scale u = v = A, > 0 (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT("eta", BW_OPT_DOUBLE, &eta, "E", eta_help),
		BW_OPT("eta-scale", BW_OPT_DOUBLE, &eta_scale, "X", eta_scale_help),
		BW_OPT("sigma", BW_OPT_DOUBLE, &sigma, "S", sigma_help),
		BW_OPT("batch", BW_OPT_LONG, &batch, "B", batch_help),
		BW_OPT("seed", BW_OPT_LONG, &seed, "I", "seed index of the instance (default 0)"),
		BW_OPT("sweep-seed", BW_OPT_LONG, &sweep_seed, "S", "sweep seed mixed into every instance (default 0)"),
		BW_OPT("steps", BW_OPT_LONG, &steps, "K", "step budget"),
		BW_OPT("time", BW_OPT_DOUBLE, &time, "T", "simulated-time budget"),
		BW_OPT("eps", BW_OPT_DOUBLE, &eps, "E", "success threshold on the test error (default 0.1)"),
		BW_OPT("tol", BW_OPT_DOUBLE, &tol, "X", "convergence tolerance (default per dynamics, below)"),
		BW_OPT("noise-seed", BW_OPT_LONG, &noise_seed, "K", noise_help),
		BW_OPT("schedule", BW_OPT_STRING, &schedule, "NAME", schedule_help),
		BW_OPT("checkpoints", BW_OPT_LONG, &checkpoints, "N",
		 "trajectory checkpoints per decade of steps (riemannian_flow: of its time), 1..1000 (default 10)"),
		BW_OPT("no-project", BW_OPT_FLAG, &no_project, NULL, project_help),
		BW_OPT("save", BW_OPT_STRING, &save, "FILE.h5", "write instance, final state and trajectory as HDF5"),
		BW_OPT("json", BW_OPT_FLAG, &json, NULL, "print one JSON object instead of a table"),
		BW_OPT("memory-limit", BW_OPT_BYTES, &memory_limit, "BYTES",
		 "refuse a task needing more (as plan does; default: physical memory / cores)"),
		{0},
	};
	char *epilog = make_epilog();
	struct bw_cli_cmd cmd = {.name = "run-one", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = bw_cli_parse(&cmd, argc, argv, &npos);
	free(epilog);
	CHECK(rc);
	struct bw_instance_spec spec = {0};
	struct bw_run_params p;
	enum bw_algo a;
	CHECK(bw_algo_parse(algo, &a));
	CHECK(bw_design_parse(design, &spec.design));
	CHECK(bw_wstar_parse(wstar, &spec.wstar));
	/* the spec's axes behind the options: a given option the dynamics does not
	 * read is refused as a spec refuses it (bw_spec_reads); then the limits of
	 * the axes (spec.c), for every number that is given or has a default */
	const struct {
		const void *var;
		const char *axis;
		int always;
	} axes[] = {{&d, "d", 1},	  {&n, "n", 1},	       {&kappa, "kappa", 1}, {&alpha, "alpha", 1},
		    {&eta, "eta", 0},	  {&eta_scale, "eta_scale", 0}, {&sigma, "sigma", 1}, {&batch, "batch", 1}, {&seed, "seeds", 1},
		    {&steps, "steps", 0}, {&time, "time", 0},	{&eps, "eps", 1},     {&tol, "tol", 0},
		    {&checkpoints, "checkpoints", 1}, {&noise_seed, "noise_seeds", 1},
		    {&no_project, "project", 0}};
	for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) {
		const struct bw_option *o = bw_opt_find(opts, axes[i].var);
		char why[256];
		if (o->seen && !bw_spec_reads(a, axes[i].axis, why, sizeof why))
			return RAISE(BW_EINVAL, "--%s: %s", o->name, why);
	}
	for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) {
		const struct bw_option *o = bw_opt_find(opts, axes[i].var);
		char why[64];
		if (o->type == BW_OPT_FLAG)
			continue;
		double x = o->type == BW_OPT_LONG ? (double)*(long *)o->value : *(double *)o->value;
		if ((axes[i].always || o->seen) && !bw_spec_value_ok(axes[i].axis, x, why, sizeof why))
			return RAISE(BW_EINVAL, "--%s %s", o->name, why);
	}
	enum bw_schedule sched = BW_SCHEDULE_CONSTANT;
	if (bw_opt_given(opts, &schedule)) {
		char why[256];
		if (!bw_spec_reads(a, "schedule", why, sizeof why))
			return RAISE(BW_EINVAL, "--schedule: %s", why);
		CHECK(bw_schedule_parse(schedule, &sched));
	}
	if (bw_opt_given(opts, &eta) && bw_opt_given(opts, &eta_scale))
		return RAISE(BW_EINVAL, "--eta and --eta-scale exclude each other (the step, or its multiple of the automatic step)");
	if (kappa > d)
		return RAISE(BW_EINVAL, "--kappa (%ld) must be <= --d (%ld)", kappa, d);
	if (batch > n)
		return RAISE(BW_EINVAL, "--batch must be between 1 and --n (%ld)", n);
	if (sweep_seed < 0)
		return RAISE(BW_EINVAL, "--sweep-seed must be >= 0");
	spec.d = (size_t)d;
	spec.n = (size_t)n;
	spec.kappa = (size_t)kappa;
	spec.seed_index = (uint32_t)seed;
	spec.sweep_seed = (uint64_t)sweep_seed;
	bw_run_params_default(&p, a);
	p.alpha = alpha;
	p.eta = eta;
	if (bw_dynamics_table[a]->uses & BW_USES_ETA)
		p.eta_scale = eta_scale;
	p.sigma = sigma;
	p.batch = batch;
	p.max_steps = steps;
	p.max_time = time;
	p.schedule = sched;
	/* no budget given: the dynamics' default time budget (its schedule's); a
	 * default in steps is bw_run's own (max_steps 0 means the row's budget_steps) */
	if (!steps && !time) {
		long s0;
		bw_run_default_budget(&p, &s0, &p.max_time);
	}
	p.eps = eps;
	if (bw_opt_given(opts, &tol))
		p.tol = tol;
	p.project = !no_project;
	p.checkpoints = (int)checkpoints;
	/* before any work: the task must fit (plan's per-task admission) and the file be writable */
	struct bw_task task = {.inst = spec, .run = p};
	CHECK(bw_task_admit(&task, memory_limit));
	if (save)
		CHECK(bw_h5run_check_writable(save));

	struct bw_instance inst;
	CHECK(bw_instance_init(&inst, &spec));
	p.noise_index = (bw_dynamics_table[a]->uses & BW_USES_NOISE) ? (uint32_t)noise_seed : 0;
	p.noise_seed = bw_noise_seed_k(inst.seed, a, p.noise_index);
	struct bw_outcome out;
	rc = bw_run(&inst, &p, &out);
	if (rc == BW_OK) {
		if (save)
			rc = bw_h5run_write(save, &inst, &p, &out);
		if (rc == BW_OK) {
			if (json)
				rc = bw_outcome_print_json(stdout, &inst, &p, &out);
			else
				print_table(&inst, &p, &out, bw_opt_given(opts, &eta));
		}
		bw_outcome_release(&out);
	}
	bw_instance_release(&inst);
	return rc;
}
