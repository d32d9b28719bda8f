/* nstar_klnd.c - `biasweep plot nstar-klnd`: n* against kappa ln d, one
 * panel per algorithm with its least-squares line (as curve --fit) where it
 * explains the points (R^2 >= FIT_R2_MIN; its R^2 is in the panel's title
 * either way), the Donoho-Tanner n50 of each cell and, where in range, n = d. */
#include "emit.h"

#include "biasweep/error.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* A fit with a lower R^2 is not drawn: a line through points it does not explain reads as a law. */
#define FIT_R2_MIN 0.6

static void script_nstar_klnd(FILE *gp, const struct nstar_plot *P, const struct bw_figure *o,
			      const struct bw_figure_args *a, const char *datname, const char *fitname)
{
	const struct bw_qcells *cells = &P->cells;
	const struct bw_cell_stat *r = P->r;
	struct grid g = {0, 0, 500, 420, 340, 50};
	layout(P->npanels, &g.rows, &g.cols);
	put_preamble(gp, o, a, grid_w(&g), grid_h(&g), "n* against kappa ln d per algorithm");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fprintf(gp, "\n# the fits (per algorithm, as biasweep curve --fit) are in %s\n", fitname);
	fputs("\n", gp);
	put_title(gp, "set multiplot", "n^* against κ ln d", P->common);
	double xmax = 0;
	for (size_t i = 0; i < cells->n; i++)
		xmax = fmax(xmax, r[i].klnd);
	fputs("set xrange [0:", gp);
	put_gpnum(gp, ceil(xmax * 1.08));
	fputs("]\nset xlabel 'κ ln d'\nset ylabel 'n^*  (samples for 50% success)'\nunset key\n", gp);
	int any_d = 0;
	for (size_t p = 0; p < P->npanels; p++) {
		double ymax = 0;
		int64_t dmin = INT64_MAX;
		for (size_t i = 0; i < cells->n; i++) {
			if (strcmp(cells->cell[i].algorithm, P->algos[p]))
				continue;
			ymax = fmax(ymax, isfinite(r[i].nstar) ? r[i].nstar : r[i].nmax);
			ymax = isfinite(r[i].hi) ? fmax(ymax, r[i].hi) : ymax;
			ymax = isfinite(r[i].n50) ? fmax(ymax, r[i].n50) : ymax;
			dmin = cells->cell[i].d < dmin ? cells->cell[i].d : dmin;
		}
		double dlim = ymax * 1.2; /* n = d shown up to here */
		ymax = ceil(ymax * 1.2);
		char t[200] = "";
		enh_cat(t, sizeof t, P->algos[p]);
		const struct bw_line_fit *fit = &P->per_algo[p];
		int has_fit = isfinite(fit->slope) && isfinite(fit->intercept);
		if (has_fit)
			cat(t, sizeof t, ": fit %.3g κ ln d %s %.3g, R^2 = %.2f%s", fit->slope,
			    fit->intercept < 0 ? "−" : "+", fabs(fit->intercept), fit->r2,
			    fit->r2 >= FIT_R2_MIN ? "" : " (not drawn)");
		has_fit &= fit->r2 >= FIT_R2_MIN;
		fputs("\n# ---- panel: ", gp);
		put_comment_text(gp, P->algos[p]);
		fputc('\n', gp);
		grid_panel(gp, &g, p);
		fputs("set title ", gp);
		gp_str(gp, t);
		fprintf(gp, "\nslope%zu = ", p);
		put_gpnum(gp, fit->slope);
		fprintf(gp, "\nintercept%zu = ", p);
		put_gpnum(gp, fit->intercept);
		fputs("\nset yrange [0:", gp);
		put_gpnum(gp, ymax);
		fputs("]\nplot ", gp);
		int first = 1;
		plot_panel_blocks(gp, &first, P, p, 11, 1, 0);
		if (has_fit) {
			plot_sep(gp, &first);
			fprintf(gp, "slope%zu*x + intercept%zu with lines lc rgb 'black' dt 2 lw 1.8 notitle", p, p);
		}
		for (size_t b = 0; b < P->nblocks; b++)
			if (P->block_panel[b] == p) {
				plot_sep(gp, &first);
				fprintf(gp, "dat index %zu using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' "
					    "notitle",
					b);
				if ((double)dmin <= dlim) {
					plot_sep(gp, &first);
					fprintf(gp,
						"dat index %zu using 11:($4 <= %g ? $4 : NaN) with points pt 1 ps 1.6 "
						"lw 2 lc rgb '#9467bd' notitle",
						b, dlim);
					any_d = 1;
				}
			}
		fputc('\n', gp);
	}
	grid_legend(gp, &g);
	legend_keys(gp, P, 0);
	int any_fit = 0;
	for (size_t p = 0; p < P->npanels; p++)
		any_fit |= isfinite(P->per_algo[p].slope) && isfinite(P->per_algo[p].intercept) &&
			   P->per_algo[p].r2 >= FIT_R2_MIN;
	if (any_fit)
		fprintf(gp, ", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.8 title 'fit (drawn where R^2 ≥ %g)'", FIT_R2_MIN);
	fputs(", \\\n  keyentry with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' title 'Donoho–Tanner n_{50} of the cell'", gp);
	if (any_d)
		fputs(", \\\n  keyentry with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' title 'n = d of the cell'",
		      gp);
	fputs("\n\nunset multiplot\nset output\n", gp);
}

int bw_figure_nstar_klnd(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct bw_figure_args *a,
		    struct bw_figure *o)
{
	struct nstar_plot P;
	int rc = nstar_prepare(q, filt, nf, a, o, 1, &P);
	if (rc == BW_OK)
		script_nstar_klnd(P.gp, &P, o, a, P.datname, P.fitname);
	nstar_release(&P);
	return rc;
}
