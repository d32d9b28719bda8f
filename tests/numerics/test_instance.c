/* test_instance.c - the instance generator against docs/model.md and instance.h:
 *  - y = Z w* and c_j = sum_i z_ij^2, recomputed with plain loops;
 *  - w* is kappa-sparse with +-1 (signs) entries on its ascending support;
 *  - distributions: Rademacher entries +-1 with frequency 1/2, Gaussian
 *    entries with mean 0 and variance 1, support positions uniform, signs
 *    of w* balanced (5-sigma bounds, fixed seeds);
 *  - the documented random stream (instance.h): mt19937 seeded with
 *    bw_seed32(seed), gsl_ran_choose for the support, one draw per support
 *    value, then ceil(d/32) words per Rademacher row with bit j%32 of word
 *    j/32 the sign of z_ij - replayed here from the documentation, so a
 *    change of the stream (which would change every stored instance) fails;
 *  - validation: kappa > d, n < 1, d < 1, kappa < 1 are BW_EINVAL, and
 *    bw_run rejects invalid parameters with BW_EINVAL. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/instance.h"
#include "refhash.h"
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_basic(const struct bw_instance_spec *spec)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "instance");
	size_t n = inst.n, d = inst.d, k = spec->kappa;
	const char *lab = bw_design_name(spec->design);
	TU_CHECK(inst.n == spec->n && inst.d == spec->d && inst.seed == ref_instance_seed(spec), "%s: sizes, seed", lab);
	/* support: ascending, exactly the nonzeros of w* */
	size_t nnz = 0;
	double nrm = 0;
	for (size_t j = 0; j < d; j++)
		if (inst.w_star[j] != 0) {
			TU_CHECK(nnz < k && inst.support[nnz] == j, "%s: support[%zu] = %zu", lab, nnz, j);
			nnz++;
			nrm += inst.w_star[j] * inst.w_star[j];
			if (spec->wstar == BW_WSTAR_SIGNS)
				TU_CHECK(fabs(inst.w_star[j]) == 1.0, "%s: w* entries are +-1", lab);
		}
	TU_CHECK(nnz == k, "%s: w* has %zu nonzeros, kappa = %zu", lab, nnz, k);
	TU_REL(inst.wstar_norm, sqrt(nrm), 1e-14, "||w*||");
	/* y = Z w*, c = column sums of squares */
	double ymax = 0;
	for (size_t i = 0; i < n; i++) {
		long double f = 0;
		for (size_t j = 0; j < d; j++)
			f += (long double)inst.Z[i * d + j] * inst.w_star[j];
		ymax = fmax(ymax, fabs(inst.y[i] - (double)f) / (1 + fabs((double)f)));
	}
	TU_CHECK(ymax < 1e-14, "%s: y = Z w* (max rel err %.3g)", lab, ymax);
	double cmax = 0;
	for (size_t j = 0; j < d; j++) {
		double c = 0;
		for (size_t i = 0; i < n; i++)
			c += inst.Z[i * d + j] * inst.Z[i * d + j];
		cmax = fmax(cmax, fabs(inst.c[j] - c) / c);
		if (spec->design == BW_DESIGN_RADEMACHER)
			TU_CHECK(inst.c[j] == (double)n, "rademacher: c_j = n");
	}
	TU_CHECK(cmax < 1e-13, "%s: c_j = sum_i z_ij^2 (max rel err %.3g)", lab, cmax);
	/* entry distributions */
	double N = (double)(n * d), sum = 0, sum2 = 0;
	if (spec->design == BW_DESIGN_RADEMACHER) {
		TU_CHECK(inst.signs != NULL, "rademacher keeps int8 signs");
		size_t plus = 0, bad = 0;
		for (size_t e = 0; e < n * d; e++) {
			bad += !(inst.Z[e] == 1.0 || inst.Z[e] == -1.0) || inst.signs[e] != (int8_t)inst.Z[e];
			plus += inst.Z[e] > 0;
		}
		TU_CHECK(bad == 0, "rademacher entries are +-1 and match signs (%zu bad)", bad);
		double f = (double)plus / N;
		TU_CHECK(fabs(f - 0.5) < 5 * sqrt(0.25 / N), "rademacher: fraction of +1 is %.4f", f);
	} else {
		TU_CHECK(inst.signs == NULL, "gaussian has no signs");
		for (size_t e = 0; e < n * d; e++) {
			sum += inst.Z[e];
			sum2 += inst.Z[e] * inst.Z[e];
		}
		double mean = sum / N, var = sum2 / N - mean * mean;
		TU_CHECK(fabs(mean) < 5 / sqrt(N), "gaussian: mean %.4f", mean);
		TU_CHECK(fabs(var - 1) < 5 * sqrt(2 / N), "gaussian: variance %.4f", var);
	}
	if (spec->wstar == BW_WSTAR_GAUSSIAN) {
		int all_pm1 = 1;
		for (size_t a = 0; a < k; a++)
			all_pm1 &= fabs(inst.w_star[inst.support[a]]) == 1.0;
		TU_CHECK(!all_pm1, "gaussian w*: entries are not all +-1");
	}
	bw_instance_release(&inst);
}

