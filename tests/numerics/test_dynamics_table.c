/* test_dynamics_table.c - the table of the dynamics (dynamics.h): one row per
 * dynamics carrying everything the other layers know of it.
 *
 * Oracles, all written here from the documentation, rows found by name (not
 * by enum value): the defaults of run-one --help and jobs/smoke.cfg (tol,
 * budgets, which parameters each reads, what it converges to); the automatic
 * steps of run-one --help; the cost models of include/biasweep/task.h worked
 * by hand for small instances (exact integers); the memory of each
 * dynamics' buffers counted by hand; the name lists of the help texts and
 * messages; the outcome fields each dynamics documents (alpha_inf for gd and
 * sgd only); and the dynamics `bench` times, by what each section measures.
 */
#include "biasweep/bench_kernels.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/spec.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

static const struct bw_dynamics *row(const char *name, enum bw_algo *index)
{
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		if (bw_dynamics_table[a] && !strcmp(bw_dynamics_table[a]->name, name)) {
			if (index)
				*index = (enum bw_algo)a;
			return bw_dynamics_table[a];
		}
	return NULL;
}

/* the documented rows */
static const struct {
	const char *name;
	unsigned uses, reports;
	enum bw_limit limit;
	double tol;
	long steps;
	double time;
	const char *descent;
} want[] = {
	{"gd", BW_USES_ETA, BW_REPORTS_ALPHA_INF, BW_LIMIT_QALPHA, 1e-10, 1000000, 0, NULL},
	{"label_noise_sgd", BW_USES_ETA | BW_USES_SIGMA | BW_USES_PROJECT | BW_USES_NOISE | BW_USES_SCHEDULE, 0, BW_LIMIT_L1,
	 1e-10, 0, 1000, "gd"},
	{"sgd", BW_USES_ETA | BW_USES_BATCH | BW_USES_NOISE, BW_REPORTS_ALPHA_INF | BW_REPORTS_LOSS_RATE, BW_LIMIT_QALPHA, 1e-10,
	 10000000, 0, NULL},
	{"riemannian_flow", 0, 0, BW_LIMIT_L1, 1e-7, 0, 10000, "gd"},
	{"gaussian_noise_gd", BW_USES_ETA | BW_USES_SIGMA | BW_USES_PROJECT | BW_USES_NOISE, 0, BW_LIMIT_NONE, 1e-10, 0, 5, "gd"},
};
#define NWANT (sizeof want / sizeof want[0])

static void check_rows(void)
{
	TU_CHECK(BW_ALGO_COUNT == NWANT, "%d rows, %zu documented", BW_ALGO_COUNT, NWANT);
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		const struct bw_dynamics *r = bw_dynamics_table[a];
		TU_CHECK(r && r->name && r->summary && r->eta_doc && r->time_doc, "row %d: name, summary and docs", a);
		if (!r)
			continue;
		TU_CHECK(r->run && r->cost && r->bytes && r->eta_auto, "%s: run, cost, bytes, eta_auto", r->name);
		TU_CHECK(!strcmp(bw_algo_name((enum bw_algo)a), r->name), "%s: bw_algo_name", r->name);
		enum bw_algo back = BW_ALGO_COUNT;
		TU_CHECK(bw_algo_parse(r->name, &back) == BW_OK && back == (enum bw_algo)a, "%s: bw_algo_parse", r->name);
		for (int b = 0; b < a; b++)
			TU_CHECK(strcmp(bw_dynamics_table[b]->name, r->name), "%s: names are unique", r->name);
	}
	for (size_t i = 0; i < NWANT; i++) {
		enum bw_algo a;
		const struct bw_dynamics *r = row(want[i].name, &a);
		TU_CHECK(r != NULL, "a row named %s", want[i].name);
		if (!r)
			continue;
		TU_CHECK(r->uses == want[i].uses, "%s reads %#x, documented %#x", r->name, r->uses, want[i].uses);
		TU_CHECK(r->reports == want[i].reports, "%s reports %#x, documented %#x", r->name, r->reports,
			 want[i].reports);
		TU_CHECK(r->limit == want[i].limit, "%s: limit", r->name);
		TU_CHECK(r->tol == want[i].tol, "%s: default tol %g, documented %g", r->name, r->tol, want[i].tol);
		TU_CHECK(r->budget_steps == want[i].steps && r->budget_time == want[i].time,
			 "%s: default budget %ld steps, time %g", r->name, r->budget_steps, r->budget_time);
		long s;
		double t;
		bw_default_budget(a, &s, &t);
		TU_CHECK(s == want[i].steps && t == want[i].time, "%s: bw_default_budget", r->name);
		/* under schedule sharpness: label_noise_sgd's cap is time 10^4 (docs/model.md), the others' unchanged */
		struct bw_run_params sp;
		bw_run_params_default(&sp, a);
		sp.schedule = BW_SCHEDULE_SHARPNESS;
		bw_run_default_budget(&sp, &s, &t);
		int lns = !strcmp(r->name, "label_noise_sgd");
		TU_CHECK(s == want[i].steps && t == (lns ? 10000 : want[i].time), "%s: bw_run_default_budget (sharpness): %g",
			 r->name, t);
		TU_CHECK(((r->uses & BW_USES_SCHEDULE) != 0) == lns, "%s: reads the schedule exactly for label_noise_sgd",
			 r->name);
		TU_CHECK(want[i].descent ? r->descent == row(want[i].descent, NULL) : r->descent == NULL,
			 "%s: its descent onto the manifold is %s", r->name, want[i].descent ? want[i].descent : "none");
		TU_CHECK((r->converged_doc != NULL) == (r->limit != BW_LIMIT_NONE),
			 "%s: every dynamics with a limit documents its convergence test", r->name);
		TU_CHECK((r->stop_rule != NULL) == (!strcmp(r->name, "label_noise_sgd") || !strcmp(r->name, "riemannian_flow")),
			 "%s: a stop rule named in the key exactly where the rule changed (task.h)", r->name);
		struct bw_run_params p;
		bw_run_params_default(&p, a);
		TU_CHECK(p.algo == a && p.tol == want[i].tol && p.alpha == 1 && p.eta == 0 && p.sigma == 1 &&
			 p.batch == 1 && p.eps == 0.1 && p.project == 1,
			 "%s: bw_run_params_default", r->name);
	}
}

