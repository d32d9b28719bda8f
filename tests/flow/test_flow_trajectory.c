/* test_flow_trajectory.c - the flow's trajectory in time, against oracles
 * that follow from the ODE of docs/model.md but are computed independently:
 *
 * 1. Exact solution.  dx/dt = -P grad R changes log u by (16/n)(Z^T lambda - c) dt
 *    and log v by -(16/n)(Z^T lambda + c) dt, so from the state (u1, v1) at t1,
 *    the state at t2 = t1 + T is u = u1 e^{-16 c T/n} e^{Z^T L},
 *    v = v1 e^{-16 c T/n} e^{-Z^T L}, where L in R^n solves Z w = y, i.e.
 *    minimizes the strictly convex sum_j (A_j e^{2 a_j} + B_j e^{-2 a_j})/2 - L.y,
 *    a = Z^T L, A = u1^2 e^{-32 c T/n}, B = v1^2 e^{-32 c T/n}.  We solve it by
 *    damped Newton with LU here and compare with the flow run to t2.  In
 *    particular u_j v_j decays exactly as e^{-32 c_j T/n} (checks the time scale).
 * 2. Energy identity dR/dt = -||P grad R||^2 along the run (central difference
 *    of R from runs ending at t -+ delta, against bw_flow_velocity at t).
 * 3. R is non-increasing along the checkpoints; the loss stays ~ 0 (Gamma).
 * 4. The start is Phi(x0): the flow at t = 0 is where gd (bw_run, small
 *    automatic step, tol 1e-12) converges from u = v = alpha.
 * 5. Budgets: max_time is hit exactly; max_steps counts flow steps.
 */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/instance.h"
#include "biasweep/model.h"

#include "testutil.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int run_flow(const struct bw_instance *inst, double max_time, long max_steps, struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, BW_RIEMANNIAN_FLOW);
	p.max_time = max_time;
	p.max_steps = max_steps;
	int rc = bw_run(inst, &p, o);
	TU_CHECK(rc == BW_OK, "bw_run(flow): %s", bw_error_message());
	return rc;
}

/* The exact flow from (u1, v1) over time T (see the header). Returns Newton iterations. */
static int exact_flow(const struct bw_instance *inst, const double *u1, const double *v1, double T, double *u,
		      double *v)
{
	size_t n = inst->n, d = inst->d;
	const double *Z = inst->Z;
	double *A = malloc(d * sizeof(double)), *B = malloc(d * sizeof(double)), *a = malloc(d * sizeof(double));
	double *L = calloc(n, sizeof(double)), *Lt = malloc(n * sizeof(double)), *gr = malloc(n * sizeof(double));
	double *step = malloc(n * sizeof(double));
	gsl_matrix *H = gsl_matrix_alloc(n, n);
	gsl_permutation *perm = gsl_permutation_alloc(n);
	double ynorm = 0;
	for (size_t i = 0; i < n; i++)
		ynorm += inst->y[i] * inst->y[i];
	ynorm = sqrt(ynorm);
	for (size_t j = 0; j < d; j++) {
		double e = exp(-32.0 * inst->c[j] * T / (double)n);
		A[j] = u1[j] * u1[j] * e;
		B[j] = v1[j] * v1[j] * e;
	}
	/* phi(L) and its gradient Z w(L) - y */
#define PHI(Lv, out_phi)                                                                  \
	do {                                                                              \
		double ph = 0;                                                            \
		for (size_t j = 0; j < d; j++) {                                          \
			double s = 0;                                                     \
			for (size_t i = 0; i < n; i++)                                    \
				s += Z[i * d + j] * (Lv)[i];                              \
			a[j] = s;                                                         \
			ph += 0.5 * (A[j] * exp(2 * s) + B[j] * exp(-2 * s));             \
		}                                                                         \
		for (size_t i = 0; i < n; i++)                                            \
			ph -= (Lv)[i] * inst->y[i];                                       \
		out_phi = ph;                                                             \
	} while (0)
	int it;
	double phi;
	PHI(L, phi);
	for (it = 0; it < 200; it++) {
		double gn = 0;
		for (size_t i = 0; i < n; i++) {
			double s = -inst->y[i];
			for (size_t j = 0; j < d; j++)
				s += Z[i * d + j] * (A[j] * exp(2 * a[j]) - B[j] * exp(-2 * a[j]));
			gr[i] = s;
			gn += s * s;
		}
		if (sqrt(gn) <= 1e-13 * ynorm)
			break;
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k <= i; k++) {
				double s = 0;
				for (size_t j = 0; j < d; j++)
					s += Z[i * d + j] * Z[k * d + j] * 2 *
					     (A[j] * exp(2 * a[j]) + B[j] * exp(-2 * a[j]));
				gsl_matrix_set(H, i, k, s);
				gsl_matrix_set(H, k, i, s);
			}
		int sgn;
		gsl_vector_view gv = gsl_vector_view_array(gr, n), sv = gsl_vector_view_array(step, n);
		gsl_linalg_LU_decomp(H, perm, &sgn);
		gsl_linalg_LU_solve(H, perm, &gv.vector, &sv.vector);
		double slope = 0;
		for (size_t i = 0; i < n; i++)
			slope -= gr[i] * step[i];
		double tstep = 1, phit = INFINITY;
		for (int bt = 0; bt < 60; bt++) {
			for (size_t i = 0; i < n; i++)
				Lt[i] = L[i] - tstep * step[i];
			PHI(Lt, phit);
			if (phit <= phi + 1e-4 * tstep * slope || fabs(phit - phi) <= 1e-15 * fabs(phi))
				break;
			tstep *= 0.5;
		}
		memcpy(L, Lt, n * sizeof(double));
		phi = phit;
	}