/* support positions uniform and signs balanced over many seed indices */
static void check_support_law(void)
{
	struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .d = 10, .n = 1, .kappa = 3};
	size_t count[10] = {0}, plus = 0, total = 0;
	const size_t S = 3000;
	for (uint32_t i = 0; i < S; i++) {
		s.seed_index = i;
		struct bw_instance inst;
		bw_instance_init(&inst, &s);
		for (size_t a = 0; a < 3; a++) {
			count[inst.support[a]]++;
			plus += inst.w_star[inst.support[a]] > 0;
			total++;
		}
		bw_instance_release(&inst);
	}
	double p = 0.3, mu = p * (double)S, sd = sqrt((double)S * p * (1 - p));
	size_t worst = 0;
	for (int j = 0; j < 10; j++)
		if (fabs((double)count[j] - mu) > fabs((double)count[worst] - mu))
			worst = (size_t)j;
	TU_CHECK(fabs((double)count[worst] - mu) < 5 * sd, "support positions uniform: coordinate %zu chosen %zu times, "
		 "expected %.0f +- %.0f", worst, count[worst], mu, sd);
	double f = (double)plus / (double)total;
	TU_CHECK(fabs(f - 0.5) < 5 * sqrt(0.25 / (double)total), "w* signs balanced: %.4f positive", f);
}

/* Replays the documented stream for a Rademacher / signs instance. */
static void check_documented_stream(void)
{
	struct bw_instance_spec s = {.design = BW_DESIGN_RADEMACHER, .d = 70, .n = 9, .kappa = 5,
				     .sweep_seed = 3, .seed_index = 11};
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, &s) == 0, "instance");
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, bw_seed32(ref_instance_seed(&s))); /* seed32 checked by hand in test_hash */
	size_t all[70], sup[5];
	for (size_t j = 0; j < 70; j++)
		all[j] = j;
	gsl_ran_choose(rng, sup, 5, all, 70, sizeof(size_t)); /* ascending already */
	int ok = 1, vpol = 0;
	for (size_t a = 0; a < 5; a++) {
		/* one draw per support value; the polarity of the lowest bit is
		 * not documented, so it must only be the same for every entry */
		unsigned long word = gsl_rng_get(rng);
		double x = inst.w_star[sup[a]];
		int p = ((word & 1u) != 0) == (x > 0) ? 1 : -1;
		if (!vpol)
			vpol = p;
		ok &= inst.support[a] == sup[a] && fabs(x) == 1.0 && p == vpol;
	}
	TU_CHECK(ok, "support and w* values from the documented stream");
	/* rows: ceil(d/32) words each, bit j%32 of word j/32; the polarity is
	 * fixed per instance (checked as agreement up to one global sign) */
	int pol = 0, rows_ok = 1;
	for (size_t i = 0; i < s.n; i++) {
		unsigned long word = 0;
		for (size_t j = 0; j < s.d; j++) {
			if (j % 32 == 0)
				word = gsl_rng_get(rng);
			int bit = (word >> (j % 32)) & 1u;
			int z = inst.Z[i * s.d + j] > 0;
			int p = bit == z ? 1 : -1;
			if (!pol)
				pol = p;
			rows_ok &= p == pol;
		}
	}
	TU_CHECK(rows_ok, "Rademacher rows follow the documented word/bit layout");
	gsl_rng_free(rng);
	bw_instance_release(&inst);
}