/* run-one --help: gd 0.25/((16/n) max(alpha^2,1) (sqrt n + sqrt d)^2), the
 * flow gd's (its start), the sgds 0.25/(8 max(d alpha^2, kappa)) */
static void check_eta_auto(void)
{
	static const struct {
		size_t d, n, kappa;
		double alpha;
	} pts[] = {{40, 10, 2, 1.0}, {200, 60, 3, 0.3}, {1000, 80, 10, 2.5}, {7, 7, 7, 1e-3}};
	for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
		struct bw_instance_spec s = {BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, pts[k].d, pts[k].n, pts[k].kappa, 0, 0};
		double d = (double)s.d, n = (double)s.n, al = pts[k].alpha;
		double full = 0.25 / ((16.0 / n) * fmax(al * al, 1.0) * pow(sqrt(n) + sqrt(d), 2));
		double one = 0.25 / (8.0 * fmax(d * al * al, (double)s.kappa));
		for (size_t i = 0; i < NWANT; i++) {
			enum bw_algo a;
			const struct bw_dynamics *r = row(want[i].name, &a);
			if (!r)
				continue;
			double w = strstr(r->name, "sgd") ? one : full;
			TU_REL(r->eta_auto(al, &s), w, 1e-14, r->name);
			struct bw_run_params p;
			bw_run_params_default(&p, a);
			p.alpha = al;
			TU_CHECK(bw_eta_auto(&p, &s) == r->eta_auto(al, &s), "%s: bw_eta_auto is the row's", r->name);
		}
	}
}

/* the parameter checks follow what each dynamics reads */
static void check_params(void)
{
	struct bw_instance_spec s = {BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, 20, 6, 2, 0, 0};
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		const struct bw_dynamics *r = bw_dynamics_table[a];
		struct bw_run_params p;
		bw_run_params_default(&p, (enum bw_algo)a);
		TU_CHECK(bw_run_params_check(&p, &s) == BW_OK, "%s: the defaults pass", r->name);
		p.sigma = 0;
		int rc = bw_run_params_check(&p, &s);
		TU_CHECK((rc != BW_OK) == ((r->uses & BW_USES_SIGMA) != 0), "%s: sigma = 0 %s", r->name,
			 rc ? "refused" : "ignored");
		bw_error_clear();
		bw_run_params_default(&p, (enum bw_algo)a);
		p.batch = 7; /* > n */
		rc = bw_run_params_check(&p, &s);
		TU_CHECK((rc != BW_OK) == ((r->uses & BW_USES_BATCH) != 0), "%s: batch > n %s", r->name,
			 rc ? "refused" : "ignored");
		bw_error_clear();
		bw_run_params_default(&p, (enum bw_algo)a);
		p.project = 0;
		TU_CHECK(bw_run_descent(&p) == ((r->uses & BW_USES_PROJECT) ? NULL : r->descent),
			 "%s: no projection, no descent", r->name);
		p.project = 1;
		TU_CHECK(bw_run_descent(&p) == r->descent, "%s: bw_run_descent", r->name);
	}
}

