/* test_nstar.c - n*, its interval, per-seed thresholds and line fits on
 * synthetic outcome tables whose answers are worked out by hand below. */
#include "biasweep/error.h"
#include "biasweep/nstar.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXOBS 512

/* Outcomes of seeds with given thresholds on a grid: success iff n >= thr
 * (thr NaN: never). */
static size_t threshold_table(struct bw_nstar_obs *o, const double *grid, size_t m, const double *thr, size_t S)
{
	size_t k = 0;
	for (size_t s = 0; s < S; s++)
		for (size_t j = 0; j < m; j++)
			o[k++] = (struct bw_nstar_obs){grid[j], (int64_t)s, !isnan(thr[s]) && grid[j] >= thr[s]};
	return k;
}

static void test_crossing(void)
{
	int c = -1;
	/* first rate >= 1/2 at n=40: 20 + (0.5-0.3)/(0.9-0.3) * 20 = 26.666... */
	double n[] = {10, 20, 40}, r[] = {0.1, 0.3, 0.9};
	TU_REL(bw_nstar_crossing(n, r, 3, 0.5, &c), 20 + 20.0 / 3, 1e-14, "interpolated crossing");
	TU_CHECK(c == BW_NSTAR_INSIDE, "censor %d", c);
	/* exactly 1/2 at a grid point: n* is that point */
	double r2[] = {0.0, 0.5, 1.0};
	TU_REL(bw_nstar_crossing(n, r2, 3, 0.5, &c), 20, 1e-15, "rate exactly 1/2 at n=20");
	/* non-monotone: the first crossing counts (0.6 at 20), not the last */
	double r3[] = {0.0, 0.6, 0.4};
	TU_REL(bw_nstar_crossing(n, r3, 3, 0.5, &c), 10 + 10 * 0.5 / 0.6, 1e-14, "first crossing");
	/* already at the smallest n */
	double r4[] = {0.5, 0.7, 1.0};
	TU_CHECK(bw_nstar_crossing(n, r4, 3, 0.5, &c) == 10 && c == BW_NSTAR_AT_MIN, "at min: censor %d", c);
	/* never */
	double r5[] = {0.0, 0.2, 0.49};
	TU_CHECK(isnan(bw_nstar_crossing(n, r5, 3, 0.5, &c)) && c == BW_NSTAR_ABOVE_MAX, "never: censor %d", c);
}

/* Five seeds with thresholds 20, 30, 30, 40, 50 on n = 10..50:
 * rates 0, .2, .6, .8, 1 -> n* = 20 + (0.5-0.2)/(0.6-0.2)*10 = 27.5;
 * median threshold 30; every seed monotone. */
static void test_hand_thresholds(void)
{
	const double grid[] = {10, 20, 30, 40, 50}, thr[] = {20, 30, 30, 40, 50};
	struct bw_nstar_obs o[MAXOBS];
	size_t k = threshold_table(o, grid, 5, thr, 5);
	struct bw_nstar e;
	int rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK, "estimate: %s", bw_error_message());
	if (rc)
		return;
	TU_CHECK(e.npoints == 5 && e.nseeds == 5, "points %zu seeds %zu", e.npoints, e.nseeds);
	const double want_rate[] = {0, 0.2, 0.6, 0.8, 1};
	for (size_t j = 0; j < 5 && j < e.npoints; j++) {
		TU_CHECK(e.points[j].n == grid[j] && e.points[j].tasks == 5, "point %zu: n %g tasks %zu", j,
			 e.points[j].n, e.points[j].tasks);
		TU_REL(e.points[j].rate, want_rate[j], 1e-15, "rate");
	}
	TU_REL(e.nstar, 27.5, 1e-14, "n*");
	TU_CHECK(e.censor == BW_NSTAR_INSIDE, "censor %d", e.censor);
	TU_REL(e.median_threshold, 30, 1e-15, "median threshold");
	for (size_t s = 0; s < 5 && s < e.nseeds; s++)
		TU_CHECK(e.seeds[s].seed == (int64_t)s && e.seeds[s].threshold == thr[s] && e.seeds[s].monotone,
			 "seed %zu: threshold %g monotone %d", s, e.seeds[s].threshold, e.seeds[s].monotone);
	TU_CHECK(e.nonmonotone == 0, "nonmonotone %zu", e.nonmonotone);
	/* the interval is a range of bootstrap n*: inside [15, 45] (all seeds at
	 * 20 or all at 50), around n*, and with 5 seeds strictly wider than a point */
	TU_CHECK(e.resamples == BW_NSTAR_RESAMPLES, "resamples %zu", e.resamples);
	TU_CHECK(e.lo >= 15 && e.lo < 27.5 && e.hi > 27.5 && e.hi <= 45, "interval [%g, %g]", e.lo, e.hi);

	/* the same table shuffled gives the same answer, interval included */
	struct bw_nstar e2;
	for (size_t i = k - 1; i > 0; i--) {
		size_t j = (i * 7919 + 13) % (i + 1);
		struct bw_nstar_obs t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	rc = bw_nstar_estimate(o, k, NULL, &e2);
	TU_CHECK(rc == BW_OK && e2.nstar == e.nstar && e2.lo == e.lo && e2.hi == e.hi &&
			 e2.median_threshold == e.median_threshold,
		 "shuffled input: n* %g [%g, %g]", e2.nstar, e2.lo, e2.hi);
	bw_nstar_release(&e2);
	bw_nstar_release(&e);
}

