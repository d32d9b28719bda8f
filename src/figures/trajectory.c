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

static const char *const traj_cols[] = {"algorithm", "design", "wstar",	    "d",	"kappa",    "n",
					"seed",	     "sweep_seed", "alpha", "eta_used", "sigma",    "eps",
					"status",    "test_error", "R",	    "t",	"traj_file", "traj_row",
					"key"};
enum {
	TC_ALGO, TC_DESIGN, TC_WSTAR, TC_D, TC_KAPPA, TC_N, TC_SEED, TC_SWEEP_SEED, TC_ALPHA, TC_ETA,
	TC_SIGMA, TC_EPS, TC_STATUS, TC_ERR, TC_R, TC_T, TC_FILE, TC_ROW, TC_KEY, TC_COUNT
};

static double tv_real(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_REAL ? v->r : v->type == BW_VAL_INT ? (double)v->i : NAN;
}

static int64_t tv_int(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_INT ? v->i : v->type == BW_VAL_REAL ? (int64_t)v->r : -1;
}

static const char *tv_text(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_TEXT && v->s ? v->s : "";
}

/* Colour by algorithm, dashes by its runs' order. */

/* R = tr Hess L at the sparse solution w* of row r's instance (u = sqrt(w*+), v = sqrt(w*-)),
 * the instance rebuilt from its parameters; NaN when it cannot be. */
static double sparse_R(struct bw_table *t, size_t r)
{
	struct bw_instance_spec sp = {0};
	if (bw_design_parse(tv_text(t, r, TC_DESIGN), &sp.design) != BW_OK ||
	    bw_wstar_parse(tv_text(t, r, TC_WSTAR), &sp.wstar) != BW_OK) {
		bw_error_clear();
		return NAN;
	}
	sp.d = (size_t)tv_int(t, r, TC_D);
	sp.n = (size_t)tv_int(t, r, TC_N);
	sp.kappa = (size_t)tv_int(t, r, TC_KAPPA);
	sp.sweep_seed = (uint64_t)tv_int(t, r, TC_SWEEP_SEED);
	sp.seed_index = (uint32_t)tv_int(t, r, TC_SEED);
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

/* 1 when rows r and u agree on the columns cols[0..n) */
static int same_instance(struct bw_table *t, size_t r, size_t u, const size_t *cols, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct bw_value *x = bw_table_at(t, r, cols[k]), *y = bw_table_at(t, u, cols[k]);
		int same = x->type == y->type &&
			   (x->type == BW_VAL_TEXT ? !strcmp(x->s, y->s) : x->type != BW_VAL_INT || x->i == y->i);
		if (!same)
			return 0;
	}
	return 1;
}

static void put_run_style(FILE *f, struct bw_table *t, size_t r)
{
	const char *color;
	int pt;
	size_t variant = 0;
	for (size_t j = 0; j < r; j++)
		variant += !strcmp(tv_text(t, j, TC_ALGO), tv_text(t, r, TC_ALGO));
	style_of(tv_text(t, r, TC_ALGO), (int)variant, &color, &pt);
	fprintf(f, "lc rgb '%s' pt %d ps 0.9 pi 4 lw 2 dt %zu", color, pt, variant % 5 + 1);
}

