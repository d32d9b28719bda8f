/* nstar.c - what the figures nstar-d and nstar-klnd share: n* per cell
 * (as `biasweep curve`), the fits file, the data file in blocks of cells
 * and the pieces of their scripts (contract in emit.h). */
#include "emit.h"

#include "biasweep/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char cell_columns[] =
	"# columns: 1 algorithm  2 design  3 wstar  4 d  5 kappa  6 alpha  7 eta  8 sigma  9 batch  10 eps\n"
	"#          11 kappa_ln_d  12 nstar  13 nstar_lo  14 nstar_hi  15 n_min  16 n_max  17 n50_dt  18 seeds\n"
	"#          19 censor (0 interpolated, 1 n* <= n_min, 2 n* > n_max)\n"
	"# nstar, nstar_lo, nstar_hi, n50_dt as in `biasweep curve` (NaN: none; eta 0: automatic step)\n";

static void put_cell_row(FILE *f, const struct bw_qcell *c, const struct bw_cell_stat *r)
{
	put_cell_fields(f, c);
	put_real(f, r->klnd);
	put_real(f, r->nstar);
	put_real(f, r->lo);
	put_real(f, r->hi);
	put_real(f, r->nmin);
	put_real(f, r->nmax);
	put_real(f, r->n50);
	fprintf(f, " %zu %d\n", r->seeds, r->censor);
}

static void put_cell_header(FILE *f, const char *name, const struct bw_figure_args *a, const struct bw_figure *o,
			    const char *blocks)
{
	fprintf(f, "# %s - n* per cell, %s\n", name, blocks);
	put_provenance(f, a, o->image);
	fputs(cell_columns, f);
}

static void put_fit_row(FILE *f, const char *group, enum bw_fit_x x, const struct bw_line_fit *fit)
{
	put_word(f, group, "");
	fprintf(f, " %s %zu", bw_fit_x_name(x), fit->npoints);
	put_real(f, fit->slope);
	put_real(f, fit->intercept);
	put_real(f, fit->r2);
	put_real(f, fit->slope_se);
	fputc('\n', f);
}

/* The fits file: per algorithm (as curve --fit) and pooled over the
 * dynamics whose limit is the l1 minimizer (the kappa ln d curve of the
 * figures); P->per_algo and P->pooled get the kappa ln d fits. */
static int put_fits(FILE *f, const struct bw_figure_args *a, const struct bw_figure *o, struct nstar_plot *P)
{
	const struct bw_qcells *cells = &P->cells;
	struct bw_algo_fit *af = NULL;
	int *want = calloc(cells->n ? cells->n : 1, sizeof *want);
	size_t npooled = want ? bw_cells_of_limit(cells, BW_LIMIT_L1, want) : 0;
	int rc = want ? bw_fit_per_algorithm(cells, P->r, &af, &P->nalgos) : RAISE(BW_ENOMEM, "out of memory");
	if (rc == BW_OK)
		rc = bw_fit_cells(cells, P->r, want, BW_FIT_KLND, &P->pooled);
	free(want);
	if (rc != BW_OK) {
		free(af);
		return rc;
	}
	char pooled[64];
	bw_limit_group_name(BW_LIMIT_L1, pooled, sizeof pooled);
	fprintf(f, "# %s-fit.dat - least squares n* = slope x + intercept over the cells with an interpolated n*\n",
		o->name);
	put_provenance(f, a, o->image);
	fprintf(f,
		"# per algorithm as `biasweep curve --fit` (x = kappa ln d, and x = d); the group\n"
		"# %s pools both (the kappa ln d curve of the figures)\n"
		"# columns: 1 group  2 against  3 cells  4 slope  5 intercept  6 r2  7 slope_se\n",
		pooled);
	for (size_t g = 0; g < P->nalgos; g++) { /* nalgos <= the series <= MAX_SERIES */
		P->algos[g] = af[g].algorithm;
		P->per_algo[g] = af[g].fit[BW_FIT_KLND];
		for (int x = 0; x < BW_FIT_X_COUNT; x++)
			put_fit_row(f, af[g].algorithm, (enum bw_fit_x)x, &af[g].fit[x]);
	}
	if (npooled)
		put_fit_row(f, pooled, BW_FIT_KLND, &P->pooled);
	free(af);
	return BW_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

size_t distinct(int64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_i64);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

static int block_flags(const struct bw_cell_stat *r)
{
	return (isfinite(r->lo) && isfinite(r->hi) ? BLK_BARS : 0) | (isfinite(r->lo) && !isfinite(r->hi) ? BLK_OPEN : 0) |
	       (r->censor == BW_NSTAR_ABOVE_MAX ? BLK_ABOVE : 0) | (isfinite(r->nstar) ? BLK_POINTS : 0) |
	       (r->censor == BW_NSTAR_AT_MIN ? BLK_BELOW : 0);
}

void plot_sep(FILE *f, int *first)
{
	fputs(*first ? "" : ", \\\n  ", f);
	*first = 0;
}

/* Error bars where finite, an arrow up to n_max where the interval is open
 * above, a triangle at n_max for n* above it (points = 0); then, in a second
 * pass so that no bar hides another series' point, the points. */
static void plot_block(FILE *f, int *first, const char *x, const struct series *s, size_t block, int flags,
		       int lines, int points)
{
	const char *color;
	int pt;
	style_of(s->key->algorithm, s->variant, &color, &pt);
	if (points) {
		if (!(flags & BLK_POINTS)) /* nothing to draw (gnuplot would warn) */
			return;
		plot_sep(f, first);
		fprintf(f, "dat index %zu using %s:12 with %s ", block, x, lines ? "linespoints" : "points");
		put_series_style(f, s);
		fputs(" notitle", f);
		return;
	}
	if (flags & BLK_BARS) {
		plot_sep(f, first);
		fprintf(f, "dat index %zu using %s:12:13:14 with yerrorbars lc rgb '%s' lw 1.2 ps 0 notitle", block, x,
			color);
	}
	if (flags & BLK_OPEN) { /* dashed, no head: not to be read as a point */
		plot_sep(f, first);
		fprintf(f,
			"dat index %zu using %s:((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors "
			"nohead dt (6,4) lc rgb '%s' lw 1.6 notitle",
			block, x, color);
	}
	if (flags & BLK_ABOVE) {
		plot_sep(f, first);
		fprintf(f,
			"dat index %zu using %s:(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '%s' "
			"notitle",
			block, x, color);
	}
	if (flags & BLK_BELOW) {
		plot_sep(f, first);
		fprintf(f, "dat index %zu using %s:($19 == 1 ? $12 : NaN) with points pt 10 ps 2.4 lc rgb '%s' notitle",
			block, x, color);
	}
}

void plot_panel_blocks(FILE *f, int *first, const struct nstar_plot *P, size_t panel, int xc, double spread,
		       int lines)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t b = 0; b < P->nblocks; b++)
			if (P->block_panel[b] == panel) {
				/* series k of n at x * spread^(k - (n-1)/2): side by side, not on top of each other */
				double k = (double)P->block_series[b] - ((double)P->ss.n - 1) / 2;
				char x[48];
				if (spread == 1 || P->ss.n < 2)
					snprintf(x, sizeof x, "%d", xc);
				else
					snprintf(x, sizeof x, "($%d*%.4f)", xc, pow(spread, k));
				plot_block(f, first, x, &P->ss.s[P->block_series[b]], b, P->block_flag[b], lines, pass);
			}
}

