/* test_spec.c - job specs: grid sizes computed by hand, validation messages
 * with their line numbers, golden task keys, key independence from order and
 * from parameters an algorithm does not read, and the shipped jobs/NAME.cfg. */
#include "biasweep/error.h"
#include "biasweep/spec.h"
#include "refhash.h"
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TU_CHECK_OK(rc) tu_check_ok((rc), __LINE__)
static int tu_check_ok(int rc, int line)
{
	TU_CHECK(rc == BW_OK, "line %d: load failed: %s", line, bw_error_message());
	return rc == BW_OK;
}

static int load(const char *text, struct bw_spec *s)
{
	bw_error_clear();
	return bw_spec_load_string("t.cfg", text, s);
}

/* Loads a good spec; checks the task count, the per-algorithm counts (gd, lnsgd, sgd, flow) and dropped. */
static void expect_counts(const char *what, const char *text, size_t gd, size_t ln, size_t sgd, size_t flow,
			  size_t dropped)
{
	struct bw_spec s;
	int rc = load(text, &s);
	TU_CHECK(rc == BW_OK, "%s: load failed: %s", what, bw_error_message());
	if (rc != BW_OK)
		return;
	size_t want[BW_ALGO_COUNT] = {gd, ln, sgd, flow};
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		TU_CHECK(s.per_algo[a] == want[a], "%s: %s has %zu tasks, want %zu", what, bw_algo_name((enum bw_algo)a),
			 s.per_algo[a], want[a]);
	TU_CHECK(s.ntasks == gd + ln + sgd + flow, "%s: %zu tasks, want %zu", what, s.ntasks, gd + ln + sgd + flow);
	TU_CHECK(s.dropped == dropped, "%s: %zu dropped, want %zu", what, s.dropped, dropped);
	bw_spec_release(&s);
}

/* Loads a bad spec; wants BW_EINVAL, "t.cfg:LINE: " in front and the phrase in the message. */
static void expect_error(const char *what, const char *text, int line, const char *phrase)
{
	struct bw_spec s;
	int rc = load(text, &s);
	const char *msg = bw_error_message();
	char head[32];
	if (line > 0)
		snprintf(head, sizeof head, "t.cfg:%d: ", line);
	else
		snprintf(head, sizeof head, "t.cfg: ");
	TU_CHECK(rc == BW_EINVAL, "%s: rc %d, want BW_EINVAL (%s)", what, rc, msg);
	TU_CHECK(!strncmp(msg, head, strlen(head)), "%s: message '%s' does not start with '%s'", what, msg, head);
	TU_CHECK(strstr(msg, phrase) != NULL, "%s: message '%s' lacks '%s'", what, msg, phrase);
	TU_CHECK(s.ntasks == 0 && s.tasks == NULL && s.name == NULL, "%s: a failed load left something allocated", what);
	if (rc == BW_OK)
		bw_spec_release(&s);
}

static void test_counts(void)
{
	/* kappa 25 > d = 20 drops 3 n x 2 seeds = 6; with d = 40 it drops n = 10, 20 (4) and keeps n = 30 */
	expect_counts("dropped points",
		      "d = [20, 40];\n n = { lin = [10, 30]; count = 3; };\n kappa = [2, 25];\n seeds = 2;\n"
		      "algorithm = [\"gd\"];\n",
		      14, 0, 0, 0, 10);
	/* per-algorithm overrides; top-level eta, sigma, batch ignored where not read */
	expect_counts("overrides",
		      "d = 32; n = [8, 16]; kappa = 2; seeds = [0, 3, 5];\n"
		      "eta = [1e-3, 2e-3]; sigma = [0.5, 1.0]; batch = [1, 4, 16];\n"
		      "algorithms = {\n"
		      "  gd = { alpha = [3.0, 10.0]; };\n"              /* 2 n x 3 seeds x 2 eta x 2 alpha = 24 */
		      "  label_noise_sgd = { eta = [1e-3]; time = 5.0; };\n" /* 2 x 3 x 1 eta x 2 sigma = 12 */
		      "  sgd = {};\n" /* 2 x 3 x 2 eta x 3 batch = 36, batch 16 > n 8 drops 3 x 2 = 6 */
		      "  riemannian_flow = { time = 50.0; };\n" /* 2 x 3 = 6 */
		      "};\n",
		      24, 12, 30, 6, 6);
	/* 'algorithm' picks a subset of the groups */
	expect_counts("selection",
		      "d = 20; n = 10; kappa = 2; algorithm = \"sgd\";\n"
		      "algorithms = { gd = { alpha = 2.0; }; sgd = { batch = [1, 2]; }; };\n",
		      0, 0, 2, 0, 0);
	/* seeds: a count, a list, a range */
	expect_counts("seed count", "d = 20; n = 10; kappa = 2; seeds = 8; algorithm = \"gd\";", 8, 0, 0, 0, 0);
	expect_counts("seed list", "d = 20; n = 10; kappa = 2; seeds = [0, 3, 5]; algorithm = \"gd\";", 3, 0, 0, 0, 0);
	expect_counts("seed range", "d = 20; n = 10; kappa = 2; seeds = { lin = [10, 19]; count = 10; };"
				    "algorithm = \"gd\";",
		      10, 0, 0, 0, 0);
	/* log range on an integer axis: round(10^(i/9)) = 1 1 2 2 3 4 5 6 8 10 -> 8 distinct */
	expect_counts("integer log range",
		      "d = { log = [1, 10]; count = 10; }; n = 100; kappa = 1; algorithm = \"riemannian_flow\";", 0, 0, 0,
		      8, 0);
	/* lin range of reals x list: 3 x 2 */
	expect_counts("real lin range",
		      "d = 20; n = 10; kappa = 2; eps = { lin = [0.1, 0.3]; count = 3; }; alpha = [0.5, 2.0];"
		      "algorithm = \"gd\";",
		      6, 0, 0, 0, 0);
	/* duplicates in a list appear once */
	expect_counts("duplicates", "d = [20, 20, 40]; n = 10; kappa = 2; algorithm = [\"gd\", \"gd\"];", 2, 0, 0, 0, 0);
	/* designs x wstar x budgets as axes: 2 x 2 x (2 steps x 1 time) */
	expect_counts("string axes and budget lists",
		      "d = 20; n = 10; kappa = 2; design = [\"rademacher\", \"gaussian\"];\n"
		      "wstar = (\"signs\", \"gaussian\"); steps = [100, 1000]; time = 2.0; algorithm = \"gd\";",
		      8, 0, 0, 0, 0);
	/* the same point in two lists is one task; the flow ignores eta so the 2 etas collapse */
	expect_counts("flow ignores eta", "d = 20; n = 10; kappa = 2; eta = [1e-3, 1e-2]; algorithm = \"riemannian_flow\";",
		      0, 0, 0, 1, 0);
	/* the max_n_over_d filter, top level and overridden: gd keeps n <= d (2 + 4), the flow n <= d/2 (1 + 2) */
	expect_counts("max_n_over_d",
		      "d = [10, 20]; n = [5, 10, 15, 20]; kappa = 1; max_n_over_d = 1.0;\n"
		      "algorithms = { gd = {}; riemannian_flow = { max_n_over_d = 0.5; }; };",
		      6, 0, 0, 3, 2 + 5);
	/* kappa <= d and kappa <= n, batch <= n: 5 x 5 grid of (d, n) with kappa 10 */
	expect_counts("constraint grid",
		      "d = [5, 10, 15, 20, 25]; n = [5, 10, 15, 20, 25]; kappa = 10; batch = [1, 12];"
		      "algorithm = [\"gd\", \"sgd\"];",
		      16, 0, 16 + 12, 0, 9 + 22);
}

static const struct bw_task *find_task(const struct bw_spec *s, enum bw_algo a, size_t d, size_t n)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i].run.algo == a && s->tasks[i].inst.d == d && s->tasks[i].inst.n == n)
			return &s->tasks[i];
	return NULL;
}

