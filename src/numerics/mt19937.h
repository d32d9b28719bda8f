/* mt19937.h - the Mersenne Twister MT19937 as inline code, the same stream
 * as GSL's gsl_rng_mt19937 (seeding by gsl_rng_set included) and the same
 * integers as gsl_rng_uniform_int on it, for the SGD loops (sgd.c), which
 * draw two numbers per step: through GSL each is an indirect call into the
 * shared library, and gsl_rng_uniform_int divides by range / n every time.
 * tests/numerics/test_mt19937 checks both against GSL itself. */
#ifndef BW_MT19937_H
#define BW_MT19937_H

#include <stdint.h>

enum { BW_MT_N = 624, BW_MT_M = 397 };

struct bw_mt {
	uint32_t mt[BW_MT_N];
	int mti;
};

/* gsl_rng_set(r, s) of gsl_rng_mt19937: seed 0 means 4357; the state is
 * refilled at the first draw. */
static inline void bw_mt_seed(struct bw_mt *m, uint32_t s)
{
	if (s == 0)
		s = 4357;
	m->mt[0] = s;
	for (int i = 1; i < BW_MT_N; i++)
		m->mt[i] = 1812433253u * (m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) + (uint32_t)i;
	m->mti = BW_MT_N;
}

/* the next 624 words at once (the reference generator's block step) */
static inline void bw_mt_refill(struct bw_mt *m)
{
#define BW_MT_TWIST(a, b, c) ((c) ^ ((((a)&0x80000000u) | ((b)&0x7fffffffu)) >> 1) ^ (((b)&1u) ? 0x9908b0dfu : 0u))
	uint32_t *mt = m->mt;
	int k = 0;
	for (; k < BW_MT_N - BW_MT_M; k++)
		mt[k] = BW_MT_TWIST(mt[k], mt[k + 1], mt[k + BW_MT_M]);
	for (; k < BW_MT_N - 1; k++)
		mt[k] = BW_MT_TWIST(mt[k], mt[k + 1], mt[k + BW_MT_M - BW_MT_N]);
	mt[BW_MT_N - 1] = BW_MT_TWIST(mt[BW_MT_N - 1], mt[0], mt[BW_MT_M - 1]);
#undef BW_MT_TWIST
	m->mti = 0;
}

/* gsl_rng_get: 32 random bits */
static inline uint32_t bw_mt_get(struct bw_mt *m)
{
	if (m->mti >= BW_MT_N)
		bw_mt_refill(m);
	uint32_t y = m->mt[m->mti++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

/* gsl_rng_uniform_int(r, n) for 1 <= n <= 2^32 - 1, given scale = (2^32 - 1) / n
 * (hoisted out of a loop over draws with the same n) */
static inline uint32_t bw_mt_uniform_scaled(struct bw_mt *m, uint32_t n, uint32_t scale)
{
	uint32_t k;
	do
		k = bw_mt_get(m) / scale;
	while (k >= n);
	return k;
}

static inline uint32_t bw_mt_uniform_int(struct bw_mt *m, uint32_t n)
{
	return bw_mt_uniform_scaled(m, n, 0xffffffffu / n);
}

#endif
