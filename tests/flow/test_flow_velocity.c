/* test_flow_velocity.c - the flow's velocity dx/dt = -P(x) grad R(x) against
 * two independent oracles:
 *   1. docs/model.md's closed form for Rademacher designs on Gamma:
 *      du_j/dt = -16 u_j (1 - (Z^T mu)_j), dv_j/dt = -16 v_j (1 + (Z^T mu)_j),
 *      mu = (Z D Z^T)^{-1} y, solved here by LU;
 *   2. a dense projection: J = [2 Z diag(u), -2 Z diag(v)] formed explicitly,
 *      range(J^T) from its SVD, P g = g - U U^T g with g = grad R written out
 *      from R = (8/n) sum_j c_j (u_j^2 + v_j^2) (Rademacher and Gaussian
 *      designs, on Gamma and off it).
 * The points on Gamma are built here: w = w0 + Z^T (Z Z^T)^{-1} (y - Z w0),
 * then u_j = sqrt(m_j + w_j^+), v_j = sqrt(m_j + w_j^-) with random m_j > 0. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/instance.h"

#include "testutil.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double maxabs(size_t m, const double *x)
{
	double s = 0;
	for (size_t i = 0; i < m; i++)
		s = fmax(s, fabs(x[i]));
	return s;
}

/* Solve the dense n x n system A x = b by LU (A is overwritten). */
static void lu_solve(size_t n, double *A, const double *b, double *x)
{
	gsl_matrix_view Av = gsl_matrix_view_array(A, n, n);
	gsl_vector_const_view bv = gsl_vector_const_view_array(b, n);
	gsl_vector_view xv = gsl_vector_view_array(x, n);
	gsl_permutation *perm = gsl_permutation_alloc(n);
	int sgn;
	gsl_linalg_LU_decomp(&Av.matrix, perm, &sgn);
	gsl_linalg_LU_solve(&Av.matrix, perm, &bv.vector, &xv.vector);
	gsl_permutation_free(perm);
}

/* A point (u, v) on Gamma (on_gamma = 1) or a random positive point (0). */
static void make_point(const struct bw_instance *inst, gsl_rng *rng, int on_gamma, double *u, double *v)
{
	size_t n = inst->n, d = inst->d;
	const double *Z = inst->Z;
	double *w = malloc(d * sizeof(double)), *ZZt = malloc(n * n * sizeof(double));
	double *res = malloc(n * sizeof(double)), *nu = malloc(n * sizeof(double));
	for (size_t j = 0; j < d; j++)
		w[j] = 0.5 * (2 * gsl_rng_uniform(rng) - 1);
	if (on_gamma) {
		for (size_t i = 0; i < n; i++) {
			double s = 0;
			for (size_t j = 0; j < d; j++)
				s += Z[i * d + j] * w[j];
			res[i] = inst->y[i] - s;
			for (size_t k = 0; k < n; k++) {
				double q = 0;
				for (size_t j = 0; j < d; j++)
					q += Z[i * d + j] * Z[k * d + j];
				ZZt[i * n + k] = q;
			}
		}
		lu_solve(n, ZZt, res, nu);
		for (size_t j = 0; j < d; j++)
			for (size_t i = 0; i < n; i++)
				w[j] += Z[i * d + j] * nu[i];
	}
	for (size_t j = 0; j < d; j++) {
		double m = 0.05 + 0.5 * gsl_rng_uniform(rng);
		u[j] = sqrt(m + fmax(w[j], 0));
		v[j] = sqrt(m + fmax(-w[j], 0));
	}
	free(w);
	free(ZZt);
	free(res);
	free(nu);
}

/* -P grad R by the dense projection; also returns ||P grad R||, ||grad R||. */
static void dense_velocity(const struct bw_instance *inst, const double *u, const double *v, double *du, double *dv,
			   double *pg_norm, double *g_norm)
{
	size_t n = inst->n, d = inst->d, m = 2 * d;
	gsl_matrix *Jt = gsl_matrix_alloc(m, n), *V = gsl_matrix_alloc(n, n);
	gsl_vector *S = gsl_vector_alloc(n), *work = gsl_vector_alloc(n);
	for (size_t j = 0; j < d; j++)
		for (size_t i = 0; i < n; i++) {
			double z = inst->Z[i * d + j];
			gsl_matrix_set(Jt, j, i, 2 * z * u[j]);
			gsl_matrix_set(Jt, d + j, i, -2 * z * v[j]);
		}
	gsl_linalg_SV_decomp(Jt, V, S, work); /* Jt <- U, orthonormal basis of range(J^T) */
	double *g = malloc(m * sizeof(double)), *coef = malloc(n * sizeof(double));
	double k = 16.0 / (double)n, gn = 0;
	for (size_t j = 0; j < d; j++) {
		g[j] = k * inst->c[j] * u[j];
		g[d + j] = k * inst->c[j] * v[j];
	}
	for (size_t l = 0; l < m; l++)
		gn += g[l] * g[l];
	for (size_t a = 0; a < n; a++) {
		double s = 0;
		for (size_t l = 0; l < m; l++)
			s += gsl_matrix_get(Jt, l, a) * g[l];
		coef[a] = s;
	}
	double pn = 0;
	for (size_t l = 0; l < m; l++) {
		double s = g[l];
		for (size_t a = 0; a < n; a++)
			s -= gsl_matrix_get(Jt, l, a) * coef[a];
		pn += s * s;
		if (l < d)
			du[l] = -s;
		else
			dv[l - d] = -s;
	}
	*pg_norm = sqrt(pn);
	*g_norm = sqrt(gn);
	free(g);
	free(coef);
	gsl_matrix_free(Jt);
	gsl_matrix_free(V);
	gsl_vector_free(S);
	gsl_vector_free(work);
}