static void test_values(void)
{
	struct bw_spec s;
	/* budgets: formulas, defaults, a group replaces both steps and time */
	int rc = load("d = 10; n = 5; kappa = 1; steps = 1000;\n"
		      "algorithms = {\n"
		      "  gd = {};\n"
		      "  label_noise_sgd = { eta = 1e-2; steps = { scale = 2.0; eta_power = -2.0; d_power = 1.0; }; };\n"
		      "  sgd = { time = { scale = 0.5; d_power = 1.0; }; };\n"
		      "  riemannian_flow = { time = 50.0; };\n"
		      "};\n",
		      &s);
	TU_CHECK(rc == BW_OK, "budgets: %s", bw_error_message());
	if (rc == BW_OK) {
		const struct bw_task *gd = find_task(&s, BW_GD, 10, 5), *ln = find_task(&s, BW_LABEL_NOISE_SGD, 10, 5);
		const struct bw_task *sgd = find_task(&s, BW_SGD, 10, 5), *fl = find_task(&s, BW_RIEMANNIAN_FLOW, 10, 5);
		TU_CHECK(gd && gd->run.max_steps == 1000 && gd->run.max_time == 0, "gd inherits steps = 1000");
		TU_CHECK(ln && ln->run.max_steps == 200000 && ln->run.max_time == 0,
			 "label_noise_sgd steps = ceil(2 * 0.01^-2 * 10) = 200000, got %ld", ln ? ln->run.max_steps : -1);
		TU_CHECK(sgd && sgd->run.max_steps == 0 && sgd->run.max_time == 5.0, "sgd time = 0.5 * 10, steps replaced");
		TU_CHECK(fl && fl->run.max_steps == 0 && fl->run.max_time == 50.0, "flow time 50 replaces steps");
		TU_CHECK(fl && fl->run.eta == 0 && fl->run.batch == 1 && fl->run.tol == 1e-7, "flow defaults");
		TU_CHECK(ln && ln->run.eta == 1e-2 && ln->run.sigma == 1.0 && ln->run.project == 1, "lnsgd values");
		bw_spec_release(&s);
	}
	/* default budgets, and a steps formula at the automatic step */
	rc = load("d = 10; n = 5; kappa = 1; algorithms = { gd = {}; sgd = {}; label_noise_sgd = {};"
		  " riemannian_flow = {}; };",
		  &s);
	TU_CHECK(rc == BW_OK, "default budgets: %s", bw_error_message());
	if (rc == BW_OK) {
		TU_CHECK(find_task(&s, BW_GD, 10, 5)->run.max_steps == 1000000, "gd default 1e6 steps");
		TU_CHECK(find_task(&s, BW_SGD, 10, 5)->run.max_steps == 10000000, "sgd default 1e7 steps");
		TU_CHECK(find_task(&s, BW_LABEL_NOISE_SGD, 10, 5)->run.max_time == 1000.0, "lnsgd default time 1000 (a cap)");
		TU_CHECK(find_task(&s, BW_RIEMANNIAN_FLOW, 10, 5)->run.max_time == 10000.0, "flow default time 1e4 (a cap)");
		bw_spec_release(&s);
	}
	rc = load("d = 10; n = 5; kappa = 1; alpha = 2.0; algorithm = \"gd\";"
		  "steps = { scale = 3.0; eta_power = -1.0; };",
		  &s);
	TU_CHECK(rc == BW_OK, "auto-eta formula: %s", bw_error_message());
	if (rc == BW_OK) {
		const struct bw_task *t = &s.tasks[0];
		double eta = bw_eta_auto(&t->run, &t->inst);
		long want = (long)ceil(3.0 / eta * (1 - 1e-12));
		TU_CHECK(t->run.eta == 0 && t->run.max_steps == want, "steps = ceil(3/eta_auto) = %ld, got %ld", want,
			 t->run.max_steps);
		bw_spec_release(&s);
	}
	/* a real log range: 0.01 .. 100 in 5 */
	rc = load("d = 10; n = 5; kappa = 1; algorithm = \"gd\"; alpha = { log = [0.01, 100.0]; count = 5; };", &s);
	TU_CHECK(rc == BW_OK && s.ntasks == 5, "log alpha: %s", bw_error_message());
	if (rc == BW_OK) {
		double want[] = {0.01, 0.1, 1, 10, 100};
		int seen = 0;
		for (size_t i = 0; i < s.ntasks; i++)
			for (int k = 0; k < 5; k++)
				if (fabs(s.tasks[i].run.alpha - want[k]) <= 1e-12 * want[k])
					seen |= 1 << k;
		TU_CHECK(seen == 31, "log alpha values 0.01, 0.1, 1, 10, 100 (seen mask %d)", seen);
		int ends = 0;
		for (size_t i = 0; i < s.ntasks; i++)
			ends += s.tasks[i].run.alpha == 0.01 || s.tasks[i].run.alpha == 100.0;
		TU_CHECK(ends == 2, "log range ends are exact");
		bw_spec_release(&s);
	}
	/* instance fields, seeds, noise seed, order, totals, name */
	static const char fields_spec[] = "seed = 7; d = [20, 40]; n = [10, 20]; kappa = 3; seeds = [4, 9];"
					  "wstar = \"gaussian\"; design = \"gaussian\";"
					  "algorithms = { sgd = { batch = 2; eta = 1e-3; }; };";
	rc = load(fields_spec, &s);
	TU_CHECK(rc == BW_OK && s.ntasks == 8, "fields: %s", bw_error_message());
	if (rc == BW_OK) {
		int ok = 1, order = 1, seeds = 1, costs = 1;
		for (size_t i = 0; i < s.ntasks; i++) {
			const struct bw_task *t = &s.tasks[i];
			ok &= t->inst.sweep_seed == 7 && (t->inst.seed_index == 4 || t->inst.seed_index == 9) &&
			      t->inst.kappa == 3 && t->inst.design == BW_DESIGN_GAUSSIAN && t->inst.wstar == BW_WSTAR_GAUSSIAN &&
			      t->run.batch == 2 && t->run.eta == 1e-3 && t->run.algo == BW_SGD;
			/* the noise seed from the documented strings (instance.c, dynamics.c), hashed by refhash.h */
			char is[160], ns[96];
			snprintf(is, sizeof is, "bw-instance/1 seed=7 design=gaussian d=%zu kappa=3 wstar=gaussian index=%u",
				 t->inst.d, (unsigned)t->inst.seed_index);
			snprintf(ns, sizeof ns, "bw-noise/1 instance=%" PRIu64 " algo=sgd", ref_hash_str(is));
			seeds &= t->run.noise_seed == ref_hash_str(ns);
			/* spec.h's cost model by hand for sgd, B = 2, eta = 1e-3, tol = 1e-10, alpha = 1, budget 1e7:
			 * B d ceil(ln(1e10) / (eta lo)), lo = (16/n) max((sqrt d - sqrt n)^2, 1):
			 *   d 20 n 10: (sqrt 20 - sqrt 10)^2 = 30 - 20 sqrt 2 = 1.7157, lo 2.7452, 8388 steps -> 335520
			 *   d 20 n 20: max(0, 1) = 1, lo 0.8, ceil(28782.3) = 28783 steps -> 1151320
			 *   d 40 n 10: (sqrt 10)^2 = 10, lo 16, ceil(1439.1) = 1440 steps -> 115200
			 *   d 40 n 20: 60 - 40 sqrt 2 = 3.4315, lo 2.7452, 8388 steps -> 671040 */
			double want = t->inst.d == 20 ? (t->inst.n == 10 ? 335520 : 1151320) : (t->inst.n == 10 ? 115200 : 671040);
			costs &= t->cost == want;
			if (i && (s.tasks[i - 1].cost < t->cost ||
				  (s.tasks[i - 1].cost == t->cost && s.tasks[i - 1].key >= t->key)))
				order = 0;
		}
		TU_CHECK(ok, "task fields (sweep seed, seed index, design, wstar, batch, eta)");
		TU_CHECK(seeds, "noise seeds = hash of 'bw-noise/1 instance=<hash of the instance string> algo=sgd'");
		TU_CHECK(costs, "task costs = the cost model computed by hand");
		TU_CHECK(order, "tasks by descending cost, ties by ascending key");
		TU_REL(s.total_cost, 2 * (335520.0 + 1151320 + 115200 + 671040), 1e-12, "total_cost = 2 seeds x 4 costs");
		/* the largest instance, n 20 d 40 Gaussian, as bw_instance_init allocates it: Z n d doubles (6400 B),
		 * y n (160), w* and c d each (640), the index scratch d size_t (320), the support kappa <= d size_t
		 * (counted at d: 320) = 7840 */
		TU_CHECK(s.max_instance_bytes == 7840, "max_instance_bytes %zu, want 7840", s.max_instance_bytes);
		TU_CHECK(s.sweep_seed == 7, "sweep seed");
		TU_CHECK(!strcmp(s.name, "t") && !strcmp(s.path, "t.cfg"), "name from the file name: '%s'", s.name);
		TU_CHECK(!strcmp(s.text, fields_spec) && s.text_hash == ref_hash_str(fields_spec), "text and its hash");
		bw_spec_release(&s);
	}
	rc = load("name = \"fancy\"; d = 8; n = 8; kappa = 1; algorithm = \"gd\";", &s);
	TU_CHECK(rc == BW_OK && !strcmp(s.name, "fancy"), "the 'name' setting");
	if (rc == BW_OK)
		bw_spec_release(&s);
	/* costs grow with the budget and with d */
	struct bw_task a = {0}, b;
	a.inst = (struct bw_instance_spec){BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, 100, 50, 3, 0, 0};
	bw_run_params_default(&a.run, BW_LABEL_NOISE_SGD);
	a.run.eta = 1e-3;
	a.run.max_time = 1.0;
	b = a;
	b.run.max_time = 2.0;
	TU_CHECK(bw_task_cost(&b) > bw_task_cost(&a), "lnsgd cost grows with time");
	TU_REL(bw_task_cost(&b) - bw_task_cost(&a), 2e6 * 100, 1e-5, "lnsgd cost: d per step, 2/eta^2 steps per unit time");
	TU_CHECK(bw_task_bytes(&a) > bw_instance_bytes(BW_DESIGN_RADEMACHER, 50, 100), "task bytes include the instance");
}

