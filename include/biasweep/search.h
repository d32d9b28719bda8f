/* search.h - bisection of one seed's success threshold in n.
 *
 * Instances are nested in n, so for one seed success is (nearly) a threshold:
 * fails below some n0, succeeds from n0 on.  The bisection probes hi first
 * (a failure there means n0 > hi: censored), then lo (a success means
 * n0 <= lo), then the midpoint of the bracket (largest failing n, smallest
 * succeeding n) until its width is <= resolution.  The threshold is then
 * the smallest succeeding n probed.
 *
 * Non-monotone seeds (a noisy dynamics may succeed at some n and fail at a
 * larger one) are not detected by bisection: it returns a crossing inside
 * [lo, hi] (a failing n next to a succeeding one within the resolution), not
 * necessarily the smallest n that succeeds.  `biasweep curve` reports how
 * many seeds' probes are non-monotone.  Pure C, no allocation.
 */
#ifndef BIASWEEP_SEARCH_H
#define BIASWEEP_SEARCH_H

struct bw_bisect {
	long lo, hi, resolution;
	long fail_n;  /* largest n known to fail (lo - 1: none) */
	long succ_n;  /* smallest n known to succeed (hi + 1: none) */
	int probes, done;
};

void bw_bisect_init(struct bw_bisect *b, long lo, long hi, long resolution);
/* The n to probe next, or -1 when done. */
long bw_bisect_next(const struct bw_bisect *b);
void bw_bisect_update(struct bw_bisect *b, long n, int success);
/* The threshold when done: succ_n, or -1 when even hi fails (n0 > hi). */
long bw_bisect_threshold(const struct bw_bisect *b);
/* An upper bound on the probes: 2 + ceil(log2((hi - lo) / resolution)). */
int bw_bisect_max_probes(long lo, long hi, long resolution);

#endif