static void check_validation(void)
{
	struct bw_instance_spec good = {.design = BW_DESIGN_RADEMACHER, .d = 10, .n = 5, .kappa = 2};
	struct bw_instance inst;
	struct bw_instance_spec s;
	TU_CHECK(bw_instance_spec_check(&good) == BW_OK, "valid spec");
	s = good, s.kappa = 11;
	TU_CHECK(bw_instance_spec_check(&s) == BW_EINVAL, "kappa > d rejected");
	TU_CHECK(bw_instance_init(&inst, &s) == BW_EINVAL, "bw_instance_init rejects kappa > d");
	bw_instance_release(&inst); /* a failed init leaves a releasable instance */
	s = good, s.kappa = 10;
	TU_CHECK(bw_instance_spec_check(&s) == BW_OK, "kappa = d accepted");
	s = good, s.kappa = 0;
	TU_CHECK(bw_instance_spec_check(&s) == BW_EINVAL, "kappa = 0 rejected");
	s = good, s.n = 0;
	TU_CHECK(bw_instance_spec_check(&s) == BW_EINVAL, "n = 0 rejected");
	s = good, s.d = 0, s.kappa = 0;
	TU_CHECK(bw_instance_spec_check(&s) == BW_EINVAL, "d = 0 rejected");
	enum bw_design des;
	enum bw_wstar ws;
	enum bw_algo al;
	TU_CHECK(bw_design_parse("gaussian", &des) == BW_OK && des == BW_DESIGN_GAUSSIAN, "parse gaussian");
	TU_CHECK(bw_design_parse("Gaussian", &des) == BW_EINVAL, "design names are exact");
	TU_CHECK(bw_wstar_parse("signs", &ws) == BW_OK && ws == BW_WSTAR_SIGNS, "parse signs");
	TU_CHECK(bw_wstar_parse("", &ws) == BW_EINVAL, "empty wstar rejected");
	const char *an[] = {"gd", "label_noise_sgd", "sgd", "riemannian_flow"};
	for (int a = 0; a < 4; a++)
		TU_CHECK(bw_algo_parse(an[a], &al) == BW_OK && (int)al == a && !strcmp(bw_algo_name(al), an[a]),
			 "algorithm %s round-trips", an[a]);
	TU_CHECK(bw_algo_parse("adam", &al) == BW_EINVAL, "unknown algorithm rejected");

	TU_CHECK(bw_instance_init(&inst, &good) == 0, "instance");
	struct bw_run_params p;
	struct bw_outcome o;
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		bw_run_params_default(&p, (enum bw_algo)a);
		TU_CHECK(bw_run_params_check(&p, &inst.spec) == BW_OK, "%s: defaults are valid", an[a]);
		struct bw_run_params q;
		q = p, q.alpha = 0;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: alpha = 0 rejected", an[a]);
		q = p, q.alpha = -1;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: alpha < 0 rejected", an[a]);
		q = p, q.alpha = NAN;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: alpha NaN rejected", an[a]);
		q = p, q.eta = -1e-3;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: eta < 0 rejected", an[a]);
		q = p, q.tol = 0;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: tol = 0 rejected", an[a]);
		q = p, q.eps = 0;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: eps = 0 rejected", an[a]);
		q = p, q.max_steps = -1;
		TU_CHECK(bw_run(&inst, &q, &o) == BW_EINVAL, "%s: negative step budget rejected", an[a]);
	}
	bw_run_params_default(&p, BW_SGD);
	p.batch = 6;
	TU_CHECK(bw_run(&inst, &p, &o) == BW_EINVAL, "sgd: batch > n rejected");
	p.batch = 0;
	TU_CHECK(bw_run(&inst, &p, &o) == BW_EINVAL, "sgd: batch 0 rejected");
	bw_run_params_default(&p, BW_LABEL_NOISE_SGD);
	p.sigma = 0;
	TU_CHECK(bw_run(&inst, &p, &o) == BW_EINVAL, "label_noise_sgd: sigma = 0 rejected");
	bw_instance_release(&inst);
}

int main(void)
{
	struct bw_instance_spec r = {.design = BW_DESIGN_RADEMACHER, .d = 300, .n = 80, .kappa = 7, .seed_index = 1};
	struct bw_instance_spec g = {.design = BW_DESIGN_GAUSSIAN, .d = 250, .n = 90, .kappa = 6, .seed_index = 2};
	struct bw_instance_spec gg = {
		.design = BW_DESIGN_GAUSSIAN, .wstar = BW_WSTAR_GAUSSIAN, .d = 50, .n = 20, .kappa = 5, .seed_index = 3};
	struct bw_instance_spec rg = {
		.design = BW_DESIGN_RADEMACHER, .wstar = BW_WSTAR_GAUSSIAN, .d = 33, .n = 7, .kappa = 33, .seed_index = 4};
	check_basic(&r);
	check_basic(&g);
	check_basic(&gg);
	check_basic(&rg);
	check_support_law();
	check_documented_stream();
	check_validation();
	return tu_summary("test_instance");
}
