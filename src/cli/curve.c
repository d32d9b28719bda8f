/* curve.c - `biasweep curve`: success rate against n, n* with its bootstrap
 * interval and the per-seed thresholds, per cell; the Donoho-Tanner n50
 * beside it; line fits of n* against kappa ln d and d per algorithm. */
#include "biasweep/analysis.h"
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char summary[] =
	"For every cell (algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps) of the finished tasks:\n"
	"the success rate against n, n* (the smallest n where the rate over seeds reaches 1/2, interpolated\n"
	"linearly between the two grid points around the first crossing), a 95% interval, each seed's threshold\n"
	"and their median, and the Donoho-Tanner l1 transition n50_dt = d psi(kappa/d) for comparison.\n"
	"A cell's eta is the spec's step, 0 where the program chose it (the catalog's eta is NULL there and\n"
	"eta_mode says how: automatic, or scaled with eta_scale).";

static const char epilog[] =
	"n*        r_j = successes/(ran + imputed) at grid n_j (every seed of the cell counts: its own outcomes\n"
	"          where it ran n_j, else one outcome imputed from its threshold: success iff n_j >= threshold); j the first index with r_j >= 1/2;\n"
	"          n* = n_{j-1} + (1/2 - r_{j-1})/(r_j - r_{j-1}) (n_j - n_{j-1}).  When r_1 >= 1/2 already,\n"
	"          n* = n_1 with note 'n* <= min n'; when no r_j reaches 1/2, n* is empty/null, note 'n* > max n'.\n"
	"interval  percentile bootstrap over seeds: 2000 resamples of the seeds with replacement (each with all\n"
	"          its outcomes), n* recomputed per resample (never reaching 1/2 counts as +infinity); lo and hi\n"
	"          are the 50th and 1950th of the 2000 sorted values.  gsl_rng_mt19937 seeded with 20240501 for\n"
	"          every cell (reproducible, independent of --where).  Empty with fewer than 2 seeds; an\n"
	"          infinite bound is empty with note 'hi > max n'.\n"
	"--noise    where a cell has several noise seeds (noise_seeds; a seed is then an (instance, noise seed)):\n"
	"          var_instance = sample variance over instances of each instance's mean threshold over its noise\n"
	"          seeds; var_noise = mean over instances with >= 2 noise seeds of the sample variance of their\n"
	"          thresholds (censored thresholds left out; empty when undefined).\n"
	"threshold per seed (sweep_seed, seed, noise seed): the smallest of its grid n from which it succeeds\n"
	"          at every larger grid n it ran at; empty when it fails at its largest n.  nonmonotone counts\n"
	"          seeds that also succeed somewhere below their threshold (instances are nested in n, so this\n"
	"          should be rare).\n"
	"          median_threshold: their median (empty when above max n).\n"
	"n50_dt    d psi(kappa/d), psi(tau) = min_t tau(1+t^2) + (1-tau)[(1+t^2) erfc(t/sqrt2) - t sqrt(2/pi)\n"
	"          e^{-t^2/2}] (Gaussian designs, signed w*; see biasweep dt --help).\n"
	"--fit     per algorithm, over its cells with an interpolated n* (not censored): least squares of n*\n"
	"          against x = kappa ln d and against x = d (gsl_fit_linear): slope, intercept, R^2 and the\n"
	"          slope's standard error.  Cells of different alpha/eta/... are pooled: fix them with --where.\n"
	"--pivot d one row per cell but d (per algorithm, kappa, ...), one column d=D per d holding that cell's n*\n"
	"          ('-': n* > max n, or no such cell); in csv and json the column d is null.\n"
	"table     the cell columns that are the same in every row are named on one line above the table, not\n"
	"          repeated in it (--all-columns keeps them); csv and json always have every column.\n"
	"json      one object per cell, with its points [{n, ran, imputed, successes, rate}] and thresholds\n"
	"          [{sweep_seed, seed, threshold, monotone}] as arrays of objects (no curve text).\n"
	"--where   as in biasweep query (COLUMN OP VALUE on the view 'results'; repeatable, ANDed).\n"
	"--points  ran: outcomes that ran at n (on a searched sweep, bisection probes); imputed: seeds that did not\n"
	"          run n, counted from their threshold; rate = successes / (ran + imputed).\n"
	"The catalog's views give the same numbers in SQL: sample_complexity (n* per cell), success_rates\n"
	"(--points), seed_thresholds (--seeds); probe_rates counts only the outcomes that ran.\n"
	"exit status: 0 ok, 2 bad flags, columns or values, 1 other errors.\n";

static void json_cell(struct bw_json *j, const struct bw_table *t, size_t row, const struct bw_qcell *c,
		      const struct bw_nstar *e)
{
	bw_json_object(j, NULL);
	bw_json_table_row(j, t, row, t->ncols - 1); /* all but the text column "curve" */
	bw_json_array(j, "points");
	for (size_t k = 0; k < e->npoints; k++) {
		size_t ran = bw_curve_ran_at(c, e->points[k].n);
		bw_json_object(j, NULL);
		bw_json_number(j, "n", e->points[k].n);
		bw_json_uint(j, "ran", ran);
		bw_json_uint(j, "imputed", e->points[k].tasks - ran);
		bw_json_uint(j, "successes", e->points[k].successes);
		bw_json_number(j, "rate", e->points[k].rate);
		bw_json_end(j);
	}
	bw_json_end(j);
	bw_json_array(j, "thresholds");
	for (size_t k = 0; k < e->nseeds; k++) {
		size_t id = (size_t)e->seeds[k].seed;
		bw_json_object(j, NULL);
		bw_json_int(j, "sweep_seed", c->sweep_seed[id]);
		bw_json_int(j, "seed", c->seed[id]);
		bw_json_number(j, "threshold", e->seeds[k].threshold);
		bw_json_bool(j, "monotone", e->seeds[k].monotone);
		bw_json_end(j);
	}
	bw_json_end(j);
	bw_json_end(j);
}

