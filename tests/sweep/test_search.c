/* test_search.c - the n bisection on synthetic threshold curves, and
 * adaptive-search specs: parsing, clipping, probe keys shared with grids. */
#include "biasweep/error.h"
#include "biasweep/search.h"
#include "biasweep/spec.h"
#include "testutil.h"

#include <string.h>

/* Runs a bisection against "success iff n >= n0"; returns the threshold. */
static long bisect_against(long lo, long hi, long res, long n0, int *probes)
{
	struct bw_bisect b;
	bw_bisect_init(&b, lo, hi, res);
	long n;
	*probes = 0;
	while ((n = bw_bisect_next(&b)) >= 0) {
		TU_CHECK(n >= lo && n <= hi, "probe %ld outside [%ld, %ld]", n, lo, hi);
		bw_bisect_update(&b, n, n >= n0);
		(*probes)++;
		if (*probes > 100)
			break;
	}
	return bw_bisect_threshold(&b);
}

static void test_bisection(void)
{
	const long ranges[][2] = {{2, 64}, {1, 1}, {5, 6}, {10, 1000}, {3, 17}};
	for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
		long lo = ranges[r][0], hi = ranges[r][1];
		int maxp = bw_bisect_max_probes(lo, hi, 1), worst = 0, wrong = 0;
		for (long n0 = lo - 3; n0 <= hi + 3; n0++) {
			int probes;
			long got = bisect_against(lo, hi, 1, n0, &probes);
			long want = n0 > hi ? -1 : (n0 < lo ? lo : n0);
			if (got != want)
				wrong++;
			if (probes > worst)
				worst = probes;
		}
		TU_CHECK(wrong == 0, "[%ld, %ld]: %d thresholds found wrong", lo, hi, wrong);
		TU_CHECK(worst <= maxp, "[%ld, %ld]: %d probes > bound %d", lo, hi, worst, maxp);
	}
	/* resolution r: the threshold lies in (n0 - 1, n0 + r - 1] and never below n0 */
	for (long n0 = 10; n0 <= 500; n0 += 7) {
		int probes;
		long got = bisect_against(10, 500, 8, n0, &probes);
		TU_CHECK(got >= n0 && got - n0 < 8, "resolution 8, n0=%ld: got %ld", n0, got);
		TU_CHECK(probes <= bw_bisect_max_probes(10, 500, 8), "resolution 8: %d probes", probes);
	}
	/* far fewer probes than a grid: [2, 1024] at resolution 1 */
	TU_CHECK(bw_bisect_max_probes(2, 1024, 1) == 12, "max probes of [2, 1024]: %d",
		 bw_bisect_max_probes(2, 1024, 1));
}

static const char search_spec[] =
	"name = \"s\";\n"
	"d = [32, 64];\n"
	"kappa = [2, 4];\n"
	"seeds = 2;\n"
	"n = { search = [1, 100]; resolution = 2; };\n"
	"max_n_over_d = 0.5;\n"
	"algorithms = { riemannian_flow = { time = 5.0; }; gd = { steps = 1000; }; };\n";

static const char grid_spec[] =
	"name = \"g\";\n"
	"d = [32, 64];\n"
	"kappa = [2, 4];\n"
	"seeds = 2;\n"
	"n = [4, 9, 16];\n"
	"algorithms = { riemannian_flow = { time = 5.0; }; gd = { steps = 1000; }; };\n";

static void test_spec_search(void)
{
	struct bw_spec s, g;
	int rc = bw_spec_load_string("s.cfg", search_spec, &s);
	TU_CHECK(rc == BW_OK, "search spec loads: %s", bw_error_message());
	if (rc)
		return;
	TU_CHECK(s.ntasks == 0, "a searched n makes no static tasks (%zu)", s.ntasks);
	TU_CHECK(s.nsearch == 2 * 2 * 2 * 2, "one search per cell and seed: %zu", s.nsearch);
	for (size_t i = 0; i < s.nsearch; i++) {
		const struct bw_search *x = &s.searches[i];
		TU_CHECK(x->lo == (long)x->base.inst.kappa, "lo clipped to kappa (%ld vs %zu)", x->lo, x->base.inst.kappa);
		TU_CHECK(x->hi == (long)x->base.inst.d / 2, "hi clipped to max_n_over_d * d (%ld, d=%zu)", x->hi,
			 x->base.inst.d);
		TU_CHECK(x->resolution == 2, "resolution 2");
		TU_CHECK((long)x->base.inst.n == x->hi, "the base sits at hi");
	}
	/* probes are ordinary tasks: the probe at n has the key the grid gives n */
	rc = bw_spec_load_string("g.cfg", grid_spec, &g);
	TU_CHECK(rc == BW_OK, "grid spec loads: %s", bw_error_message());
	size_t matched = 0;
	for (size_t i = 0; !rc && i < g.ntasks; i++) {
		const struct bw_task *t = &g.tasks[i];
		for (size_t j = 0; j < s.nsearch; j++) {
			const struct bw_search *x = &s.searches[j];
			if (x->base.run.algo != t->run.algo || x->base.inst.d != t->inst.d ||
			    x->base.inst.kappa != t->inst.kappa || x->base.inst.seed_index != t->inst.seed_index)
				continue;
			struct bw_task p;
			bw_search_probe(x, (long)t->inst.n, &p);
			TU_CHECK(p.key == t->key, "probe key %s equals the grid's %s (n=%zu)", p.key_hex, t->key_hex,
				 t->inst.n);
			matched++;
		}
	}
	TU_CHECK(matched == g.ntasks, "every grid task has its probe (%zu of %zu)", matched, g.ntasks);
	if (!rc)
		bw_spec_release(&g);
	bw_spec_release(&s);

	/* bad searches, with their line */
	const struct {
		const char *text, *want;
	} bad[] = {
		{"d = 10;\nkappa = 1;\nn = { search = [5, 2]; };\nalgorithm = \"gd\";\n", ":3:"},
		{"d = { search = [5, 20]; };\nkappa = 1;\nn = 4;\nalgorithm = \"gd\";\n", ":1: only 'n' can be searched"},
		{"d = 10;\nkappa = 1;\nn = { search = [2, 8]; resolution = 0; };\nalgorithm = \"gd\";\n", "resolution"},
		{"d = 10;\nkappa = 1;\nn = { search = [2, 8]; resolutoin = 2; };\nalgorithm = \"gd\";\n",
		 "did you mean 'resolution'"},
		{"d = 10;\nkappa = 1;\nn = { serch = [2, 8]; resolution = 2; };\nalgorithm = \"gd\";\n",
		 ":3: unknown setting 'serch' in the range of 'n' (did you mean 'search'?)"},
		{"d = 10;\nkappa = 1;\nn = { resolution = 2; };\nalgorithm = \"gd\";\n", ":3: 'resolution' belongs to a search"},
		{"d = 10;\nkappa = 1;\nn = { count = 2; };\nalgorithm = \"gd\";\n", "(or a search: 'search = [lo, hi];')"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bw_spec b;
		bw_error_clear();
		rc = bw_spec_load_string("bad.cfg", bad[i].text, &b);
		TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), bad[i].want),
			 "bad search %zu refused with '%s': got %d '%s'", i, bad[i].want, rc, bw_error_message());
		if (rc == BW_OK)
			bw_spec_release(&b);
	}
}

int main(void)
{
	test_bisection();
	test_spec_search();
	return tu_summary("test_search");
}
