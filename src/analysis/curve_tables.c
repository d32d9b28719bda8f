/* curve_tables.c - the tables `biasweep curve` prints, built from the cells
 * of a catalog (contract in include/biasweep/analysis.h): the cell columns,
 * then per view its own (summary, points, seeds, pivot, fits, noise). */
#include "biasweep/analysis.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/query.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const bw_curve_cell_names[BW_CURVE_NCELL] = {"algorithm", "design", "wstar", "d", "kappa",
					 "alpha",     "eta",    "eta_scale", "schedule", "sigma", "batch", "eps"};
#define NCELL BW_CURVE_NCELL
#define cell_names bw_curve_cell_names

int bw_curve_set_cell(struct bw_table *t, size_t row, const struct bw_qcell *c)
{
	CHECK(bw_table_set_text(t, row, 0, c->algorithm));
	CHECK(bw_table_set_text(t, row, 1, c->design));
	CHECK(bw_table_set_text(t, row, 2, c->wstar));
	bw_table_set_int(t, row, 3, c->d);
	bw_table_set_int(t, row, 4, c->kappa);
	bw_table_set_real(t, row, 5, c->alpha);
	bw_table_set_real(t, row, 6, c->eta);
	bw_table_set_real(t, row, 7, c->eta_scale);
	if (c->schedule[0])
		CHECK(bw_table_set_text(t, row, 8, c->schedule));
	bw_table_set_real(t, row, 9, c->sigma);
	if (c->batch > 0)
		bw_table_set_int(t, row, 10, c->batch);
	bw_table_set_real(t, row, 11, c->eps);
	return BW_OK;
}

/* cell columns followed by extra */
int bw_curve_table_init(struct bw_table *t, const char *const *extra, size_t nextra)
{
	const char *names[NCELL + 32];
	memcpy(names, cell_names, sizeof cell_names);
	memcpy(names + NCELL, extra, nextra * sizeof *extra);
	return bw_table_init(t, NCELL + nextra, names);
}

int bw_curve_summary_row(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	size_t row;
	CHECK(bw_table_add_row(t, &row));
	CHECK(bw_curve_set_cell(t, row, c));
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
size_t bw_curve_ran_at(const struct bw_qcell *c, double n)
{
	size_t k = 0;
	for (size_t i = 0; i < c->nobs; i++)
		k += c->obs[i].n == n;
	return k;
}

int bw_curve_points_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	for (size_t j = 0; j < e->npoints; j++) {
		size_t row, ran = bw_curve_ran_at(c, e->points[j].n);
		CHECK(bw_table_add_row(t, &row));
		CHECK(bw_curve_set_cell(t, row, c));
		bw_table_set_real(t, row, NCELL, e->points[j].n);
		bw_table_set_int(t, row, NCELL + 1, (int64_t)ran);
		bw_table_set_int(t, row, NCELL + 2, (int64_t)(e->points[j].tasks - ran));
		bw_table_set_int(t, row, NCELL + 3, (int64_t)e->points[j].successes);
		bw_table_set_real(t, row, NCELL + 4, e->points[j].rate);
	}
	return BW_OK;
}

int bw_curve_seeds_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	for (size_t s = 0; s < e->nseeds; s++) {
		size_t row, id = (size_t)e->seeds[s].seed;
		CHECK(bw_table_add_row(t, &row));
		CHECK(bw_curve_set_cell(t, row, c));
		bw_table_set_int(t, row, NCELL, c->sweep_seed[id]);
		bw_table_set_int(t, row, NCELL + 1, c->seed[id]);
		bw_table_set_real(t, row, NCELL + 2, e->seeds[s].threshold);
		bw_table_set_int(t, row, NCELL + 3, e->seeds[s].monotone);
	}
	return BW_OK;
}

/* Row `row` of the summary t as one object of j, with the cell's points and seeds as arrays of objects. */
int bw_curve_pivot_rows(struct bw_table *t, const struct bw_qcells *cells)
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
			if ((rc = bw_table_add_row(t, &row)) != BW_OK || (rc = bw_curve_set_cell(t, row, c)) != BW_OK)
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
int bw_curve_fit_rows(struct bw_table *t, const struct bw_qcells *cells)
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

int bw_curve_noise_row(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e)
{
	struct bw_noise_split s;
	size_t row;
	CHECK(bw_cell_noise_split(c, e, &s));
	CHECK(bw_table_add_row(t, &row));
	CHECK(bw_curve_set_cell(t, row, c));
	bw_table_set_int(t, row, NCELL, (int64_t)s.instances);
	bw_table_set_int(t, row, NCELL + 1, (int64_t)s.realizations);
	bw_table_set_real(t, row, NCELL + 2, s.between);
	bw_table_set_real(t, row, NCELL + 3, s.within);
	return BW_OK;
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

int bw_curve_varying(const struct bw_table *t, int pivot, struct bw_table *out, char *line, size_t len)
{
	size_t used = 0;
	*line = 0;
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
			if (used < len)
				used += (size_t)snprintf(line + used, len - used, "%s%s=%s",
							 any++ ? " " : "constant (--all-columns shows them): ", cell_names[c],
							 x ? x : "");
			continue;
		}
		names[nk] = t->cols[c];
		keep[nk++] = c;
	}
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
		*out = v;
	else
		bw_table_release(&v);
	return rc;
}
