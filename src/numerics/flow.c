/* flow.c - the Riemannian gradient flow of R = tr Hessian on the zero-loss
 * manifold Gamma = {x = (u, v) : Z w(x) = y}, dx/dt = -P(x) grad R(x)
 * (docs/model.md).
 *
 * Velocity.  grad R = (16/n)(c.u, c.v), J = [2 Z diag(u), -2 Z diag(v)],
 * J J^T = 4 M with M = Z diag(D) Z^T, D = u.u + v.v, and
 * J grad R = (32/n) Z (c.w).  So -P grad R = -grad R + J^T (J J^T)^{-1} J grad R
 * is, with lambda = M^{-1} Z (c.w) and g = Z^T lambda,
 *   du_j/dt = u_j a_j,  a_j = (16/n)(g_j - c_j),
 *   dv_j/dt = v_j b_j,  b_j = -(16/n)(g_j + c_j).
 * On Gamma Z(c.w) = c Z w = c y when c_j = c (Rademacher, c = n), so
 * g = n Z^T mu with mu = M^{-1} y and du_j/dt = -16 u_j (1 - (Z^T mu)_j): the
 * closed form of docs/model.md.  The flow is multiplicative (signs are kept and
 * u_j = v_j = 0 is absorbing).  M is formed by dsyrk of Z diag(sqrt D) and
 * factored by Cholesky (gsl_linalg_cholesky_decomp1); no inverse is formed.
 *
 * Step (exponential Euler with retraction).  u <- u exp(h a), v <- v exp(h b),
 * then back onto Gamma by Gauss-Newton steps x <- x - J^T (J J^T)^{-1} F(x),
 * F = Z w - y, written u <- u exp(-s), v <- v exp(s), s = (1/2) Z^T M^{-1} F
 * (equal to the GN step to first order, so still quadratically convergent,
 * and it never flips a sign).  The retraction reuses the Cholesky factor of
 * the step's start point (chord iterations, O(nd) each) until
 * ||F|| <= 1e-10 ||y||; the new point is then factored once, for its velocity
 * and the next retraction.  Cost per step: one dsyrk (n^2 d) + Cholesky (n^3/3).
 *
 * Why this is exact in t.  Both the velocity and the retraction change
 * log u by -(16/n) c dt plus something in range(Z^T), and log v by the same
 * -(16/n) c dt minus that same thing.  So every point the scheme produces at
 * time t has the form log u = log u(0) - (16/n) c t + Z^T L,
 * log v = log v(0) - (16/n) c t - Z^T L, and L in R^n is fixed by Z w = y (a
 * strictly convex dual problem, unique solution), exactly like the true flow
 * at t.  Hence the trajectory is exact up to the retraction tolerance, for any
 * h; in particular u_j v_j = u_j(0) v_j(0) exp(-32 c_j t / n).  h therefore only
 * has to keep the chord iteration converging: it doubles when the retraction
 * took <= 5 iterations, halves when it took >= 9, is cut 4-fold and the step
 * redone when it fails (14 iterations, slow contraction, or a log change
 * > 16), and is capped by max_j |h a_j| <= 8 (checkpoint spacing, underflow).
 *
 * Degeneracy near the limit.  When the limit has fewer than n nonzeros, M
 * tends to a singular matrix as the off-support u_j, v_j decay (its smallest
 * eigenvalues scale like their squares).  We REGULARIZE the solve: M + rho I
 * with rho = 1e-13 max_i M_ii (raised 100-fold, up to 1e-7, whenever Cholesky
 * still fails).  rho only damps the components of lambda along directions
 * that only coordinates with D_j c_j below ~rho can reach (|u_j|, |v_j| a few
 * 1e-7 of the scale and less), so the velocity of every non-negligible
 * coordinate is unaffected (and the retraction keeps the exact form above).
 * We MONITOR the conditioning with gsl_linalg_cholesky_rcond.
 *
 * Stopping rule "stationary" (bw_flow_stationary; the task key names it,
 * task.h).  Status converged at an accepted point when either
 *   (a) ||P grad R|| <= tol ||grad R||, or
 *   (s) w and R are stationary and no coordinate grows: with k = (16/n)
 *       max_j c_j the flow's natural rate,
 *         ||dw/dt|| <= tol k ||w||,  |dR/dt| = ||P grad R||^2 <= tol k R,
 *         and every log-rate of a coordinate that is not negligible
 *         (u_j^2 or v_j^2 >= STAT_FLOOR max_j D_j) is <= STAT_GROW k,
 *       at two consecutive accepted points.
 * (s) is the KKT certificate of weighted basis pursuit read off the flow:
 * stationarity of w is complementary slackness (a coordinate that still
 * matters has a log-rate ~0), the growth bound is dual feasibility
 * (|Z^T lambda|_j <= c_j: no coordinate would grow back), the R condition
 * keeps it from firing when n >= d, where w is pinned but u.v still has to
 * decay.  It is the usual way out when the limit is sparser than n: once the
 * off-support coordinates are ~1e-8 of the scale, lambda has lost its
 * accuracy along the near-null directions (which steer only those negligible
 * coordinates, hence the floor), so ||P grad R|| stalls near 1e-6..1e-5
 * ||grad R|| while w and R have converged.  (The rule before, "(b)", asked
 * for rcond(M + rho I) <= 1e-12 instead of the growth bound, which near the
 * l1 threshold often never came, so those runs ended on the budget.)
 *
 * Start: Phi(x0), the limit of gd from u = v = alpha (step bw_eta_auto for gd,
 * whatever p->eta says, since the flow has no step parameter; relative loss
 * 1e-12, at most 1e6 steps), finished by the same Gauss-Newton retraction.
 * t = 0 there.  Budget: max_time (flow time) and/or max_steps (accepted flow
 * steps); the row's generous cap (flow time FLOW_CAP_TIME) when neither is
 * set.  A gd start that diverges gives status diverged; one that does not
 * reach ||Zw - y|| <= 1e-2 ||y||, or a step size that underflows, gives status
 * failed with the reason in out->message.
 */