#undef PHI
	for (size_t j = 0; j < d; j++) {
		u[j] = sqrt(A[j]) * exp(a[j]);
		v[j] = sqrt(B[j]) * exp(-a[j]);
	}
	free(A);
	free(B);
	free(a);
	free(L);
	free(Lt);
	free(gr);
	free(step);
	gsl_matrix_free(H);
	gsl_permutation_free(perm);
	return it;
}

static void check_instance(enum bw_design design, size_t d, size_t n, size_t kappa, uint32_t seed)
{
	struct bw_instance_spec spec = {.design = design, .d = d, .n = n, .kappa = kappa, .seed_index = seed};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &spec) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return;
	}
	const char *dn = bw_design_name(design);
	printf("-- %s d=%zu n=%zu kappa=%zu seed=%u\n", dn, d, n, kappa, seed);
	double ref = 0;
	for (size_t i = 0; i < n; i++)
		ref += inst.y[i] * inst.y[i];
	ref /= (double)n;
	const double t1 = 0.05, t2 = 0.15, delta = 2e-4;
	struct bw_outcome o1, o2, om, op, oc, og, os;
	if (run_flow(&inst, t1, 0, &o1) || run_flow(&inst, t2, 0, &o2) || run_flow(&inst, t1 - delta, 0, &om) ||
	    run_flow(&inst, t1 + delta, 0, &op) || run_flow(&inst, 0, 0, &oc) || run_flow(&inst, 0, 7, &os))
		exit(tu_summary("test_flow_trajectory"));

	/* 5. budgets */
	TU_CHECK(o2.status == BW_RUN_BUDGET && fabs(o2.t - t2) <= 1e-12, "%s: run to t2 ended %s at t=%.17g",
		 dn, bw_run_status_name(o2.status), o2.t);
	TU_CHECK(os.status == BW_RUN_BUDGET && os.steps == 7, "%s: max_steps=7 ended %s after %ld steps", dn,
		 bw_run_status_name(os.status), os.steps);
	TU_CHECK(o2.train_loss <= 1e-18 * ref, "%s: loss %g at t2 is not ~0 (off Gamma)", dn, o2.train_loss);

	/* 1. exact solution from t1 to t2 */
	double *u = malloc(d * sizeof(double)), *v = malloc(d * sizeof(double));
	int its = exact_flow(&inst, o1.u, o1.v, t2 - t1, u, v);
	double ew = 0, wmax = 0, euv = 0;
	for (size_t j = 0; j < d; j++) {
		double w = u[j] * u[j] - v[j] * v[j];
		ew = fmax(ew, fabs(w - o2.w[j]));
		wmax = fmax(wmax, fabs(w));
		double pred = o1.u[j] * o1.v[j] * exp(-32.0 * inst.c[j] * (t2 - t1) / (double)n);
		euv = fmax(euv, fabs(o2.u[j] * o2.v[j] - pred) / pred);
	}
	printf("exact flow t1=%g -> t2=%g (Newton %d its): max |w - w_exact| = %.2e (max |w| %.3g); "
	       "u.v vs e^{-32cT/n}: max rel %.2e\n",
	       t1, t2, its, ew, wmax, euv);
	TU_CHECK(its < 200, "%s: the oracle's Newton did not converge", dn);
	TU_CHECK(ew <= 1e-7 * wmax, "%s: w(t2) differs from the exact flow by %g", dn, ew);
	TU_CHECK(euv <= 1e-9, "%s: u_j v_j does not decay as exp(-32 c_j t/n): rel %g", dn, euv);

	/* 2. dR/dt = -||P grad R||^2 */
	double *du = malloc(d * sizeof(double)), *dv = malloc(d * sizeof(double)), pg, gr;
	TU_CHECK(bw_flow_velocity(&inst, o1.u, o1.v, du, dv, &pg, &gr) == BW_OK, "velocity: %s", bw_error_message());
	double dRdt = (op.R - om.R) / (2 * delta);
	printf("dR/dt at t=%g: central difference %.8g, -||P grad R||^2 = %.8g\n", t1, dRdt, -pg * pg);
	TU_REL(dRdt, -pg * pg, 1e-4, "dR/dt vs -||P grad R||^2");

	/* 3. monotone R, zero loss along the run to convergence */
	int mono = 1;
	double maxloss = 0;
	for (size_t i = 0; i < oc.ntraj; i++) {
		if (i > 0 && oc.traj[i].R > oc.traj[i - 1].R * (1 + 1e-12))
			mono = 0;
		maxloss = fmax(maxloss, oc.traj[i].loss);
	}
	TU_CHECK(mono, "%s: R increases along the flow", dn);
	TU_CHECK(maxloss <= 1e-18 * ref, "%s: loss %g along the flow (off Gamma)", dn, maxloss);
	TU_CHECK(oc.status == BW_RUN_CONVERGED, "%s: default run ended %s at t=%g (%s)", dn,
		 bw_run_status_name(oc.status), oc.t, oc.message);
	TU_CHECK(oc.ntraj >= 2 && oc.traj[0].t == 0 && oc.traj[0].step == 0, "%s: first checkpoint not at t=0", dn);
	printf("default run: %s at t=%g after %ld steps, R %.6g -> %.6g, test error %.3g\n",
	       bw_run_status_name(oc.status), oc.t, oc.steps, oc.traj[0].R, oc.R, oc.test_error);

	/* 4. the start is the gd limit */
	struct bw_run_params pg_;
	bw_run_params_default(&pg_, BW_GD);
	pg_.tol = 1e-12;
	TU_CHECK(bw_run(&inst, &pg_, &og) == BW_OK, "gd: %s", bw_error_message());
	TU_CHECK(og.status == BW_RUN_CONVERGED, "%s: gd did not converge", dn);
	TU_REL(oc.traj[0].R, og.R, 1e-5, "R at the flow's start vs the gd limit");
	TU_REL(o1.eta_used, og.eta_used, 1e-15, "the flow's start uses gd's automatic step");
	bw_outcome_release(&og);

	free(u);
	free(v);
	free(du);
	free(dv);
	bw_outcome_release(&o1);
	bw_outcome_release(&o2);
	bw_outcome_release(&om);
	bw_outcome_release(&op);
	bw_outcome_release(&oc);
	bw_outcome_release(&os);
	bw_instance_release(&inst);
}

int main(void)
{
	bw_error_install_gsl_handler();
	check_instance(BW_DESIGN_GAUSSIAN, 40, 15, 3, 0);
	check_instance(BW_DESIGN_RADEMACHER, 60, 20, 3, 2);
	return tu_summary("test_flow_trajectory");
}
