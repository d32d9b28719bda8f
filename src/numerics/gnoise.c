/* gnoise.c - gaussian_noise_gd: full-batch gradient descent plus isotropic
 * Gaussian noise on the parameters, the control of label noise (HaoChen,
 * Wei, Lee and Ma, COLT 2021: noise of this shape does not find the sparse
 * solution).  One step, from u = v = alpha:
 *   r = Z w - y,  s = (4 eta / n) Z^T r,
 *   u_j <- u_j - u_j s_j + eta sigma xi_j,  v_j <- v_j + v_j s_j + eta sigma xi_{d+j},
 * that is x <- x - eta (grad L(x) + sigma xi) with xi ~ N(0, I_2d): gd with a
 * gradient noise of covariance sigma^2 I, where label-noise SGD's has
 * covariance 2 sigma^2 Hess L on the manifold.  Both are noisy gd in Li, Wang
 * and Arora's sense, so both share the time t = k eta^2 sigma^2 / 2.
 * Each step draws xi_0 .. xi_{2d-1} in that order (all of u's, then v's) by
 * gsl_ran_gaussian_ziggurat from MT19937 seeded with bw_seed32(noise_seed),
 * then makes the gd step from the current r (two dgemv calls, as gd.c).
 * It never converges (the noise keeps it off the manifold): it runs its
 * budget, or diverges; with 'project' its last iterate is scored after the
 * projection Phi, like label_noise_sgd's. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/model.h"
#include "rows.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* the default budget (simulated time), as label_noise_sgd's */
#define GNOISE_TIME 5.0

static void gnoise_update(size_t d, double *u, double *v, double *w, const double *g, const double *xi, double eta,
			  double a)
{
	for (size_t j = 0; j < d; j++) {
		double s = eta * g[j];
		u[j] = u[j] - u[j] * s + a * xi[j];
		v[j] = v[j] + v[j] * s + a * xi[d + j];
		w[j] = u[j] * u[j] - v[j] * v[j];
	}
}

/* The budget in steps: the steps and/or the time (whichever ends first), the
 * row's time when neither is given. */
static long gnoise_steps(const struct bw_run_params *p, double dt)
{
	double s = bw_cost_budget_steps(p, dt);
	if (!isfinite(s))
		s = ceil(GNOISE_TIME / dt);
	return s < 1e15 ? (long)s : (long)1e15;
}

int bw_gaussian_noise_gd_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	size_t n = inst->n, d = inst->d;
	CHECK(bw_outcome_alloc(out, d));
	double *r = malloc(n * sizeof(double)), *g = malloc(d * sizeof(double)), *xi = malloc(2 * d * sizeof(double));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int rc = BW_OK;
	if (!r || !g || !xi || !rng) {
		rc = RAISE(BW_ENOMEM, "out of memory for gaussian_noise_gd with n=%zu d=%zu", n, d);
		goto done;
	}
	gsl_rng_set(rng, bw_seed32(p->noise_seed));
	out->per_decade = p->checkpoints;
	double eta = bw_run_eta(p, &inst->spec);
	double a = eta * p->sigma, dt = a * a / 2.0;
	long max_steps = gnoise_steps(p, dt);
	double *u = out->u, *v = out->v, *w = out->w;
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = p->alpha;
	bw_model_w(d, u, v, w);
	double loss = bw_model_residual(inst, w, r), bound = bw_blowup_bound(loss);
	long next_ck = 0, last_ck = -1, k = 0;
	int status = BW_RUN_BUDGET;
	for (;; k++) {
		if (k > 0)
			loss = bw_model_residual(inst, w, r);
		if (!isfinite(loss) || loss > bound) {
			status = BW_RUN_DIVERGED;
			break;
		}
		if (k == next_ck) {
			if ((rc = bw_outcome_checkpoint(out, inst, k, (double)k * dt, u, v, w, r)) != BW_OK)
				goto done;
			last_ck = k;
			next_ck = bw_next_checkpoint_n(k, out->per_decade);
		}
		if (k >= max_steps)
			break;
		if (p->cancel && (k & 255) == 0 && *p->cancel) {
			rc = RAISE(BW_EINTR, "cancelled");
			goto done;
		}
		for (size_t j = 0; j < 2 * d; j++)
			xi[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 4.0 / (double)n, inst->Z, (int)d, r, 1, 0.0,
			    g, 1);
		gnoise_update(d, u, v, w, g, xi, eta, a);
	}
	if ((rc = bw_outcome_end(out, inst, (enum bw_run_status)status, k, last_ck, (double)k * dt, u, v, w, r)) != BW_OK)
		goto done;
	out->eta_used = eta;
	if (status == BW_RUN_DIVERGED)
		snprintf(out->message, sizeof out->message, "loss left the blow-up bound at step %ld (eta=%g)", k, eta);
	else if (p->project && (rc = bw_project_final(inst, p->tol, u, v, w, r, out)) != BW_OK)
		goto done;
	bw_outcome_finish(out, inst, p, u, v, r);
done:
	free(r);
	free(g);
	free(xi);
	if (rng)
		gsl_rng_free(rng);
	if (rc != BW_OK)
		bw_outcome_release(out);
	return rc;
}

/* ---- the row (dynamics.h) ---- */

/* One Gaussian draw costs about as much as this many coordinate-updates
 * (gsl_ran_gaussian_ziggurat on MT19937 against one multiply-add of the two
 * dgemv calls: 20 to 75, median about 50, measured on x86-64 at n x d from
 * 30 x 32 to 256 x 256). */
#define GNOISE_DRAW_COST 50.0

/* 2 n d + 2 d draws per step of the budget (time / (eta^2 sigma^2 / 2)), and the projection */
static double gnoise_cost(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	double n = (double)is->n, d = (double)is->d, eta = bw_cost_eta(r, is);
	double s = (double)gnoise_steps(r, eta * eta * r->sigma * r->sigma / 2);
	const struct bw_dynamics *g = bw_run_descent(r);
	return s * (2 * n * d + GNOISE_DRAW_COST * 2 * d) + (g ? bw_cost_projection(is) : 0);
}

/* r, g and the 2 d draws of a step */
static size_t gnoise_bytes(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	(void)r;
	return (is->n + 3 * is->d) * sizeof(double);
}

const struct bw_dynamics bw_gaussian_noise_gd = {
	.name = "gaussian_noise_gd",
	.summary = "gd plus isotropic noise x <- x - eta (grad L + sigma xi), xi ~ N(0, I) (HaoChen et al.), "
		   "projected at the end",
	BW_NOISY_GD_FIELDS(0),
	.limit = BW_LIMIT_NONE,
	.budget_time = GNOISE_TIME,
	.eta_auto = bw_gd_eta_auto,
	.cost = gnoise_cost,
	.bytes = gnoise_bytes,
	.run = bw_gaussian_noise_gd_run,
	.plot_color = "#9467bd",
	.plot_pt = {11, 10},
	.plot_ps = 1.2,
	.eta_doc = "0.25/((16/n) max(alpha^2,1) (sqrt n + sqrt d)^2)", /* gd's */
};
