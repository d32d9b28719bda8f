/* refhash.h - an independent reference of the hash behind seeds and keys
 * (hash.h: FNV-1a 64 over the bytes, then the SplitMix64 finalizer), written
 * from the published algorithms and not from src/util/hash.c: the FNV prime
 * 2^40 + 2^8 + 0xb3 is applied as shifts and adds, and the finalizer is one
 * output of Vigna's splitmix64.c generator.  tests/util/test_hash.c checks it
 * against the published test vectors of both; the other tests use it as the
 * oracle for keys and seeds computed from documented canonical strings. */
#ifndef BIASWEEP_REFHASH_H
#define BIASWEEP_REFHASH_H

#include <stddef.h>
#include <stdint.h>

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

#endif