static void check_golden(const char *spec, enum bw_algo algo, const char *canon, const char *hex)
{
	struct bw_spec s;
	int rc = load(spec, &s);
	TU_CHECK(rc == BW_OK && s.ntasks == 1, "golden %s: %s", bw_algo_name(algo), bw_error_message());
	if (rc != BW_OK)
		return;
	const struct bw_task *t = &s.tasks[0];
	char buf[BW_TASK_CANONICAL_MAX];
	TU_CHECK(bw_task_canonical(t, buf, sizeof buf) == BW_OK, "canonical fits");
	TU_CHECK(!strcmp(buf, canon), "canonical string\n  got  '%s'\n  want '%s'", buf, canon);
	TU_CHECK(t->key == ref_hash_str(canon), "key = hash of the canonical string (refhash.h)");
	char want_hex[17];
	snprintf(want_hex, sizeof want_hex, "%016" PRIx64, ref_hash_str(canon));
	TU_CHECK(!strcmp(t->key_hex, want_hex), "key_hex %s, want %s", t->key_hex, want_hex);
	TU_CHECK(!strcmp(t->key_hex, hex), "golden key %s, want %s (the hash or the canonical string changed)",
		 t->key_hex, hex);
	char small[40];
	TU_CHECK(bw_task_canonical(t, small, sizeof small) == BW_EINVAL, "a short buffer is refused");
	bw_spec_release(&s);
}

static void test_keys(void)
{
	check_golden("d = 20; n = 10; kappa = 2; seeds = [1]; alpha = 3; algorithm = \"gd\"; steps = 1000;"
		     "sigma = 2.0; batch = 4; project = false;",
		     BW_GD,
		     "bw-task/1 algo=gd design=rademacher wstar=signs d=20 n=10 kappa=2 sweep_seed=0 seed=1 alpha=3 "
		     "eta=auto steps=1000 time=0 eps=0.10000000000000001 tol=1e-10",
		     "a3c7cac4987bbeb5");
	check_golden("seed = 5; d = 64; n = 32; kappa = 4; seeds = [2]; design = \"gaussian\"; wstar = \"gaussian\";"
		     "algorithms = { label_noise_sgd = { alpha = 0.5; eta = 0.001; sigma = 0.5; time = 2.5;"
		     " project = false; eps = 0.05; }; };",
		     BW_LABEL_NOISE_SGD,
		     "bw-task/1 algo=label_noise_sgd design=gaussian wstar=gaussian d=64 n=32 kappa=4 sweep_seed=5 seed=2 "
		     "alpha=0.5 eta=0.001 sigma=0.5 steps=0 time=2.5 eps=0.050000000000000003 tol=1e-10 project=0 "
		     "stop=phi3",
		     "48d2128915353033");
	check_golden("d = 16; n = 16; kappa = 1; algorithms = { sgd = { batch = 4; eta = 0.01; steps = 5000; "
		     "tol = 1e-8; }; };",
		     BW_SGD,
		     "bw-task/1 algo=sgd design=rademacher wstar=signs d=16 n=16 kappa=1 sweep_seed=0 seed=0 alpha=1 "
		     "eta=0.01 batch=4 steps=5000 time=0 eps=0.10000000000000001 tol=1e-08",
		     "859ab224d520ca19");
	check_golden("d = 16; n = 8; kappa = 1; eta = 0.01; algorithms = { riemannian_flow = {}; };", BW_RIEMANNIAN_FLOW,
		     "bw-task/1 algo=riemannian_flow design=rademacher wstar=signs d=16 n=8 kappa=1 sweep_seed=0 seed=0 "
		     "alpha=1 steps=0 time=10000 eps=0.10000000000000001 tol=9.9999999999999995e-08 stop=stationary",
		     "ef865e337f4c2972");
	/* Before the stopping rules (stop=), the same two tasks had the canonical strings
	 *   ... alpha=0.5 eta=0.001 sigma=0.5 steps=0 time=2.5 eps=0.050000000000000003 tol=1e-10 project=0
	 *   ... alpha=1 steps=0 time=50 eps=0.10000000000000001 tol=9.9999999999999995e-08
	 * and the keys 082e756e0fe887b6 and 09051dc350dee08e (task.h: their outcomes
	 * came from the old rules, so those keys stay theirs and no new task gets them). */
	TU_CHECK(ref_hash_str("bw-task/1 algo=label_noise_sgd design=gaussian wstar=gaussian d=64 n=32 kappa=4 "
			      "sweep_seed=5 seed=2 alpha=0.5 eta=0.001 sigma=0.5 steps=0 time=2.5 "
			      "eps=0.050000000000000003 tol=1e-10 project=0") == 0x082e756e0fe887b6ULL,
		 "the old label_noise_sgd key is still the hash of its old canonical string");
	/* Under the rule "phi" (a check at every point of the schedule, before the
	 * checks' cost bound of "phi2") the same task was ... project=0 stop=phi,
	 * key 09fd520fa97264d9, which stays that rule's. */
	TU_CHECK(ref_hash_str("bw-task/1 algo=label_noise_sgd design=gaussian wstar=gaussian d=64 n=32 kappa=4 "
			      "sweep_seed=5 seed=2 alpha=0.5 eta=0.001 sigma=0.5 steps=0 time=2.5 "
			      "eps=0.050000000000000003 tol=1e-10 project=0 stop=phi") == 0x09fd520fa97264d9ULL,
		 "the label_noise_sgd key of rule phi is still the hash of its canonical string");
	/* Under the rule "phi2" (phi3's checks without its settled test) the
	 * same task was ... project=0 stop=phi2, key f4e9eaaf4726a3e0. */
	TU_CHECK(ref_hash_str("bw-task/1 algo=label_noise_sgd design=gaussian wstar=gaussian d=64 n=32 kappa=4 "
			      "sweep_seed=5 seed=2 alpha=0.5 eta=0.001 sigma=0.5 steps=0 time=2.5 "
			      "eps=0.050000000000000003 tol=1e-10 project=0 stop=phi2") == 0xf4e9eaaf4726a3e0ULL,
		 "the label_noise_sgd key of rule phi2 is still the hash of its canonical string");
}

/* eta_scale (issue 12 item 3): the key names eta_scale=X in place of eta=auto,
 * only for dynamics with a step; the step is X times the documented automatic
 * one (computed here from docs/model.md); eta and eta_scale exclude each
 * other in one level, a group's choice replaces the top level's. */
