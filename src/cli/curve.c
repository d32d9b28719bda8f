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
	"and their median, and the Donoho-Tanner l1 transition n50_dt = d psi(kappa/d) for comparison.";

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

/* The outcomes of the cell at n (the rest of the point's count are imputed seeds). */
static size_t ran_at(const struct bw_qcell *c, double n)
{
	size_t k = 0;
	for (size_t i = 0; i < c->nobs; i++)
		k += c->obs[i].n == n;
	return k;
}

static int points_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	for (size_t j = 0; j < e->npoints; j++) {
		size_t row, ran = ran_at(c, e->points[j].n);
		CHECK(bw_table_add_row(t, &row));
		CHECK(set_cell(t, row, c));
		bw_table_set_real(t, row, NCELL, e->points[j].n);
		bw_table_set_int(t, row, NCELL + 1, (int64_t)ran);
		bw_table_set_int(t, row, NCELL + 2, (int64_t)(e->points[j].tasks - ran));
		bw_table_set_int(t, row, NCELL + 3, (int64_t)e->points[j].successes);
		bw_table_set_real(t, row, NCELL + 4, e->points[j].rate);
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

/* Row `row` of the summary t as one object of j, with the cell's points and seeds as arrays of objects. */
static void json_cell(struct bw_json *j, const struct bw_table *t, size_t row, const struct bw_qcell *c,
		      const struct bw_nstar *e)
{
	bw_json_object(j, NULL);
	bw_json_table_row(j, t, row, t->ncols - 1); /* all but the text column "curve" */
	bw_json_array(j, "points");
	for (size_t k = 0; k < e->npoints; k++) {
		size_t ran = ran_at(c, e->points[k].n);
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

/* The cell columns (of the first NCELL of t) whose value is the same in every row. */
static void constant_columns(const struct bw_table *t, int *constant)
{
	for (size_t c = 0; c < NCELL; c++) {
		constant[c] = t->nrows > 0;
		for (size_t r = 1; r < t->nrows && constant[c]; r++) {
			const struct bw_value *a = &t->v[c], *b = &t->v[r * t->ncols + c];
			constant[c] = a->type == b->type && (a->type != BW_VAL_INT || a->i == b->i) &&
				      (a->type != BW_VAL_REAL || a->r == b->r) &&
				      (a->type != BW_VAL_TEXT || !strcmp(a->s ? a->s : "", b->s ? b->s : ""));
		}
	}
}

/* t printed as a table without its constant cell columns, which a line above it names. */
static int print_varying(const struct bw_table *t, int pivot)
{
	int constant[NCELL];
	const char *names[NCELL + 64];
	size_t keep[NCELL + 64], nk = 0;
	char buf[64];
	constant_columns(t, constant);
	int any = 0;
	for (size_t c = 0; c < t->ncols && nk < sizeof keep / sizeof *keep; c++) {
		if (pivot && c == 3)
			continue; /* d: the pivot's columns */
		if (c < NCELL && constant[c]) {
			const struct bw_value *v = &t->v[c];
			const char *x = v->type == BW_VAL_TEXT ? v->s : v->type == BW_VAL_NULL ? "-" : buf;
			if (v->type == BW_VAL_INT)
				snprintf(buf, sizeof buf, "%lld", (long long)v->i);
			else if (v->type == BW_VAL_REAL)
				snprintf(buf, sizeof buf, "%g", v->r);
			printf("%s%s=%s", any++ ? " " : "constant (--all-columns shows them): ", cell_names[c], x ? x : "");
			continue;
		}
		names[nk] = t->cols[c];
		keep[nk++] = c;
	}
	if (any)
		printf("\n");
	struct bw_table v;
	CHECK(bw_table_init(&v, nk, names));
	int rc = BW_OK;
	for (size_t r = 0; r < t->nrows && rc == BW_OK; r++) {
		size_t row;
		if ((rc = bw_table_add_row(&v, &row)) != BW_OK)
			break;
		for (size_t k = 0; k < nk && rc == BW_OK; k++) {
			const struct bw_value *x = &t->v[r * t->ncols + keep[k]];
			if (x->type == BW_VAL_INT)
				bw_table_set_int(&v, row, k, x->i);
			else if (x->type == BW_VAL_REAL)
				bw_table_set_real(&v, row, k, x->r);
			else if (x->type == BW_VAL_TEXT)
				rc = bw_table_set_text(&v, row, k, x->s);
		}
	}
	if (rc == BW_OK)
		rc = bw_table_print(stdout, &v, BW_FMT_TABLE);
	bw_table_release(&v);
	return rc;
}

/* --pivot d: n* per (cell without d) and d, the d values as columns. */
static int pivot_rows(struct bw_table *t, const struct bw_qcells *cells)
{
	struct bw_cell_stat *st;
	CHECK(bw_cells_estimate(cells, BW_NSTAR_NO_INTERVAL, &st));
	int64_t ds[64];
	size_t nd = 0;
	for (size_t i = 0; i < cells->n; i++) {
		size_t k = 0;
		while (k < nd && ds[k] != cells->cell[i].d)
			k++;
		if (k == nd && nd < sizeof ds / sizeof *ds)
			ds[nd++] = cells->cell[i].d;
	}
	for (size_t a = 0; a < nd; a++) /* ascending */
		for (size_t b = a + 1; b < nd; b++)
			if (ds[b] < ds[a]) {
				int64_t x = ds[a];
				ds[a] = ds[b];
				ds[b] = x;
			}
	const char *names[NCELL + 64];
	char dn[64][32];
	memcpy(names, cell_names, sizeof cell_names);
	for (size_t k = 0; k < nd; k++) {
		snprintf(dn[k], sizeof dn[k], "d=%lld", (long long)ds[k]);
		names[NCELL + k] = dn[k];
	}
	int rc = bw_table_init(t, NCELL + nd, names);
	size_t *row_of = calloc(cells->n ? cells->n : 1, sizeof *row_of);
	if (rc == BW_OK && !row_of)
		rc = RAISE(BW_ENOMEM, "out of memory");
	for (size_t i = 0; i < cells->n && rc == BW_OK; i++) {
		const struct bw_qcell *c = &cells->cell[i];
		size_t row = SIZE_MAX;
		for (size_t p = 0; p < i && row == SIZE_MAX; p++) { /* a cell equal but for d */
			const struct bw_qcell *o = &cells->cell[p];
			if (!strcmp(o->algorithm, c->algorithm) && !strcmp(o->design, c->design) && !strcmp(o->wstar, c->wstar) &&
			    o->kappa == c->kappa && o->batch == c->batch &&
			    !memcmp(&o->alpha, &c->alpha, sizeof c->alpha) && !memcmp(&o->eta, &c->eta, sizeof c->eta) &&
			    !memcmp(&o->sigma, &c->sigma, sizeof c->sigma) && !memcmp(&o->eps, &c->eps, sizeof c->eps))
				row = row_of[p];
		}
		if (row == SIZE_MAX) {
			if ((rc = bw_table_add_row(t, &row)) != BW_OK || (rc = set_cell(t, row, c)) != BW_OK)
				break;
			bw_table_at(t, row, 3)->type = BW_VAL_NULL; /* d is the columns */
		}
		row_of[i] = row;
		for (size_t k = 0; k < nd; k++)
			if (ds[k] == c->d)
				bw_table_set_real(t, row, NCELL + k, st[i].nstar);
	}
	free(row_of);
	free(st);
	return rc;
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

static int noise_row(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	struct bw_noise_split s;
	size_t row;
	CHECK(bw_cell_noise_split(c, e, &s));
	CHECK(bw_table_add_row(t, &row));
	CHECK(set_cell(t, row, c));
	bw_table_set_int(t, row, NCELL, (int64_t)s.instances);
	bw_table_set_int(t, row, NCELL + 1, (int64_t)s.realizations);
	bw_table_set_real(t, row, NCELL + 2, s.between);
	bw_table_set_real(t, row, NCELL + 3, s.within);
	return BW_OK;
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
		rc = pivot_rows(&t, &cells);
	else if (fit)
		rc = bw_table_init(&t, sizeof fit_cols / sizeof *fit_cols, fit_cols);
	else if (points)
		rc = init_table(&t, point_cols, sizeof point_cols / sizeof *point_cols);
	else if (seeds)
		rc = init_table(&t, seed_cols, sizeof seed_cols / sizeof *seed_cols);
	else if (noise)
		rc = init_table(&t, noise_cols, sizeof noise_cols / sizeof *noise_cols);
	else
		rc = init_table(&t, summary_cols, sizeof summary_cols / sizeof *summary_cols);
	if (rc == BW_OK && fit)
		rc = fit_rows(&t, &cells);
	for (size_t i = 0; i < cells.n && rc == BW_OK && !fit && !pivot; i++) {
		struct bw_nstar e;
		/* the interval is only needed by the summary */
		if ((rc = bw_cell_estimate(&cells.cell[i], points || seeds || noise ? BW_NSTAR_NO_INTERVAL : BW_NSTAR_BOOTSTRAP,
					   &e)) != BW_OK)
			break;
		if (points)
			rc = points_rows(&t, &cells.cell[i], &e);
		else if (seeds)
			rc = seeds_rows(&t, &cells.cell[i], &e);
		else if (noise)
			rc = noise_row(&t, &cells.cell[i], &e);
		else if ((rc = summary_row(&t, &cells.cell[i], &e)) == BW_OK && json)
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
