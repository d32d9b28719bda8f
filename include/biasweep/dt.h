/* dt.h - the Donoho-Tanner l1 phase transition (docs/model.md, "Sample complexity").
 *
 * For Gaussian designs and signed w*, basis pursuit recovers a kappa-sparse
 * w* in dimension d from n measurements with probability 1/2 at about
 *   n50(d, kappa) = d * psi(kappa / d),
 *   psi(tau) = min_{t >= 0} f_tau(t),
 *   f_tau(t) = tau (1 + t^2)
 *            + (1 - tau) [(1 + t^2) erfc(t / sqrt 2) - t sqrt(2/pi) e^{-t^2/2}]
 * (Amelunxen-Lotz-McCoy-Tropp 2014, the statistical dimension of the l1
 * descent cone; equal to Donoho-Maleki-Montanari 2009).
 *
 * The minimization: f_tau'(t) = 2 [tau t + (1 - tau)(t erfc(t/sqrt 2)
 * - sqrt(2/pi) e^{-t^2/2})], and f_tau'' = 2 [tau + (1 - tau) erfc(t/sqrt 2)]
 * > 0, so f_tau is strictly convex on t >= 0 with one minimizer t*.
 * f_tau'(0) = -2 (1 - tau) sqrt(2/pi) < 0, and since the bracket in f_tau'
 * is >= -sqrt(2/pi), f_tau'(t) > 0 for t > T = (1 - tau) sqrt(2/pi) / tau.
 * So t* lies in (0, T), and golden-section search on [0, T] (valid for any
 * unimodal function) converges to it; it stops when the bracket is narrower
 * than 1e-12 (1 + t), where psi is exact to rounding (psi's error is
 * quadratic in t's); two Newton steps on f_tau'(t) = 0 then give t* itself
 * to rounding (function values alone resolve t only to ~1e-8).
 * psi(0) = 0 (t* -> infinity), psi(1) = 1 (t* = 0).
 *
 * docs/model.md's values: (d, kappa) = (100, 5) -> 20.4, (100, 10) -> 32.9,
 * (200, 10) -> 40.8, (1000, 5) -> 35.4, (1000, 10) -> 61.2,
 * (1000, 20) -> 104.2.  Pure C, no printing.
 */
#ifndef BIASWEEP_DT_H
#define BIASWEEP_DT_H

/* f_tau(t) above. */
double bw_dt_objective(double tau, double t);

/* psi(tau) for 0 <= tau <= 1 (NaN outside); *tmin (may be NULL) gets the
 * minimizer t* (INFINITY for tau = 0). */
double bw_dt_psi(double tau, double *tmin);

/* n50 = d psi(kappa/d).  BW_EINVAL (message set) unless d >= 1 and
 * 0 <= kappa <= d, both finite. */
int bw_dt_n50(double d, double kappa, double *n50);

#endif