#include "biasweep/flow.h"

#include "biasweep/dynamics.h"
#include "biasweep/buf.h"
#include "biasweep/error.h"
#include "biasweep/model.h"
#include "rows.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	GD_MAX_STEPS = 1000000,  /* gd budget for the start */
	RETRACT_MAXIT = 14,      /* chord iterations per step */
	MAX_REJECT = 60,         /* consecutive rejected steps before giving up */
};
static const double GD_TOL = 1e-12;         /* relative loss of the gd start */
static const double START_MAX_RES = 1e-2;   /* ||F||/||y|| gd must reach */
static const double RETRACT_TOL = 1e-10;    /* ||F|| <= RETRACT_TOL ||y|| on Gamma */
static const double RETRACT_MAX_LOG = 16.0; /* max |log change| of a coordinate per GN iteration */
static const double RATE_CAP = 8.0;         /* max_j |h a_j| */
static const double REG0 = 1e-13, REG_MAX = 1e-7; /* rho / max_i M_ii */
static const double STAT_FLOOR = 1e-12;     /* (s): coordinates below this share of max D are negligible */
static const double STAT_GROW = 1e-4;       /* (s): largest log-rate / k of a coordinate that matters */
#define FLOW_CAP_TIME 10000.0               /* the default budget: a cap, not the stopping rule */

struct flow_ws {
	size_t n, d;
	double *A;             /* n*d: Z diag(sqrt D) */
	double *L[2];          /* n*n Cholesky factors of M + rho I: current, trial */
	double *ra[2], *rb[2]; /* d: log-rates a, b: current, trial */
	double pg[2], gr[2], R[2], rcond[2], wspeed[2];
	double *nb, *nl;       /* n */
	double *g, *cw, *sd;   /* d; sd: sqrt D */
	double *work3n;        /* 3n, for rcond */
};

static void ws_free(struct flow_ws *ws)
{
	BW_FREE_ALL(ws->A, ws->L[0], ws->L[1], ws->ra[0], ws->ra[1], ws->rb[0], ws->rb[1], ws->nb, ws->nl, ws->g,
		    ws->cw, ws->sd, ws->work3n);
	memset(ws, 0, sizeof *ws);
}