int bw_figure_trajectory(struct bw_query *q, const struct bw_qfilter *user, size_t nuser, const struct bw_figure_args *a,
			   struct bw_figure *o)
{
	size_t nf = 0, cols[TC_COUNT], ncols;
	struct bw_table t = {0};
	struct bw_checkpoint *ck[MAX_RUNS] = {0};
	int count[MAX_RUNS] = {0};
	char list[400] = "", names[160], what[200];
	for (size_t i = 0; i < TC_COUNT; i++)
		cat(list, sizeof list, "%s%s", i ? "," : "", traj_cols[i]);
	/* the user's conditions, then one leaving out each other dynamics */
	struct bw_qfilter *filt = malloc((nuser + BW_ALGO_COUNT) * sizeof *filt);
	if (!filt)
		return RAISE(BW_ENOMEM, "out of memory");
	memcpy(filt, user, nuser * sizeof *user);
	nf = nuser;
	int rc = BW_OK;
	for (int d = 0; d < BW_ALGO_COUNT && rc == BW_OK; d++)
		if (bw_dynamics_table[d]->limit != BW_LIMIT_L1) {
			char cond[80];
			snprintf(cond, sizeof cond, "algorithm != %s", bw_dynamics_table[d]->name);
			rc = bw_query_parse_filter(q, cond, &filt[nf++]);
		}
	if (rc == BW_OK)
		rc = bw_query_resolve_columns(q, list, cols, TC_COUNT, &ncols);
	if (rc == BW_OK)
		rc = bw_query_rows(q, filt, nf, cols, ncols, 0, &t);
	if (rc != BW_OK)
		goto done;
	if (t.nrows == 0) {
		bw_limit_names(BW_LIMIT_L1, ", ", " or ", names, sizeof names);
		rc = RAISE(BW_EINVAL, "no finished %s task matches the --where conditions", names);
		goto done;
	}
	/* one instance: (sweep_seed, design, wstar, d, kappa, n, seed) */
	static const size_t inst[] = {TC_SWEEP_SEED, TC_DESIGN, TC_WSTAR, TC_D, TC_KAPPA, TC_N, TC_SEED};
	int varies[7] = {0}, any = 0;
	for (size_t r = 1; r < t.nrows; r++)
		for (size_t k = 0; k < 7; k++)
			if (!same_instance(&t, 0, r, &inst[k], 1))
				varies[k] = any = 1;
	if (any) {
		/* suggest an instance that exists: the one most dynamics ran on (ties: the largest d, then n) */
		size_t best = 0, best_runs = 0;
		for (size_t r = 0; r < t.nrows; r++) {
			size_t runs = 0;
			for (size_t u = 0; u < t.nrows; u++)
				runs += same_instance(&t, r, u, inst, 7);
			int64_t d = tv_int(&t, r, TC_D), bd = tv_int(&t, best, TC_D);
			if (runs > best_runs || (runs == best_runs && (d > bd || (d == bd && tv_int(&t, r, TC_N) >
										     tv_int(&t, best, TC_N))))) {
				best = r;
				best_runs = runs;
			}
		}
		char v[160] = "", eg[400] = "";
		for (size_t k = 0; k < 7; k++)
			if (varies[k]) {
				const struct bw_value *x = bw_table_at(&t, best, inst[k]);
				cat(v, sizeof v, "%s%s", v[0] ? ", " : "", traj_cols[inst[k]]);
				if (x->type == BW_VAL_INT)
					cat(eg, sizeof eg, " --where %s=%lld", traj_cols[inst[k]], (long long)x->i);
				else if (x->type == BW_VAL_TEXT)
					cat(eg, sizeof eg, " --where %s=%s", traj_cols[inst[k]], x->s);
			}
		rc = RAISE(BW_EINVAL, "the --where conditions match %zu runs on more than one instance (%s differ): pick "
				      "one, e.g.%s (%zu run%s there)",
			   t.nrows, v, eg, best_runs, best_runs == 1 ? "" : "s");
		goto done;
	}
	if (t.nrows > MAX_RUNS) {
		rc = RAISE(BW_EINVAL, "the --where conditions match %zu runs (at most %d): narrow them", t.nrows, MAX_RUNS);
		goto done;
	}
	/* read the trajectories, each checked to be the task's own (bw_query_trajectory) */
	for (size_t r = 0; r < t.nrows && rc == BW_OK; r++) {
		if (!*tv_text(&t, r, TC_FILE) || tv_int(&t, r, TC_ROW) < 0) {
			rc = RAISE(BW_EINVAL, "the %s run matched has no trajectory recorded (traj_file is NULL)",
				   tv_text(&t, r, TC_ALGO));
			break;
		}
		if (!(ck[r] = calloc(BW_TRAJ_SLOTS_MAX, sizeof *ck[r]))) {
			rc = RAISE(BW_ENOMEM, "out of memory");
			break;
		}
		rc = bw_query_trajectory(q, tv_text(&t, r, TC_KEY), ck[r], &count[r], NULL, 0);
	}
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
		const char *algo = tv_text(&t, r, TC_ALGO);
		const struct bw_dynamics *dy = bw_dynamics_named(algo);
		unsigned uses = dy ? dy->uses : 0;
		fprintf(dat, "%s# block %zu: ", r ? "\n\n" : "\n", r);
		put_comment_text(dat, algo);
		fprintf(dat, " alpha=%g", tv_real(&t, r, TC_ALPHA));
		label[r][0] = 0;
		enh_cat(label[r], sizeof label[r], algo);
		cat(label[r], sizeof label[r], " (α=%g", tv_real(&t, r, TC_ALPHA));
		if (uses & BW_USES_SIGMA) { /* the parameters it reads */
			fprintf(dat, " sigma=%g", tv_real(&t, r, TC_SIGMA));
			cat(label[r], sizeof label[r], ", σ=%g", tv_real(&t, r, TC_SIGMA));
		}
		if (uses & BW_USES_ETA) {
			fprintf(dat, " eta_used=%g", tv_real(&t, r, TC_ETA));
			cat(label[r], sizeof label[r], ", η=%.2g", tv_real(&t, r, TC_ETA));
		}
		cat(label[r], sizeof label[r], "): ");
		enh_cat(label[r], sizeof label[r], tv_text(&t, r, TC_STATUS));
		cat(label[r], sizeof label[r], ", final test error %.2g%s", tv_real(&t, r, TC_ERR),
		    dy && dy->projects ? " (after the projection Φ)" : "");
		sanitize(label[r]);
		fputs(" status=", dat);
		put_comment_text(dat, tv_text(&t, r, TC_STATUS));
		fprintf(dat, " test_error=%g file=", tv_real(&t, r, TC_ERR));
		put_comment_text(dat, tv_text(&t, r, TC_FILE));
		fprintf(dat, " row=%" PRId64 "\n", tv_int(&t, r, TC_ROW));
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
	cat(title, sizeof title, "%" PRId64 ", κ = %" PRId64 ", n = %" PRId64 ", seed %" PRId64 " (", tv_int(&t, 0, TC_D),
	    tv_int(&t, 0, TC_KAPPA), tv_int(&t, 0, TC_N), tv_int(&t, 0, TC_SEED));
	enh_cat(title, sizeof title, tv_text(&t, 0, TC_DESIGN));
	cat(title, sizeof title, " design, ");
	enh_cat(title, sizeof title, tv_text(&t, 0, TC_WSTAR));
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
	put_gpnum(gp, tv_real(&t, 0, TC_EPS));
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
			double lo = tv_real(&t, 0, TC_EPS), hi = lo;
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
	for (size_t r = 0; r < MAX_RUNS; r++)
		free(ck[r]);
	bw_table_release(&t);
	free(filt);
	return rc;
}
