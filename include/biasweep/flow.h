/* flow.h - pieces of the Riemannian flow of R = tr Hessian on Gamma
 * (src/numerics/flow.c), exposed for tests and diagnostics.
 * The flow itself runs through bw_run / bw_flow_run (dynamics.h).
 */
#ifndef BIASWEEP_FLOW_H
#define BIASWEEP_FLOW_H

#include "biasweep/instance.h"

/* The flow's velocity dx/dt = -P(x) grad R(x) at (u, v), exactly as the
 * integrator computes it (same regularized Cholesky solve):
 *   lambda = (Z D Z^T)^{-1} Z (c.w),  D = u.u + v.v,  w = u.u - v.v,
 *   du_j = (16/n) u_j ((Z^T lambda)_j - c_j),
 *   dv_j = -(16/n) v_j ((Z^T lambda)_j + c_j).
 * P(x) = I - J^T (J J^T)^{-1} J is defined at every x where J has full rank,
 * on Gamma or not.  Optional outputs (NULL to skip): *pgrad = ||P grad R||,
 * *grad = ||grad R||.  Returns BW_OK, BW_ENOMEM, or BW_ENUMERIC when
 * Z D Z^T cannot be factored even with the largest regularization. */
int bw_flow_velocity(const struct bw_instance *inst, const double *u, const double *v, double *du, double *dv,
		     double *pgrad, double *grad);

/* Phi(x): the limit of gradient flow from (u, v), computed in place by
 * damped Newton steps u <- u e^{-s}, v <- v e^{s}, s = (tau/2) Z^T (Z D Z^T)^{-1} (Z w - y).  Gradient flow from (u, v) stays in
 * the family (u e^{-Z^T b}, v e^{Z^T b}), which meets the manifold Zw = y in
 * exactly one point (the stationary point of a strictly convex function of
 * b), so when this converges (||Zw - y|| <= 1e-10 ||y||) it is Phi(x) itself,
 * not an approximation.  w and r (d and n) receive w and Zw - y.
 * BW_ENUMERIC when it does not converge (u, v are then restored). */
int bw_flow_project(const struct bw_instance *inst, double *u, double *v, double *w, double *r);

#endif
