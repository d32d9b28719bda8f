/* test_analysis.c - the analysis layer (analysis.h) on hand-made cells:
 * n* with and without the interval, imputed ragged seeds, the Donoho-Tanner
 * n50 of a cell against docs/model.md's values, the fits per algorithm and pooled
 * by limit against least squares computed here in closed form, and the
 * grouping of cells into series. */
#include "biasweep/analysis.h"
#include "biasweep/error.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXCELLS 16
#define MAXOBS 1024

static struct bw_nstar_obs pool[MAXOBS];
static size_t npool;

static struct bw_qcell mk_cell(const char *algo, int64_t d, int64_t kappa, double alpha)
{
	struct bw_qcell c;
	memset(&c, 0, sizeof c);
	snprintf(c.algorithm, sizeof c.algorithm, "%s", algo);
	snprintf(c.design, sizeof c.design, "rademacher");
	snprintf(c.wstar, sizeof c.wstar, "signs");
	c.d = d;
	c.kappa = kappa;
	c.alpha = alpha;
	c.eta = c.sigma = NAN;
	c.eps = 0.1;
	c.obs = pool + npool;
	return c;
}

static void add_obs(struct bw_qcell *c, double n, int64_t seed, int success)
{
	if (npool < MAXOBS) {
		pool[npool++] = (struct bw_nstar_obs){n, seed, success};
		c->nobs++;
	}
}

/* Two seeds failing at y - 1 and succeeding at y + 1: rates 0, 1, so
 * n* = (y - 1) + 1/2 * 2 = y, interpolated. */
static struct bw_qcell cell_at(const char *algo, int64_t d, int64_t kappa, double y)
{
	struct bw_qcell c = mk_cell(algo, d, kappa, 1);
	for (int64_t s = 0; s < 2; s++) {
		add_obs(&c, y - 1, s, 0);
		add_obs(&c, y + 1, s, 1);
	}
	return c;
}

/* Every seed succeeds (all = 1: n* at min n) or fails (all = 0: above max n). */
static struct bw_qcell cell_censored(const char *algo, int64_t d, int64_t kappa, int all)
{
	struct bw_qcell c = mk_cell(algo, d, kappa, 1);
	for (int64_t s = 0; s < 2; s++) {
		add_obs(&c, 10, s, all);
		add_obs(&c, 20, s, all);
	}
	return c;
}

/* Closed-form least squares over (x, y): slope Sxy/Sxx, intercept
 * ybar - slope xbar, R^2 1 - SSE/SST, se(slope) sqrt(SSE/(k-2)/Sxx). */
static void ols(const double *x, const double *y, size_t k, double *slope, double *icept, double *r2, double *se)
{
	double xb = 0, yb = 0, sxx = 0, sxy = 0, sst = 0, sse = 0;
	for (size_t i = 0; i < k; i++) {
		xb += x[i] / (double)k;
		yb += y[i] / (double)k;
	}
	for (size_t i = 0; i < k; i++) {
		sxx += (x[i] - xb) * (x[i] - xb);
		sxy += (x[i] - xb) * (y[i] - yb);
		sst += (y[i] - yb) * (y[i] - yb);
	}
	*slope = sxy / sxx;
	*icept = yb - *slope * xb;
	for (size_t i = 0; i < k; i++) {
		double e = y[i] - *icept - *slope * x[i];
		sse += e * e;
	}
	*r2 = 1 - sse / sst;
	*se = sqrt(sse / (double)(k - 2) / sxx);
}

static void check_fit(const struct bw_line_fit *f, const double *x, const double *y, size_t k, const char *what)
{
	double slope, icept, r2, se;
	ols(x, y, k, &slope, &icept, &r2, &se);
	TU_CHECK(f->npoints == k, "%s: %zu points, want %zu", what, f->npoints, k);
	TU_REL(f->slope, slope, 1e-12, what);
	TU_REL(f->intercept, icept, 1e-10, what);
	TU_REL(f->r2, r2, 1e-12, what);
	TU_REL(f->slope_se, se, 1e-9, what);
}