/* t printed as a table without its constant cell columns, which a line above it names. */
static int print_varying(const struct bw_table *t, int pivot)
{
	struct bw_table v;
	char line[1024];
	CHECK(bw_curve_varying(t, pivot, &v, line, sizeof line));
	if (*line)
		printf("%s\n", line);
	int rc = bw_table_print(stdout, &v, BW_FMT_TABLE);
	bw_table_release(&v);
	return rc;
}

int cmd_curve(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite";
	int points = 0, seeds = 0, fit = 0, noise = 0, all_columns = 0, fmt = BW_FMT_TABLE;
	const char *pivot = NULL;
	struct bw_opt_list where = {0};
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT("where", BW_OPT_LIST, &where, "COND", "COLUMN OP VALUE filter, repeatable (as in query)"),
		BW_OPT_FORMAT(&fmt),
		BW_OPT("points", BW_OPT_FLAG, &points, NULL,
		       "one row per (cell, n): outcomes that ran, seeds imputed, successes, rate", .excl = 1),
		BW_OPT("seeds", BW_OPT_FLAG, &seeds, NULL, "one row per (cell, seed): its threshold", .excl = 1),
		BW_OPT("fit", BW_OPT_FLAG, &fit, NULL, "per algorithm: fits of n* against kappa ln d and d", .excl = 1),
		BW_OPT("pivot", BW_OPT_STRING, &pivot, "d",
		       "n* with one column per d: a kappa x d table per algorithm (- : n* > max n)", .excl = 1),
		BW_OPT("all-columns", BW_OPT_FLAG, &all_columns, NULL,
		       "table format: also the cell columns that are the same in every row"),
		BW_OPT("noise", BW_OPT_FLAG, &noise, NULL,
		 "per cell: threshold variance between instances and over noise seeds", .excl = 1),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "curve", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	if (pivot && strcmp(pivot, "d"))
		return RAISE(BW_EINVAL, "--pivot: '%s' is not a pivot column (d is the one)", pivot);

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

	static const char *const summary_cols[] = {"seeds",	    "probes",	 "n_min",	     "n_max",
						   "nstar",	    "nstar_lo",	 "nstar_hi",	     "median_threshold",
						   "nonmonotone", "n50_dt",	 "note",	     "curve"};
	static const char *const point_cols[] = {"n", "ran", "imputed", "successes", "rate"};
	static const char *const seed_cols[] = {"sweep_seed", "seed", "threshold", "monotone"};
	static const char *const noise_cols[] = {"instances", "realizations", "var_instance", "var_noise"};
	static const char *const fit_cols[] = {"algorithm", "against", "cells", "slope", "intercept", "r2", "slope_se"};
	struct bw_table t = {0};
	struct bw_json j;
	int json = fmt == BW_FMT_JSON && !fit && !points && !seeds && !noise && !pivot;
	if (json) {
		bw_json_init(&j, 17, BW_JSON_ROWS);
		bw_json_array(&j, NULL);
	}
	if (pivot)
		rc = bw_curve_pivot_rows(&t, &cells);
	else if (fit)
		rc = bw_table_init(&t, sizeof fit_cols / sizeof *fit_cols, fit_cols);
	else if (points)
		rc = bw_curve_table_init(&t, point_cols, sizeof point_cols / sizeof *point_cols);
	else if (seeds)
		rc = bw_curve_table_init(&t, seed_cols, sizeof seed_cols / sizeof *seed_cols);
	else if (noise)
		rc = bw_curve_table_init(&t, noise_cols, sizeof noise_cols / sizeof *noise_cols);
	else
		rc = bw_curve_table_init(&t, summary_cols, sizeof summary_cols / sizeof *summary_cols);
	if (rc == BW_OK && fit)
		rc = bw_curve_fit_rows(&t, &cells);
	for (size_t i = 0; i < cells.n && rc == BW_OK && !fit && !pivot; i++) {
		struct bw_nstar e;
		/* the interval is only needed by the summary */
		if ((rc = bw_cell_estimate(&cells.cell[i], points || seeds || noise ? BW_NSTAR_NO_INTERVAL : BW_NSTAR_BOOTSTRAP,
					   &e)) != BW_OK)
			break;
		if (points)
			rc = bw_curve_points_rows(&t, &cells.cell[i], &e);
		else if (seeds)
			rc = bw_curve_seeds_rows(&t, &cells.cell[i], &e);
		else if (noise)
			rc = bw_curve_noise_row(&t, &cells.cell[i], &e);
		else if ((rc = bw_curve_summary_row(&t, &cells.cell[i], &e)) == BW_OK && json)
			json_cell(&j, &t, t.nrows - 1, &cells.cell[i], &e);
		bw_nstar_release(&e);
	}
	if (json) {
		bw_json_end(&j);
		if (rc == BW_OK)
			rc = bw_json_print(stdout, &j);
		else
			bw_json_release(&j);
	} else if (rc == BW_OK && fmt == BW_FMT_TABLE && !fit && !all_columns)
		rc = print_varying(&t, pivot != NULL);
	else if (rc == BW_OK)
		rc = bw_table_print(stdout, &t, (enum bw_format)fmt);
	bw_table_release(&t);
	bw_qcells_release(&cells);
	return rc;
}
