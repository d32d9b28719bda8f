/* wojtowytsch.c - `biasweep plot wojtowytsch`: linear convergence of
 * constant-step SGD with loss-scaled noise (Wojtowytsch 2021) on one
 * instance: the loss of each run against k eta, and the fitted rate of
 * ln L per step (the catalog's loss_rate) against eta with the lemma's
 * rate -ln rho_eta and its first-order term Lambda eta, the constants
 * estimated at each run's end (bw_rate_consts_estimate, analysis.h;
 * docs/model.md, "Loss-scaled noise"). */
#include "emit.h"

#include "biasweep/error.h"
#include "biasweep/instance.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const rate_cols[] = {"batch", "loss_rate", "alpha_inf", "steps"};
enum { WC_BATCH = RC_COUNT, WC_RATE, WC_AINF, WC_STEPS };

static int reports_rate(const struct bw_dynamics *dy) { return (dy->reports & BW_REPORTS_LOSS_RATE) != 0; }

static const char *const palette[] = {"#313695", "#4575b4", "#74add1", "#1a9850", "#66a61e",
				      "#fdae61", "#f46d43", "#d73027", "#a50026", "#7b3294"};

int bw_figure_wojtowytsch(struct bw_query *q, const struct bw_qfilter *user, size_t nuser,
			  const struct bw_figure_args *a, struct bw_figure *o)
{
	char names[160];
	struct runs R;
	struct bw_instance inst = {0};
	struct bw_rate_consts k[MAX_RUNS];
	{
		size_t m = 0;
		names[0] = 0;
		for (int d = 0; d < BW_ALGO_COUNT; d++)
			if (reports_rate(bw_dynamics_table[d]))
				cat(names, sizeof names, "%s%s", m++ ? " or " : "", bw_dynamics_table[d]->name);
	}
	int rc = read_runs(q, user, nuser, reports_rate, names, rate_cols, 4, 1, &R);
	struct bw_table *t = &R.t;
	if (rc != BW_OK)
		goto done;
	/* the instance, for Z */
	struct bw_instance_spec spec = {0};
	if (bw_design_parse(tv_text(t, 0, RC_DESIGN), &spec.design) != BW_OK ||
	    bw_wstar_parse(tv_text(t, 0, RC_WSTAR), &spec.wstar) != BW_OK) {
		rc = BW_EINVAL;
		goto done;
	}
	spec.d = (size_t)tv_int(t, 0, RC_D);
	spec.n = (size_t)tv_int(t, 0, RC_N);
	spec.kappa = (size_t)tv_int(t, 0, RC_KAPPA);
	spec.sweep_seed = (uint64_t)tv_int(t, 0, RC_SWEEP_SEED);
	spec.seed_index = (uint32_t)tv_int(t, 0, RC_SEED);
	if ((rc = bw_instance_init(&inst, &spec)) != BW_OK)
		goto done;
	size_t nr = t->nrows, ref = nr; /* ref: the smallest eta with constants */
	for (size_t r = 0; r < nr; r++) {
		double ainf = tv_real(t, r, WC_AINF);
		k[r] = (struct bw_rate_consts){NAN, NAN, NAN};
		if (isfinite(ainf) &&
		    (rc = bw_rate_consts_estimate(inst.n, inst.d, inst.Z, R.w[r], ainf, (long)tv_int(t, r, WC_BATCH), &k[r])) !=
			    BW_OK)
			goto done;
		if (k[r].Lambda > 0 && (ref == nr || tv_real(t, r, RC_ETA) < tv_real(t, ref, RC_ETA)))
			ref = r;
	}

	FILE *gp, *dat, *rf;
	const char *datname, *ratename;
	if ((rc = figure_open(o, ".gp", &gp, NULL)) != BW_OK || (rc = figure_open(o, ".dat", &dat, &datname)) != BW_OK ||
	    (rc = figure_open(o, "-rate.dat", &rf, &ratename)) != BW_OK)
		goto done;
	fprintf(dat, "# %s - the loss of each run on one instance at its checkpoints, one block per run\n", datname);
	put_provenance(dat, a, o->image);
	fputs("# columns: 1 step  2 t (= step * eta)  3 train_loss  4 ln_train_loss\n", dat);
	fprintf(rf, "# %s - per run: the fitted rate of ln L per step and the constants of Wojtowytsch's lemma at its end\n",
		ratename);
	put_provenance(rf, a, o->image);
	fputs("# loss_rate: the catalog's (slope of ln L per step over the run's second half); decay = -loss_rate;\n"
	      "# Lambda = (16/n) lambda_min(M), C_L = (8/n) lambda_max(M), sigma = 16 (n-B)/(B(n-1)) max_i sum_j z_ij^2 D_j,\n"
	      "# M = Z diag(D) Z^T, D_j = sqrt(w_j^2 + 4 alpha_inf^4) at the run's end (docs/model.md);\n"
	      "# first_order = Lambda eta; rho = 1 - Lambda eta + C_L (1 + sigma) eta^2 / (2 Lambda); lemma_decay = -ln rho\n"
	      "# (NaN unless 0 < rho; negative: no decay guaranteed); eta_max = Lambda / (Lambda + sigma) * 2 / C_L\n"
	      "# columns: 1 eta  2 batch  3 status  4 steps  5 loss_rate  6 decay  7 alpha_inf  8 Lambda  9 C_L  10 sigma\n"
	      "#          11 first_order  12 rho  13 lemma_decay  14 eta_max  15 last_step  16 last_ln_loss\n",
	      rf);
	double tmin = INFINITY, tmax = 0, emin = INFINITY, emax = 0, ymin = INFINITY, ymax = 0;
	for (size_t r = 0; r < nr; r++) {
		double eta = tv_real(t, r, RC_ETA);
		fprintf(dat, "%s# block %zu: ", r ? "\n\n" : "\n", r);
		put_comment_text(dat, tv_text(t, r, RC_ALGO));
		fprintf(dat, " eta_used=%g batch=%" PRId64 " status=", eta, tv_int(t, r, WC_BATCH));
		put_comment_text(dat, tv_text(t, r, RC_STATUS));
		fputc('\n', dat);
		long last = -1;
		double lastln = NAN;
		for (int i = 0; i < R.count[r]; i++) {
			const struct bw_checkpoint *c = &R.ck[r][i];
			fprintf(dat, "%ld", c->step);
			put_real(dat, c->step * eta);
			put_real(dat, c->loss);
			put_real(dat, c->loss > 0 ? log(c->loss) : NAN);
			fputc('\n', dat);
			if (c->step > 0 && c->loss > 0) {
				tmin = fmin(tmin, c->step * eta);
				tmax = fmax(tmax, c->step * eta);
				last = c->step;
				lastln = log(c->loss);
			}
		}
		double rate = tv_real(t, r, WC_RATE), rho = bw_rate_rho(&k[r], eta);
		put_real(rf, eta);
		fprintf(rf, " %" PRId64, tv_int(t, r, WC_BATCH));
		put_word(rf, tv_text(t, r, RC_STATUS), " ");
		fprintf(rf, " %" PRId64, tv_int(t, r, WC_STEPS));
		put_real(rf, rate);
		put_real(rf, -rate);
		put_real(rf, tv_real(t, r, WC_AINF));
		put_real(rf, k[r].Lambda);
		put_real(rf, k[r].C_L);
		put_real(rf, k[r].sigma);
		put_real(rf, k[r].Lambda * eta);
		put_real(rf, rho);
		put_real(rf, rho > 0 ? -log(rho) : NAN);
		put_real(rf, bw_rate_eta_max(&k[r]));
		put_real(rf, last >= 0 ? (double)last : NAN);
		put_real(rf, lastln);
		fputc('\n', rf);
		if (eta > 0) {
			emin = fmin(emin, eta);
			emax = fmax(emax, eta);
		}
		if (-rate > 0) {
			ymin = fmin(ymin, -rate);
			ymax = fmax(ymax, -rate);
		}
		if (k[r].Lambda * eta > 0) {
			ymin = fmin(ymin, k[r].Lambda * eta);
			ymax = fmax(ymax, k[r].Lambda * eta);
		}
	}

	/* the lemma's curve with the constants of the smallest eta (its regime) */
	double Lam = ref < nr ? k[ref].Lambda : NAN, CL = ref < nr ? k[ref].C_L : NAN, sg = ref < nr ? k[ref].sigma : NAN;
	double eroot = 2 * Lam * Lam / (CL * (1 + sg)); /* rho < 1 below it (about) */
	double xlo = emin, xhi = emax;
	if (isfinite(eroot) && eroot > 0)
		xlo = fmin(xlo, eroot / 30);
	xlo /= 2;
	xhi *= 2;
	if (isfinite(Lam) && Lam > 0) {
		ymin = fmin(ymin, Lam * xlo);
		ymax = fmax(ymax, Lam * xhi);
	}
	char title[300] = "Loss-scaled noise: sgd on one instance, d = ";
	cat(title, sizeof title, "%" PRId64 ", κ = %" PRId64 ", n = %" PRId64 ", seed %" PRId64 ", α = %g (", tv_int(t, 0, RC_D),
	    tv_int(t, 0, RC_KAPPA), tv_int(t, 0, RC_N), tv_int(t, 0, RC_SEED), tv_real(t, 0, RC_ALPHA));
	enh_cat(title, sizeof title, tv_text(t, 0, RC_DESIGN));
	cat(title, sizeof title, " design, ");
	enh_cat(title, sizeof title, tv_text(t, 0, RC_WSTAR));
	cat(title, sizeof title, " w^*)");
	int pw = 640, ph = 500, th = 50, lh = 40 + 21 * (int)(nr + 6), W = 2 * pw, H = ph + th + lh;
	put_preamble(gp, o, a, W, H, "linear convergence of constant-step sgd (loss-scaled noise) on one instance");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\nratedat = here.", gp);
	gp_str(gp, ratename);
	fputs("\nLam = ", gp);
	put_gpnum(gp, Lam);
	fputs("\nCL = ", gp);
	put_gpnum(gp, CL);
	fputs("\nsg = ", gp);
	put_gpnum(gp, sg);
	fputs("\nrho(x) = 1 - Lam*x + CL*(1 + sg)*x**2/(2*Lam)   # the lemma's, as stated\n"
	      "rho2(x) = 1 - Lam*x + CL*(Lam + sg)*x**2/2       # the descent lemma's (docs/model.md)\n\nset multiplot title ", gp);
	gp_str(gp, title);
	fputs(" font ',14'\nunset key\n", gp);
	/* panel (a): L against k eta */
	fprintf(gp, "\n# ---- panel (a): the loss against k eta\nset origin 0,%.4f\nset size 0.5,%.4f\n", (double)lh / H,
		(double)ph / H);
	fputs("set title 'training loss L (log scale) of each run: straight = linear convergence'\n"
	      "set xlabel 'steps k × η  (= simulated time t; a run at step η takes t/η steps)'\n"
	      "set ylabel 'L = (1/n)||Zw − y||^2'\nset logscale y\nset format y '10^{%L}'\n",
	      gp);
	if (tmax > 0)
		fprintf(gp, "set xrange [0:%.6g]\n", tmax * 1.02);
	fputs("plot ", gp);
	for (size_t r = 0; r < nr; r++)
		fprintf(gp, "%sdat index %zu using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '%s' pt 7 ps 0.5 lw 1.5",
			r ? ", \\\n  " : "", r, palette[r % 10]);
	/* the fitted slope over each run's second half, through its last checkpoint */
	for (size_t r = 0; r < nr; r++)
		fprintf(gp,
			", \\\n  ratedat every ::%zu::%zu using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):"
			"(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2",
			r, r);
	fputc('\n', gp);
	/* panel (b): the rate against eta */
	fprintf(gp,
		"\n# ---- panel (b): the rate against eta\nset origin 0.5,%.4f\nset size 0.5,%.4f\nunset logscale\n"
		"set logscale xy\nset format x '10^{%%L}'\nset format y '10^{%%L}'\nset autoscale x\nset autoscale y\n",
		(double)lh / H, (double)ph / H);
	fputs("set title 'decay rate of ln L per step against the step η'\nset xlabel 'η'\n"
	      "set ylabel '−d ln L / dk  (per step)'\n",
	      gp);
	if (xlo > 0 && xhi > xlo)
		fprintf(gp, "set xrange [%.6g:%.6g]\n", xlo, xhi);
	if (ymin > 0 && ymax > ymin)
		fprintf(gp, "set yrange [%.6g:%.6g]\n", ymin / 3, ymax * 3);
	fputs("set samples 400\n", gp);
	fputs("plot ratedat using 1:($6 > 0 ? $6 : 1/0) with points lc rgb 'black' pt 7 ps 1.4, \\\n"
	      "  ratedat using 1:($11 > 0 ? $11 : 1/0) with linespoints lc rgb '#1f77b4' pt 4 ps 1.1 lw 1.5 dt 2, \\\n"
	      "  (rho(x) > 0 && rho(x) < 1 ? -log(rho(x)) : 1/0) with lines lc rgb '#d62728' lw 2, \\\n"
	      "  (rho2(x) > 0 && rho2(x) < 1 ? -log(rho2(x)) : 1/0) with lines lc rgb '#8c2d04' lw 2 dt 4",
	      gp);
	double em = ref < nr ? bw_rate_eta_max(&k[ref]) : NAN;
	if (isfinite(em) && em > 0)
		fprintf(gp, ", \\\n  '+' using (%.17g):(10**(log10(%.6g) + (log10(%.6g) - log10(%.6g))*($0/399.))) with lines "
			    "lc rgb '#d62728' dt 3 lw 1.5",
			em, ymin / 3, ymax * 3, ymin / 3);
	fputc('\n', gp);
	/* legend */
	fprintf(gp,
		"\n# ---- legend\nset origin 0,0\nset size 1,%.4f\nunset border\nunset tics\nunset xlabel\nunset ylabel\n"
		"unset title\nunset grid\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
		"set key inside center center vertical Left reverse nobox font ',11' spacing 1.15 samplen 3\n",
		(double)lh / H);
	legend_plot(gp);
	for (size_t r = 0; r < nr; r++) {
		char lab[200] = "";
		cat(lab, sizeof lab, "(a) η = %.3g: ", tv_real(t, r, RC_ETA));
		enh_cat(lab, sizeof lab, tv_text(t, r, RC_STATUS));
		cat(lab, sizeof lab, " after %" PRId64 " steps; fitted −d ln L/dk = %.3g, Λη = %.3g", tv_int(t, r, WC_STEPS),
		    -tv_real(t, r, WC_RATE), k[r].Lambda * tv_real(t, r, RC_ETA));
		fprintf(gp, ", \\\n  keyentry with linespoints lc rgb '%s' pt 7 ps 0.5 lw 1.5 title ", palette[r % 10]);
		gp_str(gp, lab);
	}
	char lab[300] = "";
	fputs(", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.2 title '(a) the fitted slope over the run''s second "
	      "half (loss\\_rate)', \\\n  keyentry with points lc rgb 'black' pt 7 ps 1.4 title '(b) measured: −loss\\_rate', "
	      "\\\n  keyentry with linespoints lc rgb '#1f77b4' pt 4 ps 1.1 lw 1.5 dt 2 title '(b) first-order term Λη "
	      "(Λ at each run''s end)', \\\n  keyentry with lines lc rgb '#d62728' lw 2 title ",
	      gp);
	cat(lab, sizeof lab, "(b) the lemma's rate −ln ρ_η, ρ_η = 1 − Λη + C_L(1+σ)η^2/(2Λ) (Λ = %.3g, C_L = %.3g, σ = %.3g: "
	    "the run at η = %.3g)", Lam, CL, sg, ref < nr ? tv_real(t, ref, RC_ETA) : NAN);
	gp_str(gp, lab);
	fputs(", \\\n  keyentry with lines lc rgb '#8c2d04' lw 2 dt 4 title '(b) the descent-lemma rate −ln(1 − Λη + C_L(Λ+σ)η^2/2), "
	      "below 0 exactly beyond the step bound'", gp);
	lab[0] = 0;
	cat(lab, sizeof lab, "(b) the lemma's step bound η < Λ/(Λ+σ)·2/C_L = %.3g", em);
	fputs(", \\\n  keyentry with lines lc rgb '#d62728' dt 3 lw 1.5 title ", gp);
	gp_str(gp, lab);
	fputs("\n\nunset multiplot\nset output\n", gp);
done:
	bw_instance_release(&inst);
	runs_release(&R);
	return rc;
}
