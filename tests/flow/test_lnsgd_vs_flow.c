/* test_lnsgd_vs_flow.c - the time rescaling of docs/model.md: label-noise SGD with
 * step eta and noise sigma, after k steps, is close to the Riemannian flow at
 * t = k eta^2 sigma^2 / 2 (Li, Wang, Arora 2021).
 *
 * Setting of docs/model.md's NumPy check: Rademacher, d = 100, n = 40, kappa = 3,
 * alpha = 1, sigma = 1.  Both run through bw_run (SGD with project = 0, so its
 * checkpoints are the raw iterates).  At every SGD checkpoint with
 * t in [0.01, 0.15] (after the initial fitting phase, t ~ 1e-5, and while R
 * falls from ~1100 to ~40) the flow is run to exactly that t (its trajectory is
 * exact in t, no interpolation needed) and
 *   |R_sgd(t) - R_flow(t)| <= 15% R_flow(t).
 * The gap is a finite-step bias of order eta R (SGD runs ahead: about 12% at
 * eta = 2e-4, as docs/model.md reports, and 6% at eta = 1e-4), so we check at
 * eta = 1e-4 and also that halving eta from 2e-4 shrinks the gap by a quarter
 * at least.  A negative control shows the check has teeth: the same SGD
 * trajectory against the flow on a time axis off by 1.5 misses by > 15%. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"

#include "runs.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static const double T0 = 0.01, T1 = 0.15;

/* Max relative gap |R_sgd(t) - R_flow(scale t)| / R_flow over SGD checkpoints in [T0, T1].
 * *npts gets the number of checkpoints compared, *Rhi and *Rlo the flow's R range. */
static double gap(const struct bw_instance *inst, const struct bw_outcome *sgd, double scale, int verbose, int *npts,
		  double *Rhi, double *Rlo)
{
	double worst = 0;
	*npts = 0;
	*Rhi = 0;
	*Rlo = INFINITY;
	for (size_t i = 0; i < sgd->ntraj; i++) {
		double t = sgd->traj[i].t;
		if (t < T0 || t > T1 * (1 + 1e-12))
			continue;
		double Rf = flow_R(inst, 1.0, scale * t), Rs = sgd->traj[i].R, g = fabs(Rs - Rf) / Rf;
		if (verbose)
			printf("  t=%-9.5f R_sgd=%-10.5g R_flow=%-10.5g gap %+.3f\n", t, Rs, Rf, (Rs - Rf) / Rf);
		worst = fmax(worst, g);
		*Rhi = fmax(*Rhi, Rf);
		*Rlo = fmin(*Rlo, Rf);
		(*npts)++;
	}
	return worst;
}

static int run_sgd(const struct bw_instance *inst, double eta, struct bw_outcome *o)
{
	struct bw_run_params p;
	bw_run_params_default(&p, BW_LABEL_NOISE_SGD);
	p.alpha = 1;
	p.sigma = 1;
	p.eta = eta;
	p.max_time = T1;
	p.project = 0;
	p.noise_seed = bw_noise_seed(inst->seed, BW_LABEL_NOISE_SGD);
	int rc = bw_run(inst, &p, o);
	TU_CHECK(rc == BW_OK, "label_noise_sgd: %s", bw_error_message());
	if (rc == BW_OK)
		TU_CHECK(o->status == BW_RUN_BUDGET && fabs(o->t - T1) <= 1e-9, "sgd ended %s at t=%g",
			 bw_run_status_name(o->status), o->t);
	return rc;
}

int main(void)
{
	bw_error_install_gsl_handler();
	struct bw_instance_spec spec = {.design = BW_DESIGN_RADEMACHER, .d = 100, .n = 40, .kappa = 3};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &spec) != BW_OK) {
		printf("instance: %s\n", bw_error_message());
		return 1;
	}
	struct bw_outcome s1, s2;
	if (run_sgd(&inst, 1e-4, &s1) || run_sgd(&inst, 2e-4, &s2))
		return tu_summary("test_lnsgd_vs_flow");
	int np1, np2, np3;
	double hi, lo, hi2, lo2, hi3, lo3;
	printf("eta = 1e-4 (%ld steps, %.2f s):\n", s1.steps, s1.wall_s);
	double g1 = gap(&inst, &s1, 1.0, 1, &np1, &hi, &lo);
	double g2 = gap(&inst, &s2, 1.0, 0, &np2, &hi2, &lo2);
	double g3 = gap(&inst, &s1, 1.5, 0, &np3, &hi3, &lo3);
	printf("max gap: eta=1e-4 %.3f (%d points, flow R %.4g -> %.4g); eta=2e-4 %.3f (%d points); "
	       "control, flow time x1.5: %.3f\n",
	       g1, np1, hi, lo, g2, np2, g3);
	TU_CHECK(np1 >= 8 && np2 >= 8, "too few checkpoints compared (%d, %d)", np1, np2);
	TU_CHECK(hi >= 5 * lo, "R barely changes over the compared window (%g -> %g)", hi, lo);
	TU_CHECK(g1 <= 0.15, "label-noise SGD (eta=1e-4) and the flow differ in R by %.1f%% at equal t", 100 * g1);
	TU_CHECK(g2 <= 0.20, "label-noise SGD (eta=2e-4) and the flow differ in R by %.1f%% at equal t", 100 * g2);
	TU_CHECK(g1 <= 0.75 * g2, "the SGD-flow gap does not shrink with eta: %.3f (1e-4) vs %.3f (2e-4)", g1, g2);
	TU_CHECK(g3 > 0.15, "negative control: a 1.5x wrong time axis still matches within 15%% (%.3f)", g3);
	bw_outcome_release(&s1);
	bw_outcome_release(&s2);
	bw_instance_release(&inst);
	return tu_summary("test_lnsgd_vs_flow");
}