static int ws_alloc(struct flow_ws *ws, size_t n, size_t d)
{
	memset(ws, 0, sizeof *ws);
	ws->n = n;
	ws->d = d;
	ws->A = malloc(n * d * sizeof(double));
	int ok = ws->A != NULL;
	for (int s = 0; s < 2; s++) {
		ws->L[s] = malloc(n * n * sizeof(double));
		ws->ra[s] = malloc(d * sizeof(double));
		ws->rb[s] = malloc(d * sizeof(double));
		ok = ok && ws->L[s] && ws->ra[s] && ws->rb[s];
	}
	ws->nb = malloc(n * sizeof(double));
	ws->nl = malloc(n * sizeof(double));
	ws->g = malloc(d * sizeof(double));
	ws->cw = malloc(d * sizeof(double));
	ws->sd = malloc(d * sizeof(double));
	ws->work3n = malloc(3 * n * sizeof(double));
	ok = ok && ws->nb && ws->nl && ws->g && ws->cw && ws->sd && ws->work3n;
	if (!ok) {
		ws_free(ws);
		return RAISE(BW_ENOMEM, "out of memory for the flow with n=%zu d=%zu", n, d);
	}
	return BW_OK;
}

/* GSL's default error handler aborts; a failed factorization is an outcome
 * here, so the handler is switched off around the calls that may fail. */
static int chol_quiet(gsl_matrix *m)
{
	gsl_error_handler_t *prev = gsl_set_error_handler_off();
	int st = gsl_linalg_cholesky_decomp1(m);
	gsl_set_error_handler(prev);
	return st;
}

/* Factor M + rho I at (u, v) into L[slot] (all the projection needs).
 * Returns 0, or 1 when the factorization fails at every rho. */
static int flow_factor(struct flow_ws *ws, const struct bw_instance *inst, const double *u, const double *v, int slot)
{
	size_t n = ws->n, d = ws->d;
	const double *Z = inst->Z;
	double *sd = ws->sd;
	for (size_t j = 0; j < d; j++)
		sd[j] = sqrt(u[j] * u[j] + v[j] * v[j]);
	for (size_t i = 0; i < n; i++) {
		const double *z = Z + i * d;
		double *a = ws->A + i * d;
#pragma omp simd
		for (size_t j = 0; j < d; j++)
			a[j] = z[j] * sd[j];
	}
	double *L = ws->L[slot];
	gsl_matrix_view Lv = gsl_matrix_view_array(L, n, n);
	double maxdiag = 0;
	for (double reg = REG0; reg <= REG_MAX * 1.0001; reg *= 100) {
		cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)d, 1.0, ws->A, (int)d, 0.0, L,
			    (int)n);
		maxdiag = 0;
		for (size_t i = 0; i < n; i++)
			maxdiag = fmax(maxdiag, L[i * n + i]);
		if (!(maxdiag > 0) || !isfinite(maxdiag))
			return 1;
		for (size_t i = 0; i < n; i++)
			L[i * n + i] += reg * maxdiag;
		if (chol_quiet(&Lv.matrix) == GSL_SUCCESS)
			return 0;
	}
	return 1;
}

/* Factor M + rho I at (u, v) into L[slot] and compute the log-rates, ||P grad R||,
 * ||grad R||, rcond and ||dw/dt|| there.  Returns 0, or 1 when the factorization
 * fails at every rho or a result is not finite. */