void grid_panel(FILE *f, const struct grid *g, size_t i)
{
	int r = (int)i / g->cols, c = (int)i % g->cols;
	double W = grid_w(g), H = grid_h(g);
	fprintf(f, "set origin %.4f,%.4f\nset size %.4f,%.4f\n", c * g->pw / W, (g->rows - 1 - r) * g->ph / H,
		g->pw / W, g->ph / H);
}

void grid_legend(FILE *f, const struct grid *g)
{
	double W = grid_w(g), H = grid_h(g);
	fprintf(f,
		"\n# ---- legend (for every panel)\nset origin %.4f,0\nset size %.4f,%.4f\n"
		"unset border\nunset tics\nunset xlabel\nunset ylabel\nunset title\nunset grid\nunset logscale\n"
		"unset label\nset xrange [0:1]\nset yrange [0:1]\n"
		"set key inside center center vertical Left reverse nobox font ',11' spacing 1.35 samplen 3\n",
		g->cols * g->pw / W, g->lw / W, g->rows * g->ph / H);
}

static void key_series(FILE *f, const struct series *s, int lines)
{
	fprintf(f, ", \\\n  keyentry with %s ", lines ? "linespoints" : "points");
	put_series_style(f, s);
	fputs(" title ", f);
	gp_str(f, s->label);
}

static void key_intervals(FILE *f, int flags)
{
	static const struct {
		int flag;
		const char *key;
	} mark[] = {
		{BLK_BARS, "yerrorbars lc rgb '#555555' lw 1.2 ps 0 title '95% bootstrap interval (seeds)'"},
		{BLK_OPEN, "vectors nohead dt (6,4) lc rgb '#555555' lw 1.6 "
			   "title 'open above (dashed, to largest n)'"},
		{BLK_ABOVE, "points pt 8 ps 2 lc rgb '#555555' title 'n^* above the largest n tried'"},
		{BLK_BELOW, "points pt 10 ps 2.4 lc rgb '#555555' title 'n^* at or below the smallest n tried'"},
	};
	for (size_t i = 0; i < sizeof mark / sizeof mark[0]; i++)
		if (flags & mark[i].flag)
			fprintf(f, ", \\\n  keyentry with %s", mark[i].key);
}

void legend_keys(FILE *f, const struct nstar_plot *P, int lines)
{
	legend_plot(f);
	for (size_t s = 0; s < P->ss.n; s++)
		key_series(f, &P->ss.s[s], lines);
	key_intervals(f, P->flags);
}

void nstar_release(struct nstar_plot *P)
{
	free(P->block_series);
	free(P->block_panel);
	free(P->block_flag);
	free(P->r);
	bw_series_release(&P->ss.g);
	bw_qcells_release(&P->cells);
	memset(P, 0, sizeof *P);
}

