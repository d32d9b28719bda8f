/* rows.h - the rows of the dynamics table (dynamics.h, struct bw_dynamics),
 * each defined in its dynamics' file, and what their cost models share
 * (internal to the numerics: other layers see only bw_dynamics_table).
 *
 * The cost models (spec.h states them) count coordinate-updates:
 *   bw_cost_descent_steps  steps for gd (and, in expectation, sgd) with step
 *                          eta to reach relative loss tol:
 *                          ln(1/tol) / (eta lo), lo = (16/n) max(alpha^2, 1)
 *                          * max((sqrt d - sqrt n)^2, 1), the curvature of
 *                          the interpolating directions;
 *   bw_cost_budget_steps   the budget in steps when a step advances the
 *                          clock by dt (HUGE_VAL when there is none);
 *   bw_cost_to_manifold    a row's `descent` onto the manifold: 2 n d per
 *                          step, at that row's automatic step and default
 *                          tol (gd: 1e-10);
 *   bw_cost_projection     the final projection Phi of the noisy dynamics
 *                          (bw_project_final: Gauss-Newton, bw_flow_project):
 *                          8 iterations of the flow's step work (flow.c).
 */
#ifndef BIASWEEP_ROWS_H
#define BIASWEEP_ROWS_H

#include "biasweep/dynamics.h"

extern const struct bw_dynamics bw_gd, bw_label_noise_sgd, bw_sgd, bw_riemannian_flow, bw_gaussian_noise_gd;

/* gd's automatic step: 0.25 / ((16/n) max(alpha^2, 1) (sqrt n + sqrt d)^2). */
double bw_gd_eta_auto(double alpha, const struct bw_instance_spec *s);

/* The final projection Phi onto the manifold of interpolators of a noisy
 * dynamics (label_noise_sgd, gaussian_noise_gd with 'project'), in place:
 * Gauss-Newton (bw_flow_project), or gd to relative loss tol when that fails
 * (out->status becomes diverged, or out->message says the cap was reached).
 * w, r receive w and Zw - y.  BW_OK, or BW_ENOMEM. */
int bw_project_final(const struct bw_instance *inst, double tol, double *u, double *v, double *w, double *r,
		     struct bw_outcome *out);

double bw_cost_descent_steps(double eta, double tol, double alpha, double n, double d);
double bw_cost_budget_steps(const struct bw_run_params *r, double dt);
double bw_cost_to_manifold(const struct bw_dynamics *descent, const struct bw_run_params *r,
			   const struct bw_instance_spec *s);
double bw_cost_projection(const struct bw_instance_spec *s);
/* eta, or the row's automatic step when eta <= 0 */
double bw_cost_eta(const struct bw_run_params *r, const struct bw_instance_spec *s);

/* The fields the noisy dynamics share (label_noise_sgd, gaussian_noise_gd):
 * gd driven by a noise of scale sigma, time t = k eta^2 sigma^2 / 2 (the
 * flow's), scored after the projection Phi by gd; `more`: the BW_USES_* bits
 * a row reads beyond those (0 for none). */
#define BW_NOISY_GD_FIELDS(more)                                                        \
	.uses = BW_USES_ETA | BW_USES_SIGMA | BW_USES_PROJECT | BW_USES_NOISE | (more), \
	.tol = 1e-10, .descent = &bw_gd, .projects = 1, .time_doc = "k*eta^2*sigma^2/2"

#endif
