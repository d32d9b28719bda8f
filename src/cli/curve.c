/* curve.c - `biasweep curve`: success rate against n, n* with its bootstrap
 * interval and the per-seed thresholds, per cell; the Donoho-Tanner n50
 * beside it; line fits of n* against kappa ln d and d per algorithm. */
#include "biasweep/analysis.h"
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char summary[] =
	"For every cell (algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps) of the finished tasks:\n"
	"the success rate against n, n* (the smallest n where the rate over seeds reaches 1/2, interpolated\n"
	"linearly between the two grid points around the first crossing), a 95% interval, each seed's threshold\n"
	"and their median, and the Donoho-Tanner l1 transition n50_dt = d psi(kappa/d) for comparison.";

static const char epilog[] =
	"n*        r_j = successes/tasks at grid n_j; j the first index with r_j >= 1/2;\n"
	"          n* = n_{j-1} + (1/2 - r_{j-1})/(r_j - r_{j-1}) (n_j - n_{j-1}).  When r_1 >= 1/2 already,\n"
	"          n* = n_1 with note 'n* <= min n'; when no r_j reaches 1/2, n* is empty/null, note 'n* > max n'.\n"
	"interval  percentile bootstrap over seeds: 2000 resamples of the seeds with replacement (each with all\n"
	"          its outcomes), n* recomputed per resample (never reaching 1/2 counts as +infinity); lo and hi\n"
	"          are the 50th and 1950th of the 2000 sorted values.  gsl_rng_mt19937 seeded with 20240501 for\n"
	"          every cell (reproducible, independent of --where).  Empty with fewer than 2 seeds; an\n"
	"          infinite bound is empty with note 'hi > max n'.\n"
	"threshold per seed (sweep_seed, seed): the smallest of its grid n from which it succeeds at every larger\n"
	"          grid n it ran at; empty when it fails at its largest n.  nonmonotone counts seeds that also\n"
	"          succeed somewhere below their threshold (instances are nested in n, so this should be rare).\n"
	"          median_threshold: their median (empty when above max n).\n"
	"n50_dt    d psi(kappa/d), psi(tau) = min_t tau(1+t^2) + (1-tau)[(1+t^2) erfc(t/sqrt2) - t sqrt(2/pi)\n"
	"          e^{-t^2/2}] (Gaussian designs, signed w*; see biasweep dt --help).\n"
	"--fit     per algorithm, over its cells with an interpolated n* (not censored): least squares of n*\n"
	"          against x = kappa ln d and against x = d (gsl_fit_linear): slope, intercept, R^2 and the\n"
	"          slope's standard error.  Cells of different alpha/eta/... are pooled: fix them with --where.\n"
	"--where   as in biasweep query (COLUMN OP VALUE on the view 'results'; repeatable, ANDed).\n"
	"The catalog's view sample_complexity gives the per-cell rate by n in SQL.\n"
	"exit status: 0 ok, 2 bad flags, columns or values, 1 other errors.\n";

static const char *const cell_names[] = {"algorithm", "design", "wstar", "d", "kappa",
					 "alpha",     "eta",    "eta_scale", "sigma", "batch", "eps"};
#define NCELL (sizeof cell_names / sizeof cell_names[0])

static int set_cell(struct bw_table *t, size_t row, const struct bw_qcell *c)
{
	CHECK(bw_table_set_text(t, row, 0, c->algorithm));
	CHECK(bw_table_set_text(t, row, 1, c->design));
	CHECK(bw_table_set_text(t, row, 2, c->wstar));
	bw_table_set_int(t, row, 3, c->d);
	bw_table_set_int(t, row, 4, c->kappa);
	bw_table_set_real(t, row, 5, c->alpha);
	bw_table_set_real(t, row, 6, c->eta);
	bw_table_set_real(t, row, 7, c->eta_scale);
	bw_table_set_real(t, row, 8, c->sigma);
	if (c->batch > 0)
		bw_table_set_int(t, row, 9, c->batch);
	bw_table_set_real(t, row, 10, c->eps);
	return BW_OK;
}