/* Two seeds, thresholds 20 and 40 on n = 10..50.  Resamples: {A,A} (p 1/4)
 * rates 0,1,.. -> n* = 15; {B,B} (1/4) 0,0,0,1 -> 35; {A,B} (1/2)
 * 0,.5,.5,1 -> 20.  So the 2.5% point is 15 and the 97.5% point 35 (each
 * extreme has ~500 of 2000 resamples, far above the 50 needed). */
static void test_bootstrap_two_seeds(void)
{
	const double grid[] = {10, 20, 30, 40, 50}, thr[] = {20, 40};
	struct bw_nstar_obs o[MAXOBS];
	size_t k = threshold_table(o, grid, 5, thr, 2);
	struct bw_nstar e;
	int rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK, "estimate: %s", bw_error_message());
	if (rc)
		return;
	TU_REL(e.nstar, 20, 1e-15, "n* (rate 1/2 at n=20)");
	TU_REL(e.lo, 15, 1e-15, "bootstrap lo");
	TU_REL(e.hi, 35, 1e-15, "bootstrap hi");
	TU_REL(e.median_threshold, 30, 1e-15, "median of 20 and 40");
	bw_nstar_release(&e);

	/* identical seeds: every resample is the original, lo = hi = n* = 25 */
	const double same[] = {30, 30, 30, 30, 30, 30, 30, 30, 30, 30};
	k = threshold_table(o, grid, 5, same, 10);
	rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK && e.nstar == 25 && e.lo == 25 && e.hi == 25, "identical seeds: n* %g [%g, %g]", e.nstar,
		 e.lo, e.hi);
	bw_nstar_release(&e);

	/* one seed: no interval */
	k = threshold_table(o, grid, 5, thr, 1);
	rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK && e.nstar == 15 && isnan(e.lo) && isnan(e.hi) && e.resamples == 0,
		 "one seed: n* %g [%g, %g]", e.nstar, e.lo, e.hi);
	bw_nstar_release(&e);
}

/* Never reaching 1/2: n* NaN, never invented. */
static void test_never(void)
{
	const double grid[] = {10, 20, 30}, thr[] = {20, NAN, NAN, NAN};
	struct bw_nstar_obs o[MAXOBS];
	size_t k = threshold_table(o, grid, 3, thr, 4);
	struct bw_nstar e;
	int rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK, "estimate: %s", bw_error_message());
	if (rc)
		return;
	/* rates 0, .25, .25 */
	TU_CHECK(isnan(e.nstar) && e.censor == BW_NSTAR_ABOVE_MAX, "n* %g censor %d", e.nstar, e.censor);
	TU_CHECK(isnan(e.median_threshold), "median threshold %g (3 of 4 seeds never succeed)", e.median_threshold);
	TU_CHECK(e.seeds[0].threshold == 20 && isnan(e.seeds[1].threshold), "thresholds %g %g", e.seeds[0].threshold,
		 e.seeds[1].threshold);
	/* resamples with >= 2 copies of seed 0 (prob .26) cross; the rest never:
	 * hi is above max n; lo is the 50th smallest: 4 copies (p .0039, n* 15)
	 * are too few, 3 copies (p .047, rate .75 -> 10 + 10 * .5/.75) reach it */
	TU_CHECK(isnan(e.hi) && e.hi_above_max && !e.lo_above_max, "hi %g above %d", e.hi, e.hi_above_max);
	TU_REL(e.lo, 10 + 10 * 0.5 / 0.75, 1e-12, "lo with 3 copies of the succeeding seed");
	bw_nstar_release(&e);

	/* all fail: the whole interval is above max n */
	const double none[] = {NAN, NAN, NAN};
	k = threshold_table(o, grid, 3, none, 3);
	rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK && isnan(e.nstar) && isnan(e.lo) && isnan(e.hi) && e.lo_above_max && e.hi_above_max,
		 "all fail: n* %g [%g, %g]", e.nstar, e.lo, e.hi);
	bw_nstar_release(&e);
}