static int flow_eval(struct flow_ws *ws, const struct bw_instance *inst, const double *u, const double *v, int slot)
{
	size_t n = ws->n, d = ws->d;
	const double *Z = inst->Z, *c = inst->c;
	if (flow_factor(ws, inst, u, v, slot))
		return 1;
	for (size_t j = 0; j < d; j++)
		ws->cw[j] = c[j] * (u[j] * u[j] - v[j] * v[j]);
	gsl_matrix_view Lv = gsl_matrix_view_array(ws->L[slot], n, n);
	/* lambda = (M + rho I)^{-1} Z (c.w); g = Z^T lambda */
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, Z, (int)d, ws->cw, 1, 0.0, ws->nb, 1);
	gsl_vector_view bv = gsl_vector_view_array(ws->nb, n), lv = gsl_vector_view_array(ws->nl, n);
	gsl_error_handler_t *prev = gsl_set_error_handler_off();
	int st = gsl_linalg_cholesky_solve(&Lv.matrix, &bv.vector, &lv.vector);
	double rc = 0;
	if (st == GSL_SUCCESS) {
		gsl_vector_view wv = gsl_vector_view_array(ws->work3n, 3 * n);
		if (gsl_linalg_cholesky_rcond(&Lv.matrix, &rc, &wv.vector) != GSL_SUCCESS)
			rc = 0;
	}
	gsl_set_error_handler(prev);
	if (st != GSL_SUCCESS)
		return 1;
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, Z, (int)d, ws->nl, 1, 0.0, ws->g, 1);
	double k = 16.0 / (double)n, pg = 0, gr = 0, cd = 0, ws2 = 0;
	double *ra = ws->ra[slot], *rb = ws->rb[slot];
	for (size_t j = 0; j < d; j++) {
		double a = k * (ws->g[j] - c[j]), b = -k * (ws->g[j] + c[j]);
		double u2 = u[j] * u[j], v2 = v[j] * v[j];
		ra[j] = a;
		rb[j] = b;
		pg += u2 * a * a + v2 * b * b;
		gr += c[j] * c[j] * (u2 + v2);
		cd += c[j] * (u2 + v2);
		double dw = 2.0 * (u2 * a - v2 * b);
		ws2 += dw * dw;
	}
	ws->pg[slot] = sqrt(pg);
	ws->gr[slot] = k * sqrt(gr);
	ws->rcond[slot] = rc;
	ws->wspeed[slot] = sqrt(ws2);
	ws->R[slot] = 8.0 * cd / (double)n;
	return isfinite(pg) && isfinite(gr) && isfinite(ws2) ? 0 : 1;
}

static double vnorm(size_t m, const double *x)
{
	double s = 0;
	for (size_t i = 0; i < m; i++)
		s += x[i] * x[i];
	return sqrt(s);
}

/* Gauss-Newton (chord) retraction of (u, v) onto Gamma with the factor in L[slot]
 * (taken at a nearby point).  r gets Z w - y, w = u.u - v.v.  Returns the number of
 * iterations, or -1 when ||F|| did not reach RETRACT_TOL ||y|| in RETRACT_MAXIT. */
static int retract(struct flow_ws *ws, const struct bw_instance *inst, double *u, double *v, double *w, double *r,
		   int slot, double ynorm, int maxit)
{
	size_t n = ws->n, d = ws->d;
	gsl_matrix_view Lv = gsl_matrix_view_array(ws->L[slot], n, n);
	gsl_vector_view rv = gsl_vector_view_array(r, n), nv = gsl_vector_view_array(ws->nl, n);
	double prev_F = INFINITY;
	for (int it = 0;; it++) {
		bw_model_w(d, u, v, w);
		bw_model_residual(inst, w, r);
		double F = vnorm(n, r);
		if (!isfinite(F))
			return -1;
		if (F <= RETRACT_TOL * ynorm)
			return it;
		if (it >= maxit || (it >= 3 && F > 0.5 * prev_F))
			return -1;
		prev_F = F;
		gsl_error_handler_t *prev = gsl_set_error_handler_off();
		int st = gsl_linalg_cholesky_solve(&Lv.matrix, &rv.vector, &nv.vector);
		gsl_set_error_handler(prev);
		if (st != GSL_SUCCESS)
			return -1;
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, inst->Z, (int)d, ws->nl, 1, 0.0, ws->g, 1);
		double smax = 0;
		for (size_t j = 0; j < d; j++) {
			double s = 0.5 * ws->g[j];
			smax = fmax(smax, fabs(s));
			u[j] *= exp(-s);
			v[j] *= exp(s);
		}
		if (!(smax <= RETRACT_MAX_LOG))
			return -1;
	}
}

/* Damped Newton on the strictly convex G(b) = sum_j (u_j^2 e^{-2(Z^T b)_j} +
 * v_j^2 e^{2(Z^T b)_j})/2 + b^T y, whose stationary point is Phi(x) (flow.h):
 * the Newton step is b = nu/2 with (Z D Z^T) nu = Z w - y, backtracked
 * (Armijo) on G, so it converges from any start. */
