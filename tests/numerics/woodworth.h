/* woodworth.h - an independent solver for the Woodworth et al. (2020) limit
 * of gradient flow from u_j = v_j = alpha_j (docs/model.md, "Known limits"):
 *   argmin Q(w) s.t. Z w = y,  Q(w) = sum_j alpha_j^2 q(w_j/alpha_j^2),
 *   q(z) = 2 - sqrt(4+z^2) + z asinh(z/2)
 * (u_j v_j = alpha_j^2 is conserved by the flow; alpha_j = alpha is the
 * uniform start), through the dual: w_j = 2 alpha_j^2 sinh((Z^T lambda)_j),
 * lambda minimizing
 *   F(lambda) = sum_j alpha_j^2 (2 cosh((Z^T lambda)_j) - 2) - lambda^T y
 * (smooth, convex) by Newton's method (GSL Cholesky of the n x n Hessian
 * Z diag(2 alpha_j^2 cosh a_j) Z^T) with Armijo backtracking, and in the
 * final quadratic phase full steps that must reduce |Z w - y|.
 * Plain loops only: nothing from the library but the instance's Z and y.
 * Shared by the numerics tests (static functions, include once). */
#ifndef BIASWEEP_TEST_WOODWORTH_H
#define BIASWEEP_TEST_WOODWORTH_H

#include "biasweep/instance.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline double ww_q(double z) { return 2.0 - sqrt(4.0 + z * z) + z * asinh(z / 2.0); }

/* Q_alpha(w) for a uniform alpha */
static inline double ww_Q(double alpha, size_t d, const double *w)
{
	double a2 = alpha * alpha, s = 0;
	for (size_t j = 0; j < d; j++)
		s += a2 * ww_q(w[j] / a2);
	return s;
}

/* a = Z^T lambda, w = 2 alpha_j^2 sinh(a), and the dual objective at lambda */
static inline double ww_dual(const struct bw_instance *inst, const double *a2, const double *lam, double *a,
			     double *w)
{
	size_t n = inst->n, d = inst->d;
	double F = 0;
	for (size_t j = 0; j < d; j++) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += inst->Z[i * d + j] * lam[i];
		a[j] = s;
		w[j] = 2.0 * a2[j] * sinh(s);
		F += a2[j] * (2.0 * cosh(s) - 2.0);
	}
	for (size_t i = 0; i < n; i++)
		F -= lam[i] * inst->y[i];
	return F;
}

/* ||Z w - y|| / ||y|| with plain loops */
static inline double ww_residual(const struct bw_instance *inst, const double *w)
{
	size_t n = inst->n, d = inst->d;
	double s = 0, yy = 0;
	for (size_t i = 0; i < n; i++) {
		double f = 0;
		for (size_t j = 0; j < d; j++)
			f += inst->Z[i * d + j] * w[j];
		s += (f - inst->y[i]) * (f - inst->y[i]);
		yy += inst->y[i] * inst->y[i];
	}
	return sqrt(s / yy);
}

/* Per-coordinate alpha_j (d entries); w (d) gets the solution.  Returns the
 * number of Newton iterations, or -1 when |Z w - y|/|y| did not reach 1e-14. */
static inline int woodworth_oracle_v(const struct bw_instance *inst, const double *alpha, double *w)
{
	size_t n = inst->n, d = inst->d;
	double *a2 = malloc(d * sizeof(double)), *lam = calloc(n, sizeof(double)), *a = malloc(d * sizeof(double));
	double *trial = malloc(n * sizeof(double)), *at = malloc(d * sizeof(double)), *wt = malloc(d * sizeof(double));
	gsl_matrix *H = gsl_matrix_alloc(n, n);
	gsl_vector *g = gsl_vector_alloc(n), *step = gsl_vector_alloc(n);
	for (size_t j = 0; j < d; j++)
		a2[j] = alpha[j] * alpha[j];
	double F = ww_dual(inst, a2, lam, a, w);
	int it, ok = 0;
	for (it = 0; it < 500; it++) {
		double res = ww_residual(inst, w);
		if (res < 1e-14) {
			ok = 1;
			break;
		}
		/* gradient Z w(lambda) - y, Hessian Z diag(2 alpha_j^2 cosh a_j) Z^T */
		for (size_t i = 0; i < n; i++) {
			double s = -inst->y[i];
			for (size_t j = 0; j < d; j++)
				s += inst->Z[i * d + j] * w[j];
			gsl_vector_set(g, i, s);
		}
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k <= i; k++) {
				double s = 0;
				for (size_t j = 0; j < d; j++)
					s += inst->Z[i * d + j] * inst->Z[k * d + j] * 2.0 * a2[j] * cosh(a[j]);
				gsl_matrix_set(H, i, k, s);
				gsl_matrix_set(H, k, i, s);
			}
		if (gsl_linalg_cholesky_decomp1(H) != 0)
			break;
		gsl_linalg_cholesky_solve(H, g, step); /* the Newton step is -step */
		double slope = 0;
		for (size_t i = 0; i < n; i++)
			slope -= gsl_vector_get(g, i) * gsl_vector_get(step, i);
		double t = 1.0, Ft = 0;
		if (-slope > 1e-9 * (1.0 + fabs(F))) {
			/* globalization: Armijo backtracking on F */
			int accepted = 0;
			for (int ls = 0; ls < 80 && !accepted; ls++, t *= 0.5) {
				for (size_t i = 0; i < n; i++)
					trial[i] = lam[i] - t * gsl_vector_get(step, i);
				Ft = ww_dual(inst, a2, trial, at, wt);
				accepted = isfinite(Ft) && Ft <= F + 1e-4 * t * slope;
			}
			if (!accepted)
				break;
		} else {
			/* quadratic phase: the predicted decrease of F is below its
			 * rounding; take the full step, require |Z w - y| to drop */
			for (size_t i = 0; i < n; i++)
				trial[i] = lam[i] - gsl_vector_get(step, i);
			Ft = ww_dual(inst, a2, trial, at, wt);
			if (!(ww_residual(inst, wt) < res))
				break;
		}
		memcpy(lam, trial, n * sizeof(double));
		memcpy(a, at, d * sizeof(double));
		memcpy(w, wt, d * sizeof(double));
		F = Ft;
	}
	free(a2);
	free(lam);
	free(a);
	free(trial);
	free(at);
	free(wt);
	gsl_matrix_free(H);
	gsl_vector_free(g);
	gsl_vector_free(step);
	return ok ? it : -1;
}

/* Uniform alpha. */
static inline int woodworth_oracle(const struct bw_instance *inst, double alpha, double *w)
{
	double *al = malloc(inst->d * sizeof(double));
	for (size_t j = 0; j < inst->d; j++)
		al[j] = alpha;
	int it = woodworth_oracle_v(inst, al, w);
	free(al);
	return it;
}

static inline double reldist(size_t m, const double *a, const double *b)
{
	double s = 0, t = 0;
	for (size_t j = 0; j < m; j++) {
		s += (a[j] - b[j]) * (a[j] - b[j]);
		t += b[j] * b[j];
	}
	return sqrt(s / t);
}

#endif
