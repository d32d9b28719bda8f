/* fixture.h - a small hand-made catalog with known answers, built through
 * the catalog API (bw_catalog_open, bw_catalog_sweep_begin, bw_catalog_put).
 * Used by test_query.c and (through mkcatalog) by test_cli.py.
 *
 * Sweep 1 "fixture" (state done), all outcomes recorded by it:
 *   A  gd rademacher signs d=100 kappa=5 alpha=0.1 eta=0.01 eps=0.1,
 *      n = 10,20,30,40,50, seeds 0..4 whose thresholds are 20,30,30,40,50:
 *      success iff n >= threshold.  Rates 0, .2, .6, .8, 1, so
 *      n* = 20 + (0.5-0.2)/(0.6-0.2)*10 = 27.5, median threshold 30.
 *      test_error: success 0.01*(seed+1), failure 0.5+0.1*seed; wall 0.5 s.
 *      At n=30: errors .01 .02 .03 .8 .9: mean .352, median .03,
 *      q10 .014, q90 .86 (h = (N-1) p).
 *      Also planned, never finished: n=60 for seeds 0 and 1 (2 pending).
 *   B  riemannian_flow d=100 kappa=5 alpha=0.1 (eta NULL), n = 10,20,30,
 *      seeds 0..3, all fail (error 0.7); seed 3 at n=10 has status failed
 *      (error NULL).  wall 2 s.  n* NULL ("> max n").
 *   C  label_noise_sgd d=200 kappa=10 alpha=0.1 eta=0.001 sigma=1,
 *      n = 40, 60, seeds 0, 1: seed 0 succeeds at both (error .05), seed 1
 *      diverges at 40 (error NULL, message 'loss blew up, "inf"' LF 'at step 7')
 *      and succeeds at 60 (error .06).
 *      Rates .5, 1: n* = 40 with "n* <= min n"; thresholds 40, 60, median 50.
 *      wall 1.25 s.
 *   F  sgd d = 100, 200, 400, kappa=5 alpha=0.1 eta=0.02 batch=1, n = d/2
 *      and d/2+10, seeds 0, 1 fail at d/2 (error .4) and succeed at d/2+10
 *      (error .02): n* = d/2 + 5 = 55, 105, 205; both seeds alike, so the
 *      bootstrap interval is [n*, n*].  n* against d: slope .5,
 *      intercept 5, R^2 1.  wall 0.25 s.
 * Sweep 2 "second" (state running, shard "1/2"):
 *   plans A's tasks (seed 0 and 1, n=10) again (done by sweep 1), and one
 *   sgd task d=100 n=50 kappa=5 alpha=0.1 eta=0.01 batch=4 seed 0 that it
 *   ran itself: status failed, error NULL, wall 3 s.
 *
 * status:  sweep 1: gd 27 planned, 25 done, 2 pending, ran 25, wall 12.5;
 *          label_noise_sgd 4/4, 1 diverged, wall 5; riemannian_flow 12/12,
 *          1 failed, wall 24; sgd 12/12, wall 3.
 *          sweep 2: gd 2 planned, 2 done, ran 0, wall 1; sgd 1/1, 1 failed,
 *          ran 1, wall 3.
 * results: 54 rows (gd 25, label_noise_sgd 4, riemannian_flow 12, sgd 13).
 */
#ifndef BIASWEEP_TEST_FIXTURE_H
#define BIASWEEP_TEST_FIXTURE_H

#include "biasweep/catalog.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx_outcome {
	size_t task;  /* index into the sweep's task array */
	int status;   /* enum bw_run_status */
	int success;
	double test_error, wall_s;
};

static struct bw_task fx_task(enum bw_algo a, size_t d, size_t kappa, size_t n, double alpha, double eta,
			      double sigma, long batch, uint32_t seed)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	bw_run_params_default(&t.run, a);
	t.run.alpha = alpha;
	t.run.eta = eta;
	t.run.sigma = sigma;
	t.run.batch = batch;
	t.run.max_steps = 1000;
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.wstar = BW_WSTAR_SIGNS;
	t.inst.d = d;
	t.inst.n = n;
	t.inst.kappa = kappa;
	t.inst.seed_index = seed;
	t.key = bw_hash_fmt("fixture algo=%s d=%zu kappa=%zu n=%zu alpha=%.17g eta=%.17g sigma=%.17g batch=%ld seed=%u",
			    bw_algo_name(a), d, kappa, n, alpha, eta, sigma, batch, seed);
	snprintf(t.key_hex, sizeof t.key_hex, "%016" PRIx64, t.key);
	t.cost = (double)(d * n);
	return t;
}

static struct bw_result fx_result(uint64_t key, const struct fx_outcome *o)
{
	struct bw_result r;
	memset(&r, 0, sizeof r);
	r.key = key;
	r.status = o->status;
	r.success = r.support_recovered = o->success;
	r.rank = 1;
	r.steps = 100;
	r.traj_row = -1;
	r.train_loss = 1e-12;
	r.test_error = o->test_error;
	r.R = 1;
	r.l1 = 1;
	r.t = 1;
	r.wall_s = o->wall_s;
	r.eta_used = 0.01;
	r.loss_rate = r.alpha_inf = r.alpha_inf_pred = r.int_loss_dt = NAN;
	if (o->status == BW_RUN_DIVERGED)
		snprintf(r.message, sizeof r.message, "loss blew up, \"inf\"\nat step 7"); /* CSV/JSON quoting */
	return r;
}