/* cell columns followed by extra */
static int init_table(struct bw_table *t, const char *const *extra, size_t nextra)
{
	const char *names[NCELL + 32];
	memcpy(names, cell_names, sizeof cell_names);
	memcpy(names + NCELL, extra, nextra * sizeof *extra);
	return bw_table_init(t, NCELL + nextra, names);
}

static int summary_row(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	size_t row;
	CHECK(bw_table_add_row(t, &row));
	CHECK(set_cell(t, row, c));
	size_t k = NCELL;
	bw_table_set_int(t, row, k++, (int64_t)e->nseeds);
	bw_table_set_int(t, row, k++, (int64_t)c->nobs);
	bw_table_set_real(t, row, k++, e->points[0].n);
	bw_table_set_real(t, row, k++, e->points[e->npoints - 1].n);
	bw_table_set_real(t, row, k++, e->nstar);
	bw_table_set_real(t, row, k++, e->lo);
	bw_table_set_real(t, row, k++, e->hi);
	bw_table_set_real(t, row, k++, e->median_threshold);
	bw_table_set_int(t, row, k++, (int64_t)e->nonmonotone);
	bw_table_set_real(t, row, k++, bw_cell_n50(c));

	char note[128] = "";
	if (e->censor == BW_NSTAR_AT_MIN)
		strcat(note, "n* <= min n");
	else if (e->censor == BW_NSTAR_ABOVE_MAX)
		strcat(note, "n* > max n");
	if (e->nseeds < 2)
		strcat(strcat(note, note[0] ? "; " : ""), "no interval (1 seed)");
	else if (e->lo_above_max)
		strcat(strcat(note, note[0] ? "; " : ""), "lo, hi > max n");
	else if (e->hi_above_max)
		strcat(strcat(note, note[0] ? "; " : ""), "hi > max n");
	CHECK(bw_table_set_text(t, row, k++, note));

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (size_t j = 0; f && j < e->npoints; j++)
		fprintf(f, j ? " %g:%zu/%zu" : "%g:%zu/%zu", e->points[j].n, e->points[j].successes, e->points[j].tasks);
	int bad = !f || ferror(f);
	if (f && fclose(f) != 0)
		bad = 1;
	int rc = bad ? RAISE(BW_ENOMEM, "out of memory") : bw_table_set_text(t, row, k, buf);
	free(buf);
	return rc;
}

static int points_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	for (size_t j = 0; j < e->npoints; j++) {
		size_t row;
		CHECK(bw_table_add_row(t, &row));
		CHECK(set_cell(t, row, c));
		bw_table_set_real(t, row, NCELL, e->points[j].n);
		bw_table_set_int(t, row, NCELL + 1, (int64_t)e->points[j].tasks);
		bw_table_set_int(t, row, NCELL + 2, (int64_t)e->points[j].successes);
		bw_table_set_real(t, row, NCELL + 3, e->points[j].rate);
	}
	return BW_OK;
}

static int seeds_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	for (size_t s = 0; s < e->nseeds; s++) {
		size_t row, id = (size_t)e->seeds[s].seed;
		CHECK(bw_table_add_row(t, &row));
		CHECK(set_cell(t, row, c));
		bw_table_set_int(t, row, NCELL, c->sweep_seed[id]);
		bw_table_set_int(t, row, NCELL + 1, c->seed[id]);
		bw_table_set_real(t, row, NCELL + 2, e->seeds[s].threshold);
		bw_table_set_int(t, row, NCELL + 3, e->seeds[s].monotone);
	}
	return BW_OK;
}