static void test_eta_scale(void)
{
	check_golden("d = 20; n = 10; kappa = 2; alpha = 0.5; algorithm = \"sgd\"; eta_scale = 2.5; steps = 100;",
		     BW_SGD,
		     "bw-task/1 algo=sgd design=rademacher wstar=signs d=20 n=10 kappa=2 sweep_seed=0 seed=0 alpha=0.5 "
		     "eta_scale=2.5 batch=1 steps=100 time=0 eps=0.10000000000000001 tol=1e-10",
		     "85ef10fe7304c483");
	/* the flow reads no step: a top-level eta_scale leaves its key as it was (the golden flow key above) */
	check_golden("d = 16; n = 8; kappa = 1; eta_scale = 3.0; algorithms = { riemannian_flow = {}; };",
		     BW_RIEMANNIAN_FLOW,
		     "bw-task/1 algo=riemannian_flow design=rademacher wstar=signs d=16 n=8 kappa=1 sweep_seed=0 seed=0 "
		     "alpha=1 steps=0 time=10000 eps=0.10000000000000001 tol=9.9999999999999995e-08 stop=stationary",
		     "ef865e337f4c2972");
	struct bw_spec s;
	int rc = load("d = [20, 40]; n = 16; kappa = 2; alpha = 0.5; eta_scale = [1.0, 2.0, 4.0];"
		      "algorithms = { gd = {}; sgd = {}; label_noise_sgd = {}; riemannian_flow = {}; };", &s);
	TU_CHECK(rc == BW_OK, "eta_scale grid: %s", bw_error_message());
	if (rc == BW_OK) {
		TU_CHECK(s.per_algo[BW_GD] == 6 && s.per_algo[BW_SGD] == 6 && s.per_algo[BW_LABEL_NOISE_SGD] == 6 &&
			 s.per_algo[BW_RIEMANNIAN_FLOW] == 2, "eta_scale multiplies the dynamics with a step only");
		for (size_t i = 0; i < s.ntasks; i++) {
			const struct bw_task *t = &s.tasks[i];
			double d = (double)t->inst.d, n = (double)t->inst.n, a = t->run.alpha, k = (double)t->inst.kappa;
			double want = t->run.algo == BW_GD ? 0.25 / ((16 / n) * fmax(a * a, 1) * pow(sqrt(n) + sqrt(d), 2))
							   : 0.25 / (8 * fmax(d * a * a, k));
			if (t->run.algo == BW_RIEMANNIAN_FLOW) {
				TU_CHECK(t->run.eta_scale == 0, "the flow takes no eta_scale");
				continue;
			}
			double got = bw_run_eta(&t->run, &t->inst);
			TU_CHECK(fabs(got - t->run.eta_scale * want) <= 1e-15 * want, "%s d=%zu: step %.17g, want %g x %.17g",
				 bw_algo_name(t->run.algo), t->inst.d, got, t->run.eta_scale, want);
		}
		bw_spec_release(&s);
	}
	/* a group's eta replaces the top level's eta_scale (and the other way round) */
	rc = load("d = 20; n = 10; kappa = 2; eta_scale = [2.0, 3.0]; algorithms = { gd = { eta = 0.01; }; sgd = {}; };",
		  &s);
	TU_CHECK(rc == BW_OK && s.per_algo[BW_GD] == 1 && s.per_algo[BW_SGD] == 2, "group eta over top eta_scale: %s",
		 bw_error_message());
	for (size_t i = 0; rc == BW_OK && i < s.ntasks; i++)
		if (s.tasks[i].run.algo == BW_GD)
			TU_CHECK(s.tasks[i].run.eta == 0.01 && s.tasks[i].run.eta_scale == 0, "gd keeps its own eta");
	if (rc == BW_OK)
		bw_spec_release(&s);
	expect_error("eta and eta_scale at the top", "d = 20; n = 10; kappa = 2;\neta = 0.01;\neta_scale = 2.0;\n"
		     "algorithm = \"gd\";", 3, "'eta' (line 2) and 'eta_scale' (line 3) exclude each other");
	expect_error("eta and eta_scale in a group", "d = 20; n = 10; kappa = 2;\nalgorithms = { sgd = {\n"
		     "eta_scale = 2.0;\neta = [0.01];\n}; };", 4, "'eta' (line 4) and 'eta_scale' (line 3) exclude");
	expect_error("eta_scale 0", "d = 20; n = 10; kappa = 2; algorithm = \"gd\";\neta_scale = 0.0;", 2,
		     "'eta_scale' must be > 0");
	expect_error("eta_scale above 1e6", "d = 20; n = 10; kappa = 2; algorithm = \"gd\";\neta_scale = [1.0, 2e6];", 2,
		     "'eta_scale' must be <= 1000000");
	expect_error("eta_scale in the flow's group", "d = 20; n = 10; kappa = 2;\nalgorithms = { riemannian_flow = {\n"
		     "eta_scale = 2.0; }; };", 3, "riemannian_flow does not read 'eta_scale'");
	char why[64];
	TU_CHECK(bw_spec_value_ok("eta_scale", 1e6, why, sizeof why) && !bw_spec_value_ok("eta_scale", 0, why, sizeof why),
		 "run-one shares the limits of eta_scale");
}

/* checkpoints = N (issue 12 item 8): in the key only when N != 10, for every dynamics */
static void test_checkpoints(void)
{
	check_golden("d = 20; n = 10; kappa = 2; seeds = [1]; alpha = 3; algorithm = \"gd\"; steps = 1000; checkpoints = 10;",
		     BW_GD,
		     "bw-task/1 algo=gd design=rademacher wstar=signs d=20 n=10 kappa=2 sweep_seed=0 seed=1 alpha=3 "
		     "eta=auto steps=1000 time=0 eps=0.10000000000000001 tol=1e-10",
		     "a3c7cac4987bbeb5");
	check_golden("d = 16; n = 8; kappa = 1; algorithms = { riemannian_flow = { checkpoints = 100; }; };",
		     BW_RIEMANNIAN_FLOW,
		     "bw-task/1 algo=riemannian_flow design=rademacher wstar=signs d=16 n=8 kappa=1 sweep_seed=0 seed=0 "
		     "alpha=1 steps=0 time=10000 eps=0.10000000000000001 tol=9.9999999999999995e-08 checkpoints=100 "
		     "stop=stationary",
		     "05b964e45216c71a");
	expect_counts("checkpoints list", "d = 20; n = 10; kappa = 2; checkpoints = [10, 100];"
		      "algorithms = { gd = {}; riemannian_flow = {}; };", 2, 0, 0, 2, 0);
	expect_error("checkpoints 0", "d = 20; n = 10; kappa = 2; algorithm = \"gd\";\ncheckpoints = 0;", 2,
		     "'checkpoints' must be >= 1");
	expect_error("checkpoints 1001", "d = 20; n = 10; kappa = 2; algorithm = \"gd\";\ncheckpoints = 1001;", 2,
		     "'checkpoints' must be <= 1000");
	expect_error("checkpoints 2.5", "d = 20; n = 10; kappa = 2; algorithm = \"gd\";\ncheckpoints = 2.5;", 2,
		     "'checkpoints' must be an integer");
}

/* noise_seeds (issue 12 item 2): noise=<k> in the key only for dynamics that read noise, only k != 0 */
static void test_noise_seeds(void)
{
	check_golden("d = 16; n = 16; kappa = 1; noise_seeds = [2]; algorithms = { sgd = { batch = 4; eta = 0.01; "
		     "steps = 5000; tol = 1e-8; }; };",
		     BW_SGD,
		     "bw-task/1 algo=sgd design=rademacher wstar=signs d=16 n=16 kappa=1 sweep_seed=0 seed=0 alpha=1 "
		     "eta=0.01 batch=4 steps=5000 time=0 eps=0.10000000000000001 tol=1e-08 noise=2",
		     "d50237973033ff1a");
	check_golden("d = 16; n = 16; kappa = 1; noise_seeds = [0]; algorithms = { sgd = { batch = 4; eta = 0.01; "
		     "steps = 5000; tol = 1e-8; }; };",
		     BW_SGD,
		     "bw-task/1 algo=sgd design=rademacher wstar=signs d=16 n=16 kappa=1 sweep_seed=0 seed=0 alpha=1 "
		     "eta=0.01 batch=4 steps=5000 time=0 eps=0.10000000000000001 tol=1e-08",
		     "859ab224d520ca19");
	expect_counts("noise_seeds count", "d = 20; n = 10; kappa = 2; seeds = 2; noise_seeds = 3;"
		      "algorithms = { gd = {}; sgd = {}; label_noise_sgd = {}; riemannian_flow = {}; };", 2, 6, 6, 2, 0);
	struct bw_spec s;
	if (load("d = 20; n = 10; kappa = 2; noise_seeds = [0, 7]; algorithm = \"label_noise_sgd\";", &s) == BW_OK) {
		for (size_t i = 0; i < s.ntasks; i++) {
			const struct bw_task *t = &s.tasks[i];
			uint64_t want = t->run.noise_index ? ref_noise_seed_k(ref_instance_seed(&t->inst), t->run.algo,
									       t->run.noise_index)
							   : ref_noise_seed(ref_instance_seed(&t->inst), t->run.algo);
			TU_CHECK(t->run.noise_seed == want, "noise stream %u: the documented string's hash", t->run.noise_index);
		}
		bw_spec_release(&s);
	}
	expect_error("noise_seeds 0", "d = 20; n = 10; kappa = 2; algorithm = \"sgd\";\nnoise_seeds = 0;", 2,
		     "'noise_seeds' (a count) must be >= 1");
	expect_error("noise_seeds in gd's group", "d = 20; n = 10; kappa = 2;\nalgorithms = { gd = {\n"
		     "noise_seeds = 2; }; };", 3, "gd does not read 'noise_seeds'");
}

/* schedule (issue 14 item 1): schedule=sharpness in the key only for the
 * dynamics that read it (label_noise_sgd) and only when it is not "constant";
 * its default time cap is 1000 (docs/model.md); a list is an axis. */
