/* trajectory.c - `biasweep plot trajectory`: R = tr Hessian and the test
 * error against the simulated time of the dynamics whose limit is the flow
 * of R (BW_LIMIT_L1, dynamics.h) on one instance, read from the trajectory
 * files the catalog points at. */
#include "emit.h"

#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"
#include "biasweep/trajfile.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* its columns beyond read_runs' (emit.h) */
static const char *const traj_cols[] = {"R", "t"};

static int limit_l1(const struct bw_dynamics *dy) { return dy->limit == BW_LIMIT_L1; }

/* Colour by algorithm, dashes by its runs' order. */

/* R = tr Hess L at the sparse solution w* of row r's instance (u = sqrt(w*+), v = sqrt(w*-)),
 * the instance rebuilt from its parameters; NaN when it cannot be. */
static double sparse_R(struct bw_table *t, size_t r)
{
	struct bw_instance_spec sp = {0};
	if (bw_design_parse(tv_text(t, r, RC_DESIGN), &sp.design) != BW_OK ||
	    bw_wstar_parse(tv_text(t, r, RC_WSTAR), &sp.wstar) != BW_OK) {
		bw_error_clear();
		return NAN;
	}
	sp.d = (size_t)tv_int(t, r, RC_D);
	sp.n = (size_t)tv_int(t, r, RC_N);
	sp.kappa = (size_t)tv_int(t, r, RC_KAPPA);
	sp.sweep_seed = (uint64_t)tv_int(t, r, RC_SWEEP_SEED);
	sp.seed_index = (uint32_t)tv_int(t, r, RC_SEED);
	struct bw_instance inst;
	double R = NAN, *u = malloc(2 * sp.d * sizeof *u);
	if (u && bw_instance_init(&inst, &sp) == BW_OK) {
		for (size_t j = 0; j < sp.d; j++) {
			u[j] = sqrt(fmax(inst.w_star[j], 0));
			u[sp.d + j] = sqrt(fmax(-inst.w_star[j], 0));
		}
		R = bw_model_R(&inst, u, u + sp.d);
		bw_instance_release(&inst);
	}
	bw_error_clear();
	free(u);
	return R;
}

static void put_run_style(FILE *f, struct bw_table *t, size_t r)
{
	const char *color;
	int pt;
	size_t variant = 0;
	for (size_t j = 0; j < r; j++)
		variant += !strcmp(tv_text(t, j, RC_ALGO), tv_text(t, r, RC_ALGO));
	style_of(tv_text(t, r, RC_ALGO), (int)variant, &color, &pt);
	fprintf(f, "lc rgb '%s' pt %d ps 0.9 pi 4 lw 2 dt %zu", color, pt, variant % 5 + 1);
}

int bw_figure_trajectory(struct bw_query *q, const struct bw_qfilter *user, size_t nuser, const struct bw_figure_args *a,
			   struct bw_figure *o)
{
	char names[160], what[200];
	struct runs R;
	bw_limit_names(BW_LIMIT_L1, ", ", " or ", names, sizeof names);
	int rc = read_runs(q, user, nuser, limit_l1, names, traj_cols, 2, 0, &R);
	struct bw_table t = R.t; /* a copy of the handle: R keeps it */
	struct bw_checkpoint **ck = R.ck;
	int *count = R.count;
	if (rc != BW_OK)
		goto done;

	FILE *gp, *dat;
	const char *datname;
	if ((rc = figure_open(o, ".gp", &gp, NULL)) != BW_OK || (rc = figure_open(o, ".dat", &dat, &datname)) != BW_OK)
		goto done;
	fprintf(dat, "# %s - trajectories on one instance, one block per run, at log-spaced checkpoints\n", datname);
	put_provenance(dat, a, o->image);
	fputs("# t: simulated time (the flow's time; label_noise_sgd t = k eta^2 sigma^2 / 2)\n"
	      "# columns: 1 step  2 t  3 train_loss  4 test_error  5 R\n",
	      dat);
	char label[MAX_RUNS][200];
	for (size_t r = 0; r < t.nrows; r++) {
		const char *algo = tv_text(&t, r, RC_ALGO);
		const struct bw_dynamics *dy = bw_dynamics_named(algo);
		unsigned uses = dy ? dy->uses : 0;
		fprintf(dat, "%s# block %zu: ", r ? "\n\n" : "\n", r);
		put_comment_text(dat, algo);
		fprintf(dat, " alpha=%g", tv_real(&t, r, RC_ALPHA));
		label[r][0] = 0;
		enh_cat(label[r], sizeof label[r], algo);
		cat(label[r], sizeof label[r], " (α=%g", tv_real(&t, r, RC_ALPHA));
		if (uses & BW_USES_SIGMA) { /* the parameters it reads */
			fprintf(dat, " sigma=%g", tv_real(&t, r, RC_SIGMA));
			cat(label[r], sizeof label[r], ", σ=%g", tv_real(&t, r, RC_SIGMA));
		}
		if (uses & BW_USES_ETA) {
			fprintf(dat, " eta_used=%g", tv_real(&t, r, RC_ETA));
			cat(label[r], sizeof label[r], ", η=%.2g", tv_real(&t, r, RC_ETA));
		}
		cat(label[r], sizeof label[r], "): ");
		enh_cat(label[r], sizeof label[r], tv_text(&t, r, RC_STATUS));
		cat(label[r], sizeof label[r], ", final test error %.2g%s", tv_real(&t, r, RC_ERR),
		    dy && dy->projects ? " (after the projection Φ)" : "");
		sanitize(label[r]);
		fputs(" status=", dat);
		put_comment_text(dat, tv_text(&t, r, RC_STATUS));
		fprintf(dat, " test_error=%g file=", tv_real(&t, r, RC_ERR));
		put_comment_text(dat, tv_text(&t, r, RC_FILE));
		fprintf(dat, " row=%" PRId64 "\n", tv_int(&t, r, RC_ROW));
		for (int i = 0; i < count[r]; i++) {
			fprintf(dat, "%ld", ck[r][i].step);
			put_real(dat, ck[r][i].t);
			put_real(dat, ck[r][i].loss);
			put_real(dat, ck[r][i].test_error);
			put_real(dat, ck[r][i].R);
			fputc('\n', dat);
		}
	}

