/* test_gaussian_noise.c - gaussian_noise_gd (docs/model.md): gd plus
 * isotropic Gaussian noise, x <- x - eta (grad L(x) + sigma xi), xi ~ N(0, I).
 *
 * Oracles, written here from the documentation:
 * (a) gd's recurrence, reimplemented with plain loops (r = Z w - y,
 *     s = (4 eta / n) Z^T r, u <- u - u s, v <- v + v s): with sigma = 1e-200
 *     the noise eta sigma xi (|xi| < 40) is below half an ulp of every u_j,
 *     v_j here, so the run must be gd's, step for step: the state after every
 *     K = 1..40 steps and after 400 (to 1e-12 relative), and the loss of
 *     every checkpoint (to 1e-12 of the initial loss: the residual cancels).
 * (b) the noise's law: runs of K and K + 1 steps share their first K steps
 *     (one stream), so the increment of step K + 1 minus its gd part (from the
 *     state after K steps, computed here), over eta sigma, is that step's xi.
 *     Over M steps its N = 2 d M entries must be N(0, 1) and independent:
 *     mean within 4.5 standard errors of 0, sum of squares within 4.5
 *     standard deviations of chi^2(N) (mean N, sd sqrt(2N)), lag-one (step k
 *     against step k + 1) and u-v correlations within 4.5 / sqrt(N), and
 *     per coordinate chi^2(M) the same way; and t = k eta^2 sigma^2 / 2.
 *     (The stream is fixed, so the test is deterministic; a correct
 *     generator fails one of these bounds with probability ~1e-5.)
 * (c) the claim (HaoChen, Wei, Lee and Ma 2021): d = 64, kappa = 2, n = 20,
 *     alpha = 0.5, several seeds: where weighted basis pursuit (the flow's
 *     limit; the LP by GLPK) recovers w*, label_noise_sgd at time 1
 *     (sigma 1) does too, and gaussian_noise_gd at the same time with
 *     comparable noise does not: sigma = 4 alpha, so that the trace of its
 *     gradient-noise covariance, 2 d sigma^2, equals label noise's
 *     2 sigma^2 R(x0) = 32 d alpha^2 at the start.  Its projected answer has
 *     test error > eps, l1 > 1.5 x the LP's minimum and R above label
 *     noise's.
 */
#include "../flow/lp.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static enum bw_algo algo_named(const char *name)
{
	enum bw_algo a = BW_ALGO_COUNT;
	if (bw_algo_parse(name, &a) != BW_OK)
		bw_error_clear();
	return a;
}

static int make(struct bw_instance *inst, size_t d, size_t n, size_t kappa, uint32_t seed)
{
	struct bw_instance_spec s = {BW_DESIGN_RADEMACHER, BW_WSTAR_SIGNS, d, n, kappa, 11, seed};
	int rc = bw_instance_init(inst, &s);
	TU_CHECK(rc == BW_OK, "instance d=%zu n=%zu: %s", d, n, rc ? bw_error_message() : "");
	return rc;
}

/* the loss (1/n)|Zw - y|^2 and, when g != NULL, s / eta = (4/n) Z^T r */
static double oracle_loss(const struct bw_instance *inst, const double *u, const double *v, double *g)
{
	size_t n = inst->n, d = inst->d;
	double L = 0;
	if (g)
		memset(g, 0, d * sizeof *g);
	for (size_t i = 0; i < n; i++) {
		double r = -inst->y[i];
		for (size_t j = 0; j < d; j++)
			r += inst->Z[i * d + j] * (u[j] * u[j] - v[j] * v[j]);
		L += r * r;
		for (size_t j = 0; g && j < d; j++)
			g[j] += 4.0 / (double)n * r * inst->Z[i * d + j];
	}
	return L / (double)n;
}

/* gaussian_noise_gd for K steps, raw (no projection) */
static int run_raw(const struct bw_instance *inst, double alpha, double eta, double sigma, long K, uint64_t seed,
		   struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, algo_named("gaussian_noise_gd"));
	p.alpha = alpha;
	p.eta = eta;
	p.sigma = sigma;
	p.max_steps = K;
	p.project = 0;
	p.noise_seed = seed;
	int rc = bw_run(inst, &p, o);
	TU_CHECK(rc == BW_OK, "gaussian_noise_gd, %ld steps: %s", K, rc ? bw_error_message() : "");
	if (rc != BW_OK)
		bw_error_clear();
	return rc;
}

