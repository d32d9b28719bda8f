/* test_dt.c - the Donoho-Tanner curve: docs/model.md's six n50 values, psi
 * against a brute-force grid minimization, the optimality condition at
 * the minimizer, the edge cases and the refused inputs. */
#include "biasweep/dt.h"
#include "biasweep/error.h"
#include "testutil.h"

#include <math.h>

static void test_math_values(void)
{
	/* docs/model.md, "Sample complexity" */
	const struct {
		double d, kappa, n50;
	} v[] = {{100, 5, 20.4}, {100, 10, 32.9}, {200, 10, 40.8}, {1000, 5, 35.4}, {1000, 10, 61.2}, {1000, 20, 104.2}};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		double n50 = NAN;
		int rc = bw_dt_n50(v[i].d, v[i].kappa, &n50);
		TU_CHECK(rc == BW_OK && fabs(n50 - v[i].n50) <= 0.1, "n50(d=%g, kappa=%g) = %.4f, docs/model.md %.1f", v[i].d,
			 v[i].kappa, n50, v[i].n50);
	}
}

/* psi(tau) against min over t = 0, 1e-4, ..., 12 (the minimizer is below 5
 * for tau >= 1e-6); a grid of step h misses the minimum by at most
 * f'' h^2 / 8 <= 2 * 1e-8 / 8. */
static void test_brute_force(void)
{
	const double taus[] = {1e-4, 0.001, 0.005, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99};
	for (size_t i = 0; i < sizeof taus / sizeof taus[0]; i++) {
		double tau = taus[i], best = INFINITY, tbest = 0;
		for (long k = 0; k <= 120000; k++) {
			double t = 1e-4 * (double)k, f = bw_dt_objective(tau, t);
			if (f < best) {
				best = f;
				tbest = t;
			}
		}
		double tmin, psi = bw_dt_psi(tau, &tmin);
		TU_CHECK(psi <= best + 1e-14 && best - psi <= 1e-8, "psi(%g) = %.15g, grid minimum %.15g", tau, psi, best);
		TU_CHECK(fabs(tmin - tbest) <= 2e-4, "t*(%g) = %.8g, grid %.8g", tau, tmin, tbest);
		/* first-order condition: tau t = (1-tau)(sqrt(2/pi) e^{-t^2/2} - t erfc(t/sqrt2)) */
		double g = tau * tmin - (1 - tau) * (sqrt(2 / M_PI) * exp(-tmin * tmin / 2) - tmin * erfc(tmin / M_SQRT2));
		TU_CHECK(fabs(g) < 1e-9, "f'(t*) = %g at tau %g", g, tau);
	}
}

static void test_edges(void)
{
	double t;
	TU_CHECK(bw_dt_psi(0, &t) == 0 && isinf(t), "psi(0) = 0");
	TU_CHECK(bw_dt_psi(1, &t) == 1 && t == 0, "psi(1) = 1");
	TU_CHECK(isnan(bw_dt_psi(-0.1, NULL)) && isnan(bw_dt_psi(1.5, NULL)) && isnan(bw_dt_psi(NAN, NULL)),
		 "psi outside [0, 1] is NaN");
	/* psi is increasing in tau and psi(tau) > tau (more measurements than nonzeros) */
	double prev = 0;
	for (int k = 1; k < 100; k++) {
		double tau = k / 100.0, p = bw_dt_psi(tau, NULL);
		TU_CHECK(p > prev && p > tau && p < 1, "psi(%g) = %g monotone, in (tau, 1)", tau, p);
		prev = p;
	}
	double n50;
	TU_CHECK(bw_dt_n50(0, 0, &n50) == BW_EINVAL, "d = 0 refused");
	TU_CHECK(bw_dt_n50(10, 11, &n50) == BW_EINVAL, "kappa > d refused");
	TU_CHECK(bw_dt_n50(10, -1, &n50) == BW_EINVAL, "kappa < 0 refused");
	TU_CHECK(bw_dt_n50(INFINITY, 1, &n50) == BW_EINVAL, "infinite d refused");
	TU_CHECK(bw_dt_n50(50, 50, &n50) == BW_OK && n50 == 50, "kappa = d: n50 = d");
}

int main(void)
{
	test_math_values();
	test_brute_force();
	test_edges();
	return tu_summary("test_dt");
}