/* docs/model.md, "Sample complexity" (as test_dt.c), through a cell. */
static void test_n50(void)
{
	const struct {
		int64_t d, kappa;
		double n50;
	} v[] = {{100, 5, 20.4}, {100, 10, 32.9}, {200, 10, 40.8}, {1000, 5, 35.4}, {1000, 10, 61.2}, {1000, 20, 104.2}};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct bw_qcell c = mk_cell("gd", v[i].d, v[i].kappa, 1);
		double n50 = bw_cell_n50(&c);
		TU_CHECK(fabs(n50 - v[i].n50) <= 0.1, "n50(d=%lld, kappa=%lld) = %.4f, docs/model.md %.1f", (long long)v[i].d,
			 (long long)v[i].kappa, n50, v[i].n50);
		TU_REL(bw_cell_klnd(&c), (double)v[i].kappa * log((double)v[i].d), 1e-15, "kappa ln d");
	}
	struct bw_qcell c = mk_cell("gd", 50, 50, 1);
	TU_REL(bw_cell_n50(&c), 50, 1e-15, "kappa = d: n50 = d");
	c.kappa = 51;
	TU_CHECK(isnan(bw_cell_n50(&c)), "kappa > d: no n50");
	c.kappa = -1;
	TU_CHECK(isnan(bw_cell_n50(&c)), "kappa < 0: no n50");
	c.d = 0;
	c.kappa = 0;
	TU_CHECK(isnan(bw_cell_n50(&c)), "d = 0: no n50");
	TU_CHECK(bw_error_message()[0] == 0, "no error left behind: '%s'", bw_error_message());
}

/* Five seeds with thresholds 20, 30, 30, 40, 50 on n = 10..50 (fixture A):
 * n* = 27.5, median threshold 30; the interval only when asked for. */
static void test_estimate(void)
{
	npool = 0;
	struct bw_qcell c = mk_cell("gd", 100, 5, 0.1);
	const double thr[] = {20, 30, 30, 40, 50};
	for (int64_t s = 0; s < 5; s++)
		for (int n = 10; n <= 50; n += 10)
			add_obs(&c, n, s, n >= thr[s]);
	struct bw_nstar with, without;
	int rc = bw_cell_estimate(&c, BW_NSTAR_BOOTSTRAP, &with);
	TU_CHECK(rc == BW_OK, "bootstrap: %s", bw_error_message());
	if (rc)
		return;
	rc = bw_cell_estimate(&c, BW_NSTAR_NO_INTERVAL, &without);
	TU_CHECK(rc == BW_OK, "no interval: %s", bw_error_message());
	if (rc) {
		bw_nstar_release(&with);
		return;
	}
	TU_REL(with.nstar, 27.5, 1e-15, "n* with the interval");
	TU_REL(without.nstar, 27.5, 1e-15, "n* without the interval");
	TU_CHECK(with.resamples == BW_NSTAR_RESAMPLES && isfinite(with.lo) && isfinite(with.hi) && with.lo <= 27.5 &&
			 with.hi >= 27.5,
		 "bootstrap: %zu resamples, [%g, %g]", with.resamples, with.lo, with.hi);
	TU_CHECK(without.resamples == 0 && isnan(without.lo) && isnan(without.hi) && !without.lo_above_max &&
			 !without.hi_above_max,
		 "no interval: %zu resamples, [%g, %g]", without.resamples, without.lo, without.hi);
	TU_CHECK(without.censor == BW_NSTAR_INSIDE && without.median_threshold == 30 && without.nseeds == 5 &&
			 without.npoints == 5 && without.nonmonotone == 0,
		 "no interval: censor %d, median %g, %zu seeds, %zu points", without.censor, without.median_threshold,
		 without.nseeds, without.npoints);
	for (size_t j = 0; j < 5 && j < without.npoints; j++) {
		double want = ((10.0 * (double)(j + 1) >= 20) + 2 * (10.0 * (double)(j + 1) >= 30) +
			       (10.0 * (double)(j + 1) >= 40) + (10.0 * (double)(j + 1) >= 50)) /
			      5.0;
		TU_REL(without.points[j].rate, want, 1e-15, "rate");
	}
	for (size_t s = 0; s < 5 && s < without.nseeds; s++)
		TU_CHECK(without.seeds[s].threshold == thr[s] && without.seeds[s].monotone, "seed %zu threshold %g", s,
			 without.seeds[s].threshold);
	bw_nstar_release(&with);
	bw_nstar_release(&without);

	/* ragged seeds (an n-search): imputed from thresholds 8, 11, 14 -> n* 10.5 (test_nstar.c) */
	npool = 0;
	c = mk_cell("riemannian_flow", 64, 2, 0.5);
	const double probes[3][7][2] = {
		{{32, 1}, {2, 0}, {17, 1}, {9, 1}, {5, 0}, {7, 0}, {8, 1}},
		{{32, 1}, {2, 0}, {17, 1}, {9, 0}, {13, 1}, {11, 1}, {10, 0}},
		{{32, 1}, {2, 0}, {17, 1}, {9, 0}, {13, 0}, {15, 1}, {14, 1}},
	};
	for (int s = 0; s < 3; s++)
		for (int j = 0; j < 7; j++)
			add_obs(&c, probes[s][j][0], s, (int)probes[s][j][1]);
	rc = bw_cell_estimate(&c, BW_NSTAR_NO_INTERVAL, &without);
	TU_CHECK(rc == BW_OK && without.npoints == 12, "ragged: %s", bw_error_message());
	if (rc == BW_OK) {
		TU_REL(without.nstar, 10.5, 1e-12, "ragged seeds imputed");
		bw_nstar_release(&without);
	}
}