int bw_flow_project(const struct bw_instance *inst, double *u, double *v, double *w, double *r)
{
	size_t n = inst->n, d = inst->d;
	struct flow_ws ws;
	CHECK(ws_alloc(&ws, n, d));
	double *u0 = malloc(d * sizeof(double)), *v0 = malloc(d * sizeof(double));
	if (!u0 || !v0) {
		free(u0);
		free(v0);
		ws_free(&ws);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	memcpy(u0, u, d * sizeof(double));
	memcpy(v0, v, d * sizeof(double));
	double ynorm = vnorm(n, inst->y);
	if (!(ynorm > 0))
		ynorm = 1.0;
	gsl_matrix_view Lv = gsl_matrix_view_array(ws.L[0], n, n);
	gsl_vector_view rv = gsl_vector_view_array(r, n), nv = gsl_vector_view_array(ws.nl, n);
	int ok = 0;
	for (int it = 0; it < 200; it++) {
		bw_model_w(d, u, v, w);
		bw_model_residual(inst, w, r);
		double F = vnorm(n, r);
		if (!isfinite(F))
			break;
		if (F <= RETRACT_TOL * ynorm) {
			ok = 1;
			break;
		}
		if (flow_factor(&ws, inst, u, v, 0))
			break;
		gsl_error_handler_t *prev = gsl_set_error_handler_off();
		int st = gsl_linalg_cholesky_solve(&Lv.matrix, &rv.vector, &nv.vector);
		gsl_set_error_handler(prev);
		if (st != GSL_SUCCESS)
			break;
		/* s = Z^T nu / 2; slope of G along the step: -nu^T r / 2 */
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 0.5, inst->Z, (int)d, ws.nl, 1, 0.0, ws.g, 1);
		double nuy = 0, nur = 0;
		for (size_t i = 0; i < n; i++) {
			nuy += ws.nl[i] * inst->y[i];
			nur += ws.nl[i] * r[i];
		}
		if (!(nur > 0))
			break;
		double tau = 1.0;
		int accepted = 0;
		for (int ls = 0; ls < 60; ls++, tau *= 0.5) {
			double dG = 0.5 * tau * nuy;
			for (size_t j = 0; j < d; j++) {
				double e = tau * ws.g[j];
				dG += 0.5 * u[j] * u[j] * expm1(-2.0 * e) + 0.5 * v[j] * v[j] * expm1(2.0 * e);
			}
			if (isfinite(dG) && dG <= -1e-4 * tau * 0.5 * nur) {
				accepted = 1;
				break;
			}
		}
		if (!accepted)
			break;
		for (size_t j = 0; j < d; j++) {
			double e = tau * ws.g[j];
			u[j] *= exp(-e);
			v[j] *= exp(e);
		}
	}
	if (!ok) {
		memcpy(u, u0, d * sizeof(double));
		memcpy(v, v0, d * sizeof(double));
	}
	free(u0);
	free(v0);
	ws_free(&ws);
	return ok ? BW_OK : RAISE(BW_ENUMERIC, "the Newton projection onto the manifold did not converge");
}

int bw_flow_velocity(const struct bw_instance *inst, const double *u, const double *v, double *du, double *dv,
		     double *pgrad, double *grad)
{
	struct flow_ws ws;
	CHECK(ws_alloc(&ws, inst->n, inst->d));
	if (flow_eval(&ws, inst, u, v, 0)) {
		ws_free(&ws);
		return RAISE(BW_ENUMERIC, "the flow's velocity: Z D Z^T could not be factored or is not finite");
	}
	for (size_t j = 0; j < inst->d; j++) {
		du[j] = u[j] * ws.ra[0][j];
		dv[j] = v[j] * ws.rb[0][j];
	}
	if (pgrad)
		*pgrad = ws.pg[0];
	if (grad)
		*grad = ws.gr[0];
	ws_free(&ws);
	return BW_OK;
}

static double max_abs_rate(const struct flow_ws *ws, int slot, const double *u, const double *v)
{
	double m = 0;
	for (size_t j = 0; j < ws->d; j++) {
		if (u[j] != 0)
			m = fmax(m, fabs(ws->ra[slot][j]));
		if (v[j] != 0)
			m = fmax(m, fabs(ws->rb[slot][j]));
	}
	return m;
}

