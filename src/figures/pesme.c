/* pesme.c - `biasweep plot pesme`: n* against the step as a multiple of its
 * automatic value (bw_cell_step_scale), one panel per (d, kappa), with the
 * share of diverged runs on the right axis.  A line is the cells that differ
 * only in the step (eta or eta_scale); a line with one cell (a dynamics run at one step, gd in
 * jobs/pesme.cfg) is drawn as a horizontal reference with its interval. */
#include "emit.h"

#include "biasweep/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_real(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* Same line: everything of the cell but its step (eta, eta_scale). */
static int same_line(const struct bw_qcell *a, const struct bw_qcell *b)
{
	return !strcmp(a->algorithm, b->algorithm) && !strcmp(a->design, b->design) && !strcmp(a->wstar, b->wstar) &&
	       a->d == b->d && a->kappa == b->kappa && same_real(a->alpha, b->alpha) && same_real(a->sigma, b->sigma) &&
	       a->batch == b->batch && same_real(a->eps, b->eps);
}

static const char *const group_cols = "algorithm,design,wstar,d,kappa,alpha,eta,eta_mode,eta_scale,sigma,batch,eps";
enum { G_ALGO, G_DESIGN, G_WSTAR, G_D, G_KAPPA, G_ALPHA, G_ETA, G_ETA_MODE, G_ETA_SCALE, G_SIGMA, G_BATCH, G_EPS, G_NKEY };

static double gv_real(const struct bw_table *t, size_t r, size_t c)
{
	const struct bw_value *v = bw_table_at((struct bw_table *)t, r, c);
	return v->type == BW_VAL_REAL ? v->r : v->type == BW_VAL_INT ? (double)v->i : NAN;
}

static const char *gv_text(const struct bw_table *t, size_t r, size_t c)
{
	const struct bw_value *v = bw_table_at((struct bw_table *)t, r, c);
	return v->type == BW_VAL_TEXT && v->s ? v->s : "";
}

/* The group's eta as a cell has it (bw_qcell: 0 where the program chose the step). */
static double group_eta(const struct bw_table *t, size_t r)
{
	double eta = gv_real(t, r, G_ETA);
	return isnan(eta) && *gv_text(t, r, G_ETA_MODE) ? 0.0 : eta;
}

/* The group row of cell c (bw_query_groups over the cell's columns), or -1. */
static long group_of(const struct bw_table *t, const struct bw_qcell *c)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(gv_text(t, r, G_ALGO), c->algorithm) && !strcmp(gv_text(t, r, G_DESIGN), c->design) &&
		    !strcmp(gv_text(t, r, G_WSTAR), c->wstar) && gv_real(t, r, G_D) == (double)c->d &&
		    gv_real(t, r, G_KAPPA) == (double)c->kappa && same_real(gv_real(t, r, G_ALPHA), c->alpha) &&
		    same_real(group_eta(t, r), c->eta) && same_real(gv_real(t, r, G_ETA_SCALE), c->eta_scale) &&
		    same_real(gv_real(t, r, G_SIGMA), c->sigma) &&
		    (c->batch ? gv_real(t, r, G_BATCH) == (double)c->batch : isnan(gv_real(t, r, G_BATCH))) &&
		    same_real(gv_real(t, r, G_EPS), c->eps))
			return (long)r;
	return -1;
}

struct line {
	size_t first, ncells, panel;
	size_t *cells; /* sorted by step scale */
	int variant;
	char label[200], ref[120]; /* ref: a reference line's n* and interval */
};