static struct bw_task task(const char *name, size_t d, size_t n, double eta, long steps, double time)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	t.inst = (struct bw_instance_spec){BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, d, n, 2, 0, 0};
	enum bw_algo a = BW_ALGO_COUNT;
	row(name, &a);
	bw_run_params_default(&t.run, a);
	t.run.eta = eta;
	t.run.max_steps = steps;
	t.run.max_time = time;
	return t;
}

/* task.h's cost models by hand, d = 40, n = 10, alpha = 1, Rademacher:
 * gd's automatic step 0.25 / (1.6 (sqrt 10 + sqrt 40)^2) = 0.25 / (1.6 * 90) = 1/576;
 * lo = 1.6 (sqrt 40 - sqrt 10)^2 = 1.6 * 10 = 16, so S = ceil(ln(1e10) * 576 / 16)
 * = ceil(828.93) = 829 steps of 2 n d = 800: the descent onto the manifold is 663200. */
static void check_costs(void)
{
	struct bw_task t = task("gd", 40, 10, 0, 300, 0);
	TU_CHECK(bw_task_cost(&t) == 300.0 * 800, "gd: 300 budget steps of 2nd: %.17g", bw_task_cost(&t));
	t = task("gd", 40, 10, 0, 2000, 0);
	TU_CHECK(bw_task_cost(&t) == 829.0 * 800, "gd: S = 829 steps before the budget: %.17g", bw_task_cost(&t));
	/* the noisy dynamics' final projection: 8 Gauss-Newton iterations of the flow's step work,
	 * 0.05 n^2 d + 0.03 n^3 + 5 n d = 200 + 30 + 2000 (flow.c) */
	const double proj = 8 * (0.05 * 100 * 40 + 0.03 * 1000 + 5.0 * 400);
	/* label noise at eta = 2^-7, sigma 1: dt = eta^2 sigma^2 / 2 = 2^-15, 32768 steps per unit time of d */
	t = task("label_noise_sgd", 40, 10, 0.0078125, 0, 1.0);
	TU_CHECK(bw_task_cost(&t) == 32768.0 * 40 + proj, "lnsgd: time 1 and the projection: %.17g",
		 bw_task_cost(&t));
	t.run.project = 0;
	TU_CHECK(bw_task_cost(&t) == 32768.0 * 40, "lnsgd without projection: %.17g", bw_task_cost(&t));
	t = task("label_noise_sgd", 40, 10, 0.0078125, 0, 0);
	TU_CHECK(bw_task_cost(&t) == 5 * 32768.0 * 40 + proj,
		 "lnsgd without a budget: its typical time 5 (the cap 1000 rarely decides): %.17g", bw_task_cost(&t));
	t = task("label_noise_sgd", 40, 10, 0.0078125, 1000, 1.0);
	TU_CHECK(bw_task_cost(&t) == 1000.0 * 40 + proj, "lnsgd: the steps end first: %.17g", bw_task_cost(&t));
	/* the flow: (min(time, 5) / 0.05 + 100) steps of 0.05 n^2 d + 0.03 n^3 + 5 n d = 200 + 30 + 2000
	 * (the flow.c fit: BLAS work is cheaper than a coordinate-update), and its start Phi(x0), the gd descent above */
	double fstep = 0.05 * 100 * 40 + 0.03 * 1000 + 5.0 * 400;
	t = task("riemannian_flow", 40, 10, 0, 0, 5.0);
	TU_CHECK(fabs(bw_task_cost(&t) - (200.0 * fstep + 663200)) <= 1e-9 * bw_task_cost(&t), "flow, time 5: %.17g",
		 bw_task_cost(&t));
	t = task("riemannian_flow", 40, 10, 0, 0, 0);
	TU_CHECK(fabs(bw_task_cost(&t) - (200.0 * fstep + 663200)) <= 1e-9 * bw_task_cost(&t),
		 "flow without a budget: its typical time 5 (the cap 1e4 rarely decides): %.17g", bw_task_cost(&t));
	t = task("riemannian_flow", 40, 10, 0, 30, 5.0);
	TU_CHECK(fabs(bw_task_cost(&t) - (30.0 * fstep + 663200)) <= 1e-9 * bw_task_cost(&t),
		 "flow: 30 steps end first: %.17g", bw_task_cost(&t));
	/* gaussian_noise_gd at eta = 2^-7, sigma 1: 32768 steps per unit time of 2 n d + 50 * 2 d = 4800
	 * (a Gaussian draw is costed as 50 coordinate-updates), and the projection */
	t = task("gaussian_noise_gd", 40, 10, 0.0078125, 0, 1.0);
	TU_CHECK(bw_task_cost(&t) == 32768.0 * 4800 + proj, "gaussian_noise_gd: time 1: %.17g", bw_task_cost(&t));
	t.run.project = 0;
	TU_CHECK(bw_task_cost(&t) == 32768.0 * 4800, "gaussian_noise_gd without projection: %.17g", bw_task_cost(&t));
	t = task("gaussian_noise_gd", 40, 10, 0.0078125, 0, 0);
	TU_CHECK(bw_task_cost(&t) == 5 * 32768.0 * 4800 + proj, "gaussian_noise_gd: its default time 5: %.17g",
		 bw_task_cost(&t));
	t = task("gaussian_noise_gd", 40, 10, 0.0078125, 1000, 1.0);
	TU_CHECK(bw_task_cost(&t) == 1000.0 * 4800 + proj, "gaussian_noise_gd: the steps end first: %.17g",
		 bw_task_cost(&t));
	/* sgd at batch 4, eta = 1/576 as gd's: S = 829 steps of B d = 160 */
	t = task("sgd", 40, 10, 1.0 / 576, 0, 0);
	t.run.batch = 4;
	t.run.max_steps = 10000000;
	TU_REL(bw_task_cost(&t), 829.0 * 160, 1e-15, "sgd, batch 4: S steps of B d");
}

