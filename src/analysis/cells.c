/* cells.c - n*, its interval and n50 per cell, and the line fits of n*
 * over cells (per algorithm, pooled by limit); contract in analysis.h. */
#include "biasweep/analysis.h"

#include "biasweep/dt.h"
#include "biasweep/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bw_cell_estimate(const struct bw_qcell *c, enum bw_nstar_interval interval, struct bw_nstar *out)
{
	struct bw_nstar_opts o = {.interval = interval, .impute = 1};
	return bw_nstar_estimate(c->obs, c->nobs, &o, out);
}

double bw_cell_n50(const struct bw_qcell *c)
{
	if (!(c->d >= 1 && c->kappa >= 0 && c->kappa <= c->d))
		return NAN;
	return (double)c->d * bw_dt_psi((double)c->kappa / (double)c->d, NULL);
}

double bw_cell_klnd(const struct bw_qcell *c) { return (double)c->kappa * log((double)c->d); }

int bw_cells_estimate(const struct bw_qcells *cells, enum bw_nstar_interval interval, struct bw_cell_stat **out)
{
	struct bw_cell_stat *r = calloc(cells->n ? cells->n : 1, sizeof *r);
	if (!r)
		return RAISE(BW_ENOMEM, "out of memory");
	for (size_t i = 0; i < cells->n; i++) {
		const struct bw_qcell *c = &cells->cell[i];
		struct bw_nstar e;
		int rc = bw_cell_estimate(c, interval, &e);
		if (rc != BW_OK) {
			free(r);
			return rc;
		}
		r[i] = (struct bw_cell_stat){.nstar = e.nstar,
					     .lo = e.lo,
					     .hi = e.hi,
					     .censor = e.censor,
					     .seeds = e.nseeds,
					     .nmin = e.points[0].n,
					     .nmax = e.points[e.npoints - 1].n,
					     .n50 = bw_cell_n50(c),
					     .klnd = bw_cell_klnd(c)};
		bw_nstar_release(&e);
	}
	*out = r;
	return BW_OK;
}

const char *bw_fit_x_name(enum bw_fit_x x) { return x == BW_FIT_D ? "d" : "kappa_ln_d"; }

/* The fit over the cells [first, end) with want[i] (NULL: all) and an interpolated n*. */
static int fit_range(const struct bw_qcells *cells, const struct bw_cell_stat *st, size_t first, size_t end,
		     const int *want, enum bw_fit_x xk, struct bw_line_fit *out)
{
	size_t n = end > first ? end - first : 1, k = 0;
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	int rc;
	if (!x || !y)
		rc = RAISE(BW_ENOMEM, "out of memory");
	else {
		for (size_t i = first; i < end; i++) {
			if ((want && !want[i]) || st[i].censor != BW_NSTAR_INSIDE)
				continue;
			x[k] = xk == BW_FIT_D ? (double)cells->cell[i].d : st[i].klnd;
			y[k] = st[i].nstar;
			k++;
		}
		rc = bw_fit_line(x, y, k, out);
	}
	free(x);
	free(y);
	return rc;
}

int bw_fit_cells(const struct bw_qcells *cells, const struct bw_cell_stat *st, const int *want, enum bw_fit_x x,
		 struct bw_line_fit *out)
{
	return fit_range(cells, st, 0, cells->n, want, x, out);
}