static void test_schedule(void)
{
	/* constant, given or not, is the old key (the golden label_noise_sgd key of test_keys) */
	check_golden("seed = 5; d = 64; n = 32; kappa = 4; seeds = [2]; design = \"gaussian\"; wstar = \"gaussian\";"
		     "algorithms = { label_noise_sgd = { alpha = 0.5; eta = 0.001; sigma = 0.5; time = 2.5;"
		     " project = false; eps = 0.05; schedule = \"constant\"; }; };",
		     BW_LABEL_NOISE_SGD,
		     "bw-task/1 algo=label_noise_sgd design=gaussian wstar=gaussian d=64 n=32 kappa=4 sweep_seed=5 seed=2 "
		     "alpha=0.5 eta=0.001 sigma=0.5 steps=0 time=2.5 eps=0.050000000000000003 tol=1e-10 project=0 "
		     "stop=phi3",
		     "48d2128915353033");
	check_golden("d = 128; n = 18; kappa = 4; alpha = 0.5; algorithm = \"label_noise_sgd\"; schedule = \"sharpness\";",
		     BW_LABEL_NOISE_SGD,
		     "bw-task/1 algo=label_noise_sgd design=rademacher wstar=signs d=128 n=18 kappa=4 sweep_seed=0 seed=0 "
		     "alpha=0.5 eta=auto sigma=1 steps=0 time=10000 eps=0.10000000000000001 tol=1e-10 project=1 "
		     "schedule=sharpness stop=phi3",
		     "28b0a470f072410c");
	/* a budget given is kept; with the other axes after noise and checkpoints */
	check_golden("d = 128; n = 18; kappa = 4; alpha = 0.5; noise_seeds = [3]; checkpoints = 20; eta_scale = 0.5;"
		     "time = 50.0; algorithms = { label_noise_sgd = { schedule = [\"sharpness\"]; }; };",
		     BW_LABEL_NOISE_SGD,
		     "bw-task/1 algo=label_noise_sgd design=rademacher wstar=signs d=128 n=18 kappa=4 sweep_seed=0 seed=0 "
		     "alpha=0.5 eta_scale=0.5 sigma=1 steps=0 time=50 eps=0.10000000000000001 tol=1e-10 project=1 noise=3 "
		     "checkpoints=20 schedule=sharpness stop=phi3",
		     "4fd8ead9970a52ae");
	/* gd does not read it: a top-level schedule leaves its key (the golden gd key) */
	check_golden("d = 20; n = 10; kappa = 2; seeds = [1]; alpha = 3; algorithm = \"gd\"; steps = 1000;"
		     "schedule = \"sharpness\";",
		     BW_GD,
		     "bw-task/1 algo=gd design=rademacher wstar=signs d=20 n=10 kappa=2 sweep_seed=0 seed=1 alpha=3 "
		     "eta=auto steps=1000 time=0 eps=0.10000000000000001 tol=1e-10",
		     "a3c7cac4987bbeb5");
	expect_counts("schedule list", "d = 20; n = 10; kappa = 2; schedule = [\"constant\", \"sharpness\"];"
		      "algorithms = { gd = {}; label_noise_sgd = {}; riemannian_flow = {}; };", 1, 2, 0, 1, 0);
	struct bw_spec s;
	if (load("d = 20; n = 10; kappa = 2; schedule = [\"constant\", \"sharpness\"]; algorithm = \"label_noise_sgd\";",
		 &s) == BW_OK) {
		int seen[2] = {0, 0};
		for (size_t i = 0; i < s.ntasks; i++) {
			const struct bw_task *t = &s.tasks[i];
			seen[t->run.schedule == BW_SCHEDULE_SHARPNESS]++;
			TU_CHECK(t->run.max_time == (t->run.schedule == BW_SCHEDULE_SHARPNESS ? 10000 : 1000),
				 "default time cap %g under %s", t->run.max_time, bw_schedule_name(t->run.schedule));
		}
		TU_CHECK(seen[0] == 1 && seen[1] == 1, "one task per schedule");
		bw_spec_release(&s);
	}
	expect_error("schedule misspelt", "d = 20; n = 10; kappa = 2; algorithm = \"label_noise_sgd\";\nschedule = \"sharpnes\";",
		     2, "unknown schedule 'sharpnes' (did you mean 'sharpness'?)");
	expect_error("schedule a number", "d = 20; n = 10; kappa = 2; algorithm = \"label_noise_sgd\";\nschedule = 1;", 2,
		     "'schedule' must be a schedule name");
	expect_error("schedule in a list", "d = 20; n = 10; kappa = 2; algorithm = \"label_noise_sgd\";\nschedule = [\"constant\",\n\"steep\"];",
		     3, "unknown schedule 'steep'");
	expect_error("schedule in gd's group", "d = 20; n = 10; kappa = 2;\nalgorithms = { gd = {\n"
		     "schedule = \"sharpness\"; }; };", 3, "gd does not read 'schedule' (only label_noise_sgd does)");
	expect_error("schedule range", "d = 20; n = 10; kappa = 2; algorithm = \"label_noise_sgd\";\nschedule = { lin = [0, 1]; count = 2; };",
		     2, "'schedule' takes no range");
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return (a > b) - (a < b);
}

/* Keys of spec a and spec b (restricted to algorithm `only` unless it is -1) are the same set. */
static int same_keys(const char *a, const char *b, int only, int *na)
{
	struct bw_spec s, t;
	*na = 0;
	if (load(a, &s) != BW_OK) {
		printf("  %s\n", bw_error_message());
		return 0;
	}
	if (load(b, &t) != BW_OK) {
		printf("  %s\n", bw_error_message());
		bw_spec_release(&s);
		return 0;
	}
	uint64_t *ka = calloc(s.ntasks + 1, 8), *kb = calloc(t.ntasks + 1, 8);
	size_t la = 0, lb = 0;
	for (size_t i = 0; i < s.ntasks; i++)
		if (only < 0 || s.tasks[i].run.algo == (enum bw_algo)only)
			ka[la++] = s.tasks[i].key;
	for (size_t i = 0; i < t.ntasks; i++)
		if (only < 0 || t.tasks[i].run.algo == (enum bw_algo)only)
			kb[lb++] = t.tasks[i].key;
	qsort(ka, la, 8, cmp_u64);
	qsort(kb, lb, 8, cmp_u64);
	int same = la == lb && !memcmp(ka, kb, la * 8);
	/* the whole order (cost, then key) is the same too */
	if (same && only < 0)
		for (size_t i = 0; i < s.ntasks; i++)
			same &= s.tasks[i].key == t.tasks[i].key;
	*na = (int)la;
	free(ka);
	free(kb);
	bw_spec_release(&s);
	bw_spec_release(&t);
	return same;
}

static void test_key_independence(void)
{
	int n;
	const char *a = "name = \"first\";\n"
			"d = [20, 40]; n = [10, 20]; kappa = 2; seeds = 2;\n"
			"algorithms = {\n"
			"  gd = { alpha = 3.0; steps = 2000; };\n"
			"  label_noise_sgd = { eta = [1e-3, 2e-3]; time = 1.0; };\n"
			"  sgd = { batch = [1, 4]; };\n"
			"  riemannian_flow = { time = 5.0; };\n"
			"};\n";
	const char *b = "algorithms = {\n"
			"  riemannian_flow = { time = 5.0; };\n"
			"  sgd = { batch = [4, 1]; };\n"
			"  label_noise_sgd = { time = 1.0; eta = [2e-3, 1e-3]; };\n"
			"  gd = { steps = 2000; alpha = 3.0; };\n"
			"};\n"
			"seeds = [1, 0]; kappa = 2; n = [20, 10]; d = [40, 20];\n"
			"name = \"second\";\n";
	TU_CHECK(same_keys(a, b, -1, &n) && n == 8 + 16 + 16 + 8, "permuted settings and another name: same keys (%d)", n);
	/* a different sweep seed changes every key */
	const char *c = "seed = 1; d = [20, 40]; n = [10, 20]; kappa = 2; seeds = 2; algorithms = { gd = { alpha = 3.0;"
			" steps = 2000; }; };";
	const char *c0 = "seed = 0; d = [20, 40]; n = [10, 20]; kappa = 2; seeds = 2; algorithms = { gd = { alpha = 3.0;"
			 " steps = 2000; }; };";
	TU_CHECK(!same_keys(c, c0, -1, &n), "the sweep seed enters the key");
	/* parameters an algorithm does not read leave its keys alone */
	const char *plain = "d = 20; n = 10; kappa = 2; algorithm = [\"gd\", \"sgd\", \"riemannian_flow\", "
			    "\"label_noise_sgd\"];";
	const char *noisy = "d = 20; n = 10; kappa = 2; algorithm = [\"gd\", \"sgd\", \"riemannian_flow\", "
			    "\"label_noise_sgd\"]; sigma = [0.5, 2.0]; batch = [2, 3]; eta = [1e-3, 1e-2]; project = false;";
	TU_CHECK(same_keys(plain, noisy, BW_RIEMANNIAN_FLOW, &n) && n == 1, "flow ignores eta, sigma, batch, project");
	TU_CHECK(!same_keys(plain, noisy, BW_GD, &n), "gd reads eta");
	const char *eta_only = "d = 20; n = 10; kappa = 2; eta = 1e-3; algorithm = [\"gd\"]; ";
	const char *eta_more = "d = 20; n = 10; kappa = 2; eta = 1e-3; algorithm = [\"gd\"]; sigma = 3.0; batch = 5;"
			       "project = false;";
	TU_CHECK(same_keys(eta_only, eta_more, BW_GD, &n) && n == 1, "gd ignores sigma, batch, project");
	const char *sgd1 = "d = 20; n = 10; kappa = 2; algorithm = \"sgd\"; batch = 2;";
	const char *sgd2 = "d = 20; n = 10; kappa = 2; algorithm = \"sgd\"; batch = 2; sigma = 0.1; project = false;";
	TU_CHECK(same_keys(sgd1, sgd2, BW_SGD, &n) && n == 1, "sgd ignores sigma, project");
}