static int fx_put_all(struct bw_catalog *cat, int64_t sid, const struct bw_task *t, const struct fx_outcome *o,
		      size_t no)
{
	CHECK(bw_catalog_begin(cat));
	for (size_t i = 0; i < no; i++) {
		struct bw_result r = fx_result(t[o[i].task].key, &o[i]);
		int rc = bw_catalog_put(cat, sid, &r);
		if (rc != BW_OK) {
			bw_catalog_rollback(cat);
			return rc;
		}
	}
	return bw_catalog_commit(cat);
}

/* Builds the catalog at path (which must not exist yet). */
static int fixture_build(const char *path)
{
	struct bw_task t1[64], t2[4];
	struct fx_outcome o1[64], o2[1];
	size_t n1 = 0, no1 = 0;
	const double thr[5] = {20, 30, 30, 40, 50};
	/* A */
	for (uint32_t s = 0; s < 5; s++)
		for (size_t n = 10; n <= 50; n += 10) {
			int ok = (double)n >= thr[s];
			o1[no1++] = (struct fx_outcome){n1, BW_RUN_CONVERGED, ok, ok ? 0.01 * (s + 1) : 0.5 + 0.1 * s, 0.5};
			t1[n1++] = fx_task(BW_GD, 100, 5, n, 0.1, 0.01, 1, 1, s);
		}
	t1[n1++] = fx_task(BW_GD, 100, 5, 60, 0.1, 0.01, 1, 1, 0); /* pending */
	t1[n1++] = fx_task(BW_GD, 100, 5, 60, 0.1, 0.01, 1, 1, 1);
	/* B */
	for (uint32_t s = 0; s < 4; s++)
		for (size_t n = 10; n <= 30; n += 10) {
			int failed = s == 3 && n == 10;
			o1[no1++] = (struct fx_outcome){n1, failed ? BW_RUN_FAILED : BW_RUN_CONVERGED, 0, failed ? NAN : 0.7,
							2.0};
			t1[n1++] = fx_task(BW_RIEMANNIAN_FLOW, 100, 5, n, 0.1, 0.01, 1, 1, s);
		}
	/* C */
	for (uint32_t s = 0; s < 2; s++)
		for (size_t n = 40; n <= 60; n += 20) {
			int div = s == 1 && n == 40;
			o1[no1++] = (struct fx_outcome){n1, div ? BW_RUN_DIVERGED : BW_RUN_CONVERGED, !div,
							div ? NAN : (s ? 0.06 : 0.05), 1.25};
			t1[n1++] = fx_task(BW_LABEL_NOISE_SGD, 200, 10, n, 0.1, 0.001, 1, 1, s);
		}
	/* F */
	for (size_t d = 100; d <= 400; d *= 2)
		for (uint32_t s = 0; s < 2; s++)
			for (int k = 0; k < 2; k++) {
				o1[no1++] = (struct fx_outcome){n1, BW_RUN_CONVERGED, k, k ? 0.02 : 0.4, 0.25};
				t1[n1++] = fx_task(BW_SGD, d, 5, d / 2 + 10 * (size_t)k, 0.1, 0.02, 1, 1, s);
			}
	/* sweep 2 */
	t2[0] = fx_task(BW_GD, 100, 5, 10, 0.1, 0.01, 1, 1, 0);
	t2[1] = fx_task(BW_GD, 100, 5, 10, 0.1, 0.01, 1, 1, 1);
	t2[2] = fx_task(BW_SGD, 100, 5, 50, 0.1, 0.01, 1, 4, 0);
	o2[0] = (struct fx_outcome){2, BW_RUN_FAILED, 0, NAN, 3.0};

	struct bw_spec s1, s2;
	memset(&s1, 0, sizeof s1);
	memset(&s2, 0, sizeof s2);
	s1.path = (char *)"jobs/fixture.cfg";
	s1.name = (char *)"fixture";
	s1.text = (char *)"name = \"fixture\";\n";
	s1.text_hash = bw_hash_str(s1.text);
	s1.ntasks = n1;
	s1.tasks = t1;
	s2 = s1;
	s2.name = (char *)"second";
	s2.ntasks = 3;
	s2.tasks = t2;

	struct bw_catalog *cat = NULL;
	int64_t id1 = 0, id2 = 0;
	int rc = bw_catalog_open(path, 0, &cat);
	if (rc == BW_OK)
		rc = bw_catalog_sweep_begin(cat, &s1, "fixture-rev", "fixture-host", 2, "none", NULL, &id1);
	if (rc == BW_OK)
		rc = fx_put_all(cat, id1, t1, o1, no1);
	if (rc == BW_OK)
		rc = bw_catalog_sweep_end(cat, id1, "done");
	if (rc == BW_OK)
		rc = bw_catalog_sweep_begin(cat, &s2, "fixture-rev", "fixture-host", 1, "none", "1/2", &id2);
	if (rc == BW_OK)
		rc = fx_put_all(cat, id2, t2, o2, 1);
	bw_catalog_close(cat);
	return rc;
}

#endif
