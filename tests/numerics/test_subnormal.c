/* test_subnormal.c - a dynamics runs with subnormal numbers flushed to zero
 * and leaves the caller's floating-point mode as it found it (dynamics.c,
 * bw_run; docs/model.md, "Floating point").
 *
 * Oracle: IEEE 754's definitions.  label_noise_sgd with the sharpness step
 * drives the off-support coordinates of (u, v) geometrically toward 0.  On
 * this instance the run (no projection) ends with coordinates whose squares,
 * the terms of w = u.u - v.v, lie below DBL_MIN (the check that the instance
 * tests something; with gradual underflow the same run ends with 510
 * subnormal values in u, v and w).  Under flush-to-zero none is subnormal
 * (0 < |x| < DBL_MIN), in u, v or w.  And the MXCSR control bits the caller
 * had (here: gradual underflow, the C default) are the ones it has after the
 * run, also after a run that failed its parameter check. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

static size_t count_sub(size_t d, const double *x)
{
	size_t s = 0;
	for (size_t j = 0; j < d; j++)
		s += x[j] != 0 && fabs(x[j]) < DBL_MIN;
	return s;
}

int main(void)
{
#if defined(__SSE2__)
	unsigned csr0 = _mm_getcsr();
	TU_CHECK((csr0 & 0x8040u) == 0, "the test starts with flush-to-zero already set (MXCSR %#x)", csr0);
#endif
	struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .d = 256, .n = 64, .kappa = 2, .seed_index = 0};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &s) != BW_OK) {
		TU_CHECK(0, "instance: %s", bw_error_message());
		return tu_summary("test_subnormal");
	}
	struct bw_run_params p;
	bw_run_params_default(&p, BW_LABEL_NOISE_SGD);
	p.alpha = 0.5;
	p.sigma = 1.0;
	p.schedule = BW_SCHEDULE_SHARPNESS;
	p.max_time = 200.0;
	p.project = 0;
	p.noise_seed = bw_noise_seed(inst.seed, BW_LABEL_NOISE_SGD);
	struct bw_outcome o;
	int rc = bw_run(&inst, &p, &o);
	TU_CHECK(rc == BW_OK, "bw_run: %s", bw_error_message());
	if (rc == BW_OK) {
		/* coordinates whose squares, w's terms, fall below DBL_MIN */
		size_t reached = 0;
		for (size_t j = 0; j < s.d; j++)
			reached += fabs(o.u[j]) < sqrt(DBL_MIN) && fabs(o.v[j]) < sqrt(DBL_MIN);
		size_t sub = count_sub(s.d, o.u) + count_sub(s.d, o.v) + count_sub(s.d, o.w);
		printf("%s at step %ld, t = %.4g: %zu coordinates with u_j^2, v_j^2 < DBL_MIN; %zu subnormal values in "
		       "u, v, w\n", bw_run_status_name(o.status), o.steps, o.t, reached, sub);
		TU_CHECK(reached > 0, "no coordinate reached the underflow range (the instance tests nothing)");
		TU_CHECK(sub == 0, "%zu subnormal values in the final state", sub);
		bw_outcome_release(&o);
	}
#if defined(__SSE2__)
	TU_CHECK((_mm_getcsr() & ~0x3fu) == (csr0 & ~0x3fu), "bw_run left MXCSR %#x, the caller had %#x", _mm_getcsr(), csr0);
	p.alpha = -1.0; /* refused by the parameter check */
	rc = bw_run(&inst, &p, &o);
	TU_CHECK(rc != BW_OK, "alpha = -1 was accepted");
	bw_error_clear();
	TU_CHECK((_mm_getcsr() & ~0x3fu) == (csr0 & ~0x3fu), "a refused run left MXCSR %#x, the caller had %#x", _mm_getcsr(), csr0);
#endif
	bw_instance_release(&inst);
	return tu_summary("test_subnormal");
}