/* Cells in bw_query_cells' order (by algorithm), n* chosen per cell. */
static size_t fit_cells(struct bw_qcell *cells, double *ystar)
{
	static const struct {
		const char *algo;
		int64_t d, kappa;
		double y; /* n*; 0: above max n, -1: at min n */
	} v[] = {
		{"gd", 32, 2, 29.5},	{"gd", 64, 2, 55.25},	    {"gd", 128, 4, 0},	    {"gd", 256, 4, 219},
		{"label_noise_sgd", 32, 2, 11}, {"label_noise_sgd", 64, 4, 20.5}, {"label_noise_sgd", 128, 2, 14.75},
		{"label_noise_sgd", 256, 4, 29}, {"label_noise_sgd", 512, 4, -1}, {"riemannian_flow", 32, 4, 17.5},
		{"riemannian_flow", 64, 2, 12},	 {"riemannian_flow", 256, 2, 16.25},
		{"sgd", 32, 2, 25},		 {"sgd", 64, 2, 41.5},
	};
	npool = 0;
	size_t n = sizeof v / sizeof v[0];
	for (size_t i = 0; i < n; i++) {
		cells[i] = v[i].y > 0 ? cell_at(v[i].algo, v[i].d, v[i].kappa, v[i].y)
				      : cell_censored(v[i].algo, v[i].d, v[i].kappa, v[i].y < 0);
		ystar[i] = v[i].y > 0 ? v[i].y : NAN;
	}
	return n;
}

/* The (x, y) pairs of the interpolated cells i in [a, b) with pick(i). */
static size_t pairs(const struct bw_qcell *cells, const double *ystar, size_t a, size_t b, int against_d,
		    const int *pick, double *x, double *y)
{
	size_t k = 0;
	for (size_t i = a; i < b; i++)
		if (!isnan(ystar[i]) && (!pick || pick[i])) {
			x[k] = against_d ? (double)cells[i].d : (double)cells[i].kappa * log((double)cells[i].d);
			y[k++] = ystar[i];
		}
	return k;
}

