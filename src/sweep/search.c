/* search.c - bisection of a per-seed success threshold in n (see search.h). */
#include "biasweep/search.h"

void bw_bisect_init(struct bw_bisect *b, long lo, long hi, long resolution)
{
	b->lo = lo;
	b->hi = hi;
	b->resolution = resolution < 1 ? 1 : resolution;
	b->fail_n = lo - 1;
	b->succ_n = hi + 1;
	b->probes = 0;
	b->done = 0;
}

long bw_bisect_next(const struct bw_bisect *b)
{
	if (b->done)
		return -1;
	if (b->succ_n > b->hi)
		return b->hi; /* first probe: the top of the range */
	if (b->fail_n < b->lo)
		return b->lo; /* second: the bottom */
	return b->fail_n + (b->succ_n - b->fail_n) / 2;
}

void bw_bisect_update(struct bw_bisect *b, long n, int success)
{
	b->probes++;
	if (success) {
		if (n < b->succ_n)
			b->succ_n = n;
	} else if (n > b->fail_n) {
		b->fail_n = n;
	}
	if (b->succ_n > b->hi && b->fail_n >= b->hi)
		b->done = 1; /* hi fails: censored */
	else if (b->succ_n <= b->lo)
		b->done = 1; /* lo succeeds */
	else if (b->succ_n <= b->hi && b->fail_n >= b->lo && b->succ_n - b->fail_n <= b->resolution)
		b->done = 1;
	if (b->fail_n >= b->succ_n)
		b->done = 1; /* non-monotone probes: stop at this crossing */
}

long bw_bisect_threshold(const struct bw_bisect *b)
{
	return b->succ_n <= b->hi ? b->succ_n : -1;
}

int bw_bisect_max_probes(long lo, long hi, long resolution)
{
	int k = 2;
	long width = hi - lo;
	if (resolution < 1)
		resolution = 1;
	while (width > resolution) {
		width = (width + 1) / 2;
		k++;
	}
	return lo == hi ? 1 : k;
}
