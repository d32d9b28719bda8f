/* hash.h - the stable 64-bit hash behind instance seeds and task keys.
 *
 * bw_hash_str is FNV-1a 64 over the bytes of a string, finished with the
 * SplitMix64 mixer.  Seeds and keys are hashes of documented canonical
 * strings (instance.c, dynamics.c, spec.c's bw_task_canonical), so they are
 * stable across machines, rank counts, orders and versions of the compiler.
 * bw_hash_fmt formats into 1024 bytes: a longer string would be hashed cut
 * short, so canonical strings are kept under BW_TASK_CANONICAL_MAX (512).
 */
#ifndef BIASWEEP_HASH_H
#define BIASWEEP_HASH_H
#include <stddef.h>
#include <stdint.h>

uint64_t bw_mix64(uint64_t x);
uint64_t bw_hash_bytes(const void *p, size_t len);
uint64_t bw_hash_str(const char *s);
/* printf-style: hash of the formatted canonical string */
uint64_t bw_hash_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Seed for a 32-bit-seeded GSL generator: both halves folded. Never 0. */
unsigned long bw_seed32(uint64_t h);

#endif