static void check_sigma_zero(void)
{
	struct bw_instance inst;
	if (make(&inst, 12, 6, 2, 0) != BW_OK)
		return;
	size_t d = inst.d;
	double eta = 0.005, alpha = 0.7;
	double *u = malloc(d * sizeof *u), *v = malloc(d * sizeof *v), *g = malloc(d * sizeof *g);
	double *Lk = malloc(401 * sizeof *Lk);
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = alpha;
	double worst = 0, worst_ck = 0;
	for (long k = 0; k <= 400; k++) {
		Lk[k] = oracle_loss(&inst, u, v, g);
		if (k == 400 || (k >= 1 && k <= 40)) {
			struct bw_outcome o;
			if (run_raw(&inst, alpha, eta, 1e-200, k, 5, &o) != BW_OK)
				break;
			TU_CHECK(o.steps == k && o.status == BW_RUN_BUDGET, "sigma -> 0: %ld steps, status %d", o.steps,
				 o.status);
			for (size_t j = 0; j < d; j++)
				worst = fmax(worst, fmax(fabs(o.u[j] - u[j]), fabs(o.v[j] - v[j])) / fabs(u[j]));
			for (size_t c = 0; c < o.ntraj; c++)
				worst_ck = fmax(worst_ck, fabs(o.traj[c].loss - Lk[o.traj[c].step]) / Lk[0]);
			bw_outcome_release(&o);
		}
		for (size_t j = 0; j < d; j++) {
			double s = eta * g[j];
			u[j] -= u[j] * s;
			v[j] += v[j] * s;
		}
	}
	TU_CHECK(Lk[400] < 1e-3 * Lk[0], "the oracle's gd descends: L %g -> %g", Lk[0], Lk[400]);
	TU_CHECK(worst <= 1e-12, "sigma -> 0: (u, v) is gd's after every step (worst relative %g)", worst);
	TU_CHECK(worst_ck <= 1e-12, "sigma -> 0: every checkpoint's loss is gd's (worst %g of L0)", worst_ck);
	free(u);
	free(v);
	free(g);
	free(Lk);
	bw_instance_release(&inst);
}

static void check_noise(void)
{
	struct bw_instance inst;
	if (make(&inst, 4, 2, 1, 1) != BW_OK)
		return;
	size_t d = inst.d;
	const long M = 1500;
	const double eta = 0.01, sigma = 0.5, alpha = 0.6;
	double *g = malloc(d * sizeof *g), *xi = malloc((size_t)M * 2 * d * sizeof *xi);
	double *pu = malloc(d * sizeof *pu), *pv = malloc(d * sizeof *pv);
	for (size_t j = 0; j < d; j++)
		pu[j] = pv[j] = alpha;
	int ok = 1;
	double worst_t = 0;
	for (long k = 1; k <= M && ok; k++) {
		struct bw_outcome o;
		if (run_raw(&inst, alpha, eta, sigma, k, 77, &o) != BW_OK) {
			ok = 0;
			break;
		}
		ok = o.status == BW_RUN_BUDGET && o.steps == k;
		worst_t = fmax(worst_t, fabs(o.t - (double)k * eta * eta * sigma * sigma / 2) / o.t);
		oracle_loss(&inst, pu, pv, g);
		for (size_t j = 0; j < d; j++) {
			double s = eta * g[j];
			xi[(k - 1) * 2 * d + j] = (o.u[j] - (pu[j] - pu[j] * s)) / (eta * sigma);
			xi[(k - 1) * 2 * d + d + j] = (o.v[j] - (pv[j] + pv[j] * s)) / (eta * sigma);
			pu[j] = o.u[j];
			pv[j] = o.v[j];
		}
		bw_outcome_release(&o);
	}
	TU_CHECK(ok, "every run of K steps ends on its budget");
	TU_CHECK(worst_t <= 1e-14, "t = k eta^2 sigma^2 / 2 (worst relative %g)", worst_t);
	if (!ok)
		goto out;
	double N = (double)M * 2 * (double)d, sum = 0, sq = 0, lag = 0, uv = 0;
	for (long k = 0; k < M; k++)
		for (size_t j = 0; j < 2 * d; j++) {
			double x = xi[k * 2 * d + j];
			sum += x;
			sq += x * x;
			if (k + 1 < M)
				lag += x * xi[(k + 1) * 2 * d + j];
			if (j < d)
				uv += x * xi[k * 2 * d + d + j];
		}
	double Nlag = (double)(M - 1) * 2 * (double)d, Nuv = (double)M * (double)d;
	TU_CHECK(fabs(sum) / sqrt(N) <= 4.5, "the noise has mean 0: z = %.3f over %.0f draws", sum / sqrt(N), N);
	TU_CHECK(fabs(sq - N) / sqrt(2 * N) <= 4.5, "sum xi^2 is chi^2(%.0f): %.1f, z = %.3f", N, sq,
		 (sq - N) / sqrt(2 * N));
	TU_CHECK(fabs(lag) / sqrt(Nlag) <= 4.5, "steps are independent: lag-one z = %.3f", lag / sqrt(Nlag));
	TU_CHECK(fabs(uv) / sqrt(Nuv) <= 4.5, "u's and v's draws are independent: z = %.3f", uv / sqrt(Nuv));
	for (size_t j = 0; j < 2 * d; j++) {
		double s = 0, q = 0;
		for (long k = 0; k < M; k++) {
			s += xi[k * 2 * d + j];
			q += xi[k * 2 * d + j] * xi[k * 2 * d + j];
		}
		TU_CHECK(fabs(s) / sqrt((double)M) <= 4.5 && fabs(q - (double)M) / sqrt(2.0 * (double)M) <= 4.5,
			 "coordinate %zu: mean z = %.3f, chi^2 z = %.3f", j, s / sqrt((double)M),
			 (q - (double)M) / sqrt(2.0 * (double)M));
	}
out:
	free(g);
	free(xi);
	free(pu);
	free(pv);
	bw_instance_release(&inst);
}

