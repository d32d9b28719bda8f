/* nstar.h - sample complexity n* of one cell from its outcomes (pure C).
 *
 * Input: one observation (n, seed, success) per finished task of a cell (a
 * cell fixes algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch,
 * eps; seeds are the instances, nested in n).  Output:
 *
 * - the success rate at each grid n (tasks, successes, rate = successes/tasks);
 * - n*: the smallest n at which the rate reaches 1/2.  With grid points
 *   n_1 < ... < n_m and rates r_1..r_m, j is the first index with r_j >= 1/2;
 *   n* = n_{j-1} + (1/2 - r_{j-1}) / (r_j - r_{j-1}) (n_j - n_{j-1})
 *   (linear interpolation between the two grid points around the first
 *   crossing).  When r_1 >= 1/2, n* = n_1 and censor = BW_NSTAR_AT_MIN (the
 *   true n* is <= n_1; nothing is extrapolated).  When no r_j reaches 1/2,
 *   n* = NaN and censor = BW_NSTAR_ABOVE_MAX ("> max n"; never invented).
 * - each seed's threshold: the smallest of its grid n from which it succeeds
 *   at every larger grid n it was run at (several outcomes at one (seed, n)
 *   count as a success only when all succeeded); NaN when it fails at its
 *   largest n.  A seed is "monotone" when it also fails at every n below its
 *   threshold (success is exactly a threshold in n); nonmonotone counts the
 *   others.  median_threshold: the median over seeds with NaN as +infinity
 *   (mean of the two middle values for an even count), NaN when the median
 *   is above max n.
 * - the 95% interval [lo, hi]: a percentile bootstrap over seeds.  Each of
 *   B = 2000 resamples draws nseeds seeds with replacement (all outcomes of a
 *   drawn seed, with multiplicity), recomputes the rate at every n the
 *   resample covers and n* as above (NaN counts as +infinity).  With the B
 *   values sorted, lo is the ceil(0.025 B)-th and hi the ceil(0.975 B)-th
 *   smallest (1-based: the 50th and 1950th of 2000).  An infinite bound is
 *   reported as NaN with hi_above_max (or lo_above_max) set.  The generator
 *   is gsl_rng_mt19937 seeded with BW_NSTAR_RNG_SEED afresh for every cell,
 *   so a cell's interval does not depend on which other cells were asked
 *   for.  With fewer than 2 seeds lo = hi = NaN (no interval).  With
 *   opts->interval = BW_NSTAR_NO_INTERVAL there is no bootstrap at all
 *   (lo = hi = NaN, resamples = 0): for callers that need only n*, the
 *   rates and the thresholds, which do not depend on it.
 *
 * With opts->impute (what `biasweep curve` uses), ragged input (seeds run at
 * different n, as an adaptive n-search probes them): each seed's outcome at an n of the union that it did not run is
 * imputed from its threshold (success iff n >= threshold, as instances are
 * nested in n); its own outcomes are kept.  The rate curve, n* and the
 * bootstrap then work on that complete table, so n* is (up to the
 * interpolation) the median of the seeds' thresholds.
 *
 * Line fits (for n* against kappa ln d or d): ordinary least squares
 * (gsl_fit_linear), R^2 = 1 - SSE/SST.
 */
#ifndef BIASWEEP_NSTAR_H
#define BIASWEEP_NSTAR_H

#include <stddef.h>
#include <stdint.h>

#define BW_NSTAR_RESAMPLES 2000
#define BW_NSTAR_LEVEL 0.95
#define BW_NSTAR_RNG_SEED 20240501UL

struct bw_nstar_obs {
	double n;
	int64_t seed; /* identity of the instance family (same seed = same instance, nested in n) */
	int success;  /* 0 or 1 */
};

struct bw_nstar_point {
	double n;
	size_t tasks, successes;
	double rate;
};

struct bw_nstar_seed {
	int64_t seed;
	double threshold; /* NaN: fails at its largest n */
	int monotone;
};

enum bw_nstar_censor { BW_NSTAR_INSIDE = 0, BW_NSTAR_AT_MIN = 1, BW_NSTAR_ABOVE_MAX = 2 };

struct bw_nstar {
	size_t npoints;
	struct bw_nstar_point *points; /* ascending n */
	size_t nseeds;
	struct bw_nstar_seed *seeds;   /* ascending seed */
	double nstar;
	int censor;                    /* enum bw_nstar_censor */
	double lo, hi;                 /* NaN when no interval (fewer than 2 seeds) or above max n */
	int lo_above_max, hi_above_max;
	double median_threshold;       /* NaN when above max n */
	size_t nonmonotone;
	size_t resamples;              /* 0 when no interval was computed */
};

enum bw_nstar_interval { BW_NSTAR_BOOTSTRAP = 0, BW_NSTAR_NO_INTERVAL = 1 };

struct bw_nstar_opts {
	int interval;           /* enum bw_nstar_interval (default the bootstrap) */
	size_t resamples;       /* default BW_NSTAR_RESAMPLES */
	double level;           /* default BW_NSTAR_LEVEL */
	unsigned long rng_seed; /* default BW_NSTAR_RNG_SEED */
	int impute;             /* fill ragged tables from each seed's threshold (default 0: rates
				 * at each n over the seeds that ran it) */
};

/* opts may be NULL (defaults).  BW_EINVAL for nobs == 0 or a non-finite n
 * or success not 0/1; BW_ENOMEM.  *out is owned by the caller until
 * bw_nstar_release (which also accepts a zeroed struct). */
int bw_nstar_estimate(const struct bw_nstar_obs *obs, size_t nobs, const struct bw_nstar_opts *opts,
		      struct bw_nstar *out);
void bw_nstar_release(struct bw_nstar *r);

/* The interpolation alone: n ascending, m >= 1.  Returns n* (or NaN) and sets
 * *censor (may be NULL). */
double bw_nstar_crossing(const double *n, const double *rate, size_t m, double target, int *censor);

struct bw_line_fit {
	size_t npoints;
	double slope, intercept, r2; /* NaN when fewer than 2 points or all x equal; r2 NaN when all y equal */
	double slope_se;             /* standard error of the slope (NaN below 3 points) */
};

/* OLS fit y = intercept + slope x over the pairs with finite x and y. */
int bw_fit_line(const double *x, const double *y, size_t n, struct bw_line_fit *out);

#endif
