/* test_alpha_inf.c - alpha_inf wherever the final state is finite.
 *
 * At a step with |s_j| = |4 eta r z_ij| > 1 the SGD update u <- u(1 - s),
 * v <- v(1 + s) flips the sign of u_j v_j = alpha^2 prod_k (1 - s_kj^2); the
 * effective initialization is then the geometric mean of sqrt|u_j v_j|.
 * The cases are plain sgd (batch 1, Rademacher rows) at 5x and 6x the
 * automatic step, on instances where the run converges with u_j v_j < 0.
 *
 * Oracles, computed here from the final (u, v) only:
 *  - the geometric mean of sqrt|u_j v_j| in long double, as a product of
 *    the factors rescaled by their first one (no logarithm of the library's);
 *  - Rademacher rows, batch 1: s_kj^2 = 16 eta^2 r_k^2 is the same for every
 *    j, so u_j v_j are all equal, sign included (checked: the cases are ones
 *    where every u_j v_j < 0, which the old rule, q > 0 or NaN, reported as NULL);
 *  - bw_alpha_inf on hand-made states: 0 or a non-finite u_j v_j gives NaN,
 *    negative ones do not. */
#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* prod_j (sqrt|u_j v_j| / q0)^(1/d) * q0 in long double */
static double oracle(size_t d, const double *u, const double *v)
{
	long double q0 = sqrtl(fabsl((long double)u[0] * (long double)v[0])), prod = 1;
	for (size_t j = 0; j < d; j++)
		prod *= powl(sqrtl(fabsl((long double)u[j] * (long double)v[j])) / q0, 1.0L / (long double)d);
	return (double)(prod * q0);
}

static void check_run(size_t d, size_t n, size_t kappa, uint32_t seed, double alpha, double mult)
{
	struct bw_instance_spec spec = {.design = BW_DESIGN_RADEMACHER, .d = d, .n = n, .kappa = kappa,
					.seed_index = seed};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &spec) != 0) {
		TU_CHECK(0, "instance");
		return;
	}
	struct bw_run_params p;
	bw_run_params_default(&p, BW_SGD);
	p.alpha = alpha;
	p.eta = mult * bw_eta_auto(&p, &spec);
	p.noise_seed = bw_noise_seed(inst.seed, BW_SGD);
	struct bw_outcome o;
	if (bw_run(&inst, &p, &o) != 0) {
		TU_CHECK(0, "bw_run");
		bw_instance_release(&inst);
		return;
	}
	size_t neg = 0;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t j = 0; j < d; j++) {
		double q = o.u[j] * o.v[j];
		neg += q < 0;
		lo = fmin(lo, q);
		hi = fmax(hi, q);
	}
	double want = oracle(d, o.u, o.v);
	printf("sgd d=%zu n=%zu kappa=%zu seed=%u alpha=%g eta=%gx auto: %s after %ld steps, err %.3g; "
	       "u_j v_j in [%.6g, %.6g] (%zu of %zu < 0); alpha_inf %.10g, oracle %.10g\n",
	       d, n, kappa, seed, alpha, mult, bw_run_status_name(o.status), o.steps, o.test_error, lo, hi, neg, d,
	       o.alpha_inf, want);
	TU_CHECK(o.status == BW_RUN_CONVERGED, "the case converges (%s)", bw_run_status_name(o.status));
	TU_CHECK(neg == d, "the case is one where the sign of every u_j v_j flipped (%zu of %zu)", neg, d);
	TU_CHECK(hi - lo <= 1e-10 * fabs(lo), "rademacher sgd: every u_j v_j equal (%.17g .. %.17g)", lo, hi);
	TU_CHECK(isfinite(o.alpha_inf), "alpha_inf is finite where the state is (%g)", o.alpha_inf);
	TU_REL(o.alpha_inf, want, 1e-12, "alpha_inf = geometric mean of sqrt|u_j v_j|");
	TU_REL(o.alpha_inf, sqrt(fabs(lo)), 1e-9, "alpha_inf = sqrt|u_j v_j| (all equal)");
	TU_CHECK(o.alpha_inf < alpha, "alpha_inf %g below alpha %g", o.alpha_inf, alpha);
	bw_outcome_release(&o);
	bw_instance_release(&inst);
}

int main(void)
{
	/* 5x and 6x the automatic step 0.25/(8 max(d alpha^2, kappa)), alpha = 0.1 */
	check_run(64, 24, 2, 4, 0.1, 5.0);
	check_run(64, 24, 2, 3, 0.1, 6.0);

	double u[4] = {0.5, -0.25, 2.0, 1.0}, v[4] = {0.5, 0.25, -0.125, 4.0};
	/* |u v| = 0.25, 0.0625, 0.25, 4: sqrt = 0.5, 0.25, 0.5, 2; geometric mean (1/8)^(1/4) */
	TU_REL(bw_alpha_inf(4, u, v), pow(0.125, 0.25), 1e-15, "bw_alpha_inf with negative u_j v_j");
	v[1] = 0;
	TU_CHECK(isnan(bw_alpha_inf(4, u, v)), "u_j v_j = 0 gives NaN");
	v[1] = INFINITY;
	TU_CHECK(isnan(bw_alpha_inf(4, u, v)), "u_j v_j = inf gives NaN");
	v[1] = NAN;
	TU_CHECK(isnan(bw_alpha_inf(4, u, v)), "u_j v_j = NaN gives NaN");
	return tu_summary("test_alpha_inf");
}
