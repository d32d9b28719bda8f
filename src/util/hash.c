/* hash.c - FNV-1a 64 + SplitMix64 finalizer (see hash.h). */
#include "biasweep/hash.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint64_t bw_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t bw_hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return bw_mix64(h);
}

uint64_t bw_hash_str(const char *s) { return bw_hash_bytes(s, strlen(s)); }

uint64_t bw_hash_fmt(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return bw_hash_str(buf);
}

unsigned long bw_seed32(uint64_t h)
{
	unsigned long s = (unsigned long)((h ^ (h >> 32)) & 0xffffffffULL);
	return s ? s : 0x9e3779b9UL;
}
