/* test_mt19937.c - the inline MT19937 of the SGD loops (src/numerics/mt19937.h)
 * is GSL's gsl_rng_mt19937: the same 32-bit words after gsl_rng_set for
 * seeds at the edges (0, which GSL maps to 4357, 1, 2^32 - 1) and others,
 * over many refills of the 624-word state, and the same integers as
 * gsl_rng_uniform_int for n from 1 to 2^32 - 1 (where the rejection loop
 * rejects: n = 3, 2^31 + 1, 2^32 - 1), interleaved with plain draws as the
 * SGD loop does.  The oracle is GSL itself, the library the runs used before. */
#include "testutil.h"
#include "../../src/numerics/mt19937.h"

#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdlib.h>

int main(void)
{
	const uint32_t seeds[] = {0, 1, 4357, 5489, 0x9e3779b9u, 0x7fffffffu, 0x80000000u, 0xffffffffu, 123456789u};
	const uint32_t ns[] = {1, 2, 3, 7, 11, 250, 1000, 65537, 0x80000001u, 0xfffffffeu, 0xffffffffu};
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	TU_CHECK(g != NULL, "gsl_rng_alloc");
	if (!g)
		return tu_summary("test_mt19937");
	struct bw_mt *m = malloc(sizeof *m);
	for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++) {
		gsl_rng_set(g, seeds[si]);
		bw_mt_seed(m, seeds[si]);
		long bad = 0, first = -1;
		for (long i = 0; i < 100000; i++) { /* 160 refills */
			uint32_t want = (uint32_t)gsl_rng_get(g), got = bw_mt_get(m);
			if (got != want && !bad++)
				first = i;
		}
		TU_CHECK(bad == 0, "seed %" PRIu32 ": %ld of 100000 words differ from GSL's, the first at %ld", seeds[si],
			 bad, first);
		for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
			uint32_t n = ns[ni], scale = 0xffffffffu / n;
			long ibad = 0;
			for (long i = 0; i < 20000; i++) {
				/* as the label-noise loop: one plain word, then one index */
				ibad += (uint32_t)gsl_rng_get(g) != bw_mt_get(m);
				uint32_t want = (uint32_t)gsl_rng_uniform_int(g, n);
				uint32_t got = i & 1 ? bw_mt_uniform_int(m, n) : bw_mt_uniform_scaled(m, n, scale);
				ibad += got != want;
			}
			TU_CHECK(ibad == 0, "seed %" PRIu32 " n %" PRIu32 ": %ld of 40000 draws differ from GSL's", seeds[si],
				 n, ibad);
		}
	}
	free(m);
	gsl_rng_free(g);
	return tu_summary("test_mt19937");
}