/* The stopping rule at the accepted point (u, v) evaluated in slot: 1 when
 * (a) holds, 2 when (s) holds at this point, 0 otherwise (see the top). */
static int bw_flow_stationary(const struct flow_ws *ws, int slot, const double *u, const double *v, const double *w,
			      double tol, double k)
{
	if (ws->pg[slot] <= tol * ws->gr[slot])
		return 1;
	size_t d = ws->d;
	if (!(ws->wspeed[slot] <= tol * k * vnorm(d, w)) || !(ws->pg[slot] * ws->pg[slot] <= tol * k * ws->R[slot]))
		return 0;
	double dmax = 0;
	for (size_t j = 0; j < d; j++)
		dmax = fmax(dmax, u[j] * u[j] + v[j] * v[j]);
	double floor = STAT_FLOOR * dmax, grow = STAT_GROW * k;
	for (size_t j = 0; j < d; j++)
		if ((u[j] * u[j] >= floor && ws->ra[slot][j] > grow) || (v[j] * v[j] >= floor && ws->rb[slot][j] > grow))
			return 0;
	return 2;
}

int bw_flow_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	size_t n = inst->n, d = inst->d;
	CHECK(bw_outcome_alloc(out, d));
	out->per_decade = p->checkpoints;
	struct flow_ws ws;
	int rc = ws_alloc(&ws, n, d);
	if (rc != BW_OK) {
		bw_outcome_release(out);
		return rc;
	}
	double *r = malloc(n * sizeof(double)), *gbuf = malloc(d * sizeof(double));
	double *u1 = malloc(d * sizeof(double)), *v1 = malloc(d * sizeof(double));
	if (!r || !gbuf || !u1 || !v1) {
		rc = RAISE(BW_ENOMEM, "out of memory for the flow with n=%zu d=%zu", n, d);
		goto done;
	}
	double *u = out->u, *v = out->v, *w = out->w;
	double ynorm = vnorm(n, inst->y);
	if (!(ynorm > 0))
		ynorm = 1.0;
	double cmax = 0;
	for (size_t j = 0; j < d; j++)
		cmax = fmax(cmax, inst->c[j]);
	double rate_unit = 16.0 / (double)n * cmax;

	/* ---- start: Phi(x0) by gd, then the GN retraction ---- */
	struct bw_run_params pg = *p;
	pg.algo = BW_GD;
	double eta = bw_eta_auto(&pg, &inst->spec);
	out->eta_used = eta;
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = p->alpha;
	long gsteps = bw_gd_descend(inst, u, v, eta, GD_TOL, GD_MAX_STEPS, w, r, gbuf);
	int status = BW_RUN_BUDGET;
	long k = 0, next_ck = 0, last_ck = -1;
	double t = 0;
	if (gsteps < 0) {
		status = BW_RUN_DIVERGED;
		snprintf(out->message, sizeof out->message, "the gd start diverged (eta=%g)", eta);
		goto finish;
	}
	bw_model_w(d, u, v, w);
	(void)bw_model_residual(inst, w, r);
	double res0 = vnorm(n, r) / ynorm;
	if (!(res0 <= START_MAX_RES)) {
		status = BW_RUN_FAILED;
		snprintf(out->message, sizeof out->message,
			 "the gd start did not reach the manifold: ||Zw-y||/||y|| = %.3g after %ld steps", res0,
			 gsteps);
		goto finish;
	}
	int cur = 0, retracted = 0;
	for (int attempt = 0; attempt < 4 && !retracted; attempt++) {
		if (flow_eval(&ws, inst, u, v, cur))
			break;
		retracted = retract(&ws, inst, u, v, w, r, cur, ynorm, 2 * RETRACT_MAXIT) >= 0;
	}
	if (!retracted || flow_eval(&ws, inst, u, v, cur)) {
		status = BW_RUN_FAILED;
		snprintf(out->message, sizeof out->message,
			 "could not project the gd start onto the manifold (||Zw-y||/||y|| = %.3g)", res0);
		goto finish;
	}

	/* ---- the flow ---- */
	long max_steps = p->max_steps;
	double max_time = p->max_time;
	if (max_steps == 0 && max_time == 0)
		max_time = FLOW_CAP_TIME;
	double h = 0;
	int rejects = 0, held = 0;
	/* checkpoints = N other than 10: at t = 10^(j/N), j from the first such time at or past the
	 * first step (the steps land on them); 10: by step as before (bw_next_checkpoint) */
	int per_decade = p->checkpoints, by_time = per_decade > 0 && per_decade != BW_CHECKPOINTS_DEFAULT;
	double next_t = 0;
	long jt = 0;
	for (;;) {
		if (!bw_model_finite(d, u) || !bw_model_finite(d, v)) {
			status = BW_RUN_DIVERGED;
			snprintf(out->message, sizeof out->message, "non-finite state at flow step %ld (t=%g)", k, t);
			break;
		}
		if (k == next_ck || (by_time && k > 0 && next_t > 0 && t >= next_t)) {
			if ((rc = bw_outcome_checkpoint(out, inst, k, t, u, v, w, r)) != BW_OK)
				goto done;
			last_ck = k;
			next_ck = by_time ? -1 : bw_next_checkpoint(k);
			while (by_time && k > 0 && next_t <= t)
				next_t = pow(10.0, (double)++jt / per_decade);
		}
		int stat = bw_flow_stationary(&ws, cur, u, v, w, p->tol, rate_unit);
		held = stat == 2 ? held + 1 : 0;
		if (stat == 1 || held >= 2) {
			status = BW_RUN_CONVERGED;
			break;
		}
		if ((max_steps > 0 && k >= max_steps) || (max_time > 0 && t >= max_time * (1 - 1e-15))) {
			status = BW_RUN_BUDGET;
			break;
		}
		double mr = max_abs_rate(&ws, cur, u, v);
		double hcap = mr > 0 ? RATE_CAP / mr : INFINITY;
		if (h == 0)
			h = 0.05 * hcap;
		h = fmin(h, hcap);
		if (by_time && next_t == 0 && h > 0 && isfinite(h)) {
			jt = (long)ceil(per_decade * log10(h));
			next_t = pow(10.0, (double)jt / per_decade);
		}
		int last = 0, land = 0;
		double hwant = h;
		if (by_time && next_t > 0 && t + h >= next_t) {
			h = next_t - t;
			land = 1;
		}
		if (max_time > 0 && t + h >= max_time) {
			h = max_time - t;
			last = 1;
		}
		/* trial step */
		const double *ra = ws.ra[cur], *rb = ws.rb[cur];
		for (size_t j = 0; j < d; j++) {
			u1[j] = u[j] * exp(h * ra[j]);
			v1[j] = v[j] * exp(h * rb[j]);
		}
		int trial = 1 - cur, its = retract(&ws, inst, u1, v1, w, r, cur, ynorm, RETRACT_MAXIT);
		if (its < 0 || flow_eval(&ws, inst, u1, v1, trial)) {
			if (++rejects > MAX_REJECT || !(h * mr > 1e-12)) {
				status = BW_RUN_FAILED;
				snprintf(out->message, sizeof out->message,
					 "step size underflow at flow step %ld (t=%g, h=%g): %s", k, t, h,
					 its < 0 ? "the retraction onto Gamma does not converge"
						 : "Z D Z^T cannot be factored");
				bw_model_w(d, u, v, w);
				break;
			}
			h *= 0.25;
			bw_model_w(d, u, v, w); /* w and r belong to the accepted point again */
			bw_model_residual(inst, w, r);
			continue;
		}
		rejects = 0;
		memcpy(u, u1, d * sizeof(double));
		memcpy(v, v1, d * sizeof(double));
		/* w and r hold the retracted point already */
		t = last ? max_time : land ? next_t : t + h;
		if (land && !last)
			h = hwant; /* landing on a checkpoint does not shrink the next step */
		k++;
		cur = trial;
		if (its <= 5)
			h *= 2;
		else if (its >= 9)
			h *= 0.5;
	}