/* Per-seed thresholds on irregular patterns. */
static void test_seed_patterns(void)
{
	struct bw_nstar_obs o[] = {
		/* seed 7: 0 1 0 1 1 -> threshold 40, not monotone */
		{10, 7, 0}, {20, 7, 1}, {30, 7, 0}, {40, 7, 1}, {50, 7, 1},
		/* seed 3: 1 1 1 1 0 -> fails at its largest n: NaN, not monotone */
		{10, 3, 1}, {20, 3, 1}, {30, 3, 1}, {40, 3, 1}, {50, 3, 0},
		/* seed 5: ran only at 20 and 50 (adaptive search): 0, 1 -> threshold 50 */
		{20, 5, 0}, {50, 5, 1},
		/* seed 9: two outcomes at n=30, one failing -> not a success there: threshold 40 */
		{10, 9, 0}, {30, 9, 1}, {30, 9, 0}, {40, 9, 1}, {50, 9, 1},
	};
	size_t k = sizeof o / sizeof o[0];
	struct bw_nstar e;
	int rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK, "estimate: %s", bw_error_message());
	if (rc)
		return;
	TU_CHECK(e.nseeds == 4, "seeds %zu", e.nseeds);
	/* seeds come out ascending: 3, 5, 7, 9 */
	struct {
		int64_t seed;
		double thr;
		int mono;
	} want[] = {{3, NAN, 0}, {5, 50, 1}, {7, 40, 0}, {9, 40, 0}};
	for (size_t s = 0; s < 4 && s < e.nseeds; s++) {
		int same = isnan(want[s].thr) ? isnan(e.seeds[s].threshold) : e.seeds[s].threshold == want[s].thr;
		TU_CHECK(e.seeds[s].seed == want[s].seed && same && e.seeds[s].monotone == want[s].mono,
			 "seed %lld: threshold %g monotone %d (want %g %d)", (long long)e.seeds[s].seed,
			 e.seeds[s].threshold, e.seeds[s].monotone, want[s].thr, want[s].mono);
	}
	TU_CHECK(e.nonmonotone == 3, "nonmonotone %zu", e.nonmonotone);
	/* thresholds 40, 40, 50, inf -> median (40 + 50)/2 = 45 */
	TU_REL(e.median_threshold, 45, 1e-15, "median threshold");
	/* rates: n=10 seeds 7, 3, 9 -> 1/3; n=20 seeds 7, 3, 5 -> 2/3:
	 * n* = 10 + (1/2 - 1/3)/(2/3 - 1/3) * 10 = 15 */
	TU_REL(e.points[0].rate, 1.0 / 3, 1e-15, "rate at 10");
	TU_REL(e.points[1].rate, 2.0 / 3, 1e-15, "rate at 20");
	TU_REL(e.nstar, 15, 1e-12, "n*");
	TU_CHECK(e.points[2].tasks == 4 && e.points[2].successes == 2, "n=30 counts both outcomes of seed 9: %zu/%zu",
		 e.points[2].successes, e.points[2].tasks);
	bw_nstar_release(&e);
}

static void test_bad_input(void)
{
	struct bw_nstar e;
	struct bw_nstar_obs o[] = {{10, 0, 2}};
	TU_CHECK(bw_nstar_estimate(o, 0, NULL, &e) == BW_EINVAL, "no outcomes -> BW_EINVAL");
	TU_CHECK(bw_nstar_estimate(o, 1, NULL, &e) == BW_EINVAL, "success 2 -> BW_EINVAL");
	o[0] = (struct bw_nstar_obs){NAN, 0, 1};
	TU_CHECK(bw_nstar_estimate(o, 1, NULL, &e) == BW_EINVAL, "NaN n -> BW_EINVAL");
	bw_nstar_release(&e);
}