	char title[240] = "One instance: d = ";
	cat(title, sizeof title, "%" PRId64 ", κ = %" PRId64 ", n = %" PRId64 ", seed %" PRId64 " (", tv_int(&t, 0, RC_D),
	    tv_int(&t, 0, RC_KAPPA), tv_int(&t, 0, RC_N), tv_int(&t, 0, RC_SEED));
	enh_cat(title, sizeof title, tv_text(&t, 0, RC_DESIGN));
	cat(title, sizeof title, " design, ");
	enh_cat(title, sizeof title, tv_text(&t, 0, RC_WSTAR));
	cat(title, sizeof title, " w^*)");
	/* two panels side by side, the legend in a strip below them */
	double Rstar = sparse_R(&t, 0);
	int pw = 620, ph = 470, th = 50, lh = 40 + 22 * (int)(t.nrows + 1 + isfinite(Rstar)), W = 2 * pw, H = ph + th + lh;
	bw_limit_names(BW_LIMIT_L1, ", ", " and ", names, sizeof names);
	snprintf(what, sizeof what, "trajectories of %s on one instance", names);
	put_preamble(gp, o, a, W, H, what);
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\neps = ", gp);
	put_gpnum(gp, tv_real(&t, 0, RC_EPS));
	fputs("\n# R = tr Hess L at the sparse solution w* (u = sqrt(w*+), v = sqrt(w*-)) of this instance\nRstar = ", gp);
	put_gpnum(gp, Rstar);
	fputs("\n\nset multiplot title ", gp);
	gp_str(gp, title);
	fputs(" font ',15'\nset logscale xy\nset format x '10^{%L}'\nunset key\n"
	      "set xlabel 'simulated time t  (flow time; label-noise SGD: t = kη^2σ^2/2)'\n",
	      gp);
	for (int panel = 0; panel < 2; panel++) {
		fprintf(gp, "\n# ---- panel: %s\nset origin %.4f,%.4f\nset size %.4f,%.4f\n", panel ? "test error" : "R",
			panel ? 0.5 : 0.0, (double)lh / H, 0.5, (double)ph / H);
		if (panel) {
			/* a range that shows the success threshold eps too */
			double lo = tv_real(&t, 0, RC_EPS), hi = lo;
			for (size_t r = 0; r < t.nrows; r++)
				for (int i = 0; i < count[r]; i++)
					if (isfinite(ck[r][i].test_error) && ck[r][i].test_error > 0) {
						lo = fmin(lo, ck[r][i].test_error);
						hi = fmax(hi, ck[r][i].test_error);
					}
			fputs("set title 'test error'\nset ylabel '||w − w^*|| / ||w^*||'\nset format y '10^{%L}'\n", gp);
			if (isfinite(lo) && lo > 0) {
				fputs("set yrange [", gp);
				put_gpnum(gp, pow(10, floor(log10(lo / 1.5))));
				fputs(":", gp);
				put_gpnum(gp, pow(10, ceil(log10(hi * 1.5))));
				fputs("]\n", gp);
			}
		}
		else
			fputs("set title 'implicit regulariser R = tr ∇^2L'\nset ylabel 'R(w)'\nset format y '%g'\n", gp);
		fputs("plot ", gp);
		for (size_t r = 0; r < t.nrows; r++) {
			fprintf(gp, "%sdat index %zu using 2:%d with linespoints ", r ? ", \\\n  " : "", r, panel ? 4 : 5);
			put_run_style(gp, &t, r);
			fputs(" notitle", gp);
		}
		if (panel)
			fputs(", \\\n  eps with lines lc rgb 'black' dt 2 lw 1.5 notitle", gp);
		else if (isfinite(Rstar))
			fputs(", \\\n  Rstar with lines lc rgb '#555555' dt 4 lw 1.8 notitle", gp);
		fputc('\n', gp);
	}
	fprintf(gp,
		"\n# ---- legend\nset origin 0,0\nset size 1,%.4f\nunset border\nunset tics\nunset xlabel\n"
		"unset ylabel\nunset title\nunset grid\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
		"set key inside center center vertical Left reverse nobox font ',11' spacing 1.3 samplen 4\n",
		(double)lh / H);
	legend_plot(gp);
	for (size_t r = 0; r < t.nrows; r++) {
		fputs(", \\\n  keyentry with linespoints ", gp);
		put_run_style(gp, &t, r);
		fputs(" title ", gp);
		gp_str(gp, label[r]);
	}
	if (isfinite(Rstar))
		fputs(", \\\n  keyentry with lines lc rgb '#555555' dt 4 lw 1.8 title sprintf('R(w^*) = %.4g: the sparse "
		      "solution w^* (the l1 limit)', Rstar)",
		      gp);
	fputs(", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.5 title sprintf('ε = %g: success threshold of the "
	      "test error', eps)\n",
	      gp);
	fputs("\nunset multiplot\nset output\n", gp);
done:
	runs_release(&R);
	return rc;
}