/* Fits per algorithm, against kappa ln d and d. */
static int fit_rows(struct bw_table *t, const struct bw_qcells *cells)
{
	struct bw_cell_stat *st;
	struct bw_algo_fit *f = NULL;
	size_t nf = 0;
	CHECK(bw_cells_estimate(cells, BW_NSTAR_NO_INTERVAL, &st));
	int rc = bw_fit_per_algorithm(cells, st, &f, &nf);
	for (size_t g = 0; g < nf && rc == BW_OK; g++)
		for (int x = 0; x < BW_FIT_X_COUNT && rc == BW_OK; x++) {
			const struct bw_line_fit *fit = &f[g].fit[x];
			size_t row;
			if ((rc = bw_table_add_row(t, &row)) != BW_OK ||
			    (rc = bw_table_set_text(t, row, 0, f[g].algorithm)) != BW_OK ||
			    (rc = bw_table_set_text(t, row, 1, bw_fit_x_name((enum bw_fit_x)x))) != BW_OK)
				break;
			bw_table_set_int(t, row, 2, (int64_t)fit->npoints);
			bw_table_set_real(t, row, 3, fit->slope);
			bw_table_set_real(t, row, 4, fit->intercept);
			bw_table_set_real(t, row, 5, fit->r2);
			bw_table_set_real(t, row, 6, fit->slope_se);
		}
	free(f);
	free(st);
	return rc;
}

int cmd_curve(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite";
	int points = 0, seeds = 0, fit = 0, fmt = BW_FMT_TABLE;
	struct bw_opt_list where = {0};
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT("where", BW_OPT_LIST, &where, "COND", "COLUMN OP VALUE filter, repeatable (as in query)"),
		BW_OPT_FORMAT(&fmt),
		BW_OPT("points", BW_OPT_FLAG, &points, NULL, "one row per (cell, n): tasks, successes, rate", .excl = 1),
		BW_OPT("seeds", BW_OPT_FLAG, &seeds, NULL, "one row per (cell, seed): its threshold", .excl = 1),
		BW_OPT("fit", BW_OPT_FLAG, &fit, NULL, "per algorithm: fits of n* against kappa ln d and d", .excl = 1),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "curve", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));

	struct bw_query *q;
	CHECK(bw_query_open(catalog, &q));
	struct bw_qfilter f[sizeof where.items / sizeof where.items[0]];
	struct bw_qcells cells = {0};
	for (int i = 0; i < where.len && rc == BW_OK; i++)
		if ((rc = bw_query_parse_filter(q, where.items[i], &f[i])) != BW_OK)
			bw_error_context(rc, "--where");
	if (rc == BW_OK)
		rc = bw_query_cells(q, f, (size_t)where.len, &cells);
	bw_query_close(q);
	CHECK(rc);

	static const char *const summary_cols[] = {"seeds",	    "tasks",	 "n_min",	     "n_max",
						   "nstar",	    "nstar_lo",	 "nstar_hi",	     "median_threshold",
						   "nonmonotone", "n50_dt",	 "note",	     "curve"};
	static const char *const point_cols[] = {"n", "tasks", "successes", "rate"};
	static const char *const seed_cols[] = {"sweep_seed", "seed", "threshold", "monotone"};
	static const char *const fit_cols[] = {"algorithm", "against", "cells", "slope", "intercept", "r2", "slope_se"};
	struct bw_table t = {0};
	if (fit)
		rc = bw_table_init(&t, sizeof fit_cols / sizeof *fit_cols, fit_cols);
	else if (points)
		rc = init_table(&t, point_cols, sizeof point_cols / sizeof *point_cols);
	else if (seeds)
		rc = init_table(&t, seed_cols, sizeof seed_cols / sizeof *seed_cols);
	else
		rc = init_table(&t, summary_cols, sizeof summary_cols / sizeof *summary_cols);
	if (rc == BW_OK && fit)
		rc = fit_rows(&t, &cells);
	for (size_t i = 0; i < cells.n && rc == BW_OK && !fit; i++) {
		struct bw_nstar e;
		/* the interval is only needed by the summary */
		if ((rc = bw_cell_estimate(&cells.cell[i], points || seeds ? BW_NSTAR_NO_INTERVAL : BW_NSTAR_BOOTSTRAP,
					   &e)) != BW_OK)
			break;
		if (points)
			rc = points_rows(&t, &cells.cell[i], &e);
		else if (seeds)
			rc = seeds_rows(&t, &cells.cell[i], &e);
		else
			rc = summary_row(&t, &cells.cell[i], &e);
		bw_nstar_release(&e);
	}
	if (rc == BW_OK)
		rc = bw_table_print(stdout, &t, (enum bw_format)fmt);
	bw_table_release(&t);
	bw_qcells_release(&cells);
	return rc;
}