static void test_errors(void)
{
	const char *base = "d = 20;\nn = 10;\nkappa = 2;\n"; /* lines 1-3 */
	char buf[1024];
#define ERR(what, tail, line, phrase)                        \
	do {                                                 \
		snprintf(buf, sizeof buf, "%s%s", base, tail); \
		expect_error(what, buf, line, phrase);       \
	} while (0)
	ERR("eta in the flow", "algorithms = {\n  riemannian_flow = {\n    eta = 1e-3;\n  };\n};\n", 6,
	    "riemannian_flow does not read 'eta'");
	ERR("sigma in gd", "algorithms = {\n gd = { sigma = 1.0; };\n};\n", 5, "gd does not read 'sigma'");
	ERR("batch in lnsgd", "algorithms = {\n label_noise_sgd = {\n batch = 2; }; };\n", 6,
	    "label_noise_sgd does not read 'batch'");
	ERR("project in sgd", "algorithms = {\n sgd = {\n project = true; }; };\n", 6, "sgd does not read 'project'");
	expect_error("typo with suggestion", "d = 20;\nn = 10;\nkapa = 2;\nalgorithm = \"gd\";\n", 3,
		     "unknown setting 'kapa' (did you mean 'kappa'?)");
	ERR("typo in a group", "algorithms = {\n gd = {\n  alhpa = 1.0; }; };\n", 6, "did you mean 'alpha'?");
	ERR("unknown key, no near name", "algorithm = \"gd\";\nfoo_bar_baz = 1;\n", 5, "unknown setting 'foo_bar_baz'");
	ERR("eta 0", "algorithm = \"gd\";\neta = 0.0;\n", 5, "'eta' must be > 0");
	ERR("eta < 0", "algorithm = \"gd\";\n\neta = -1e-3;\n", 6, "'eta' must be > 0");
	ERR("alpha 0", "algorithm = \"gd\";\nalpha = 0.0;\n", 5, "'alpha' must be > 0");
	expect_error("d 0", "algorithm = \"gd\";\nd = 0;\nn = 1; kappa = 1;\n", 2, "'d' must be >= 1");
	expect_error("n element 0", "algorithm = \"gd\";\nd = 5; kappa = 1;\nn = [10,\n 0];\n", 4, "'n' must be >= 1");
	expect_error("kappa 0", "algorithm = \"gd\";\nd = 5; n = 5;\nkappa = [1, 0];\n", 3, "'kappa' must be >= 1");
	ERR("count 0", "algorithm = \"gd\";\nalpha = { lin = [1.0, 2.0];\n  count = 0; };\n", 6, "'count' must be >= 1");
	ERR("log lo 0", "algorithm = \"gd\";\nalpha = { log = [0.0, 2.0]; count = 3; };\n", 5, "log ranges need lo > 0");
	ERR("lo > hi", "algorithm = \"gd\";\nalpha = { lin = [3.0, 2.0]; count = 3; };\n", 5, "lo <= hi");
	ERR("eps 0", "algorithm = \"gd\";\neps = 0.0;\n", 5, "'eps' must be > 0");
	ERR("sigma 0", "algorithm = \"label_noise_sgd\";\nsigma = 0.0;\n", 5, "'sigma' must be > 0");
	ERR("batch 0", "algorithm = \"sgd\";\nbatch = 0;\n", 5, "'batch' must be >= 1");
	ERR("steps 0", "algorithm = \"sgd\";\nsteps = 0;\n", 5, "'steps' must be >= 1");
	ERR("time 0", "algorithm = \"sgd\";\ntime = 0.0;\n", 5, "'time' must be > 0");
	ERR("tol 0", "algorithm = \"sgd\";\ntol = 0.0;\n", 5, "'tol' must be > 0");
	ERR("seeds 0", "algorithm = \"sgd\";\nseeds = 0;\n", 5, "'seeds' (a count) must be >= 1");
	ERR("seed index < 0", "algorithm = \"sgd\";\nseeds = [0, -1];\n", 5, "'seeds' must be >= 0");
	ERR("sweep seed < 0", "algorithm = \"sgd\";\nseed = -1;\n", 5, "'seed' (the sweep seed) must be >= 0");
	ERR("unknown algorithm", "\nalgorithm = \"gdd\";\n", 5, "unknown algorithm 'gdd' (did you mean 'gd'?)");
	ERR("unknown algorithm group", "algorithms = {\n  sgdd = { };\n};\n", 5,
	    "unknown algorithm 'sgdd' (did you mean 'sgd'?)");
	ERR("far algorithm name", "algorithm = [\"gd\",\n \"newton\"];\n", 5, "expected one of: gd, label_noise_sgd");
	ERR("unknown design", "algorithm = \"gd\";\ndesign = \"rademaker\";\n", 5,
	    "unknown design 'rademaker' (did you mean 'rademacher'?)");
	ERR("unknown wstar", "algorithm = \"gd\";\nwstar = \"sign\";\n", 5, "did you mean 'signs'?");
	ERR("empty list", "algorithm = \"gd\";\nalpha = [];\n", 5, "'alpha' is an empty list");
	ERR("empty algorithm list", "algorithm = [];\n", 4, "'algorithm' is an empty list");
	expect_error("string for an integer", "algorithm = \"gd\";\nn = 5; kappa = 1;\nd = \"20\";\n", 3,
		     "'d' must be an integer");
	expect_error("fraction for an integer", "algorithm = \"gd\";\nn = 5; kappa = 1;\nd = 2.5;\n", 3,
		     "'d' must be an integer (got 2.5)");
	ERR("number for a design", "algorithm = \"gd\";\ndesign = 1;\n", 5, "'design' must be a design name");
	ERR("range of designs", "algorithm = \"gd\";\ndesign = { lin = [1, 2]; count = 2; };\n", 5,
	    "'design' takes no range");
	ERR("group for algorithms entry", "algorithms = {\n gd = 3;\n};\n", 5, "'algorithms.gd' must be a group");
	ERR("project not bool", "algorithm = \"label_noise_sgd\";\nproject = 1;\n", 5, "'project' must be true or false");
	ERR("lin and log", "algorithm = \"gd\";\nalpha = { lin = [1.0, 2.0]; log = [1.0, 2.0]; count = 2; };\n", 5,
	    "not both");
	ERR("range without count", "algorithm = \"gd\";\nalpha = { lin = [1.0, 2.0]; };\n", 5, "needs 'count'");
	ERR("range typo", "algorithm = \"gd\";\nalpha = { lin = [1.0, 2.0];\n cont = 2; };\n", 6,
	    "did you mean 'count'?");
	ERR("range pair", "algorithm = \"gd\";\nalpha = { lin = [1.0, 2.0, 3.0]; count = 2; };\n", 5, "must be [lo, hi]");
	ERR("formula typo", "algorithm = \"gd\";\nsteps = { scael = 2.0; };\n", 5, "did you mean 'scale'?");
	ERR("formula scale", "algorithm = \"gd\";\nsteps = { scale = -2.0; };\n", 5, "'scale' in the budget formula");
	ERR("flow without a step", "steps = { scale = 1.0;\n eta_power = -1.0; };\nalgorithms = { riemannian_flow = {}; };\n",
	    4, "riemannian_flow has no step size");
	ERR("max_n_over_d 0", "algorithm = \"gd\";\nmax_n_over_d = 0.0;\n", 5, "'max_n_over_d' must be > 0");
	ERR("max_n_over_d typo", "algorithms = { gd = {\n max_n_over = 1.0; }; };\n", 5, "did you mean 'max_n_over_d'?");
	ERR("seed in a group", "algorithms = { gd = {\n seed = 3; }; };\n", 5, "'seed' is only allowed at the top level");
	ERR("list of lists", "algorithm = \"gd\";\nalpha = ([1.0], [2.0]);\n", 5, "single values");
	ERR("mixed array (libconfig)", "algorithm = \"gd\";\nalpha = [1,\n 2.5];\n", 6, "mismatched element type");
	ERR("syntax error (libconfig)", "algorithm = \"gd\";\nalpha = ;\n", 5, "syntax error");
	ERR("include", "algorithm = \"gd\";\n  @include \"other.cfg\"\n", 5, "@include is not supported");
	ERR("name not a string", "algorithm = \"gd\";\nname = 3;\n", 5, "'name' must be a string");
	expect_error("d missing", "n = 10;\nkappa = 2;\nalgorithm = \"gd\";\n", 0, "'d' is not set for gd");
	expect_error("d missing in a group", "n = 10;\nkappa = 2;\nalgorithms = {\n gd = {}; };\n", 4,
		     "'d' is not set for gd");
	ERR("no algorithm", "alpha = 1.0;\n", 0, "no algorithm to run");
	expect_error("too many tasks",
		     "algorithm = \"gd\"; kappa = 1;\nd = { lin = [100, 10099]; count = 10000; };\n"
		     "n = { lin = [100, 1100]; count = 1001; };\n",
		     0, "more than 10000000 tasks");
	expect_error("too many points",
		     "algorithm = \"gd\"; kappa = 1;\nd = { lin = [100, 100099]; count = 100000; };\n"
		     "n = { lin = [100, 10099]; count = 10000; };\n",
		     0, "points, more than");
#undef ERR
	struct bw_spec s;
	bw_error_clear();
	int rc = bw_spec_load("/nonexistent/dir/x.cfg", &s);
	TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "cannot open spec '/nonexistent/dir/x.cfg'"),
		 "missing file: rc %d '%s'", rc, bw_error_message());
}


