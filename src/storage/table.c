/* table.c - a table of named columns of typed values (contract in
 * include/biasweep/table.h). */
#include "biasweep/table.h"

#include "biasweep/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int bw_table_init(struct bw_table *t, size_t ncols, const char *const *names)
{
	memset(t, 0, sizeof *t);
	t->cols = calloc(ncols ? ncols : 1, sizeof *t->cols);
	if (!t->cols)
		return RAISE(BW_ENOMEM, "out of memory");
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		if (!(t->cols[i] = strdup(names[i]))) {
			bw_table_release(t);
			return RAISE(BW_ENOMEM, "out of memory");
		}
	return BW_OK;
}

int bw_table_add_row(struct bw_table *t, size_t *row)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct bw_value *v = realloc(t->v, cap * (t->ncols ? t->ncols : 1) * sizeof *v);
		if (!v)
			return RAISE(BW_ENOMEM, "out of memory (%zu result rows)", t->nrows);
		t->v = v;
		t->cap = cap;
	}
	memset(t->v + t->nrows * t->ncols, 0, t->ncols * sizeof *t->v);
	*row = t->nrows++;
	return BW_OK;
}

struct bw_value *bw_table_at(struct bw_table *t, size_t row, size_t col) { return &t->v[row * t->ncols + col]; }

static void value_clear(struct bw_value *v)
{
	free(v->s);
	memset(v, 0, sizeof *v);
}

void bw_table_set_int(struct bw_table *t, size_t row, size_t col, int64_t x)
{
	struct bw_value *v = bw_table_at(t, row, col);
	value_clear(v);
	v->type = BW_VAL_INT;
	v->i = x;
}

void bw_table_set_real(struct bw_table *t, size_t row, size_t col, double x)
{
	struct bw_value *v = bw_table_at(t, row, col);
	value_clear(v);
	if (isfinite(x)) {
		v->type = BW_VAL_REAL;
		v->r = x;
	}
}

int bw_table_set_text(struct bw_table *t, size_t row, size_t col, const char *s)
{
	struct bw_value *v = bw_table_at(t, row, col);
	value_clear(v);
	if (!s)
		return BW_OK;
	if (!(v->s = strdup(s)))
		return RAISE(BW_ENOMEM, "out of memory");
	v->type = BW_VAL_TEXT;
	return BW_OK;
}

void bw_table_release(struct bw_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->v && i < t->nrows * t->ncols; i++)
		free(t->v[i].s);
	for (size_t i = 0; t->cols && i < t->ncols; i++)
		free(t->cols[i]);
	free(t->v);
	free(t->cols);
	memset(t, 0, sizeof *t);
}
