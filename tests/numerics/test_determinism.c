/* test_determinism.c - reproducibility contracts of the numerics layer:
 *  - the same parameters give bit-identical outcomes (final u, v, w, the
 *    trajectory and every scalar) for every dynamics; a dynamics whose
 *    bw_run reports an error fails the test;
 *  - a run leaves its instance untouched, and the noise stream matters only
 *    for the stochastic dynamics;
 *  - the instance depends only on its spec: seed indices, sweep seeds and
 *    spec fields change it, the algorithm does not, n does not enter the seed,
 *    and the n-row instance is the exact prefix of the (n+1)-row one;
 *  - bw_instance_seed and bw_noise_seed are the hashes of the documented
 *    canonical strings (by refhash.h's independent hash), and the noise seed
 *    differs per algorithm. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/instance.h"
#include "refhash.h"
#include "testutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct bw_checkpoint) == sizeof(long) + 4 * sizeof(double),
	       "struct bw_checkpoint has padding: compare it field by field");

static int same_bits(const void *a, const void *b, size_t len) { return memcmp(a, b, len) == 0; }

/* Bitwise equality of two outcomes (everything but the wall time). */
static int same_outcome(const struct bw_outcome *a, const struct bw_outcome *b, char *why, size_t whylen)
{
	size_t d = a->d;
#define SAME(cond, what)                                  \
	do {                                              \
		if (!(cond)) {                            \
			snprintf(why, whylen, "%s", what); \
			return 0;                         \
		}                                         \
	} while (0)
	SAME(a->d == b->d && a->status == b->status && a->steps == b->steps, "d, status or steps");
	SAME(a->ntraj == b->ntraj, "number of checkpoints");
	SAME(same_bits(a->u, b->u, d * sizeof(double)), "final u");
	SAME(same_bits(a->v, b->v, d * sizeof(double)), "final v");
	SAME(same_bits(a->w, b->w, d * sizeof(double)), "final w");
	SAME(same_bits(a->traj, b->traj, a->ntraj * sizeof *a->traj), "trajectory");
	const double sa[] = {a->train_loss, a->test_error, a->R, a->l1, a->t, a->eta_used,
			     a->loss_rate, a->alpha_inf, a->alpha_inf_pred, a->int_loss_dt};
	const double sb[] = {b->train_loss, b->test_error, b->R, b->l1, b->t, b->eta_used,
			     b->loss_rate, b->alpha_inf, b->alpha_inf_pred, b->int_loss_dt};
	SAME(same_bits(sa, sb, sizeof sa), "scalar outcome fields");
	SAME(a->support_recovered == b->support_recovered && a->success == b->success, "flags");
	SAME(!strcmp(a->message, b->message), "message");
#undef SAME
	return 1;
}

struct snapshot {
	double *Z, *y, *w_star, *c;
};

static void snap(const struct bw_instance *inst, struct snapshot *s)
{
	size_t n = inst->n, d = inst->d;
	s->Z = malloc(n * d * sizeof(double));
	s->y = malloc(n * sizeof(double));
	s->w_star = malloc(d * sizeof(double));
	s->c = malloc(d * sizeof(double));
	memcpy(s->Z, inst->Z, n * d * sizeof(double));
	memcpy(s->y, inst->y, n * sizeof(double));
	memcpy(s->w_star, inst->w_star, d * sizeof(double));
	memcpy(s->c, inst->c, d * sizeof(double));
}

static int snap_equal(const struct bw_instance *inst, const struct snapshot *s)
{
	size_t n = inst->n, d = inst->d;
	return same_bits(s->Z, inst->Z, n * d * sizeof(double)) && same_bits(s->y, inst->y, n * sizeof(double)) &&
	       same_bits(s->w_star, inst->w_star, d * sizeof(double)) && same_bits(s->c, inst->c, d * sizeof(double));
}

