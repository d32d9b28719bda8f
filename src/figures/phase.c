/* phase.c - `biasweep plot phase`: the success rate over (n/d, kappa/n),
 * one panel per series, with the Donoho-Tanner curve (kappa/n against
 * n50/d, parametrised by kappa/d). */
#include "emit.h"

#include "biasweep/dt.h"
#include "biasweep/error.h"

#include <math.h>

int bw_figure_phase(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct bw_figure_args *a,
	       struct bw_figure *o)
{
	struct bw_qcells cells = {0};
	struct seriesset ss;
	int rc = plot_cells(q, filt, nf, &cells, &ss);
	FILE *gp, *dat, *dtf;
	const char *datname, *dtname;
	if (rc != BW_OK || (rc = figure_open(o, ".gp", &gp, NULL)) != BW_OK ||
	    (rc = figure_open(o, ".dat", &dat, &datname)) != BW_OK || (rc = figure_open(o, "-dt.dat", &dtf, &dtname)) != BW_OK)
		goto done;

	fprintf(dat, "# %s - the success rate at each n per cell, one block per series (algorithm and parameters)\n",
		datname);
	put_provenance(dat, a, o->image);
	fputs("# rates as `biasweep curve --points` (each seed's missing n imputed from its threshold);\n"
	      "# rows with n = kappa (the searches' lower bracket probes) are not drawn\n"
	      "# columns: 1 algorithm  2 design  3 wstar  4 d  5 kappa  6 alpha  7 eta  8 sigma  9 batch  10 eps\n"
	      "#          11 n  12 n_over_d  13 kappa_over_n  14 tasks  15 successes  16 rate\n",
	      dat);
	double xmin = 1, ymin = 1;
	for (size_t s = 0; s < ss.n && rc == BW_OK; s++) {
		fprintf(dat, "%s# block %zu: %s\n", s ? "\n\n" : "\n", s, ss.s[s].plain);
		/* larger d first, so the sparser grids of small d stay visible on top */
		for (size_t ii = cells.n; ii-- > 0 && rc == BW_OK;) {
			if (ss.g.of_cell[ii] != s)
				continue;
			const struct bw_qcell *c = &cells.cell[ii];
			struct bw_nstar e;
			if ((rc = bw_cell_estimate(c, BW_NSTAR_NO_INTERVAL, &e)) != BW_OK)
				break;
			for (size_t j = 0; j < e.npoints; j++) {
				const struct bw_nstar_point *pt = &e.points[j];
				double delta = pt->n / (double)c->d, rho = (double)c->kappa / pt->n;
				xmin = fmin(xmin, delta);
				ymin = fmin(ymin, rho);
				put_cell_fields(dat, c);
				put_real(dat, pt->n);
				put_real(dat, delta);
				put_real(dat, rho);
				fprintf(dat, " %zu %zu", pt->tasks, pt->successes);
				put_real(dat, pt->rate);
				fputc('\n', dat);
			}
			bw_nstar_release(&e);
		}
	}
	if (rc != BW_OK)
		goto done;

	/* the Donoho-Tanner curve: delta = psi(tau), rho = tau / psi(tau), tau = kappa/d */
	fprintf(dtf, "# %s - the Donoho-Tanner 50%% curve in the (n/d, kappa/n) plane, parametrised by tau = kappa/d:\n"
		     "# n50/d = psi(tau), kappa/n50 = tau/psi(tau) (biasweep dt)\n",
		dtname);
	put_provenance(dtf, a, o->image);
	fputs("# columns: 1 tau  2 n50_over_d  3 kappa_over_n50\n", dtf);
	for (int j = 0; j <= 200; j++) {
		double tau = pow(10, -5 + 5 * j / 200.0), psi = bw_dt_psi(tau, NULL);
		fprintf(dtf, "%.6g %.6g %.6g\n", tau, psi, tau / psi);
	}

	int rows, cols;
	layout(ss.n, &rows, &cols);
	char common[160];
	common_text(&cells, common, sizeof common);
	put_preamble(gp, o, a, 490 * cols, 440 * rows, "the success rate over (n/d, kappa/n) per algorithm");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\ndtdat = here.", gp);
	gp_str(gp, dtname);
	fputs("\n\n", gp);
	char lay[64];
	snprintf(lay, sizeof lay, "set multiplot layout %d,%d", rows, cols);
	put_title(gp, lay, "Success rate over (n/d, κ/n)", common);
	fputs("set logscale xy\nset xrange [", gp);
	put_gpnum(gp, xmin / 1.4);
	fputs(":1.4]\nset yrange [", gp);
	put_gpnum(gp, ymin / 1.4);
	fputs(":1.4]\n", gp);
	put_log_tics(gp, "x", xmin / 1.4, 1.4);
	put_log_tics(gp, "y", ymin / 1.4, 1.4);
	fputs("set format x '%g'\nset format y '%g'\n"
	      "set xlabel 'n/d  (undersampling δ)'\nset ylabel 'κ/n  (sparsity ρ)'\n"
	      "set cbrange [0:1]\nset cbtics 0.25\nset cblabel 'success rate'\n"
	      "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n"
	      "set key bottom left font ',10' opaque box ls 100\n",
	      gp);
	/* the n = kappa points (kappa/n = 1) are the searches' lower bracket probes, where nothing can
	 * succeed: in the data, not drawn.  One colour bar, beside the last panel. */
	for (size_t s = 0; s < ss.n; s++) {
		fprintf(gp, "\n# ---- panel: %s\n%s\nset title ", ss.s[s].plain,
			s + 1 < ss.n ? "unset colorbox" : "set colorbox");
		gp_str(gp, ss.s[s].label);
		fprintf(gp,
			"\nplot dat index %zu using 12:($13 >= 1 ? NaN : $13):16 with points pt 5 ps 1.8 lc palette "
			"notitle, \\\n"
			"  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50%% curve'\n",
			s);
	}
	fputs("\nunset multiplot\nset output\n", gp);
done:
	bw_series_release(&ss.g);
	bw_qcells_release(&cells);
	return rc;
}