int bw_figure_pesme(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct bw_figure_args *a,
		    struct bw_figure *o)
{
	struct bw_qcells cells = {0};
	struct bw_table g = {0};
	struct bw_cell_stat *st = NULL;
	double *scale = NULL;
	size_t *line_of = NULL, *cell_idx = NULL;
	long *grp = NULL;
	struct line L[MAX_SERIES];
	size_t nlines = 0, npanels = 0;
	int64_t pd[MAX_PANELS], pk[MAX_PANELS];
	int rc = bw_query_cells(q, filt, nf, &cells);
	if (rc != BW_OK)
		goto done;
	if (cells.n == 0) {
		rc = RAISE(BW_EINVAL, "no finished tasks match the --where conditions");
		goto done;
	}
	size_t gcols[G_NKEY], ng;
	if ((rc = bw_query_resolve_columns(q, group_cols, gcols, G_NKEY, &ng)) != BW_OK ||
	    (rc = bw_query_groups(q, filt, nf, gcols, ng, &g)) != BW_OK)
		goto done;
	size_t gcount = g.ncols, gdiv = g.ncols; /* the columns count and diverged */
	for (size_t c = 0; c < g.ncols; c++) {
		if (!strcmp(g.cols[c], "count"))
			gcount = c;
		if (!strcmp(g.cols[c], "diverged"))
			gdiv = c;
	}
	scale = malloc(cells.n * sizeof *scale);
	line_of = malloc(cells.n * sizeof *line_of);
	cell_idx = malloc(cells.n * sizeof *cell_idx);
	grp = malloc(cells.n * sizeof *grp);
	if (!scale || !line_of || !cell_idx || !grp || gcount == g.ncols || gdiv == g.ncols) {
		rc = RAISE(gcount == g.ncols || gdiv == g.ncols ? BW_EINTERNAL : BW_ENOMEM,
			   gcount == g.ncols || gdiv == g.ncols ? "no count/diverged column in the groups" : "out of memory");
		goto done;
	}
	if ((rc = bw_cells_estimate(&cells, BW_NSTAR_BOOTSTRAP, &st)) != BW_OK)
		goto done;
	/* lines and panels */
	for (size_t i = 0; i < cells.n; i++) {
		const struct bw_qcell *c = &cells.cell[i];
		scale[i] = bw_cell_step_scale(c);
		grp[i] = group_of(&g, c);
		size_t l = 0;
		while (l < nlines && !same_line(&cells.cell[L[l].first], c))
			l++;
		if (l == nlines) {
			if (nlines == MAX_SERIES) {
				rc = RAISE(BW_EINVAL, "more than %d lines (algorithm, alpha, ... combinations) to draw: narrow "
						      "them with --where",
					   MAX_SERIES);
				goto done;
			}
			size_t p = 0;
			while (p < npanels && !(pd[p] == c->d && pk[p] == c->kappa))
				p++;
			if (p == npanels) {
				if (npanels == MAX_PANELS) {
					rc = RAISE(BW_EINVAL, "more than %d (d, kappa) panels: narrow them with --where",
						   MAX_PANELS);
					goto done;
				}
				pd[npanels] = c->d;
				pk[npanels++] = c->kappa;
			}
			L[nlines++] = (struct line){.first = i, .panel = p};
		}
		line_of[i] = l;
		L[l].ncells++;
	}
	size_t off = 0;
	for (size_t l = 0; l < nlines; l++) {
		L[l].cells = cell_idx + off;
		size_t k = 0;
		for (size_t i = 0; i < cells.n; i++)
			if (line_of[i] == l)
				L[l].cells[k++] = i;
		off += k;
		L[l].ncells = k;
		for (size_t x = 1; x < k; x++) /* insertion sort by scale (NaN last) */
			for (size_t y = x; y > 0; y--) {
				double s0 = scale[L[l].cells[y - 1]], s1 = scale[L[l].cells[y]];
				if (!(isnan(s0) && !isnan(s1)) && !(s1 < s0))
					break;
				size_t tmp = L[l].cells[y];
				L[l].cells[y] = L[l].cells[y - 1];
				L[l].cells[y - 1] = tmp;
			}
		const struct bw_qcell *c = &cells.cell[L[l].first];
		const struct bw_dynamics *dy = bw_dynamics_named(c->algorithm);
		unsigned uses = dy ? dy->uses : 0;
		L[l].label[0] = 0;
		enh_cat(L[l].label, sizeof L[l].label, c->algorithm);
		cat(L[l].label, sizeof L[l].label, " α=%g", c->alpha);
		if (uses & BW_USES_BATCH)
			cat(L[l].label, sizeof L[l].label, ", B=%" PRId64, c->batch);
		if (uses & BW_USES_SIGMA)
			cat(L[l].label, sizeof L[l].label, ", σ=%g", c->sigma);
		L[l].ref[0] = 0;
		if (k == 1) {
			const struct bw_cell_stat *s = &st[L[l].cells[0]];
			cat(L[l].label, sizeof L[l].label, " (%s step): the reference n^*",
			    c->eta == 0 && !(c->eta_scale > 0) ? "automatic" : "one");
			enh_cat(L[l].ref, sizeof L[l].ref, c->algorithm);
			if (isnan(s->nstar))
				cat(L[l].ref, sizeof L[l].ref, " n^* > %g", s->nmax);
			else
				cat(L[l].ref, sizeof L[l].ref, " n^* = %.3g [%.3g, %.3g]", s->nstar, s->lo, s->hi);
			sanitize(L[l].ref);
		}
		sanitize(L[l].label);
		/* its style: the index among the lines of its algorithm in its panel */
		L[l].variant = 0;
		for (size_t m = 0; m < l; m++)
			L[l].variant += L[m].panel == L[l].panel && !strcmp(cells.cell[L[m].first].algorithm, c->algorithm);
	}