static void test_fit(void)
{
	struct bw_line_fit f;
	/* exact line y = 3x + 2 */
	double x[] = {1, 2, 4, 7, 11}, y[5];
	for (int i = 0; i < 5; i++)
		y[i] = 3 * x[i] + 2;
	TU_CHECK(bw_fit_line(x, y, 5, &f) == BW_OK && f.npoints == 5, "fit");
	TU_REL(f.slope, 3, 1e-12, "slope");
	TU_REL(f.intercept, 2, 1e-12, "intercept");
	TU_REL(f.r2, 1, 1e-12, "R^2 of an exact line");
	TU_CHECK(fabs(f.slope_se) < 1e-6, "slope se %g", f.slope_se);
	/* n* against kappa ln d on an exact line: n* = 2 kappa ln d + 1 */
	double kl[4], ns[4];
	const double d[] = {100, 200, 400, 1000}, kap[] = {5, 10, 5, 20};
	for (int i = 0; i < 4; i++) {
		kl[i] = kap[i] * log(d[i]);
		ns[i] = 2 * kl[i] + 1;
	}
	bw_fit_line(kl, ns, 4, &f);
	TU_REL(f.slope, 2, 1e-12, "slope in kappa ln d");
	TU_REL(f.intercept, 1, 1e-10, "intercept in kappa ln d");
	TU_REL(f.r2, 1, 1e-12, "R^2 in kappa ln d");
	/* by hand: x 0 1 2 3, y 1 3 2 4: Sxx 5, Sxy 4 -> slope .8, intercept 1.3,
	 * SST 5, SSE 5 - .8*4 = 1.8, R^2 .64 */
	double x2[] = {0, 1, 2, 3}, y2[] = {1, 3, 2, 4};
	bw_fit_line(x2, y2, 4, &f);
	TU_REL(f.slope, 0.8, 1e-12, "slope by hand");
	TU_REL(f.intercept, 1.3, 1e-12, "intercept by hand");
	TU_REL(f.r2, 0.64, 1e-12, "R^2 by hand");
	/* NaN pairs are skipped */
	double x3[] = {0, 1, NAN, 2, 3}, y3[] = {1, 3, 5, 2, 4};
	bw_fit_line(x3, y3, 5, &f);
	TU_CHECK(f.npoints == 4, "NaN skipped: %zu points", f.npoints);
	TU_REL(f.slope, 0.8, 1e-12, "slope with a NaN pair");
	/* degenerate: one point, equal x */
	bw_fit_line(x, y, 1, &f);
	TU_CHECK(isnan(f.slope) && isnan(f.r2), "one point: NaN");
	double xe[] = {2, 2, 2}, ye[] = {1, 2, 3};
	bw_fit_line(xe, ye, 3, &f);
	TU_CHECK(isnan(f.slope), "equal x: NaN slope");
}

/* Bisection probes (each seed at its own n): imputed from thresholds 8, 11, 14. */
static void test_impute_search(void)
{
	const double probes[3][7][2] = {
		{{32, 1}, {2, 0}, {17, 1}, {9, 1}, {5, 0}, {7, 0}, {8, 1}},
		{{32, 1}, {2, 0}, {17, 1}, {9, 0}, {13, 1}, {11, 1}, {10, 0}},
		{{32, 1}, {2, 0}, {17, 1}, {9, 0}, {13, 0}, {15, 1}, {14, 1}},
	};
	struct bw_nstar_obs o[21];
	size_t k = 0;
	for (int s = 0; s < 3; s++)
		for (int j = 0; j < 7; j++)
			o[k++] = (struct bw_nstar_obs){probes[s][j][0], s + 1, (int)probes[s][j][1]};
	struct bw_nstar_opts opts = {.impute = 1};
	struct bw_nstar e;
	int rc = bw_nstar_estimate(o, k, &opts, &e);
	TU_CHECK(rc == BW_OK, "impute: %s", bw_error_message());
	if (rc)
		return;
	/* union of n: 2 5 7 8 9 10 11 13 14 15 17 32; rate(10) = 1/3, rate(11) = 2/3
	 * -> n* = 10 + (1/2 - 1/3) / (1/3) = 10.5; thresholds 8, 11, 14 -> median 11 */
	TU_CHECK(e.npoints == 12, "union of probed n: %zu points", e.npoints);
	TU_REL(e.nstar, 10.5, 1e-12, "imputed n*");
	TU_REL(e.median_threshold, 11, 1e-15, "median threshold");
	for (size_t i = 0; i < e.npoints; i++) {
		double n = e.points[i].n, want = ((n >= 8) + (n >= 11) + (n >= 14)) / 3.0;
		TU_REL(e.points[i].rate, want, 1e-15, "imputed rate");
		TU_CHECK(e.points[i].tasks == 3, "every seed counted at n=%g", n);
	}
	TU_CHECK(e.nonmonotone == 0, "bisection probes are monotone (%zu)", e.nonmonotone);
	bw_nstar_release(&e);
	/* without impute the same table gives the raw per-n rates (1 seed at n = 10) */
	rc = bw_nstar_estimate(o, k, NULL, &e);
	TU_CHECK(rc == BW_OK && e.npoints == 12, "raw mode");
	for (size_t i = 0; rc == BW_OK && i < e.npoints; i++)
		if (e.points[i].n == 10)
			TU_CHECK(e.points[i].tasks == 1, "raw: one seed ran n = 10 (%zu)", e.points[i].tasks);
	if (rc == BW_OK)
		bw_nstar_release(&e);
}

int main(void)
{
	test_impute_search();
	test_crossing();
	test_hand_thresholds();
	test_bootstrap_two_seeds();
	test_never();
	test_seed_patterns();
	test_bad_input();
	test_fit();
	return tu_summary("test_nstar");
}
