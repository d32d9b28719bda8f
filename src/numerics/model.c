/* model.c - loss, gradient, R, test error of w = u.u - v.v (docs/model.md). */
#include "biasweep/model.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void bw_model_w(size_t d, const double *u, const double *v, double *w)
{
#pragma omp simd
	for (size_t j = 0; j < d; j++)
		w[j] = u[j] * u[j] - v[j] * v[j];
}

double bw_model_residual(const struct bw_instance *inst, const double *w, double *r)
{
	size_t n = inst->n, d = inst->d;
	memcpy(r, inst->y, n * sizeof(double));
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, inst->Z, (int)d, w, 1, -1.0, r, 1);
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += r[i] * r[i];
	return s / (double)n;
}

void bw_model_grad(const struct bw_instance *inst, const double *u, const double *v, const double *r,
		   double *gu, double *gv, double *g)
{
	size_t n = inst->n, d = inst->d;
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 4.0 / (double)n, inst->Z, (int)d, r, 1, 0.0, g, 1);
	for (size_t j = 0; j < d; j++) {
		gu[j] = g[j] * u[j];
		gv[j] = -g[j] * v[j];
	}
}

double bw_model_R(const struct bw_instance *inst, const double *u, const double *v)
{
	double s = 0;
	for (size_t j = 0; j < inst->d; j++)
		s += inst->c[j] * (u[j] * u[j] + v[j] * v[j]);
	return 8.0 * s / (double)inst->n;
}

double bw_model_test_error(const struct bw_instance *inst, const double *w)
{
	double s = 0;
	for (size_t j = 0; j < inst->d; j++) {
		double e = w[j] - inst->w_star[j];
		s += e * e;
	}
	return sqrt(s) / inst->wstar_norm;
}

double bw_model_l1(size_t d, const double *w)
{
	double s = 0;
	for (size_t j = 0; j < d; j++)
		s += fabs(w[j]);
	return s;
}

int bw_model_support_recovered(const struct bw_instance *inst, const double *w)
{
	/* The support is recovered iff min |w| on the support exceeds max |w|
	 * off it (ties broken toward the lower index, matching a stable sort). */
	size_t k = inst->spec.kappa, d = inst->d, a = 0;
	double min_on = INFINITY, max_off = -1;
	size_t min_on_j = 0, max_off_j = 0;
	for (size_t j = 0; j < d; j++) {
		double x = fabs(w[j]);
		if (!isfinite(x))
			return 0;
		if (a < k && inst->support[a] == j) {
			a++;
			if (x <= min_on) { /* the last support index at the minimum */
				min_on = x;
				min_on_j = j;
			}
		} else if (x > max_off) {
			max_off = x;
			max_off_j = j;
		}
	}
	if (k == d)
		return 1;
	if (min_on > max_off)
		return 1;
	return min_on == max_off && min_on_j < max_off_j;
}

int bw_model_finite(size_t m, const double *x)
{
	double s = 0;
	for (size_t j = 0; j < m; j++)
		s += x[j] * 0.0;
	return s == 0.0; /* NaN or Inf anywhere makes the sum NaN */
}