	FILE *gp, *dat;
	const char *datname;
	if ((rc = figure_open(o, ".gp", &gp, NULL)) != BW_OK || (rc = figure_open(o, ".dat", &dat, &datname)) != BW_OK)
		goto done;
	fprintf(dat, "# %s - n* against the step as a multiple of its automatic value, one block per line\n"
		     "# (the cells that differ only in eta)\n",
		datname);
	put_provenance(dat, a, o->image);
	fputs("# n*, interval, censor as `biasweep curve`; step_scale = eta_scale where set, else eta / the automatic step (1 for the\n"
	      "# automatic step, NaN where the automatic step depends on n); tasks, diverged: the finished tasks of\n"
	      "# the cell (on a searched sweep these are the search's probes) and those that diverged\n"
	      "# columns: 1 algorithm  2 design  3 wstar  4 d  5 kappa  6 alpha  7 eta  8 sigma  9 batch  10 eps\n"
	      "#          11 step_scale  12 nstar  13 nstar_lo  14 nstar_hi  15 censor (0 inside, 1 <= min n, 2 > max n)\n"
	      "#          16 seeds  17 n_min  18 n_max  19 tasks  20 diverged  21 diverged_share\n",
	      dat);
	double xmax = 1;
	for (size_t l = 0; l < nlines; l++) {
		fprintf(dat, "%s# block %zu: ", l ? "\n\n" : "\n", l);
		put_comment_text(dat, L[l].label);
		fputc('\n', dat);
		for (size_t k = 0; k < L[l].ncells; k++) {
			size_t i = L[l].cells[k];
			const struct bw_cell_stat *s = &st[i];
			double tasks = grp[i] >= 0 ? gv_real(&g, (size_t)grp[i], gcount) : NAN;
			double div = grp[i] >= 0 ? gv_real(&g, (size_t)grp[i], gdiv) : NAN;
			if (isfinite(scale[i]))
				xmax = fmax(xmax, scale[i]);
			put_cell_fields(dat, &cells.cell[i]);
			put_real(dat, scale[i]);
			put_real(dat, s->nstar);
			put_real(dat, s->lo);
			put_real(dat, s->hi);
			fprintf(dat, " %d %zu", s->censor, s->seeds);
			put_real(dat, s->nmin);
			put_real(dat, s->nmax);
			put_real(dat, tasks);
			put_real(dat, div);
			put_real(dat, tasks > 0 ? div / tasks : NAN);
			fputc('\n', dat);
		}
	}