/* the buffers of each dynamics, beyond the instance and the outcome (3 d
 * doubles and 256 checkpoints of 5 numbers): d = 40, n = 10 */
static void check_bytes(void)
{
	size_t base = bw_instance_bytes(BW_DESIGN_RADEMACHER, 10, 40) + 256 * sizeof(struct bw_checkpoint) +
		      3 * 40 * sizeof(double);
	TU_CHECK(sizeof(struct bw_checkpoint) == sizeof(long) + 4 * sizeof(double), "a checkpoint: step and 4 numbers");
	struct bw_task t = task("gd", 40, 10, 0, 1, 0);
	TU_CHECK(bw_task_bytes(&t) == base + (10 + 40) * sizeof(double), "gd: r and g");
	t = task("sgd", 40, 10, 0, 1, 0);
	t.run.batch = 4;
	TU_CHECK(bw_task_bytes(&t) == base + (10 + 40 + 12) * sizeof(double) + (10 + 8) * sizeof(size_t),
		 "sgd, B = 4: r, w, 3 B coefficients; the permutation and 2 batches");
	t = task("label_noise_sgd", 40, 10, 0, 1, 0);
	TU_CHECK(bw_task_bytes(&t) == base + (10 + 40 + 3) * sizeof(double) + (10 + 2) * sizeof(size_t) +
					      ((4 + 10) * 40 + 10) * sizeof(double),
		 "label_noise_sgd: batch 1, and its rule's u, v, w, previous w, 10 past w and a residual");
	t = task("riemannian_flow", 40, 10, 0, 1, 0);
	TU_CHECK(bw_task_bytes(&t) == base + (2 * 100 + 400 + 12 * 50) * sizeof(double),
		 "flow: 2 n^2 + n d + 12 (n + d) doubles");
	t = task("gaussian_noise_gd", 40, 10, 0, 1, 0);
	TU_CHECK(bw_task_bytes(&t) == base + (10 + 3 * 40) * sizeof(double), "gaussian_noise_gd: r, g and 2 d draws");
}