static void snap_free(struct snapshot *s)
{
	free(s->Z);
	free(s->y);
	free(s->w_star);
	free(s->c);
}

static void params_for(struct bw_run_params *p, enum bw_algo a, const struct bw_instance *inst)
{
	bw_run_params_default(p, a);
	p->alpha = 0.5;
	p->noise_seed = bw_noise_seed(inst->seed, a);
	switch (a) {
	case BW_GD:
		p->max_steps = 4000;
		break;
	case BW_SGD:
		p->max_steps = 20000;
		p->batch = 1;
		break;
	case BW_LABEL_NOISE_SGD:
		p->max_steps = 20000;
		p->sigma = 0.5;
		break;
	case BW_RIEMANNIAN_FLOW:
		p->max_time = 2;
		break;
	default:
		break;
	}
}

static void check_runs(const struct bw_instance_spec *spec)
{
	struct bw_instance inst;
	TU_CHECK(bw_instance_init(&inst, spec) == 0, "instance");
	struct snapshot s0;
	snap(&inst, &s0);
	for (int ai = 0; ai < BW_ALGO_COUNT; ai++) {
		enum bw_algo a = (enum bw_algo)ai;
		struct bw_run_params p;
		params_for(&p, a, &inst);
		struct bw_outcome o1, o2;
		int r1 = bw_run(&inst, &p, &o1);
		TU_CHECK(r1 == BW_OK, "%s on %s: bw_run returned %d (%s)", bw_algo_name(a), bw_design_name(spec->design),
			 r1, bw_error_message());
		if (r1 != BW_OK) {
			bw_error_clear();
			continue;
		}
		TU_CHECK(snap_equal(&inst, &s0), "%s: the run left the instance unchanged", bw_algo_name(a));
		int r2 = bw_run(&inst, &p, &o2);
		TU_CHECK(r2 == BW_OK, "%s: second run returned %d", bw_algo_name(a), r2);
		if (r2 != BW_OK) {
			bw_outcome_release(&o1);
			continue;
		}
		char why[64] = "";
		int same = same_outcome(&o1, &o2, why, sizeof why);
		printf("%s on %s: %s after %ld steps, %zu checkpoints, test error %.4g: repeat %s\n", bw_algo_name(a),
		       bw_design_name(spec->design), bw_run_status_name(o1.status), o1.steps, o1.ntraj,
		       o1.test_error, same ? "bit-identical" : why);
		TU_CHECK(same, "%s on %s: two runs differ in %s", bw_algo_name(a), bw_design_name(spec->design), why);
		TU_CHECK(o1.ntraj >= 2 && o1.traj[0].step == 0, "%s: trajectory starts at step 0", bw_algo_name(a));
		bw_outcome_release(&o2);

		/* another noise stream: the stochastic dynamics change, gd does not */
		p.noise_seed ^= 0x5bd1e995ULL;
		r2 = bw_run(&inst, &p, &o2);
		TU_CHECK(r2 == BW_OK, "%s: run with another noise seed", bw_algo_name(a));
		if (r2 == BW_OK) {
			int same2 = same_outcome(&o1, &o2, why, sizeof why);
			if (a == BW_SGD || a == BW_LABEL_NOISE_SGD || a == BW_GAUSSIAN_NOISE_GD)
				TU_CHECK(!same2, "%s: another noise seed gives another run", bw_algo_name(a));
			else
				TU_CHECK(same2, "%s: the noise seed changes a deterministic run (%s)", bw_algo_name(a),
					 why);
			bw_outcome_release(&o2);
		}
		bw_outcome_release(&o1);
	}
	snap_free(&s0);
	bw_instance_release(&inst);
}

static int same_instance(const struct bw_instance *a, const struct bw_instance *b)
{
	return a->n == b->n && a->d == b->d && a->seed == b->seed &&
	       same_bits(a->Z, b->Z, a->n * a->d * sizeof(double)) && same_bits(a->y, b->y, a->n * sizeof(double)) &&
	       same_bits(a->w_star, b->w_star, a->d * sizeof(double)) &&
	       same_bits(a->support, b->support, a->spec.kappa * sizeof(size_t));
}

