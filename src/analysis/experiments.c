/* experiments.c - what the Pesme and Wojtowytsch figures compute beyond n*:
 * a cell's step as a multiple of its automatic step, and the constants of
 * Wojtowytsch's linear-rate lemma at the end of a run; contract in
 * analysis.h, the formulas in docs/model.md ("Loss-scaled noise"). */
#include "biasweep/analysis.h"

#include "biasweep/error.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int parse_spec(const struct bw_qcell *c, size_t n, struct bw_instance_spec *s)
{
	memset(s, 0, sizeof *s);
	if (bw_design_parse(c->design, &s->design) != BW_OK || bw_wstar_parse(c->wstar, &s->wstar) != BW_OK) {
		bw_error_clear();
		return -1;
	}
	s->d = (size_t)c->d;
	s->kappa = (size_t)c->kappa;
	s->n = n;
	return 0;
}

double bw_cell_step_scale(const struct bw_qcell *c)
{
	const struct bw_dynamics *dy = bw_dynamics_named(c->algorithm);
	if (!dy || !(dy->uses & BW_USES_ETA) || !dy->eta_auto)
		return NAN;
	if (c->eta_scale > 0) /* the spec's eta_scale: the step is that multiple of the automatic one */
		return c->eta_scale;
	if (!(c->eta >= 0))
		return NAN;
	if (c->eta == 0)
		return 1.0;
	struct bw_instance_spec s1, s2;
	if (c->d < 1 || c->kappa < 1 || parse_spec(c, 1, &s1) || parse_spec(c, 1000000, &s2))
		return NAN;
	double a1 = dy->eta_auto(c->alpha, &s1), a2 = dy->eta_auto(c->alpha, &s2);
	if (!(a1 > 0) || a1 != a2) /* an automatic step that depends on n: no one scale per cell */
		return NAN;
	return c->eta / a1;
}

int bw_rate_consts_estimate(size_t n, size_t d, const double *Z, const double *w, double alpha_inf, long batch,
			    struct bw_rate_consts *out)
{
	out->Lambda = out->C_L = out->sigma = NAN;
	if (n < 1 || d < 1 || batch < 1 || (size_t)batch > n || !(alpha_inf >= 0) || !isfinite(alpha_inf))
		return RAISE(BW_EINVAL, "rate constants need n, d >= 1, 1 <= batch <= n and a finite alpha_inf >= 0");
	double *D = malloc(d * sizeof *D);
	gsl_matrix *M = gsl_matrix_alloc(n, n);
	gsl_vector *ev = gsl_vector_alloc(n);
	gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
	int rc = BW_OK;
	if (!D || !M || !ev || !ws) {
		rc = RAISE(BW_ENOMEM, "out of memory for the rate constants (n=%zu)", n);
		goto done;
	}
	double p2 = 4.0 * pow(alpha_inf, 4), rowmax = 0;
	for (size_t j = 0; j < d; j++) {
		if (!isfinite(w[j])) {
			rc = RAISE(BW_EINVAL, "rate constants: the final w is not finite");
			goto done;
		}
		D[j] = sqrt(w[j] * w[j] + p2); /* u_j^2 + v_j^2 from u^2 - v^2 = w, u v = alpha_inf^2 */
	}
	for (size_t i = 0; i < n; i++) {
		const double *zi = Z + i * d;
		double row = 0;
		for (size_t j = 0; j < d; j++)
			row += zi[j] * zi[j] * D[j];
		rowmax = fmax(rowmax, row);
		for (size_t k = 0; k <= i; k++) {
			const double *zk = Z + k * d;
			double s = 0;
			for (size_t j = 0; j < d; j++)
				s += zi[j] * D[j] * zk[j];
			gsl_matrix_set(M, i, k, s);
			gsl_matrix_set(M, k, i, s);
		}
	}
	if (gsl_eigen_symm(M, ev, ws)) {
		rc = RAISE(BW_ENUMERIC, "rate constants: the eigenvalue solver failed");
		goto done;
	}
	double lo = gsl_vector_get(ev, 0), hi = lo;
	for (size_t i = 1; i < n; i++) {
		lo = fmin(lo, gsl_vector_get(ev, i));
		hi = fmax(hi, gsl_vector_get(ev, i));
	}
	out->Lambda = 16.0 / (double)n * fmax(lo, 0.0);
	out->C_L = 8.0 / (double)n * hi;
	out->sigma = n > 1 ? 16.0 * (double)(n - (size_t)batch) / ((double)batch * (double)(n - 1)) * rowmax : 0.0;
done:
	free(D);
	if (M)
		gsl_matrix_free(M);
	if (ev)
		gsl_vector_free(ev);
	if (ws)
		gsl_eigen_symm_free(ws);
	return rc;
}

double bw_rate_rho(const struct bw_rate_consts *k, double eta)
{
	if (!(k->Lambda > 0))
		return NAN;
	return 1.0 - k->Lambda * eta + k->C_L * (1.0 + k->sigma) * eta * eta / (2.0 * k->Lambda);
}

double bw_rate_eta_max(const struct bw_rate_consts *k)
{
	if (!(k->Lambda > 0) || !(k->C_L > 0))
		return NAN;
	return k->Lambda / (k->Lambda + k->sigma) * 2.0 / k->C_L;
}
