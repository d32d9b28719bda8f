/* instance.c - deterministic, n-nested generation of (Z, w*, y). */
#include "biasweep/instance.h"

#include "biasweep/buf.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/suggest.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const design_names[] = {"rademacher", "gaussian"};
static const char *const wstar_names[] = {"signs", "gaussian"};

const char *bw_design_name(enum bw_design d) { return design_names[d]; }
const char *bw_wstar_name(enum bw_wstar w) { return wstar_names[w]; }

/* the index of s in names[0..2), or an error naming `what` with a suggestion */
static int parse_name(const char *s, const char *const *names, const char *what, int *out)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return BW_OK;
		}
	char hint[96];
	if (*bw_suggest_hint(hint, sizeof hint, s, names, 2))
		return RAISE(BW_EINVAL, "unknown %s '%s'%s", what, s, hint);
	return RAISE(BW_EINVAL, "unknown %s '%s' (expected %s or %s)", what, s, names[0], names[1]);
}

int bw_design_parse(const char *s, enum bw_design *out)
{
	int i = 0;
	CHECK(parse_name(s, design_names, "design", &i));
	*out = (enum bw_design)i;
	return BW_OK;
}

int bw_wstar_parse(const char *s, enum bw_wstar *out)
{
	int i = 0;
	CHECK(parse_name(s, wstar_names, "w* distribution", &i));
	*out = (enum bw_wstar)i;
	return BW_OK;
}

int bw_instance_spec_check(const struct bw_instance_spec *s)
{
	if (s->d < 1)
		return RAISE(BW_EINVAL, "'d' must be >= 1");
	if (s->n < 1)
		return RAISE(BW_EINVAL, "'n' must be >= 1");
	if (s->kappa < 1)
		return RAISE(BW_EINVAL, "'kappa' must be >= 1");
	if (s->kappa > s->d)
		return RAISE(BW_EINVAL, "'kappa' (%zu) must be <= 'd' (%zu)", s->kappa, s->d);
	if ((double)s->n * (double)s->d > 4e9)
		return RAISE(BW_EINVAL, "n*d = %.3g entries is too large for one instance", (double)s->n * (double)s->d);
	return BW_OK;
}

uint64_t bw_instance_seed(const struct bw_instance_spec *s)
{
	return bw_hash_fmt("bw-instance/1 seed=%" PRIu64 " design=%s d=%zu kappa=%zu wstar=%s index=%" PRIu32,
			   s->sweep_seed, bw_design_name(s->design), s->d, s->kappa,
			   bw_wstar_name(s->wstar), s->seed_index);
}

size_t bw_instance_bytes(enum bw_design design, size_t n, size_t d)
{
	size_t b = n * d * sizeof(double) + (n + 3 * d) * sizeof(double) + d * sizeof(size_t);
	if (design == BW_DESIGN_RADEMACHER)
		b += n * d;
	return b;
}

void bw_instance_release(struct bw_instance *inst)
{
	BW_FREE_ALL(inst->signs, inst->Z, inst->y, inst->w_star, inst->c, inst->support);
	memset(inst, 0, sizeof *inst);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

int bw_instance_init(struct bw_instance *inst, const struct bw_instance_spec *s)
{
	memset(inst, 0, sizeof *inst);
	CHECK(bw_instance_spec_check(s));
	size_t n = s->n, d = s->d, k = s->kappa;
	inst->spec = *s;
	inst->n = n;
	inst->d = d;
	inst->seed = bw_instance_seed(s);

	inst->Z = malloc(n * d * sizeof(double));
	inst->y = malloc(n * sizeof(double));
	inst->w_star = calloc(d, sizeof(double));
	inst->c = calloc(d, sizeof(double));
	inst->support = malloc(k * sizeof(size_t));
	size_t *all = malloc(d * sizeof(size_t));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (s->design == BW_DESIGN_RADEMACHER)
		inst->signs = malloc(n * d);
	if (!inst->Z || !inst->y || !inst->w_star || !inst->c || !inst->support || !all || !rng ||
	    (s->design == BW_DESIGN_RADEMACHER && !inst->signs)) {
		free(all);
		if (rng)
			gsl_rng_free(rng);
		bw_instance_release(inst);
		return RAISE(BW_ENOMEM, "out of memory for an instance with n=%zu d=%zu", n, d);
	}
	gsl_rng_set(rng, bw_seed32(inst->seed));

	/* 1. w*: support, then values in support order. */
	for (size_t j = 0; j < d; j++)
		all[j] = j;
	gsl_ran_choose(rng, inst->support, k, all, d, sizeof(size_t));
	qsort(inst->support, k, sizeof(size_t), cmp_size);
	free(all);
	for (size_t a = 0; a < k; a++) {
		double val;
		if (s->wstar == BW_WSTAR_SIGNS)
			val = (gsl_rng_get(rng) & 1u) ? 1.0 : -1.0;
		else
			val = gsl_ran_gaussian_ziggurat(rng, 1.0);
		inst->w_star[inst->support[a]] = val;
	}
	double nrm = 0;
	for (size_t a = 0; a < k; a++)
		nrm += inst->w_star[inst->support[a]] * inst->w_star[inst->support[a]];
	inst->wstar_norm = sqrt(nrm);

	/* 2. rows in order: row i depends only on the draws before it. */
	for (size_t i = 0; i < n; i++) {
		double *zi = inst->Z + i * d;
		if (s->design == BW_DESIGN_RADEMACHER) {
			int8_t *si = inst->signs + i * d;
			unsigned long word = 0;
			for (size_t j = 0; j < d; j++) {
				if (j % 32 == 0)
					word = gsl_rng_get(rng);
				si[j] = (word >> (j % 32)) & 1u ? 1 : -1;
				zi[j] = si[j];
			}
		} else {
			for (size_t j = 0; j < d; j++)
				zi[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		}
	}
	gsl_rng_free(rng);

	/* 3. y = Z w* (sum over the support only: exact for +-1 entries). */
	for (size_t i = 0; i < n; i++) {
		double acc = 0;
		for (size_t a = 0; a < k; a++)
			acc += inst->Z[i * d + inst->support[a]] * inst->w_star[inst->support[a]];
		inst->y[i] = acc;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			inst->c[j] += inst->Z[i * d + j] * inst->Z[i * d + j];
	return BW_OK;
}