/* The distinct alpha values of a spec's tasks, ascending (at most max). */
static size_t alphas(const struct bw_spec *s, double *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < s->ntasks; i++) {
		size_t j = 0;
		while (j < k && out[j] != s->tasks[i].run.alpha)
			j++;
		if (j == k && k < max)
			out[k++] = s->tasks[i].run.alpha;
	}
	for (size_t i = 1; i < k; i++) /* insertion sort */
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			double t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return k;
}

/* Log and lin ranges: every value finite, strictly increasing, the ends
 * exact, against closed forms (decimal powers parsed by strtod; long double
 * arithmetic); existing ranges keep their exact doubles (task keys). */
static void test_ranges(void)
{
	static double v[1000];
	struct bw_spec s;
	char text[256];
	/* 1e-300 .. 1e300: the ratio hi/lo overflows.  Count 601 puts the values at
	 * 10^(i - 300).  eta is given: an automatic step at alpha = 1e300 is 0. */
	for (int c = 0; c < 2; c++) {
		int count = c ? 601 : 3, step = c ? 1 : 300;
		snprintf(text, sizeof text,
			 "algorithm = \"gd\"; d = 8; n = 4; kappa = 1; eta = 1e-3; steps = 10;\n"
			 "alpha = { log = [1e-300, 1e300]; count = %d; };\n", count);
		int rc = load(text, &s);
		TU_CHECK(rc == BW_OK, "log range 1e-300..1e300 count %d loads: %s", count, bw_error_message());
		if (rc != BW_OK)
			continue;
		size_t k = alphas(&s, v, 1000);
		TU_CHECK(k == (size_t)count, "count %d: %zu distinct values (interior points collapsed?)", count, k);
		TU_CHECK(k && v[0] == 1e-300 && v[k - 1] == 1e300, "count %d: the ends are exact (%.17g, %.17g)", count,
			 v[0], k ? v[k - 1] : 0);
		int finite = 1, increasing = 1;
		for (size_t i = 0; i < k; i++) {
			finite &= isfinite(v[i]);
			increasing &= i == 0 || v[i] > v[i - 1];
			char dec[16];
			snprintf(dec, sizeof dec, "1e%d", -300 + (int)i * step);
			/* exp(log lo + (log hi - log lo) i / m): six roundings of numbers below 1400 in
			 * the exponent, each <= 1400 * 2^-53 = 1.6e-13 absolute, so < 1e-12 relative */
			TU_REL(v[i], strtod(dec, NULL), 1e-12, dec);
		}
		TU_CHECK(finite && increasing, "count %d: every value finite and strictly increasing", count);
		TU_CHECK(isfinite(s.total_cost), "count %d: finite total cost (%g)", count, s.total_cost);
		bw_spec_release(&s);
	}
	/* lin over most of the double range: (hi - lo) * i overflows */
	int rc = load("algorithm = \"gd\"; d = 8; n = 4; kappa = 1; eta = 1e-3; steps = 10;\n"
		      "alpha = { lin = [1.0, 1.6e308]; count = 5; };\n", &s);
	TU_CHECK(rc == BW_OK, "lin range 1..1.6e308 loads: %s", bw_error_message());
	if (rc == BW_OK) {
		size_t k = alphas(&s, v, 1000);
		TU_CHECK(k == 5, "lin 1..1.6e308: %zu distinct values, want 5", k);
		for (size_t i = 0; i < k; i++) {
			long double want = 1.0L + (1.6e308L - 1.0L) * (long double)i / 4.0L;
			char what[32];
			snprintf(what, sizeof what, "lin value %zu", i);
			TU_CHECK(isfinite(v[i]) && (i == 0 || v[i] > v[i - 1]), "%s finite, increasing (%g)", what, v[i]);
			TU_REL(v[i], (double)want, 4 * DBL_EPSILON, what);
		}
		bw_spec_release(&s);
	}
	/* the doubles of ordinary log ranges, as the binary before this change expanded
	 * them (plan --list): task keys depend on them bit for bit */
	static const double golden_alpha[] = {0.001, 0.0046415888336127798, 0.021544346900318843, 0.10000000000000005,
					      0.4641588833612782, 2.1544346900318874, 10};
	static const double golden_eta[] = {3.0000000000000001e-05, 0.00056462161732861711, 0.010626585691826109,
					    0.20000000000000001};
	rc = load("algorithm = \"gd\"; d = 8; n = 4; kappa = 1; steps = 10;\n"
		  "alpha = { log = [1e-3, 10.0]; count = 7; };\neta = { log = [3e-5, 0.2]; count = 4; };\n", &s);
	TU_CHECK(rc == BW_OK && s.ntasks == 28, "golden log ranges load (%zu tasks): %s", s.ntasks, bw_error_message());
	if (rc == BW_OK) {
		size_t k = alphas(&s, v, 1000);
		TU_CHECK(k == 7, "golden alpha: %zu values", k);
		for (size_t i = 0; i < k && i < 7; i++)
			TU_CHECK(v[i] == golden_alpha[i], "alpha %zu is %.17g, was %.17g", i, v[i], golden_alpha[i]);
		for (size_t e = 0; e < 4; e++) {
			int found = 0;
			for (size_t i = 0; i < s.ntasks; i++)
				found |= s.tasks[i].run.eta == golden_eta[e];
			TU_CHECK(found, "eta %.17g is still a value of the range", golden_eta[e]);
		}
		bw_spec_release(&s);
	}
	/* an automatic step that underflows is refused at alpha's line, not run with eta = 0 */
	expect_error("auto step 0", "algorithm = \"label_noise_sgd\";\nd = 8; n = 4; kappa = 1;\n"
		     "alpha = { log = [1e-300, 1e300]; count = 3; };\n", 3, "'alpha' = 1e+300 is too large");
	expect_error("flow start at alpha 1e200", "algorithm = \"riemannian_flow\";\nd = 8; n = 4; kappa = 1;\n"
		     "alpha = 1e200;\n", 3, "gd's automatic step underflows to 0");
}

/* The sweep's name names files: what it may be, with the setting's line. */
static void test_names(void)
{
	const char *base = "algorithm = \"gd\"; d = 8; n = 4; kappa = 1; steps = 10;\n";
	char text[1024], name[200];
	struct {
		const char *what, *name, *phrase;
	} bad[] = {
		{"'.'", ".", "not '.' or '..'"},
		{"'..'", "..", "not '.' or '..'"},
		{"RLO U+202E", "abc\xe2\x80\xae" "gfp.exe", "bidirectional"},
		{"LRI U+2066", "\xe2\x81\xa6x", "bidirectional"},
		{"RLM U+200F", "x\xe2\x80\x8f", "bidirectional"},
		{"invalid UTF-8", "caf\xe9", "valid UTF-8"},
		{"overlong '/'", "a\xc0\xaf" "b", "valid UTF-8"},
		{"a surrogate", "a\xed\xa0\x80", "valid UTF-8"},
		{"C1 control U+0085", "a\xc2\x85" "b", "control characters"},
		{"DEL", "a\x7f" "b", "control characters"},
		{"tab", "a\\tb", "control characters"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "%sname = \"%s\";\n", base, bad[i].name);
		expect_error(bad[i].what, text, 2, bad[i].phrase);
	}
	memset(name, 'x', 129);
	name[129] = 0;
	snprintf(text, sizeof text, "%sname = \"%s\";\n", base, name);
	expect_error("129 bytes", text, 2, "1 to 128 bytes (it has 129)");
	name[128] = 0;
	snprintf(text, sizeof text, "%sname = \"%s\";\n", base, name);
	struct bw_spec s;
	int rc = load(text, &s);
	TU_CHECK(rc == BW_OK && strlen(s.name) == 128 && s.name_line == 2, "a 128-byte name is a name: %s",
		 bw_error_message());
	if (rc == BW_OK)
		bw_spec_release(&s);
	snprintf(text, sizeof text, "%sname = \"r\xc3\xa9sum\xc3\xa9-\xcf\x83.v2\";\n", base);
	rc = load(text, &s);
	TU_CHECK(rc == BW_OK, "a UTF-8 name with '.' inside is a name: %s", bw_error_message());
	if (rc == BW_OK)
		bw_spec_release(&s);
	/* without 'name' the file name is the name, under the same rule (no line) */
	bw_error_clear();
	rc = bw_spec_load_string("jobs/..cfg", base, &s);
	TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "jobs/..cfg: the file name") &&
		 strstr(bw_error_message(), "not '.' or '..'"),
		 "file '..cfg' (name '.'): rc %d '%s'", rc, bw_error_message());
	memset(name, 'y', 140);
	memcpy(name + 140, ".cfg", 5);
	bw_error_clear();
	rc = bw_spec_load_string(name, base, &s);
	TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "1 to 128 bytes (it has 140)"),
		 "a 140-byte file name: rc %d '%s'", rc, bw_error_message());
}