/* The panels: one per algorithm (nstar-klnd) or per kappa (nstar-d). */
static int panels(struct nstar_plot *P, int klnd)
{
	const struct bw_qcells *cells = &P->cells;
	if (klnd)
		P->npanels = P->nalgos;
	else {
		int64_t *k = malloc(cells->n * sizeof *k);
		if (!k)
			return RAISE(BW_ENOMEM, "out of memory");
		for (size_t i = 0; i < cells->n; i++)
			k[i] = cells->cell[i].kappa;
		P->npanels = distinct(k, cells->n);
		if (P->npanels <= MAX_PANELS)
			memcpy(P->panel_val, k, P->npanels * sizeof *k);
		free(k);
	}
	if (P->npanels > MAX_PANELS)
		return RAISE(BW_EINVAL, "more than %d panels (values of kappa): narrow them with --where", MAX_PANELS);
	return BW_OK;
}

/* The data: blocks per (kappa, series) for nstar-d, per series for nstar-klnd. */
static int put_blocks(FILE *dat, const struct bw_figure_args *a, const struct bw_figure *o, int klnd, struct nstar_plot *P)
{
	const struct bw_qcells *cells = &P->cells;
	const struct seriesset *ss = &P->ss;
	const struct bw_cell_stat *r = P->r;
	size_t maxblocks = ss->n * P->npanels + 1;
	size_t *order = malloc(cells->n * sizeof *order);
	P->block_series = malloc(maxblocks * sizeof *P->block_series);
	P->block_panel = malloc(maxblocks * sizeof *P->block_panel);
	P->block_flag = calloc(maxblocks, sizeof *P->block_flag);
	if (!P->block_series || !P->block_panel || !P->block_flag || !order) {
		free(order);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	put_cell_header(dat, P->datname, a, o,
			klnd ? "one block per series (algorithm and parameters), ordered by kappa ln d"
			     : "one block per (kappa, series), ordered by d");
	for (size_t p = 0; p < P->npanels; p++)
		for (size_t s = 0; s < ss->n; s++) {
			size_t m = 0;
			if (klnd && strcmp(ss->s[s].key->algorithm, P->algos[p]))
				continue;
			for (size_t i = 0; i < cells->n; i++)
				if (ss->g.of_cell[i] == s && (klnd || cells->cell[i].kappa == P->panel_val[p]))
					order[m++] = i;
			if (!m)
				continue;
			/* by kappa ln d (nstar-klnd; cells come by d, then kappa) */
			for (size_t x = 1; klnd && x < m; x++)
				for (size_t y = x; y > 0 && r[order[y]].klnd < r[order[y - 1]].klnd; y--) {
					size_t t = order[y];
					order[y] = order[y - 1];
					order[y - 1] = t;
				}
			fprintf(dat, "%s# block %zu: %s", P->nblocks ? "\n\n" : "\n", P->nblocks, ss->s[s].plain);
			if (!klnd)
				fprintf(dat, ", kappa=%" PRId64, P->panel_val[p]);
			fputc('\n', dat);
			for (size_t j = 0; j < m; j++) {
				put_cell_row(dat, &cells->cell[order[j]], &r[order[j]]);
				P->block_flag[P->nblocks] |= block_flags(&r[order[j]]);
			}
			P->flags |= P->block_flag[P->nblocks];
			P->block_series[P->nblocks] = s;
			P->block_panel[P->nblocks] = p;
			P->nblocks++;
		}
	free(order);
	return BW_OK;
}

int nstar_prepare(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct bw_figure_args *a,
		  struct bw_figure *o, int klnd, struct nstar_plot *P)
{
	memset(P, 0, sizeof *P);
	CHECK(plot_cells(q, filt, nf, &P->cells, &P->ss));
	P->dmin = P->dmax = P->cells.cell[0].d;
	for (size_t i = 0; i < P->cells.n; i++) {
		P->dmin = P->cells.cell[i].d < P->dmin ? P->cells.cell[i].d : P->dmin;
		P->dmax = P->cells.cell[i].d > P->dmax ? P->cells.cell[i].d : P->dmax;
	}
	CHECK(bw_cells_estimate(&P->cells, BW_NSTAR_BOOTSTRAP, &P->r));
	FILE *dat, *fitf;
	CHECK(figure_open(o, ".gp", &P->gp, NULL));
	CHECK(figure_open(o, ".dat", &dat, &P->datname));
	CHECK(figure_open(o, "-fit.dat", &fitf, &P->fitname));
	P->pooled = (struct bw_line_fit){.slope = NAN, .intercept = NAN, .r2 = NAN, .slope_se = NAN};
	for (size_t i = 0; i < MAX_SERIES; i++)
		P->per_algo[i] = P->pooled;
	CHECK(put_fits(fitf, a, o, P));
	common_text(&P->cells, P->common, sizeof P->common);
	CHECK(panels(P, klnd));
	return put_blocks(dat, a, o, klnd, P);
}