int bw_fit_per_algorithm(const struct bw_qcells *cells, const struct bw_cell_stat *st, struct bw_algo_fit **out,
			 size_t *n)
{
	size_t groups = 0;
	for (size_t i = 0; i < cells->n; i++)
		groups += !i || strcmp(cells->cell[i].algorithm, cells->cell[i - 1].algorithm);
	struct bw_algo_fit *f = calloc(groups ? groups : 1, sizeof *f);
	if (!f)
		return RAISE(BW_ENOMEM, "out of memory");
	int rc = BW_OK;
	size_t g = 0;
	for (size_t a = 0; a < cells->n && rc == BW_OK; g++) {
		size_t b = a;
		while (b < cells->n && !strcmp(cells->cell[b].algorithm, cells->cell[a].algorithm))
			b++;
		f[g].algorithm = cells->cell[a].algorithm;
		f[g].first = a;
		f[g].end = b;
		for (int x = 0; x < BW_FIT_X_COUNT && rc == BW_OK; x++)
			rc = fit_range(cells, st, a, b, NULL, (enum bw_fit_x)x, &f[g].fit[x]);
		a = b;
	}
	if (rc != BW_OK) {
		free(f);
		return rc;
	}
	*out = f;
	*n = groups;
	return BW_OK;
}

const struct bw_dynamics *bw_dynamics_named(const char *name)
{
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		if (!strcmp(name, bw_dynamics_table[a]->name))
			return bw_dynamics_table[a];
	return NULL;
}

size_t bw_cells_of_limit(const struct bw_qcells *cells, enum bw_limit limit, int *want)
{
	size_t k = 0;
	for (size_t i = 0; i < cells->n; i++) {
		const struct bw_dynamics *dy = bw_dynamics_named(cells->cell[i].algorithm);
		k += (size_t)(want[i] = dy && dy->limit == limit);
	}
	return k;
}

void bw_limit_names(enum bw_limit limit, const char *sep, const char *last, char *buf, size_t len)
{
	size_t k = 0, n = 0, i = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		n += bw_dynamics_table[a]->limit == limit;
	buf[0] = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		if (bw_dynamics_table[a]->limit == limit && k < len) {
			int w = snprintf(buf + k, len - k, "%s%s", !i ? "" : i + 1 == n ? last : sep, bw_dynamics_table[a]->name);
			k = w < 0 ? len : k + (size_t)w;
			i++;
		}
}

void bw_limit_group_name(enum bw_limit limit, char *buf, size_t len) { bw_limit_names(limit, "+", "+", buf, len); }

/* Welford's running mean and sum of squared deviations. */
struct moments {
	size_t n;
	double mean, m2;
};

static void moments_add(struct moments *m, double x)
{
	double dx = x - m->mean;
	m->n++;
	m->mean += dx / (double)m->n;
	m->m2 += dx * (x - m->mean);
}

int bw_cell_noise_split(const struct bw_qcell *c, const struct bw_nstar *e, struct bw_noise_split *out)
{
	struct moments means = {0}, inst = {0};
	double within = 0;
	size_t nwithin = 0;
	memset(out, 0, sizeof *out);
	/* seeds ascending: the realizations of one instance are neighbours (query.h orders them) */
	for (size_t i = 0; i <= e->nseeds; i++) {
		int64_t s = i < e->nseeds ? e->seeds[i].seed : -1;
		int same = i > 0 && i < e->nseeds && s >= 0 && (size_t)s < c->nseeds && e->seeds[i - 1].seed >= 0 &&
			   c->sweep_seed[s] == c->sweep_seed[e->seeds[i - 1].seed] && c->seed[s] == c->seed[e->seeds[i - 1].seed];
		if (i > 0 && !same && inst.n) { /* the instance before ends */
			moments_add(&means, inst.mean);
			if (inst.n >= 2) {
				within += inst.m2 / (double)(inst.n - 1);
				nwithin++;
			}
			inst = (struct moments){0};
		} else if (i > 0 && !same) {
			inst = (struct moments){0};
		}
		if (i < e->nseeds && isfinite(e->seeds[i].threshold)) {
			moments_add(&inst, e->seeds[i].threshold);
			out->realizations++;
		}
	}
	out->instances = means.n;
	out->between = means.n >= 2 ? means.m2 / (double)(means.n - 1) : NAN;
	out->within = nwithin ? within / (double)nwithin : NAN;
	return BW_OK;
}