static double rel_diff(size_t d, const double *a, const double *b, const double *a2, const double *b2)
{
	double num = 0, den = 0;
	for (size_t j = 0; j < d; j++) {
		num = fmax(num, fmax(fabs(a[j] - a2[j]), fabs(b[j] - b2[j])));
		den = fmax(den, fmax(fabs(a2[j]), fabs(b2[j])));
	}
	return num / den;
}

static void check_instance(enum bw_design design, size_t d, size_t n, size_t kappa, uint32_t seed, gsl_rng *rng)
{
	struct bw_instance_spec spec = {.design = design, .d = d, .n = n, .kappa = kappa, .seed_index = seed};
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, &spec) == BW_OK, "instance: %s", bw_error_message());
	const char *dn = bw_design_name(design);
	double *u = malloc(d * sizeof(double)), *v = malloc(d * sizeof(double));
	double *du = malloc(d * sizeof(double)), *dv = malloc(d * sizeof(double));
	double *eu = malloc(d * sizeof(double)), *ev = malloc(d * sizeof(double));
	char what[160];
	for (int on = 1; on >= 0; on--) {
		make_point(&inst, rng, on, u, v);
		if (on) { /* the constructed point is on Gamma */
			double fmax_ = 0;
			for (size_t i = 0; i < n; i++) {
				double s = -inst.y[i];
				for (size_t j = 0; j < d; j++)
					s += inst.Z[i * d + j] * (u[j] * u[j] - v[j] * v[j]);
				fmax_ = fmax(fmax_, fabs(s));
			}
			TU_CHECK(fmax_ <= 1e-10 * maxabs(n, inst.y), "%s: test point off Gamma by %g", dn, fmax_);
		}
		double pg, gr, pg2, gr2;
		TU_CHECK(bw_flow_velocity(&inst, u, v, du, dv, &pg, &gr) == BW_OK, "velocity: %s", bw_error_message());
		dense_velocity(&inst, u, v, eu, ev, &pg2, &gr2);
		double e = rel_diff(d, du, dv, eu, ev);
		snprintf(what, sizeof what, "%s d=%zu n=%zu %s Gamma: velocity vs dense projection (max rel %.2e)",
			 dn, d, n, on ? "on" : "off", e);
		TU_CHECK(e <= 1e-9, "%s", what);
		printf("%s\n", what);
		TU_REL(pg, pg2, 1e-9, "||P grad R|| vs dense");
		TU_REL(gr, gr2, 1e-12, "||grad R|| vs dense");
		/* tangency: J (du, dv) = 2 Z (u du - v dv) = 0 */
		double tj = 0, scale = 0;
		for (size_t i = 0; i < n; i++) {
			double s = 0, a = 0;
			for (size_t j = 0; j < d; j++) {
				double q = inst.Z[i * d + j] * (u[j] * du[j] - v[j] * dv[j]);
				s += q;
				a += fabs(q);
			}
			tj = fmax(tj, fabs(s));
			scale = fmax(scale, a);
		}
		TU_CHECK(tj <= 1e-11 * scale, "%s: J x' = %g (scale %g), not tangent", dn, tj, scale);
		/* closed form (Rademacher, on Gamma) */
		if (on && design == BW_DESIGN_RADEMACHER) {
			double *M = malloc(n * n * sizeof(double)), *mu = malloc(n * sizeof(double));
			for (size_t i = 0; i < n; i++)
				for (size_t k = 0; k < n; k++) {
					double s = 0;
					for (size_t j = 0; j < d; j++)
						s += inst.Z[i * d + j] * inst.Z[k * d + j] *
						     (u[j] * u[j] + v[j] * v[j]);
					M[i * n + k] = s;
				}
			lu_solve(n, M, inst.y, mu);
			for (size_t j = 0; j < d; j++) {
				double zm = 0;
				for (size_t i = 0; i < n; i++)
					zm += inst.Z[i * d + j] * mu[i];
				eu[j] = -16 * u[j] * (1 - zm);
				ev[j] = -16 * v[j] * (1 + zm);
			}
			e = rel_diff(d, du, dv, eu, ev);
			snprintf(what, sizeof what,
				 "%s d=%zu n=%zu on Gamma: velocity vs docs/model.md closed form (max rel %.2e)", dn, d, n,
				 e);
			TU_CHECK(e <= 1e-9, "%s", what);
			printf("%s\n", what);
			free(M);
			free(mu);
		}
	}
	free(u);
	free(v);
	free(du);
	free(dv);
	free(eu);
	free(ev);
	bw_instance_release(&inst);
}

int main(void)
{
	bw_error_install_gsl_handler();
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 12345);
	check_instance(BW_DESIGN_RADEMACHER, 30, 10, 3, 0, rng);
	check_instance(BW_DESIGN_RADEMACHER, 50, 20, 4, 1, rng);
	check_instance(BW_DESIGN_GAUSSIAN, 30, 12, 3, 0, rng);
	gsl_rng_free(rng);
	return tu_summary("test_flow_velocity");
}