static void check_lists(void)
{
	char b[256];
	bw_dynamics_list(0, ", ", " or ", b, sizeof b);
	TU_CHECK(!strcmp(b, "gd, label_noise_sgd, sgd, riemannian_flow or gaussian_noise_gd"), "all: '%s'", b);
	bw_dynamics_list(0, " | ", " | ", b, sizeof b);
	TU_CHECK(!strcmp(b, "gd | label_noise_sgd | sgd | riemannian_flow | gaussian_noise_gd"), "all with |: '%s'", b);
	bw_dynamics_list(BW_USES_ETA, ", ", " and ", b, sizeof b);
	TU_CHECK(!strcmp(b, "gd, label_noise_sgd, sgd and gaussian_noise_gd"), "eta: '%s'", b);
	bw_dynamics_list(BW_USES_SIGMA, ", ", " and ", b, sizeof b);
	TU_CHECK(!strcmp(b, "label_noise_sgd and gaussian_noise_gd"), "sigma: '%s'", b);
	bw_dynamics_time_docs(b, sizeof b);
	TU_CHECK(!strcmp(b, "gd, sgd: k*eta; label_noise_sgd, gaussian_noise_gd: k*eta^2*sigma^2/2; riemannian_flow: "
			    "flow time"),
		 "time conventions: '%s'", b);
	bw_dynamics_time_docs(b, 12);
	TU_CHECK(!strcmp(b, "gd, sgd: k*"), "time conventions truncated to len - 1: '%s'", b);
	bw_dynamics_list(BW_USES_ETA | BW_USES_BATCH, ", ", " and ", b, sizeof b);
	TU_CHECK(!strcmp(b, "sgd"), "eta and batch: '%s'", b);
	bw_dynamics_list(0, ", ", " or ", b, 6);
	TU_CHECK(!strcmp(b, "gd, l"), "truncated to len - 1: '%s'", b);
	enum bw_algo a;
	TU_CHECK(bw_algo_parse("flow", &a) != BW_OK &&
		 !strcmp(bw_error_message(), "unknown algorithm 'flow' (expected gd, label_noise_sgd, sgd, riemannian_flow or gaussian_noise_gd)"),
		 "bw_algo_parse's message: '%s'", bw_error_message());
	bw_error_clear();
}

/* alpha_inf (the effective initialization) only where documented: gd, sgd */
static void check_reports(void)
{
	struct bw_instance_spec s = {BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, 12, 6, 1, 0, 3};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &s) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return;
	}
	for (size_t i = 0; i < NWANT; i++) {
		enum bw_algo a;
		if (!row(want[i].name, &a))
			continue;
		struct bw_run_params p;
		bw_run_params_default(&p, a);
		p.alpha = 0.5;
		p.max_steps = 40;
		p.noise_seed = bw_noise_seed(inst.seed, a);
		struct bw_outcome o;
		int rc = bw_run(&inst, &p, &o);
		TU_CHECK(rc == BW_OK, "%s runs: %s", want[i].name, rc ? bw_error_message() : "");
		if (rc != BW_OK) {
			bw_error_clear();
			continue;
		}
		int documented = !strcmp(want[i].name, "gd") || !strcmp(want[i].name, "sgd");
		TU_CHECK(isfinite(o.alpha_inf) == documented, "%s: alpha_inf %g (%s)", want[i].name, o.alpha_inf,
			 documented ? "documented" : "not documented");
		bw_outcome_release(&o);
	}
	bw_instance_release(&inst);
}

/* bench's sections: noisy batch-1 SGD, noise-free mini-batch SGD, a
 * full-batch step, the flow (no step size) */
static void check_bench(void)
{
	const struct bw_dynamics *noisy = bw_dynamics_table[bw_bench_algo(BW_BENCH_NOISY_SGD)];
	const struct bw_dynamics *mini = bw_dynamics_table[bw_bench_algo(BW_BENCH_MINIBATCH)];
	const struct bw_dynamics *full = bw_dynamics_table[bw_bench_algo(BW_BENCH_FULL_BATCH)];
	const struct bw_dynamics *flow = bw_dynamics_table[bw_bench_algo(BW_BENCH_FLOW)];
	TU_CHECK((noisy->uses & BW_USES_SIGMA) && !(noisy->uses & BW_USES_BATCH), "bench: the noisy SGD is %s",
		 noisy->name);
	TU_CHECK((mini->uses & BW_USES_BATCH) && !(mini->uses & BW_USES_SIGMA), "bench: the mini-batch SGD is %s",
		 mini->name);
	TU_CHECK(full->uses == BW_USES_ETA, "bench: the full-batch step is %s", full->name);
	TU_CHECK(!(flow->uses & BW_USES_ETA) && flow->limit == BW_LIMIT_L1, "bench: the flow is %s", flow->name);
	/* the JSON report's keys, as bench has always written them */
	TU_CHECK(!strcmp(noisy->name, "label_noise_sgd") && !strcmp(mini->name, "sgd") && !strcmp(full->name, "gd") &&
		 !strcmp(flow->name, "riemannian_flow"),
		 "bench's report keys");
}

int main(void)
{
	check_rows();
	check_eta_auto();
	check_params();
	check_costs();
	check_bytes();
	check_lists();
	check_reports();
	check_bench();
	return tu_summary("test_dynamics_table");
}