static int run_scored(const struct bw_instance *inst, const char *name, double sigma, double time,
		      struct bw_outcome *o)
{
	struct bw_run_params p;
	enum bw_algo a = algo_named(name);
	bw_run_params_default(&p, a);
	p.alpha = 0.5;
	p.sigma = sigma;
	p.max_time = time;
	p.noise_seed = bw_noise_seed(inst->seed, a);
	int rc = bw_run(inst, &p, o);
	TU_CHECK(rc == BW_OK, "%s runs: %s", name, rc ? bw_error_message() : "");
	if (rc != BW_OK)
		bw_error_clear();
	return rc;
}

static void check_claim(void)
{
	int compared = 0;
	for (uint32_t seed = 0; seed < 6; seed++) {
		struct bw_instance inst;
		if (make(&inst, 64, 20, 2, seed) != BW_OK)
			return;
		double *w = malloc(inst.d * sizeof *w), err = 0;
		double lp = solve_lp(&inst, w);
		for (size_t j = 0; j < inst.d; j++)
			err += (w[j] - inst.w_star[j]) * (w[j] - inst.w_star[j]);
		err = sqrt(err) / inst.wstar_norm;
		free(w);
		TU_CHECK(isfinite(lp), "seed %u: the LP is solved", seed);
		if (!(err <= 1e-6)) { /* basis pursuit itself misses w*: no claim here */
			bw_instance_release(&inst);
			continue;
		}
		double l1_min = lp / (double)inst.n; /* c_j = n for Rademacher rows */
		struct bw_outcome ln, gn;
		if (run_scored(&inst, "label_noise_sgd", 1.0, 1.0, &ln) == BW_OK) {
			if (run_scored(&inst, "gaussian_noise_gd", 4 * 0.5, 1.0, &gn) == BW_OK) {
				compared++;
				TU_CHECK(ln.success && ln.test_error <= 0.1, "seed %u: label noise recovers w* (error %g)",
					 seed, ln.test_error);
				TU_CHECK(gn.status == BW_RUN_BUDGET && gn.train_loss < 1e-12,
					 "seed %u: gaussian_noise_gd ends on its budget, projected (status %d, loss %g)",
					 seed, gn.status, gn.train_loss);
				TU_CHECK(!gn.success && gn.test_error > 0.1, "seed %u: Gaussian noise does not (error %g)",
					 seed, gn.test_error);
				TU_CHECK(gn.l1 > 1.5 * l1_min, "seed %u: Gaussian noise's l1 %g, basis pursuit's %g", seed,
					 gn.l1, l1_min);
				TU_CHECK(gn.R > ln.R, "seed %u: Gaussian noise's R %g, label noise's %g", seed, gn.R,
					 ln.R);
				printf("seed %u: l1 bp %.4f label noise %.4f gaussian %.4f; error %.3g / %.3g; R %.4g / %.4g\n",
				       seed, l1_min, ln.l1, gn.l1, ln.test_error, gn.test_error, ln.R, gn.R);
				bw_outcome_release(&gn);
			}
			bw_outcome_release(&ln);
		}
		bw_instance_release(&inst);
	}
	TU_CHECK(compared >= 4, "the claim is checked on %d seeds where basis pursuit recovers w*", compared);
}

int main(void)
{
	TU_CHECK(algo_named("gaussian_noise_gd") < BW_ALGO_COUNT, "a dynamics named gaussian_noise_gd");
	check_sigma_zero();
	check_noise();
	check_claim();
	glp_free_env(); /* GLPK's environment (glp_init_env at the first problem) */
	return tu_summary("test_gaussian_noise");
}