	/* panels side by side (at most 3 a row), the legend in a strip below */
	int cols = npanels < 3 ? (int)npanels : 3, rows = (int)((npanels + 2) / 3);
	int pw = 600, ph = 460, th = 60, lh = 40 + 24 * (int)(nlines + 3), W = cols * pw < 980 ? 980 : cols * pw,
	    H = rows * ph + th + lh;
	char common[160];
	common_text(&cells, common, sizeof common);
	put_preamble(gp, o, a, W, H, "n* against the step as a multiple of its automatic value");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\n\nset multiplot title ", gp);
	char title[240] = "n^* against the step η / η_{auto}";
	if (common[0])
		cat(title, sizeof title, " (%s)", common);
	gp_str(gp, title);
	fputs(" font ',14'\n"
	      "unset key\nset xlabel 'η / η_{auto}'\nset ylabel 'n^* (50% success over the seeds)'\n"
	      "set y2label 'share of runs that diverged' tc rgb '#b2182b'\nset y2range [0:1.05]\n"
	      "set y2tics 0.2 tc rgb '#b2182b' nomirror\nset ytics nomirror\n",
	      gp);
	fprintf(gp, "set xrange [0:%g]\n", ceil(xmax) + 0.5);
	for (size_t p = 0; p < npanels; p++) {
		double ymax = 0;
		for (size_t l = 0; l < nlines; l++)
			if (L[l].panel == p)
				for (size_t k = 0; k < L[l].ncells; k++)
					ymax = fmax(ymax, st[L[l].cells[k]].nmax);
		fprintf(gp, "\n# ---- panel %zu: d = %" PRId64 ", kappa = %" PRId64 "\nset origin %.4f,%.4f\nset size %.4f,%.4f\n",
			p, pd[p], pk[p], ((double)(p % 3) * pw + (W - cols * pw) / 2.0) / W, (double)(lh + (rows - 1 - (int)(p / 3)) * ph) / H,
			(double)pw / W, (double)ph / H);
		fprintf(gp, "unset label\nset title 'd = %" PRId64 ", κ = %" PRId64 "'\nset yrange [0:%g]\n", pd[p], pk[p],
			ymax * 1.08);
		for (size_t l = 0; l < nlines; l++) /* the reference lines' n*, written above them */
			if (L[l].panel == p && L[l].ncells == 1) {
				const char *color;
				int pt;
				const struct bw_cell_stat *s = &st[L[l].cells[0]];
				style_of(cells.cell[L[l].first].algorithm, L[l].variant, &color, &pt);
				fprintf(gp, "set label %zu ", l + 1);
				gp_str(gp, L[l].ref);
				fprintf(gp, " at graph 0.03, first %.17g offset 0,0.8 tc rgb '%s' front\n",
					isnan(s->nstar) ? s->nmax : s->nstar, color);
			}
		fputs("plot ", gp);
		int first = 1;
		for (size_t l = 0; l < nlines; l++) {
			if (L[l].panel != p)
				continue;
			const char *color;
			int pt;
			double ps = style_of(cells.cell[L[l].first].algorithm, L[l].variant, &color, &pt);
			const struct bw_cell_stat *s = &st[L[l].cells[0]];
			if (L[l].ncells == 1) {
				if (!isnan(s->nstar)) {
					fprintf(gp, "%s(%.17g) with lines lc rgb '%s' lw 2 dt 2", first ? "" : ", \\\n  ", s->nstar,
						color);
					if (!isnan(s->lo) && !isnan(s->hi))
						fprintf(gp, ", \\\n  '+' using 1:(%.17g):(%.17g) with filledcurves lc rgb '%s' "
							    "fs transparent solid 0.15 noborder",
							s->lo, s->hi, color);
					first = 0;
				}
				continue;
			}
			int inside = 0, above = 0; /* which marks have points (gnuplot warns of an empty plot) */
			for (size_t k = 0; k < L[l].ncells; k++) {
				inside |= !isnan(st[L[l].cells[k]].nstar);
				above |= st[L[l].cells[k]].censor == BW_NSTAR_ABOVE_MAX;
			}
			fprintf(gp, "%sdat index %zu using 11:21 axes x1y2 with linespoints lc rgb '#b2182b' dt 3 pt 6 ps 1.1 lw 1.5",
				first ? "" : ", \\\n  ", l);
			if (inside)
				fprintf(gp,
					", \\\n  dat index %zu using 11:12 with lines lc rgb '%s' lw 1.5, \\\n"
					"  dat index %zu using 11:12:13:(valid(14) ? $14 : $18) with yerrorbars lc rgb '%s' pt %d ps %g lw 1.5",
					l, color, l, color, pt, ps);
			if (above)
				fprintf(gp, ", \\\n  dat index %zu using 11:($15 == 2 ? $18 : 1/0) with points lc rgb '%s' pt 9 ps 1.8",
					l, color);
			first = 0;
		}
		double n50 = bw_cell_n50(&cells.cell[L[0].first]);
		for (size_t l = 0; l < nlines; l++)
			if (L[l].panel == p)
				n50 = bw_cell_n50(&cells.cell[L[l].first]);
		if (isfinite(n50)) /* the l1 limit (alpha_inf -> 0) */
			fprintf(gp, "%s(%.17g) with lines lc rgb '#555555' dt 4 lw 1.5", first ? "" : ", \\\n  ", n50);
		else if (first)
			fputs("NaN notitle", gp);
		fputc('\n', gp);
	}
	fprintf(gp,
		"\n# ---- legend\nset origin 0,0\nset size 1,%.4f\nunset border\nunset tics\nunset xlabel\nunset ylabel\n"
		"unset y2label\nunset title\nunset grid\nunset label\nset xrange [0:1]\nset yrange [0:1]\n"
		"set key inside center center vertical Left reverse nobox font ',11' spacing 1.3 samplen 4\n",
		(double)lh / H);
	legend_plot(gp);
	for (size_t l = 0; l < nlines; l++) {
		const char *color;
		int pt, dup = 0;
		for (size_t m = 0; m < l; m++)
			dup |= L[m].ncells == L[l].ncells && L[m].variant == L[l].variant && !strcmp(L[m].label, L[l].label);
		if (dup) /* the same series in another panel */
			continue;
		double ps = style_of(cells.cell[L[l].first].algorithm, L[l].variant, &color, &pt);
		if (L[l].ncells == 1)
			fprintf(gp, ", \\\n  keyentry with lines lc rgb '%s' lw 2 dt 2 title ", color);
		else
			fprintf(gp, ", \\\n  keyentry with yerrorbars lc rgb '%s' pt %d ps %g lw 1.5 title ", color, pt, ps);
		char lab[260] = "";
		cat(lab, sizeof lab, "%s%s", L[l].label,
		    L[l].ncells == 1 ? " (dashed, written in the panel; band: its 95% interval)"
				     : ": n^* with its 95% bootstrap interval over the seeds");
		gp_str(gp, lab);
	}
	fputs(", \\\n  keyentry with lines lc rgb '#555555' dt 4 lw 1.5 title 'Donoho–Tanner ℓ_1 transition n_{50} = d ψ(κ/d): "
	      "the limit as α_∞ → 0'", gp);
	fputs(", \\\n  keyentry with points lc rgb 'black' pt 9 ps 1.8 title 'n^* above the largest n tried (drawn at it)'"
	      ", \\\n  keyentry with linespoints lc rgb '#b2182b' dt 3 pt 6 ps 1.1 lw 1.5 title "
	      "'share of the runs (search probes) that diverged, right axis'\n",
	      gp);
	fputs("\nunset multiplot\nset output\n", gp);
done:
	free(st);
	free(scale);
	free(line_of);
	free(cell_idx);
	free(grp);
	bw_table_release(&g);
	bw_qcells_release(&cells);
	return rc;
}
