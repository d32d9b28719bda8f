/* model.h - the quadratically overparametrized linear model w = u.u - v.v
 * on an instance: loss, gradient, R = tr Hessian, test error, support.
 * Normalization: docs/model.md (L = (1/n)||Z w - y||^2).
 * All functions are pure; buffers are the caller's.
 */
#ifndef BIASWEEP_MODEL_H
#define BIASWEEP_MODEL_H

#include "biasweep/instance.h"

/* w = u.u - v.v */
void bw_model_w(size_t d, const double *u, const double *v, double *w);
/* r = Z w - y (n), returns L = (1/n)||r||^2 */
double bw_model_residual(const struct bw_instance *inst, const double *w, double *r);
/* (gu, gv) = grad L at (u, v), given r = Z w(u,v) - y; scratch g has d entries */
void bw_model_grad(const struct bw_instance *inst, const double *u, const double *v, const double *r,
		   double *gu, double *gv, double *g);
/* R(u, v) = (8/n) sum_j c_j (u_j^2 + v_j^2) */
double bw_model_R(const struct bw_instance *inst, const double *u, const double *v);
/* err(w) = ||w - w*|| / ||w*|| */
double bw_model_test_error(const struct bw_instance *inst, const double *w);
double bw_model_l1(size_t d, const double *w);
/* 1 when the kappa largest |w_j| are exactly the support of w* (ties: lower index first). */
int bw_model_support_recovered(const struct bw_instance *inst, const double *w);
/* 1 when every entry is finite */
int bw_model_finite(size_t m, const double *x);

#endif