static void test_fits(void)
{
	struct bw_qcell cell[MAXCELLS];
	double ystar[MAXCELLS], x[MAXCELLS], y[MAXCELLS];
	struct bw_qcells cells = {fit_cells(cell, ystar), cell};
	struct bw_cell_stat *st = NULL;
	int rc = bw_cells_estimate(&cells, BW_NSTAR_NO_INTERVAL, &st);
	TU_CHECK(rc == BW_OK, "estimate: %s", bw_error_message());
	if (rc)
		return;
	for (size_t i = 0; i < cells.n; i++) {
		int want = isnan(ystar[i]) ? (cell[i].obs[1].success ? BW_NSTAR_AT_MIN : BW_NSTAR_ABOVE_MAX)
					   : BW_NSTAR_INSIDE;
		TU_CHECK(st[i].censor == want, "cell %zu: censor %d, want %d", i, st[i].censor, want);
		if (!isnan(ystar[i]))
			TU_REL(st[i].nstar, ystar[i], 1e-14, "n* of a cell");
		TU_CHECK(st[i].seeds == 2 && st[i].nmin == (isnan(ystar[i]) ? 10 : ystar[i] - 1) &&
				 st[i].nmax == (isnan(ystar[i]) ? 20 : ystar[i] + 1),
			 "cell %zu: %zu seeds, n in [%g, %g]", i, st[i].seeds, st[i].nmin, st[i].nmax);
		TU_CHECK(isnan(st[i].lo) && isnan(st[i].hi), "cell %zu: no interval", i);
		TU_CHECK(st[i].n50 == bw_cell_n50(&cell[i]) && st[i].klnd == bw_cell_klnd(&cell[i]), "cell %zu: n50, klnd",
			 i);
	}

	/* per algorithm, in cell order */
	static const char *const algos[] = {"gd", "label_noise_sgd", "riemannian_flow", "sgd"};
	static const size_t first[] = {0, 4, 9, 12, 14};
	struct bw_algo_fit *af = NULL;
	size_t naf = 0;
	rc = bw_fit_per_algorithm(&cells, st, &af, &naf);
	TU_CHECK(rc == BW_OK && naf == 4, "per algorithm: %zu groups (%s)", naf, bw_error_message());
	for (size_t g = 0; rc == BW_OK && g < naf && g < 4; g++) {
		TU_CHECK(!strcmp(af[g].algorithm, algos[g]) && af[g].first == first[g] && af[g].end == first[g + 1],
			 "group %zu: %s [%zu, %zu)", g, af[g].algorithm, af[g].first, af[g].end);
		for (int against_d = 0; against_d < 2; against_d++) {
			size_t k = pairs(cell, ystar, first[g], first[g + 1], against_d, NULL, x, y);
			char what[64];
			snprintf(what, sizeof what, "%s against %s", algos[g], against_d ? "d" : "kappa ln d");
			if (k >= 3)
				check_fit(&af[g].fit[against_d ? BW_FIT_D : BW_FIT_KLND], x, y, k, what);
			else { /* sgd: two points, the line through both, no standard error */
				const struct bw_line_fit *f = &af[g].fit[against_d ? BW_FIT_D : BW_FIT_KLND];
				TU_CHECK(k == 2 && f->npoints == 2 && isnan(f->slope_se), "%s: two points", what);
				TU_REL(f->slope, (y[1] - y[0]) / (x[1] - x[0]), 1e-12, what);
				TU_REL(f->r2, 1, 1e-12, what);
			}
		}
	}
	free(af);
	TU_CHECK(!strcmp(bw_fit_x_name(BW_FIT_KLND), "kappa_ln_d") && !strcmp(bw_fit_x_name(BW_FIT_D), "d"),
		 "fit names");

	/* pooled over the l1 limit: label_noise_sgd and riemannian_flow (docs/model.md) */
	int want[MAXCELLS], pick[MAXCELLS];
	size_t npick = 0;
	for (size_t i = 0; i < cells.n; i++) {
		pick[i] = !strcmp(cell[i].algorithm, "label_noise_sgd") || !strcmp(cell[i].algorithm, "riemannian_flow");
		npick += (size_t)pick[i];
	}
	TU_CHECK(bw_cells_of_limit(&cells, BW_LIMIT_L1, want) == npick && npick == 8, "l1 cells: %zu", npick);
	for (size_t i = 0; i < cells.n; i++)
		TU_CHECK(want[i] == pick[i], "cell %zu (%s): l1 %d", i, cell[i].algorithm, want[i]);
	struct bw_line_fit f;
	rc = bw_fit_cells(&cells, st, want, BW_FIT_KLND, &f);
	check_fit(&f, x, y, pairs(cell, ystar, 0, cells.n, 0, pick, x, y), "pooled l1 against kappa ln d");
	rc |= bw_fit_cells(&cells, st, NULL, BW_FIT_D, &f);
	check_fit(&f, x, y, pairs(cell, ystar, 0, cells.n, 1, NULL, x, y), "every cell against d");
	TU_CHECK(rc == BW_OK, "fits");
	TU_CHECK(bw_cells_of_limit(&cells, BW_LIMIT_QALPHA, want) == 6, "q_alpha cells: gd and sgd");

	char name[64];
	bw_limit_group_name(BW_LIMIT_L1, name, sizeof name);
	TU_CHECK(!strcmp(name, "label_noise_sgd+riemannian_flow"), "l1 group '%s'", name);
	bw_limit_group_name(BW_LIMIT_QALPHA, name, sizeof name);
	TU_CHECK(!strcmp(name, "gd+sgd"), "q_alpha group '%s'", name);
	bw_limit_group_name(BW_LIMIT_L1, name, 6);
	TU_CHECK(!strcmp(name, "label"), "truncated group '%s'", name);
	bw_limit_names(BW_LIMIT_L1, ", ", " or ", name, sizeof name);
	TU_CHECK(!strcmp(name, "label_noise_sgd or riemannian_flow"), "l1 names '%s'", name);
	bw_limit_names(BW_LIMIT_QALPHA, ", ", " and ", name, sizeof name);
	TU_CHECK(!strcmp(name, "gd and sgd"), "q_alpha names '%s'", name);
	bw_limit_names(BW_LIMIT_L1, ", ", " and ", name, 20);
	TU_CHECK(!strcmp(name, "label_noise_sgd and"), "truncated names '%s'", name);

	/* the rows by name (dynamics.h's enum order), none for another name */
	static const char *const names[] = {"gd", "label_noise_sgd", "sgd", "riemannian_flow"};
	for (int a = 0; a < 4; a++)
		TU_CHECK(bw_dynamics_named(names[a]) == bw_dynamics_table[a], "dynamics '%s'", names[a]);
	TU_CHECK(!bw_dynamics_named("foo") && !bw_dynamics_named("") && !bw_dynamics_named("GD"), "unknown dynamics");

	/* an algorithm the dynamics table does not know has no limit */
	struct bw_qcell odd = mk_cell("foo", 32, 2, 1);
	struct bw_qcells one = {1, &odd};
	TU_CHECK(bw_cells_of_limit(&one, BW_LIMIT_L1, want) == 0 && bw_cells_of_limit(&one, BW_LIMIT_QALPHA, want) == 0,
		 "unknown algorithm");
	free(st);
}

