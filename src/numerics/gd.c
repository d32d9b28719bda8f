/* gd.c - full-batch gradient descent on L from u = v = alpha.
 * One step: r = Z w - y, s = (4 eta / n) Z^T r, u <- u(1 - s), v <- v(1 + s):
 * two dgemv calls (OpenBLAS) and one fused pass over u, v, w. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/model.h"
#include "rows.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void gd_update(size_t d, double *u, double *v, double *w, const double *g, double eta)
{
#pragma omp simd
	for (size_t j = 0; j < d; j++) {
		double s = eta * g[j];
		u[j] -= u[j] * s;
		v[j] += v[j] * s;
		w[j] = u[j] * u[j] - v[j] * v[j];
	}
}

/* The loop shared by bw_gd_run and bw_gd_descend.  Returns the steps taken;
 * *status gets converged, budget or diverged.  out may be NULL. */
static long gd_loop(const struct bw_instance *inst, double *u, double *v, double eta, double tol, long max_steps,
		    double max_time, double *w, double *r, double *g, struct bw_outcome *out, int *status, int *rc,
		    const volatile int *cancel)
{
	size_t n = inst->n, d = inst->d;
	double ref = 0;
	for (size_t i = 0; i < n; i++)
		ref += inst->y[i] * inst->y[i];
	ref = ref > 0 ? ref / (double)n : 1.0;
	bw_model_w(d, u, v, w);
	double loss = bw_model_residual(inst, w, r), bound = bw_blowup_bound(loss), prev = loss, integral = 0;
	long next_ck = 0, k = 0, last_ck = -1;
	*rc = BW_OK;
	for (;; k++) {
		if (k > 0) {
			loss = bw_model_residual(inst, w, r);
			integral += 0.5 * (prev + loss) * eta;
			prev = loss;
		}
		if (!isfinite(loss) || loss > bound) {
			*status = BW_RUN_DIVERGED;
			break;
		}
		if (out && k == next_ck) {
			if ((*rc = bw_outcome_checkpoint(out, inst, k, (double)k * eta, u, v, w, r)) != BW_OK)
				return k;
			last_ck = k;
			next_ck = bw_next_checkpoint(k);
		}
		if (loss <= tol * ref) {
			*status = BW_RUN_CONVERGED;
			break;
		}
		if (cancel && (k & 255) == 0 && *cancel) {
			*rc = RAISE(BW_EINTR, "cancelled");
			return k;
		}
		if ((max_steps > 0 && k >= max_steps) || (max_time > 0 && (double)k * eta >= max_time)) {
			*status = BW_RUN_BUDGET;
			break;
		}
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 4.0 / (double)n, inst->Z, (int)d, r, 1, 0.0,
			    g, 1);
		gd_update(d, u, v, w, g, eta);
	}
	if (out) {
		out->int_loss_dt = integral;
		if (last_ck != k && *status != BW_RUN_DIVERGED)
			*rc = bw_outcome_checkpoint(out, inst, k, (double)k * eta, u, v, w, r);
	}
	return k;
}

long bw_gd_descend(const struct bw_instance *inst, double *u, double *v, double eta, double tol, long max_steps,
		   double *w, double *r, double *g)
{
	int status, rc;
	long k = gd_loop(inst, u, v, eta, tol, max_steps, 0, w, r, g, NULL, &status, &rc, NULL);
	return status == BW_RUN_DIVERGED ? -1 : k;
}

int bw_gd_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	size_t n = inst->n, d = inst->d;
	CHECK(bw_outcome_alloc(out, d));
	double *r = malloc(n * sizeof(double)), *g = malloc(d * sizeof(double));
	if (!r || !g) {
		free(r);
		free(g);
		bw_outcome_release(out);
		return RAISE(BW_ENOMEM, "out of memory for gd with n=%zu d=%zu", n, d);
	}
	double eta = bw_run_eta(p, &inst->spec);
	long max_steps = p->max_steps;
	if (max_steps == 0 && p->max_time == 0)
		max_steps = bw_gd.budget_steps;
	for (size_t j = 0; j < d; j++)
		out->u[j] = out->v[j] = p->alpha;
	int status, rc;
	out->steps = gd_loop(inst, out->u, out->v, eta, p->tol, max_steps, p->max_time, out->w, r, g, out, &status,
			     &rc, p->cancel);
	out->status = (enum bw_run_status)status;
	out->t = (double)out->steps * eta;
	out->eta_used = eta;
	if (status == BW_RUN_DIVERGED)
		snprintf(out->message, sizeof out->message, "loss left the blow-up bound at step %ld (eta=%g)",
			 out->steps, eta);
	if (rc == BW_OK)
		bw_outcome_finish(out, inst, p, out->u, out->v, r);
	free(r);
	free(g);
	if (rc != BW_OK)
		bw_outcome_release(out);
	return rc;
}

/* ---- the row (dynamics.h) ---- */

double bw_gd_eta_auto(double alpha, const struct bw_instance_spec *s)
{
	/* full-batch Hessian (16/n) max(u^2+v^2) lambda_max(Z Z^T) */
	double a2 = alpha * alpha, d = (double)s->d, n = (double)s->n;
	double sq = sqrt(n) + sqrt(d);
	return 0.25 / (16.0 / n * fmax(a2, 1.0) * sq * sq);
}

/* 2 n d per step, up to the budget or the steps to reach tol */
static double gd_cost(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	double n = (double)is->n, d = (double)is->d, eta = bw_cost_eta(r, is);
	double s = fmin(bw_cost_budget_steps(r, eta), bw_cost_descent_steps(eta, r->tol, r->alpha, n, d));
	return fmax(s, 1) * 2 * n * d;
}

/* r and g */
static size_t gd_bytes(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	(void)r;
	return (is->n + is->d) * sizeof(double);
}

const struct bw_dynamics bw_gd = {
	.name = "gd",
	.summary = "full-batch gradient descent",
	.uses = BW_USES_ETA,
	.reports = BW_REPORTS_ALPHA_INF,
	.limit = BW_LIMIT_QALPHA,
	.tol = 1e-10,
	.budget_steps = 1000000,
	.eta_auto = bw_gd_eta_auto,
	.cost = gd_cost,
	.bytes = gd_bytes,
	.run = bw_gd_run,
	.projects = 0,
	.plot_color = "#1f77b4",
	.plot_pt = {7, 6},
	.plot_ps = 1.3,
	.eta_doc = "0.25/((16/n) max(alpha^2,1) (sqrt n + sqrt d)^2)",
	.time_doc = "k*eta",
	.converged_doc = "relative loss L/(|y|^2/n)",
};