finish:
	if ((rc = bw_outcome_end(out, inst, (enum bw_run_status)status, k, last_ck, t, u, v, w, r)) != BW_OK)
		goto done;
	bw_outcome_finish(out, inst, p, u, v, r);
done:
	free(r);
	free(gbuf);
	free(u1);
	free(v1);
	ws_free(&ws);
	if (rc != BW_OK)
		bw_outcome_release(out);
	return rc;
}

/* ---- the row (dynamics.h) ---- */

#define FLOW_STEP_GUESS 0.05 /* the flow's typical adaptive step h in flow time */
#define FLOW_EXTRA_STEPS 100  /* start-up, step rejections, the final retractions */
#define FLOW_TIME_GUESS 5.0   /* a typical flow time to the stopping rule (the budget is a cap) */
/* A step in coordinate-updates (the SGD kernel's unit, ~0.7 ns): the n x n
 * system Z D Z^T (a dsyrk, n^2 d / 2 multiply-adds at BLAS speed), its
 * Cholesky factor (n^3 / 6) and a few passes over Z and the state (n d).
 * Fitted to whole runs at d = 4096, n = 64, 128, 256 (Gaussian, kappa = 8;
 * 434, 143, 123 steps in 0.65, 0.57, 1.55 s: 1.5, 4.0, 12.6 ms a step),
 * where a step is ~0.033 ns per n^2 d entry and ~3.6 ns per n d; the model
 * then puts those runs at 0.3, 0.8, 2.7 s (the step count varies ~3x). */
