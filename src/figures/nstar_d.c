/* nstar_d.c - `biasweep plot nstar-d`: n* against d (log-log), one panel
 * per kappa, one line per series, with the bootstrap intervals, the pooled
 * kappa ln d fit of the l1-limit dynamics, the Donoho-Tanner n50(d, kappa)
 * and n = d (a light band under the series, which stand side by side). */
#include "emit.h"

#include "biasweep/dt.h"
#include "biasweep/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#define DODGE 1.03 /* series k of n drawn at d * DODGE^(k - (n-1)/2) */

static void script_nstar_d(FILE *gp, const struct nstar_plot *P, const struct bw_figure *o, const struct bw_figure_args *a,
			   const char *datname, const char *dtname, const char *fitname)
{
	const struct bw_qcells *cells = &P->cells;
	struct grid g = {0, 0, 560, 470, 380, 50};
	layout(P->npanels, &g.rows, &g.cols);
	put_preamble(gp, o, a, grid_w(&g), grid_h(&g), "n* against d per kappa");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\ndtdat = here.", gp);
	gp_str(gp, dtname);
	fprintf(gp, "\n# the fits are in %s\n", fitname);

	/* one x and y range for every panel */
	int64_t dmin = P->dmin, dmax = P->dmax, kmin = cells->cell[0].kappa;
	double ymin = INFINITY, ymax = 0;
	for (size_t i = 0; i < cells->n; i++) {
		const struct bw_cell_stat *r = &P->r[i];
		kmin = cells->cell[i].kappa < kmin ? cells->cell[i].kappa : kmin;
		double v[] = {r->nstar, r->lo, r->hi, r->n50, r->censor == BW_NSTAR_ABOVE_MAX ? r->nmax : NAN};
		for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
			if (isfinite(v[k]) && v[k] > 0) {
				ymin = fmin(ymin, v[k]);
				ymax = fmax(ymax, v[k]);
			}
	}
	double n50lo = NAN;
	if (bw_dt_n50(fmax((double)dmin / 1.3, (double)kmin), (double)kmin, &n50lo) != BW_OK)
		bw_error_clear();
	if (isfinite(n50lo) && n50lo > 0)
		ymin = fmin(ymin, n50lo);
	ymax = fmax(ymax, (double)dmax * 1.3); /* the line n = d */
	if (!isfinite(ymin))
		ymin = 1;
	char names[160];
	bw_limit_names(BW_LIMIT_L1, ", ", " and ", names, sizeof names);
	fprintf(gp, "\n# the least-squares fit n* = a kappa ln d + b over the %s cells\n", names);
	fprintf(gp, "# with an interpolated n* (%zu cells), R^2 = ", P->pooled.npoints);
	put_gpnum(gp, P->pooled.r2);
	fputs("\na = ", gp);
	put_gpnum(gp, P->pooled.slope);
	fputs("\nb = ", gp);
	put_gpnum(gp, P->pooled.intercept);
	fputs("\n\n", gp);
	put_title(gp, "set multiplot", "Sample complexity n^* against d", P->common);
	fputs("set logscale xy\nset xrange [", gp);
	put_gpnum(gp, (double)dmin / 1.3);
	fputs(":", gp);
	put_gpnum(gp, (double)dmax * 1.3);
	fputs("]\nset yrange [", gp);
	put_gpnum(gp, ymin / 1.25);
	fputs(":", gp);
	put_gpnum(gp, ymax * 1.25);
	fputs("]\n", gp);
	int64_t *dv = malloc(cells->n * sizeof *dv);
	if (dv) { /* the d of the cells as tics (without them, gnuplot's default) */
		for (size_t i = 0; i < cells->n; i++)
			dv[i] = cells->cell[i].d;
		size_t nd = distinct(dv, cells->n);
		fputs("set xtics (", gp);
		for (size_t i = 0; i < nd; i++)
			fprintf(gp, "%s%" PRId64, i ? ", " : "", dv[i]);
		fputs(")\n", gp);
		free(dv);
	}
	put_log_tics(gp, "y", ymin / 1.25, ymax * 1.25);
	fputs("set mxtics 1\nset format y '%g'\nset xlabel 'dimension d'\n"
	      "set ylabel 'n^*  (samples for 50% success)'\nunset key\nset samples 200\n",
	      gp);
	int fit = isfinite(P->pooled.slope) && isfinite(P->pooled.intercept);
	for (size_t p = 0; p < P->npanels; p++) {
		fprintf(gp, "\n# ---- panel: kappa = %" PRId64 "\n", P->panel_val[p]);
		grid_panel(gp, &g, p);
		fprintf(gp, "set title 'κ = %" PRId64 "'\nkappa = %" PRId64 ".0\nplot ", P->panel_val[p], P->panel_val[p]);
		int first = 1;
		/* n = d first, a wide light band under the series that lie on it */
		plot_sep(gp, &first);
		fputs("x with lines lc rgb '#d9c8ea' lw 9 notitle", gp);
		/* the series side by side (3% apart in d): gd and sgd near n = d would hide each other */
		plot_panel_blocks(gp, &first, P, p, 4, DODGE, 1);
		if (fit) {
			plot_sep(gp, &first);
			fputs("a*kappa*log(x) + b with lines lc rgb 'black' dt 2 lw 1.8 notitle", gp);
		}
		plot_sep(gp, &first);
		fprintf(gp, "dtdat index %zu using 1:3 with lines lc rgb '#8c564b' lw 2.5 notitle", p);
		fputs("\n", gp);
	}
	grid_legend(gp, &g);
	if (fit) {
		char t[160];
		snprintf(t, sizeof t, "fit over %zu flow and label-noise cells:", P->pooled.npoints);
		fputs("set label 1 ", gp);
		gp_str(gp, t);
		fputs(" at graph 0.05, graph 0.09 left font ',10'\n", gp);
		snprintf(t, sizeof t, "a = %.3g, b = %.3g, R^2 = %.2f", P->pooled.slope, P->pooled.intercept, P->pooled.r2);
		fputs("set label 2 ", gp);
		gp_str(gp, t);
		fputs(" at graph 0.05, graph 0.03 left font ',10'\n", gp);
	}
	if (P->ss.n > 1) {
		char t[96];
		snprintf(t, sizeof t, "series drawn side by side, %.0f%% apart in d", (DODGE - 1) * 100);
		fputs("set label 3 ", gp);
		gp_str(gp, t);
		fputs(" at graph 0.05, graph 0.15 left font ',10'\n", gp);
	}
	legend_keys(gp, P, 1);
	if (fit)
		fputs(", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.8 title 'fit a κ ln d + b (flow, label noise)'",
		      gp);
	fputs(", \\\n  keyentry with lines lc rgb '#8c564b' lw 2.5 title 'Donoho–Tanner n_{50}(d, κ)'"
	      ", \\\n  keyentry with lines lc rgb '#d9c8ea' lw 9 title 'n = d'\n",
	      gp);
	fputs("\nunset multiplot\nset output\n", gp);
}

