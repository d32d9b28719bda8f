/* mkplotcat.c - writes a small catalog with known thresholds to argv[1]
 * through the catalog API, for the plot tests (test_plot.py).
 *
 * Rademacher design, signs w*, eps 0.1, 4 seeds (0..3), n on the grid
 * 2, 4, 6, ... up to n_max; seed s succeeds at n iff n >= its threshold
 * (NaN: never), so every cell's n* is an interpolated 50% crossing:
 *   riemannian_flow   alpha 0.5      d = 32, 64, 128; kappa = 2, 4; n_max = d/2;
 *                     thresholds round(0.6 kappa ln d + 5) + (-3, -1, 1, 3)
 *   label_noise_sgd   alpha 0.5, eta 0 (auto), sigma 1, same cells,
 *                     thresholds round(0.6 kappa ln d + 5) + (-2, 0, 2, 5)
 *   gd                alpha 3, eta 0, same (d, kappa), n_max = d,
 *                     thresholds round(0.85 d) + (-4, -2, 2, 4), except
 *                     (d, kappa) = (128, 4) where seeds 2 and 3 never succeed
 *                     (rate 1/2 at n_max: n* = 128, interval open above);
 *   gd                alpha 0.5 at (128, 4) only: every seed fails (n* > max n).
 * No trajectories (traj_file NULL).  Times are 0.01 s per task. */
#include "biasweep/catalog.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTASKS 8192

static struct bw_task mk_task(enum bw_algo a, size_t d, size_t kappa, size_t n, double alpha, double eta,
			      double sigma, uint32_t seed)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	bw_run_params_default(&t.run, a);
	t.run.alpha = alpha;
	t.run.eta = eta;
	t.run.sigma = sigma;
	t.run.max_steps = 1000;
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.wstar = BW_WSTAR_SIGNS;
	t.inst.d = d;
	t.inst.n = n;
	t.inst.kappa = kappa;
	t.inst.seed_index = seed;
	t.key = bw_hash_fmt("plotcat algo=%s d=%zu kappa=%zu n=%zu alpha=%.17g eta=%.17g sigma=%.17g seed=%u",
			    bw_algo_name(a), d, kappa, n, alpha, eta, sigma, seed);
	snprintf(t.key_hex, sizeof t.key_hex, "%016" PRIx64, t.key);
	t.cost = (double)(d * n);
	return t;
}

static struct bw_task tasks[MAXTASKS];
static int success[MAXTASKS];
static size_t ntasks;

static void add_cell(enum bw_algo a, size_t d, size_t kappa, double alpha, double eta, double sigma, size_t nmax,
		     const double thr[4])
{
	for (uint32_t s = 0; s < 4; s++)
		for (size_t n = 2; n <= nmax && ntasks < MAXTASKS; n += 2) {
			success[ntasks] = !isnan(thr[s]) && (double)n >= thr[s];
			tasks[ntasks++] = mk_task(a, d, kappa, n, alpha, eta, sigma, s);
		}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkplotcat PATH\n");
		return 2;
	}
	static const size_t ds[] = {32, 64, 128}, ks[] = {2, 4};
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++) {
			size_t d = ds[i], k = ks[j];
			double T = round(0.6 * (double)k * log((double)d) + 5), G = round(0.85 * (double)d);
			double flow[4] = {T - 3, T - 1, T + 1, T + 3}, ln[4] = {T - 2, T, T + 2, T + 5},
			       gd[4] = {G - 4, G - 2, G + 2, G + 4};
			if (d == 128 && k == 4)
				gd[2] = gd[3] = NAN;
			add_cell(BW_RIEMANNIAN_FLOW, d, k, 0.5, 0, 0, d / 2, flow);
			add_cell(BW_LABEL_NOISE_SGD, d, k, 0.5, 0, 1, d / 2, ln);
			add_cell(BW_GD, d, k, 3, 0, 0, d, gd);
		}
	const double never[4] = {NAN, NAN, NAN, NAN};
	add_cell(BW_GD, 128, 4, 0.5, 0, 0, 128, never);

	struct bw_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.path = (char *)"jobs/plotcat.cfg";
	spec.name = (char *)"plotcat";
	spec.text = (char *)"name = \"plotcat\";\n";
	spec.text_hash = bw_hash_str(spec.text);
	spec.ntasks = ntasks;
	spec.tasks = tasks;

	struct bw_catalog *cat = NULL;
	int64_t id = 0;
	int rc = bw_catalog_open(argv[1], 0, &cat);
	if (rc == BW_OK)
		rc = bw_catalog_sweep_begin(cat, &spec, "plotcat-rev", "plotcat-host", 1, "none", NULL, &id);
	if (rc == BW_OK)
		rc = bw_catalog_begin(cat);
	for (size_t i = 0; i < ntasks && rc == BW_OK; i++) {
		struct bw_result r;
		memset(&r, 0, sizeof r);
		r.key = tasks[i].key;
		r.status = BW_RUN_CONVERGED;
		r.success = r.support_recovered = success[i];
		r.rank = 0;
		r.steps = 100;
		r.traj_row = -1;
		r.train_loss = 1e-12;
		r.test_error = success[i] ? 0.01 : 0.5;
		r.R = r.l1 = r.t = 1;
		r.wall_s = 0.01;
		r.eta_used = 0.01;
		r.loss_rate = r.alpha_inf = r.alpha_inf_pred = r.int_loss_dt = NAN;
		rc = bw_catalog_put(cat, id, &r);
	}
	if (rc == BW_OK)
		rc = bw_catalog_commit(cat);
	else
		bw_catalog_rollback(cat);
	if (rc == BW_OK)
		rc = bw_catalog_sweep_end(cat, id, "done");
	bw_catalog_close(cat);
	if (rc != BW_OK) {
		fprintf(stderr, "mkplotcat: %s\n", bw_error_message());
		return 1;
	}
	return 0;
}