#define FLOW_C_NND 0.05
#define FLOW_C_NNN 0.03
#define FLOW_C_ND 5.0

/* (min(time, guess) / h + extra) steps of n^2 d + n^3 each, and the start Phi(x0) */
/* one Gauss-Newton iteration or flow step: Z D Z^T, its factor, passes over Z */
static double flow_step_cost(double n, double d)
{
	return FLOW_C_NND * n * n * d + FLOW_C_NNN * n * n * n + FLOW_C_ND * n * d;
}

#define PROJECT_ITERS_GUESS 8 /* Newton iterations of a projection (~4 at a stopping check, from nearby) */

double bw_cost_projection(const struct bw_instance_spec *s)
{
	return PROJECT_ITERS_GUESS * flow_step_cost((double)s->n, (double)s->d);
}

static double flow_cost(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	double n = (double)is->n, d = (double)is->d;
	double T = r->max_time > 0 ? fmin(r->max_time, FLOW_TIME_GUESS) : FLOW_TIME_GUESS;
	double s = ceil(T / FLOW_STEP_GUESS) + FLOW_EXTRA_STEPS;
	if (r->max_steps > 0)
		s = fmin(s, (double)r->max_steps);
	return s * flow_step_cost(n, d) + bw_cost_to_manifold(bw_riemannian_flow.descent, r, is);
}

/* J J^T and its Cholesky factor (n x n each), Z D (n x d), a dozen vectors */
static size_t flow_bytes(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	(void)r;
	size_t n = is->n, d = is->d;
	return (2 * n * n + n * d + 12 * (n + d)) * sizeof(double);
}

const struct bw_dynamics bw_riemannian_flow = {
	.name = "riemannian_flow",
	.summary = "the Riemannian gradient flow of R = tr Hessian on the zero-loss manifold",
	.limit = BW_LIMIT_L1,
	.tol = 1e-7,
	.budget_time = FLOW_CAP_TIME,
	.stop_rule = "stationary",
	.descent = &bw_gd,
	.eta_auto = bw_gd_eta_auto, /* the step of its start */
	.cost = flow_cost,
	.bytes = flow_bytes,
	.run = bw_flow_run,
	.projects = 0,
	/* a large open square keeps label-noise SGD's triangle visible where both coincide */
	.plot_color = "#2ca02c",
	.plot_pt = {4, 5},
	.plot_ps = 2.0,
	.eta_doc = "takes no step: its start Phi(x0) is gd's limit at gd's auto step",
	.time_doc = "flow time",
	.converged_doc = "||P grad R|| <= tol ||grad R|| (default 1e-7), or at two steps in a row\n"
			 "             ||dw/dt|| <= tol k ||w||, |dR/dt| <= tol k R and no coordinate above\n"
			 "             1e-12 max(u^2+v^2) growing faster than 1e-4 k",
};