/* The Donoho-Tanner n50(d, kappa) over the d range, one block per kappa. */
static void put_dt(FILE *dtf, const char *dtname, const struct nstar_plot *P, const struct bw_figure_args *a,
		   const struct bw_figure *o)
{
	double x0 = (double)P->dmin / 1.3, x1 = (double)P->dmax * 1.3;
	fprintf(dtf, "# %s - the Donoho-Tanner 50%% curve n50 = d psi(kappa/d) (biasweep dt), one block per kappa\n",
		dtname);
	put_provenance(dtf, a, o->image);
	fputs("# columns: 1 d  2 kappa  3 n50\n", dtf);
	for (size_t p = 0; p < P->npanels; p++) {
		fprintf(dtf, "%s# block %zu: kappa=%" PRId64 "\n", p ? "\n\n" : "\n", p, P->panel_val[p]);
		double lo = fmax(x0, (double)P->panel_val[p]);
		for (int j = 0; j <= 80; j++) {
			double d = lo * pow(x1 / lo, j / 80.0), n50 = NAN;
			if (bw_dt_n50(d, (double)P->panel_val[p], &n50) != BW_OK)
				bw_error_clear();
			fprintf(dtf, "%.6g %" PRId64 " %.6g\n", d, P->panel_val[p], n50);
		}
	}
}

int bw_figure_nstar_d(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct bw_figure_args *a,
		 struct bw_figure *o)
{
	struct nstar_plot P;
	FILE *dtf;
	const char *dtname;
	int rc = nstar_prepare(q, filt, nf, a, o, 0, &P);
	if (rc == BW_OK)
		rc = figure_open(o, "-dt.dat", &dtf, &dtname);
	if (rc == BW_OK) {
		put_dt(dtf, dtname, &P, a, o);
		script_nstar_d(P.gp, &P, o, a, P.datname, dtname, P.fitname);
	}
	nstar_release(&P);
	return rc;
}
