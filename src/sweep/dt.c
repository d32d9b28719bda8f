/* dt.c - the Donoho-Tanner 50% curve n50 = d psi(kappa/d) (see dt.h for
 * the objective, its convexity and the bracket of the golden-section search). */
#include "biasweep/dt.h"

#include "biasweep/error.h"

#include <math.h>
#include <stddef.h>

#define SQRT_2_OVER_PI 0.79788456080286535588 /* sqrt(2/pi) */

double bw_dt_objective(double tau, double t)
{
	double t2 = t * t;
	return tau * (1 + t2) + (1 - tau) * ((1 + t2) * erfc(t / M_SQRT2) - t * SQRT_2_OVER_PI * exp(-0.5 * t2));
}

/* f_tau'(t) / 2 */
static double half_slope(double tau, double t)
{
	return tau * t + (1 - tau) * (t * erfc(t / M_SQRT2) - SQRT_2_OVER_PI * exp(-0.5 * t * t));
}

double bw_dt_psi(double tau, double *tmin)
{
	if (tmin)
		*tmin = NAN;
	if (!(tau >= 0 && tau <= 1))
		return NAN;
	if (tau == 0) {
		if (tmin)
			*tmin = INFINITY;
		return 0;
	}
	if (tau == 1) {
		if (tmin)
			*tmin = 0;
		return 1;
	}
	/* Golden-section search on [0, T]; f is strictly convex there and its
	 * minimizer is inside (dt.h). */
	const double invphi = 0.61803398874989484820; /* (sqrt 5 - 1)/2 */
	double a = 0, b = (1 - tau) * SQRT_2_OVER_PI / tau;
	double c = b - invphi * (b - a), e = a + invphi * (b - a);
	double fc = bw_dt_objective(tau, c), fe = bw_dt_objective(tau, e);
	for (int it = 0; it < 400 && b - a > 1e-12 * (1 + a); it++) {
		if (fc < fe) {
			b = e;
			e = c;
			fe = fc;
			c = b - invphi * (b - a);
			fc = bw_dt_objective(tau, c);
		} else {
			a = c;
			c = e;
			fc = fe;
			e = a + invphi * (b - a);
			fe = bw_dt_objective(tau, e);
		}
	}
	double t = 0.5 * (a + b);
	/* Function values resolve t only to ~sqrt(eps); two Newton steps on the
	 * first-order condition f'(t) = 0 (f'' > 0) make t exact to rounding,
	 * each kept only when it brings f' closer to 0. */
	for (int it = 0; it < 2; it++) {
		double g = half_slope(tau, t), h = tau + (1 - tau) * erfc(t / M_SQRT2);
		double tn = t - g / h;
		if (tn >= 0 && fabs(half_slope(tau, tn)) < fabs(g))
			t = tn;
	}
	double f = bw_dt_objective(tau, t);
	/* the endpoint t = 0 is allowed; it is never the minimizer for tau < 1, but be safe */
	double f0 = bw_dt_objective(tau, 0);
	if (f0 < f) {
		t = 0;
		f = f0;
	}
	if (tmin)
		*tmin = t;
	return f;
}

int bw_dt_n50(double d, double kappa, double *n50)
{
	*n50 = NAN;
	if (!isfinite(d) || d < 1)
		return RAISE(BW_EINVAL, "d must be >= 1 (got %g)", d);
	if (!isfinite(kappa) || kappa < 0 || kappa > d)
		return RAISE(BW_EINVAL, "kappa must be between 0 and d = %g (got %g)", d, kappa);
	*n50 = d * bw_dt_psi(kappa / d, NULL);
	return BW_OK;
}