/* bw_spec_admit and bw_task_admit: the checks plan, run and run-one share. */
static void test_admission(void)
{
	struct bw_spec s;
	struct bw_admission a;
	/* memory: gd d = 1e9, n = 1 needs n d 9 + 8 (n + 3d) + 8 d + 256 checkpoints + 3 d 8 + 8 (n + d)
	 * bytes = 9e9 + 2.4e10 + 8e9 + 2.4e10 + 8e9 (+ small) = 7.3e10 = 68.0 GiB */
	int rc = load("algorithm = \"gd\"; d = 1000000000; n = 1; kappa = 1; steps = 1;", &s);
	TU_CHECK(rc == BW_OK, "gd d=1e9 n=1 loads: %s", bw_error_message());
	if (rc == BW_OK) {
		struct bw_admit_opts o = {1073741824.0, NULL};
		bw_error_clear();
		rc = bw_spec_admit(&s, &o, &a);
		TU_CHECK(rc == BW_EINVAL && !strcmp(bw_error_message(), "t.cfg: the largest task (gd d=1000000000 n=1) "
						    "needs 68.0 GiB, more than the memory limit per rank 1.0 GiB"),
			 "68 GiB over 1 GiB: rc %d '%s'", rc, bw_error_message());
		o.memory_limit = 1e11;
		rc = bw_spec_admit(&s, &o, &a);
		TU_CHECK(rc == BW_OK && a.largest == &s.tasks[0] && a.memory_limit == 1e11 &&
			 fabs((double)a.bytes - 7.3e10) < 1e6,
			 "68 GiB under 1e11 bytes: rc %d, %zu bytes", rc, a.bytes);
		o.memory_limit = 0;
		bw_error_clear();
		rc = bw_spec_admit(&s, &o, &a);
		TU_CHECK(rc == BW_OK ? bw_memory_limit_default() >= 7.3e10
				     : strstr(bw_error_message(), "(physical memory / cores; --memory-limit overrides)") != NULL,
			 "the default limit: rc %d '%s'", rc, bw_error_message());
		/* run-one's per-task admission: the same rule and wording */
		bw_error_clear();
		rc = bw_task_admit(&s.tasks[0], 1073741824.0);
		TU_CHECK(rc == BW_EINVAL && !strcmp(bw_error_message(), "the task (gd d=1000000000 n=1) needs 68.0 GiB, "
						    "more than the memory limit per rank 1.0 GiB"),
			 "bw_task_admit: rc %d '%s'", rc, bw_error_message());
		bw_spec_release(&s);
	}
	/* a cost that is not finite: eta^2 underflows, the time budget needs infinitely many steps */
	rc = load("algorithm = \"label_noise_sgd\"; d = 8; n = 4; kappa = 1; eta = 1e-200;", &s);
	if (TU_CHECK_OK(rc)) {
		bw_error_clear();
		rc = bw_spec_admit(&s, NULL, NULL);
		TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "has no finite cost estimate"),
			 "infinite cost: rc %d '%s'", rc, bw_error_message());
		bw_spec_release(&s);
	}
	/* each cost finite, their sum not: 200 tasks of 8 * ceil(min(1e5, 5) / (1e-306 / 2)) = 8e307
	 * (the cost counts the steps to the typical stopping time 5, task.h) */
	rc = load("algorithm = \"label_noise_sgd\"; d = 8; n = 4; kappa = 1; eta = 1e-153; time = 1e5;\n"
		  "project = false; seeds = 200;", &s);
	if (TU_CHECK_OK(rc)) {
		TU_CHECK(isfinite(s.tasks[0].cost) && s.tasks[0].cost > 1e306, "one task costs %g", s.tasks[0].cost);
		bw_error_clear();
		rc = bw_spec_admit(&s, NULL, NULL);
		TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "t.cfg: the estimated cost of the grid overflows"),
			 "cost sum overflow: rc %d '%s'", rc, bw_error_message());
		bw_spec_release(&s);
	}
	/* file names derived from the catalog and the name fit NAME_MAX = 255 */
	char text[512], cat[600];
	char name[129];
	memset(name, 'n', 128);
	name[128] = 0;
	snprintf(text, sizeof text, "algorithm = \"gd\"; d = 8; n = 4; kappa = 1; steps = 10;\nname = \"%s\";\n", name);
	rc = load(text, &s);
	if (TU_CHECK_OK(rc)) {
		/* <catalog>-<name>-<run>-shard<i>.h5 with 19 + 10 digits: 14 + 1 + 128 + 1 + 19 + 6 + 10 + 3 = 182 */
		struct bw_admit_opts o = {1e12, "results/catalog.sqlite"};
		rc = bw_spec_admit(&s, &o, NULL);
		TU_CHECK(rc == BW_OK, "128-byte name, results/catalog.sqlite: %s", bw_error_message());
		o.catalog = "results/shards/x/shard-4294967295.sqlite"; /* slurm/submit's shard catalogs: 191 */
		rc = bw_spec_admit(&s, &o, NULL);
		TU_CHECK(rc == BW_OK, "128-byte name, a shard catalog: %s", bw_error_message());
		/* a catalog name of 81 bytes: 81 + 1 + 128 + 1 + 19 + 6 + 10 + 3 = 249 fits, 88 gives 256 */
		for (int len = 81; len <= 88; len += 7) {
			snprintf(cat, sizeof cat, "results/%0*d.sqlite", len - 7, 0);
			o.catalog = cat;
			bw_error_clear();
			rc = bw_spec_admit(&s, &o, NULL);
			if (len == 81)
				TU_CHECK(rc == BW_OK, "catalog name of 81 bytes fits: %s", bw_error_message());
			else
				TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "t.cfg:2: the trajectory files") &&
					 strstr(bw_error_message(), "up to 256 bytes"),
					 "catalog name of 88 bytes: rc %d '%s'", rc, bw_error_message());
		}
		/* the catalog's own sidecar: 248 + "-journal" = 256 */
		snprintf(cat, sizeof cat, "%0241d.sqlite", 0);
		o.catalog = cat;
		bw_error_clear();
		rc = bw_spec_admit(&s, &o, NULL);
		TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "with '-journal'"),
			 "catalog name of 248 bytes: rc %d '%s'", rc, bw_error_message());
		bw_spec_release(&s);
	}
	/* the limits a spec's axes share with run-one */
	char why[64];
	TU_CHECK(bw_spec_value_ok("steps", 1e15, why, sizeof why), "steps 1e15 is allowed");
	TU_CHECK(!bw_spec_value_ok("steps", 9223372036854775807.0, why, sizeof why) &&
		 !strcmp(why, "must be <= 1000000000000000"), "steps 2^63 - 1: '%s'", why);
	TU_CHECK(!bw_spec_value_ok("d", 0, why, sizeof why) && !strcmp(why, "must be >= 1"), "d 0: '%s'", why);
	TU_CHECK(!bw_spec_value_ok("alpha", 0, why, sizeof why) && !strcmp(why, "must be > 0"), "alpha 0: '%s'", why);
	TU_CHECK(!bw_spec_value_ok("seeds", 4294967296.0, why, sizeof why), "seed index 2^32");
	TU_CHECK(!bw_spec_value_ok("design", 0, why, sizeof why), "design is not a numeric axis");
}

static void test_shipped(void)
{
	const char *root = getenv("SOURCE_ROOT");
	TU_CHECK(root != NULL, "SOURCE_ROOT is set (meson test sets it)");
	if (!root)
		return;
	const char *names[] = {"smoke", "default", "paper"};
	for (int i = 0; i < 3; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/jobs/%s.cfg", root, names[i]);
		struct bw_spec s;
		bw_error_clear();
		int rc = bw_spec_load(path, &s);
		TU_CHECK(rc == BW_OK, "%s: %s", path, bw_error_message());
		if (rc != BW_OK)
			continue;
		/* every dynamics; the control gaussian_noise_gd runs in default.cfg only
		 * (smoke's 40 tasks are counted by the merge tests) */
		int all = 1;
		for (int a = 0; a < BW_ALGO_COUNT; a++)
			all &= s.per_algo[a] + s.per_algo_search[a] > 0 ||
			       (strcmp(names[i], "default") && !strcmp(bw_algo_name((enum bw_algo)a), "gaussian_noise_gd"));
		TU_CHECK(all, "%s runs every dynamics", names[i]);
		TU_CHECK(!strcmp(s.name, names[i]), "%s: name '%s'", names[i], s.name);
		if (i == 0)
			TU_CHECK(s.ntasks >= 20 && s.ntasks <= 80 && s.total_cost < 5e9,
				 "smoke is a few dozen cheap tasks (%zu, cost %g)", s.ntasks, s.total_cost);
		bw_spec_release(&s);
	}
}

int main(void)
{
	test_counts();
	test_values();
	test_keys();
	test_eta_scale();
	test_checkpoints();
	test_noise_seeds();
	test_schedule();
	test_key_independence();
	test_errors();
	test_ranges();
	test_names();
	test_admission();
	test_shipped();
	return tu_summary("test_spec");
}