static void test_series(void)
{
	struct bw_qcell cell[8];
	npool = 0;
	cell[0] = mk_cell("gd", 32, 2, 0.5);
	cell[1] = mk_cell("gd", 32, 2, 3);
	cell[2] = mk_cell("gd", 64, 4, 0.5);
	cell[3] = mk_cell("gd", 64, 4, 3);
	cell[4] = mk_cell("label_noise_sgd", 32, 2, 0.5);
	cell[5] = mk_cell("label_noise_sgd", 64, 2, 0.5);
	cell[6] = mk_cell("riemannian_flow", 32, 2, 0.5);
	cell[7] = mk_cell("riemannian_flow", 64, 2, 0.5);
	cell[4].sigma = cell[5].sigma = 1;
	snprintf(cell[7].design, sizeof cell[7].design, "gaussian");
	/* eta is NaN (NULL in the catalog) everywhere: NaN equals NaN, no split */
	struct bw_qcells cells = {8, cell};
	struct bw_series_set ss;
	int rc = bw_series_group(&cells, &ss);
	TU_CHECK(rc == BW_OK && ss.n == 5, "series: %zu (%s)", ss.n, bw_error_message());
	if (rc)
		return;
	/* gd alpha 0.5, gd alpha 3, label_noise_sgd, flow rademacher, flow gaussian */
	const size_t of[] = {0, 1, 0, 1, 2, 2, 3, 4}, key[] = {0, 1, 4, 6, 7}, variant[] = {0, 1, 0, 0, 1};
	const unsigned differs[] = {BW_SERIES_ALPHA, BW_SERIES_ALPHA, 0, BW_SERIES_DESIGN, BW_SERIES_DESIGN};
	for (size_t i = 0; i < 8; i++)
		TU_CHECK(ss.of_cell[i] == of[i], "cell %zu in series %zu, want %zu", i, ss.of_cell[i], of[i]);
	for (size_t k = 0; k < ss.n && k < 5; k++)
		TU_CHECK(ss.s[k].key == &cell[key[k]] && ss.s[k].variant == variant[k] && ss.s[k].differs == differs[k],
			 "series %zu: key %td, variant %zu, differs %u", k, ss.s[k].key - cell, ss.s[k].variant,
			 ss.s[k].differs);
	TU_CHECK(bw_cells_differ(&cells) == (BW_SERIES_DESIGN | BW_SERIES_ALPHA | BW_SERIES_SIGMA),
		 "the cells differ in %u", bw_cells_differ(&cells));
	struct bw_qcells two = {2, cell + 6};
	TU_CHECK(bw_cells_differ(&two) == BW_SERIES_DESIGN, "two flow cells differ in %u", bw_cells_differ(&two));
	two.n = 1;
	TU_CHECK(bw_cells_differ(&two) == 0, "one cell differs in nothing");
	bw_series_release(&ss);
	bw_series_release(&ss); /* a released set releases again */
	TU_CHECK(ss.n == 0 && !ss.s && !ss.of_cell, "released");
}

int main(void)
{
	test_n50();
	test_estimate();
	test_fits();
	test_series();
	return tu_summary("test_analysis");
}
