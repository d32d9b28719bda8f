/* refhash.h - an independent reference of the hash behind seeds and keys
 * (hash.h: FNV-1a 64 over the bytes, then the SplitMix64 finalizer), written
 * from the published algorithms and not from src/util/hash.c: the FNV prime
 * 2^40 + 2^8 + 0xb3 is applied as shifts and adds, and the finalizer is one
 * output of Vigna's splitmix64.c generator.  tests/util/test_hash.c checks it
 * against the published test vectors of both; the other tests use it as the
 * oracle for keys and seeds computed from documented canonical strings
 * (ref_instance_seed, ref_noise_seed: the strings of instance.h and
 * dynamics.c, with the names spelled here, not taken from the library). */
#ifndef BIASWEEP_REFHASH_H
#define BIASWEEP_REFHASH_H

#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* FNV-1a 64 (draft-eastlake-fnv): offset basis 14695981039346656037. */
static inline uint64_t ref_fnv1a64(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint64_t)(unsigned char)s[i];
		h += (h << 1) + (h << 4) + (h << 5) + (h << 7) + (h << 8) + (h << 40); /* h *= 1099511628211 */
	}
	return h;
}

/* splitmix64.c: the generator's state advances by the golden gamma, then is
 * mixed; ref_splitmix_next(&x) is the next output of the generator seeded x. */
static inline uint64_t ref_splitmix_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The finalizer alone: the output of a generator whose state, once advanced, is x. */
static inline uint64_t ref_mix64(uint64_t x)
{
	uint64_t state = x - 0x9e3779b97f4a7c15ULL;
	return ref_splitmix_next(&state);
}

/* bw_hash_str's contract: the finalizer of FNV-1a 64 of the string's bytes. */
static inline uint64_t ref_hash_str(const char *s)
{
	size_t len = 0;
	while (s[len])
		len++;
	return ref_mix64(ref_fnv1a64(s, len));
}

/* instance.h: "bw-instance/1 seed=<sweep_seed> design=<name> d=<d> kappa=<kappa>
 * wstar=<signs|gaussian> index=<seed_index>" */
static inline uint64_t ref_instance_seed(const struct bw_instance_spec *s)
{
	char buf[256];
	snprintf(buf, sizeof buf, "bw-instance/1 seed=%" PRIu64 " design=%s d=%zu kappa=%zu wstar=%s index=%" PRIu32,
		 s->sweep_seed, s->design == BW_DESIGN_GAUSSIAN ? "gaussian" : "rademacher", s->d, s->kappa,
		 s->wstar == BW_WSTAR_GAUSSIAN ? "gaussian" : "signs", s->seed_index);
	return ref_hash_str(buf);
}

/* dynamics.c: "bw-noise/1 instance=<instance seed> algo=<name>" */
static inline uint64_t ref_noise_seed(uint64_t instance_seed, enum bw_algo a)
{
	static const char *const names[] = {"gd", "label_noise_sgd", "sgd", "riemannian_flow", "gaussian_noise_gd"};
	char buf[128];
	snprintf(buf, sizeof buf, "bw-noise/1 instance=%" PRIu64 " algo=%s", instance_seed, names[a]);
	return ref_hash_str(buf);
}

/* dynamics.h, bw_noise_seed_k: "bw-noise/1 instance=<instance seed> algo=<name> noise=<k>" for k != 0 */
static inline uint64_t ref_noise_seed_k(uint64_t instance_seed, enum bw_algo a, uint32_t k)
{
	static const char *const names[] = {"gd", "label_noise_sgd", "sgd", "riemannian_flow"};
	char buf[160];
	snprintf(buf, sizeof buf, "bw-noise/1 instance=%" PRIu64 " algo=%s noise=%" PRIu32, instance_seed, names[a], k);
	return ref_hash_str(buf);
}

#endif