static void check_instances(void)
{
	struct bw_instance_spec base = {.design = BW_DESIGN_RADEMACHER, .d = 40, .n = 15, .kappa = 3,
					.sweep_seed = 17, .seed_index = 2};
	struct bw_instance a, b;

	/* the documented seed string (refhash.h) */
	for (int des = 0; des < 2; des++)
		for (int ws = 0; ws < 2; ws++) {
			struct bw_instance_spec s = base;
			s.design = (enum bw_design)des;
			s.wstar = (enum bw_wstar)ws;
			TU_CHECK(bw_instance_seed(&s) == ref_instance_seed(&s), "instance seed = hash of its string (%s/%s)",
				 bw_design_name(s.design), bw_wstar_name(s.wstar));
		}

	/* every field of the spec but n changes the instance */
	TU_CHECK(bw_instance_init(&a, &base) == 0, "base instance");
	struct bw_instance_spec v[6];
	for (int k = 0; k < 6; k++)
		v[k] = base;
	v[0].seed_index = 3;
	v[1].sweep_seed = 18;
	v[2].d = 41;
	v[3].kappa = 4;
	v[4].design = BW_DESIGN_GAUSSIAN;
	v[5].wstar = BW_WSTAR_GAUSSIAN;
	const char *names[6] = {"seed index", "sweep seed", "d", "kappa", "design", "wstar"};
	for (int k = 0; k < 6; k++) {
		TU_CHECK(bw_instance_seed(&v[k]) != a.seed, "%s changes the instance seed", names[k]);
		TU_CHECK(bw_instance_init(&b, &v[k]) == 0, "variant %s", names[k]);
		size_t m = (a.d < b.d ? a.d : b.d);
		int zsame = b.d == a.d ? same_bits(a.Z, b.Z, a.n * a.d * sizeof(double)) : 0;
		int wsame = same_bits(a.w_star, b.w_star, m * sizeof(double));
		TU_CHECK(!zsame, "%s changes Z", names[k]);
		TU_CHECK(!wsame, "%s changes w*", names[k]);
		bw_instance_release(&b);
	}
	/* seed indices 0..49 give 50 distinct designs */
	{
		struct bw_instance_spec s = base;
		uint64_t seeds[50];
		uint64_t fps[50];
		int distinct = 1;
		for (uint32_t i = 0; i < 50; i++) {
			s.seed_index = i;
			TU_CHECK(bw_instance_init(&b, &s) == 0, "seed %u", i);
			seeds[i] = b.seed;
			/* a 64-bit fingerprint of Z: the sign pattern of the first 64 entries */
			uint64_t fp = 0;
			for (int e = 0; e < 64; e++)
				fp = (fp << 1) | (b.Z[e] > 0);
			fps[i] = fp;
			for (uint32_t j = 0; j < i; j++)
				if (seeds[j] == seeds[i] || fps[j] == fps[i])
					distinct = 0;
			bw_instance_release(&b);
		}
		TU_CHECK(distinct, "50 seed indices give 50 distinct seeds and designs");
	}

	/* n is not in the seed, and the algorithm never reaches the instance:
	 * re-creating it beside each algorithm's noise seed gives the same bytes */
	{
		struct bw_instance_spec s = base;
		s.n = 16;
		TU_CHECK(bw_instance_seed(&s) == a.seed, "n does not enter the instance seed");
		uint64_t ns[BW_ALGO_COUNT];
		for (int al = 0; al < BW_ALGO_COUNT; al++) {
			TU_CHECK(bw_instance_init(&b, &base) == 0, "instance for %s", bw_algo_name((enum bw_algo)al));
			ns[al] = bw_noise_seed(b.seed, (enum bw_algo)al);
			TU_CHECK(b.seed == ref_instance_seed(&base) && same_instance(&a, &b),
				 "%s sees the same instance", bw_algo_name((enum bw_algo)al));
			bw_instance_release(&b);
			TU_CHECK(ns[al] == ref_noise_seed(a.seed, (enum bw_algo)al), "noise seed of %s = hash of its string",
				 bw_algo_name((enum bw_algo)al));
			for (int k = 0; k < al; k++)
				TU_CHECK(ns[k] != ns[al], "noise seeds of %s and %s differ",
					 bw_algo_name((enum bw_algo)k), bw_algo_name((enum bw_algo)al));
			TU_CHECK(bw_noise_seed(a.seed + 1, (enum bw_algo)al) != ns[al],
				 "the noise seed depends on the instance");
			TU_CHECK(bw_seed32(ns[al]) != bw_seed32(a.seed), "noise and instance streams differ");
		}
		/* the 32-bit GSL seeds differ too */
		for (int al = 0; al < BW_ALGO_COUNT; al++)
			for (int k = 0; k < al; k++)
				TU_CHECK(bw_seed32(ns[k]) != bw_seed32(ns[al]), "32-bit noise seeds of %d and %d differ", k,
					 al);
	}
	bw_instance_release(&a);

	/* nesting in n: both designs, both w* kinds, several n */
	for (int des = 0; des < 2; des++)
		for (int ws = 0; ws < 2; ws++)
			for (size_t n = 1; n <= 33; n += 8) {
				struct bw_instance_spec s = base;
				s.design = (enum bw_design)des;
				s.wstar = (enum bw_wstar)ws;
				s.d = 37; /* not a multiple of 32: rows use a partial word */
				s.n = n;
				struct bw_instance_spec s1 = s;
				s1.n = n + 1;
				TU_CHECK(bw_instance_init(&a, &s) == 0 && bw_instance_init(&b, &s1) == 0, "nested pair");
				size_t d = a.d;
				int ok = a.seed == b.seed && same_bits(a.Z, b.Z, n * d * sizeof(double)) &&
					 same_bits(a.y, b.y, n * sizeof(double)) &&
					 same_bits(a.w_star, b.w_star, d * sizeof(double)) &&
					 same_bits(a.support, b.support, s.kappa * sizeof(size_t));
				if (des == BW_DESIGN_RADEMACHER)
					ok = ok && same_bits(a.signs, b.signs, n * d);
				TU_CHECK(ok, "%s/%s: the n=%zu instance is the prefix of the n=%zu one", bw_design_name(s.design),
					 bw_wstar_name(s.wstar), n, n + 1);
				/* the new row is a fresh one, and c grows by its squares */
				int newrow_differs = memcmp(b.Z + n * d, b.Z + (n - 1) * d, d * sizeof(double)) != 0;
				TU_CHECK(newrow_differs, "row %zu differs from row %zu", n, n - 1);
				double cerr = 0;
				for (size_t j = 0; j < d; j++)
					cerr = fmax(cerr, fabs(b.c[j] - a.c[j] - b.Z[n * d + j] * b.Z[n * d + j]));
				TU_CHECK(cerr < 1e-12, "c(n+1) = c(n) + z_{n+1}^2 (err %.3g)", cerr);
				bw_instance_release(&a);
				bw_instance_release(&b);
				bw_instance_release(&b); /* releasing twice is allowed */
			}
}

int main(void)
{
	struct bw_instance_spec rad = {.design = BW_DESIGN_RADEMACHER, .d = 30, .n = 12, .kappa = 2, .seed_index = 5};
	struct bw_instance_spec gau = {.design = BW_DESIGN_GAUSSIAN, .d = 35, .n = 14, .kappa = 2, .seed_index = 6};
	check_runs(&rad);
	check_runs(&gau);
	check_instances();
	return tu_summary("test_determinism");
}
