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
static void converged_phrase(const struct bw_dynamics *r, char *b, size_t n)
{
	char tol[32];
	compact(r->tol, tol, sizeof tol);
	snprintf(b, n, "%s <= tol (default %s)", r->converged_doc ? r->converged_doc : "", tol);
	if (!r->converged_doc)
		b[0] = 0;
}

/* For each distinct phrase of the rows (phrase() fills it, "" for none), in
 * table order: the rows that share it, joined by ", " and `last`, written by
 * fmt (%1$s the names, %2$s the phrase); groups joined by gsep. */
static void groups(FILE *f, void (*phrase)(const struct bw_dynamics *, char *, size_t), const char *last,
		   const char *fmt, const char *gsep)
{
	char ph[BW_ALGO_COUNT][160];
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
	char *buf = NULL, x[32];
	size_t size;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	const char *cont = ";\n             ";
	fputs("dynamics (--algo):\n", f);
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		fprintf(f, "  %-16s %s\n", bw_dynamics_table[a]->name, bw_dynamics_table[a]->summary);
	fputs("defaults and conventions:\n  --eta      auto: ", f);
	groups(f, eta_phrase, " and ", "%1$s %2$s", cont);
	fputs("\n  budget     ", f);
	for (int time = 0, k = 0; time < 2; time++) /* the budgets in steps, then those in time */
		for (int a = 0; a < BW_ALGO_COUNT; a++) {
			const struct bw_dynamics *r = bw_dynamics_table[a];
			if (time ? r->budget_time > 0 : r->budget_steps > 0) {
				compact(time ? r->budget_time : (double)r->budget_steps, x, sizeof x);
				fprintf(f, time ? "%s%s --time %s" : "%s%s %s steps", k++ ? ", " : "", r->name, x);
			}
		}
	fputs(";\n             --steps and --time may be combined (whichever ends first)\n  t          ", f);
	groups(f, time_phrase, ", ", "%1$s: %2$s", "; ");
	fputs("\n  success    test error ||w - w*||/||w*|| <= eps (default 0.1)\n  converged  ", f);
	groups(f, converged_phrase, " and ", "%2$s for %1$s", cont);
	fputs("\n", f);
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		const struct bw_dynamics *r = bw_dynamics_table[a];
		if ((r->uses & BW_USES_PROJECT) && r->descent)
			fprintf(f, "  %s's final iterate is projected onto the zero-loss manifold by noise-free %s\n"
				   "  (the theory's Phi) unless --no-project; its trajectory holds the raw iterates.\n",
				r->name, r->descent->name);
	}
	fputs("  instances depend on (sweep seed, design, d, kappa, w*, seed index) only and are nested in n.\n"
	      "exit status: 0 ok (diverged is an outcome), 2 bad input, 1 other errors.\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_table(const struct bw_instance *inst, const struct bw_run_params *p, const struct bw_outcome *o)
{
	printf("%-18s %s\n", "algorithm", bw_algo_name(p->algo));
	printf("%-18s %s d=%zu n=%zu kappa=%zu seed=%u\n", "instance", bw_design_name(inst->spec.design), inst->d,
	       inst->n, inst->spec.kappa, inst->spec.seed_index);
	printf("%-18s alpha=%g eta=%g sigma=%g batch=%ld eps=%g\n", "parameters", p->alpha, o->eta_used, p->sigma,
	       p->batch, p->eps);
	printf("%-18s %s%s%s\n", "status", bw_run_status_name(o->status), o->message[0] ? ": " : "", o->message);
	printf("%-18s %.6g\n", "train loss", o->train_loss);
	printf("%-18s %.6g %s\n", "test error", o->test_error, o->success ? "(success)" : "(failure)");
	printf("%-18s %.6g\n", "R = tr Hessian", o->R);
	printf("%-18s %.6g\n", "||w||_1", o->l1);
	printf("%-18s %s\n", "support recovered", o->support_recovered ? "yes" : "no");
	printf("%-18s %ld\n", "steps", o->steps);
	printf("%-18s %.6g\n", "simulated time t", o->t);
	printf("%-18s %.3f s (%.4g steps/s)\n", "wall time", o->wall_s, o->wall_s > 0 ? o->steps / o->wall_s : 0.0);
	if (bw_dynamics_table[p->algo]->reports & BW_REPORTS_LOSS_RATE) {
		printf("%-18s %.6g per step\n", "ln L rate", o->loss_rate);
		printf("%-18s %.6g (Pesme et al. predict %.6g)\n", "alpha_inf", o->alpha_inf, o->alpha_inf_pred);
	}
	printf("\ntrajectory (%zu checkpoints)\n%12s %14s %14s %14s %14s\n", o->ntraj, "step", "t", "loss",
	       "test_error", "R");
	size_t stride = o->ntraj > 24 ? (o->ntraj + 23) / 24 : 1;
	for (size_t i = 0; i < o->ntraj; i++)
		if (i % stride == 0 || i + 1 == o->ntraj)
			printf("%12ld %14.6g %14.6g %14.6g %14.6g\n", o->traj[i].step, o->traj[i].t, o->traj[i].loss,
			       o->traj[i].test_error, o->traj[i].R);
}

int cmd_run_one(int argc, char **argv)
{
	const char *algo = NULL, *design = "rademacher", *wstar = "signs", *save = NULL;
	long d = 0, n = 0, kappa = 0, seed = 0, batch = 1, steps = 0, sweep_seed = 0;
	double alpha = 0, eta = 0, eta_scale = 0, sigma = 1, time = 0, eps = 0.1, tol = 0, memory_limit = 0;
	int json = 0, no_project = 0;
	/* what names a dynamics comes from the table */
	char algos[256], algo_help[300], sigma_help[300], batch_help[300], project_help[300], names[256];
	bw_dynamics_list(0, " | ", " | ", names, sizeof names);
	snprintf(algo_help, sizeof algo_help, "%s (required)", names);
	char eta_scale_help[400];
	bw_dynamics_list(BW_USES_ETA, ", ", " and ", names, sizeof names);
	snprintf(eta_scale_help, sizeof eta_scale_help,
		 "step = X times the automatic step (below), 0 < X <= 1e6, for %s; excludes --eta", names);
	bw_dynamics_list(BW_USES_SIGMA, ", ", " and ", names, sizeof names);
	snprintf(sigma_help, sizeof sigma_help, "label noise of %s (default 1)", names);
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
		BW_OPT("eta", BW_OPT_DOUBLE, &eta, "E", "step size > 0 (default: auto, below)"),
		BW_OPT("eta-scale", BW_OPT_DOUBLE, &eta_scale, "X", eta_scale_help),
		BW_OPT("sigma", BW_OPT_DOUBLE, &sigma, "S", sigma_help),
		BW_OPT("batch", BW_OPT_LONG, &batch, "B", batch_help),
		BW_OPT("seed", BW_OPT_LONG, &seed, "I", "seed index of the instance (default 0)"),
		BW_OPT("sweep-seed", BW_OPT_LONG, &sweep_seed, "S", "sweep seed mixed into every instance (default 0)"),
		BW_OPT("steps", BW_OPT_LONG, &steps, "K", "step budget"),
		BW_OPT("time", BW_OPT_DOUBLE, &time, "T", "simulated-time budget"),
		BW_OPT("eps", BW_OPT_DOUBLE, &eps, "E", "success threshold on the test error (default 0.1)"),
		BW_OPT("tol", BW_OPT_DOUBLE, &tol, "X", "convergence tolerance (default per dynamics, below)"),
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
	/* the limits of a spec's axes (spec.c), for every number that is given or has a default */
	const struct {
		const void *var;
		const char *axis;
		int always;
	} axes[] = {{&d, "d", 1},	  {&n, "n", 1},	       {&kappa, "kappa", 1}, {&alpha, "alpha", 1},
		    {&eta, "eta", 0},	  {&eta_scale, "eta_scale", 0}, {&sigma, "sigma", 1}, {&batch, "batch", 1}, {&seed, "seeds", 1},
		    {&steps, "steps", 0}, {&time, "time", 0},	{&eps, "eps", 1},     {&tol, "tol", 0}};
	for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) {
		const struct bw_option *o = bw_opt_find(opts, axes[i].var);
		char why[64];
		double x = o->type == BW_OPT_LONG ? (double)*(long *)o->value : *(double *)o->value;
		if ((axes[i].always || o->seen) && !bw_spec_value_ok(axes[i].axis, x, why, sizeof why))
			return RAISE(BW_EINVAL, "--%s %s", o->name, why);
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
	/* no budget given: the dynamics' default time budget; a default in steps
	 * is bw_run's own (max_steps 0 means the row's budget_steps) */
	if (!steps && !time)
		p.max_time = bw_dynamics_table[a]->budget_time;
	p.eps = eps;
	if (bw_opt_given(opts, &tol))
		p.tol = tol;
	p.project = !no_project;
	/* before any work: the task must fit (plan's per-task admission) and the file be writable */
	struct bw_task task = {.inst = spec, .run = p};
	CHECK(bw_task_admit(&task, memory_limit));
	if (save)
		CHECK(bw_h5run_check_writable(save));

	struct bw_instance inst;
	CHECK(bw_instance_init(&inst, &spec));
	p.noise_seed = bw_noise_seed(inst.seed, a);
	struct bw_outcome out;
	rc = bw_run(&inst, &p, &out);
	if (rc == BW_OK) {
		if (save)
			rc = bw_h5run_write(save, &inst, &p, &out);
		if (rc == BW_OK) {
			if (json)
				rc = bw_outcome_print_json(stdout, &inst, &p, &out);
			else
				print_table(&inst, &p, &out);
		}
		bw_outcome_release(&out);
	}
	bw_instance_release(&inst);
	return rc;
}
