/* nstar.c - n*, its bootstrap interval over seeds, per-seed thresholds, and
 * line fits (see nstar.h for the exact definitions). */
#include "biasweep/nstar.h"

#include "biasweep/buf.h"
#include "biasweep/error.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

double bw_nstar_crossing(const double *n, const double *rate, size_t m, double target, int *censor)
{
	for (size_t j = 0; j < m; j++) {
		if (!(rate[j] >= target))
			continue;
		if (j == 0) {
			if (censor)
				*censor = BW_NSTAR_AT_MIN;
			return n[0];
		}
		if (censor)
			*censor = BW_NSTAR_INSIDE;
		/* rate[j-1] < target <= rate[j] */
		return n[j - 1] + (target - rate[j - 1]) / (rate[j] - rate[j - 1]) * (n[j] - n[j - 1]);
	}
	if (censor)
		*censor = BW_NSTAR_ABOVE_MAX;
	return NAN;
}

/* For a numeric type T: cmp_NAME (the qsort order), find_NAME (the index of x
 * in the sorted distinct array v[0..m)) and distinct_NAME (sorts v[0..m) and
 * keeps one of each value; returns the count). */
#define SORTED_SET(NAME, T)                                                     \
	static int cmp_##NAME(const void *a, const void *b)                     \
	{                                                                       \
		T x = *(const T *)a, y = *(const T *)b;                         \
		return (x > y) - (x < y);                                       \
	}                                                                       \
	static size_t find_##NAME(const T *v, size_t m, T x)                    \
	{                                                                       \
		size_t lo = 0, hi = m;                                          \
		while (lo < hi) {                                               \
			size_t mid = lo + (hi - lo) / 2;                        \
			if (v[mid] < x)                                         \
				lo = mid + 1;                                   \
			else                                                    \
				hi = mid;                                       \
		}                                                               \
		return lo;                                                      \
	}                                                                       \
	static size_t distinct_##NAME(T *v, size_t m)                           \
	{                                                                       \
		size_t k = 0;                                                   \
		qsort(v, m, sizeof *v, cmp_##NAME);                             \
		for (size_t i = 0; i < m; i++)                                  \
			if (!k || v[i] != v[k - 1])                             \
				v[k++] = v[i];                                  \
		return k;                                                       \
	}

SORTED_SET(double, double)
SORTED_SET(i64, int64_t)
#undef SORTED_SET

/* x with NaN read as +infinity, for order statistics */
static double nan_as_inf(double x) { return isnan(x) ? INFINITY : x; }

/* n* from per-(seed, n) counts summed over a multiset of seeds */
static double crossing_from_counts(const double *grid, size_t m, const size_t *tasks, const size_t *succ,
				   double *xn, double *xr)
{
	size_t k = 0;
	for (size_t j = 0; j < m; j++)
		if (tasks[j]) {
			xn[k] = grid[j];
			xr[k] = (double)succ[j] / (double)tasks[j];
			k++;
		}
	return k ? bw_nstar_crossing(xn, xr, k, 0.5, NULL) : NAN;
}

void bw_nstar_release(struct bw_nstar *r)
{
	if (!r)
		return;
	BW_FREE_ALL(r->points, r->seeds);
	memset(r, 0, sizeof *r);
}

static int estimate_complete(const struct bw_nstar_obs *obs, size_t nobs, const struct bw_nstar_opts *opts,
			     struct bw_nstar *out)
{
	size_t B = opts && opts->resamples ? opts->resamples : BW_NSTAR_RESAMPLES;
	double level = opts && opts->level > 0 && opts->level < 1 ? opts->level : BW_NSTAR_LEVEL;
	unsigned long rng_seed = opts && opts->rng_seed ? opts->rng_seed : BW_NSTAR_RNG_SEED;
	int rc = BW_OK;

	memset(out, 0, sizeof *out);
	out->nstar = out->lo = out->hi = out->median_threshold = NAN;
	if (!nobs)
		return RAISE(BW_EINVAL, "n*: no outcomes");
	for (size_t i = 0; i < nobs; i++)
		if (!isfinite(obs[i].n) || (obs[i].success != 0 && obs[i].success != 1))
			return RAISE(BW_EINVAL, "n*: observation %zu has n = %g, success = %d", i, obs[i].n,
				     obs[i].success);

	double *grid = malloc(nobs * sizeof *grid);
	int64_t *sid = malloc(nobs * sizeof *sid);
	if (!grid || !sid) {
		free(grid);
		free(sid);
		return RAISE(BW_ENOMEM, "n*: out of memory");
	}
	for (size_t i = 0; i < nobs; i++) {
		grid[i] = obs[i].n;
		sid[i] = obs[i].seed;
	}
	size_t m = distinct_double(grid, nobs), S = distinct_i64(sid, nobs);

	/* per (seed, n) counts: row s, column j */
	size_t *ct = calloc(S * m, sizeof *ct), *cs = calloc(S * m, sizeof *cs);
	size_t *tasks = calloc(m, sizeof *tasks), *succ = calloc(m, sizeof *succ);
	double *xn = malloc(m * sizeof *xn), *xr = malloc(m * sizeof *xr);
	double *boot = NULL;
	gsl_rng *rng = NULL;
	out->points = calloc(m, sizeof *out->points);
	out->seeds = calloc(S, sizeof *out->seeds);
	if (!ct || !cs || !tasks || !succ || !xn || !xr || !out->points || !out->seeds) {
		rc = RAISE(BW_ENOMEM, "n*: out of memory");
		goto done;
	}
	for (size_t i = 0; i < nobs; i++) {
		size_t j = find_double(grid, m, obs[i].n), s = find_i64(sid, S, obs[i].seed);
		ct[s * m + j]++;
		cs[s * m + j] += (size_t)obs[i].success;
	}

	/* the rate curve and n* */
	out->npoints = m;
	for (size_t s = 0; s < S; s++)
		for (size_t j = 0; j < m; j++) {
			tasks[j] += ct[s * m + j];
			succ[j] += cs[s * m + j];
		}
	for (size_t j = 0; j < m; j++) {
		out->points[j].n = grid[j];
		out->points[j].tasks = tasks[j];
		out->points[j].successes = succ[j];
		out->points[j].rate = (double)succ[j] / (double)tasks[j];
		xn[j] = grid[j];
		xr[j] = out->points[j].rate;
	}
	out->nstar = bw_nstar_crossing(xn, xr, m, 0.5, &out->censor);

	/* per-seed thresholds */
	out->nseeds = S;
	double *thr = malloc(S * sizeof *thr);
	if (!thr) {
		rc = RAISE(BW_ENOMEM, "n*: out of memory");
		goto done;
	}
	for (size_t s = 0; s < S; s++) {
		struct bw_nstar_seed *sd = &out->seeds[s];
		const size_t *t = ct + s * m, *c = cs + s * m;
		sd->seed = sid[s];
		sd->threshold = NAN;
		sd->monotone = 1;
		/* scan from the largest n down through the trailing successes */
		size_t j = m, first = m;
		while (j-- > 0) {
			if (!t[j])
				continue;
			if (c[j] != t[j])
				break;
			first = j;
		}
		if (first < m)
			sd->threshold = grid[first];
		/* below the threshold (or everywhere when NaN) every grid n must fail */
		size_t below = first < m ? first : m;
		for (size_t k = 0; k < below; k++)
			if (t[k] && c[k] > 0)
				sd->monotone = 0;
		if (!sd->monotone)
			out->nonmonotone++;
		thr[s] = nan_as_inf(sd->threshold);
	}
	qsort(thr, S, sizeof *thr, cmp_double);
	{
		double med = S % 2 ? thr[S / 2] : 0.5 * (thr[S / 2 - 1] + thr[S / 2]);
		out->median_threshold = isinf(med) ? NAN : med;
	}
	free(thr);

	/* percentile bootstrap over seeds */
	if (S >= 2 && !(opts && opts->interval == BW_NSTAR_NO_INTERVAL)) {
		boot = malloc(B * sizeof *boot);
		rng = gsl_rng_alloc(gsl_rng_mt19937);
		if (!boot || !rng) {
			rc = RAISE(BW_ENOMEM, "n*: out of memory");
			goto done;
		}
		gsl_rng_set(rng, rng_seed);
		for (size_t b = 0; b < B; b++) {
			memset(tasks, 0, m * sizeof *tasks);
			memset(succ, 0, m * sizeof *succ);
			for (size_t k = 0; k < S; k++) {
				size_t s = (size_t)gsl_rng_uniform_int(rng, (unsigned long)S);
				for (size_t j = 0; j < m; j++) {
					tasks[j] += ct[s * m + j];
					succ[j] += cs[s * m + j];
				}
			}
			boot[b] = nan_as_inf(crossing_from_counts(grid, m, tasks, succ, xn, xr));
		}
		qsort(boot, B, sizeof *boot, cmp_double);
		double a = 0.5 * (1 - level);
		size_t klo = (size_t)ceil(a * (double)B - 1e-9), khi = (size_t)ceil((1 - a) * (double)B - 1e-9);
		if (klo < 1)
			klo = 1;
		if (khi > B)
			khi = B;
		out->lo = boot[klo - 1];
		out->hi = boot[khi - 1];
		if (isinf(out->lo)) {
			out->lo = NAN;
			out->lo_above_max = 1;
		}
		if (isinf(out->hi)) {
			out->hi = NAN;
			out->hi_above_max = 1;
		}
		out->resamples = B;
	}

done:
	gsl_rng_free(rng);
	free(boot);
	free(grid);
	free(sid);
	free(ct);
	free(cs);
	free(tasks);
	free(succ);
	free(xn);
	free(xr);
	if (rc != BW_OK)
		bw_nstar_release(out);
	return rc;
}

int bw_fit_line(const double *x, const double *y, size_t n, struct bw_line_fit *out)
{
	memset(out, 0, sizeof *out);
	out->slope = out->intercept = out->r2 = out->slope_se = NAN;
	double *xs = malloc((n ? n : 1) * sizeof *xs), *ys = malloc((n ? n : 1) * sizeof *ys);
	if (!xs || !ys) {
		free(xs);
		free(ys);
		return RAISE(BW_ENOMEM, "fit: out of memory");
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			xs[k] = x[i];
			ys[k] = y[i];
			k++;
		}
	out->npoints = k;
	int distinct_x = 0;
	for (size_t i = 1; i < k; i++)
		if (xs[i] != xs[0])
			distinct_x = 1;
	if (k >= 2 && distinct_x) {
		double c0, c1, cov00, cov01, cov11, sumsq;
		gsl_error_handler_t *old = gsl_set_error_handler_off();
		int g = gsl_fit_linear(xs, 1, ys, 1, k, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
		gsl_set_error_handler(old);
		if (g == GSL_SUCCESS) {
			double mean = 0, sst = 0;
			for (size_t i = 0; i < k; i++)
				mean += ys[i];
			mean /= (double)k;
			for (size_t i = 0; i < k; i++)
				sst += (ys[i] - mean) * (ys[i] - mean);
			out->intercept = c0;
			out->slope = c1;
			out->r2 = sst > 0 ? 1 - sumsq / sst : NAN;
			if (k >= 3)
				out->slope_se = sqrt(cov11);
		}
	}
	free(xs);
	free(ys);
	return BW_OK;
}

static int cmp_obs(const void *a, const void *b)
{
	const struct bw_nstar_obs *x = a, *y = b;
	if (x->seed != y->seed)
		return x->seed < y->seed ? -1 : 1;
	return (x->n > y->n) - (x->n < y->n);
}

/* Seeds probed at different n (an adaptive search): each seed's outcome at
 * an n of the union it did not run is read off its threshold (success iff
 * n >= threshold; instances are nested in n), its own outcomes stay. */
int bw_nstar_estimate(const struct bw_nstar_obs *obs, size_t nobs, const struct bw_nstar_opts *opts,
		      struct bw_nstar *out)
{
	if (!nobs || !opts || !opts->impute)
		return estimate_complete(obs, nobs, opts, out);
	struct bw_nstar_obs *o = malloc(nobs * sizeof *o);
	double *grid = malloc(nobs * sizeof *grid);
	int64_t *sid = malloc(nobs * sizeof *sid);
	if (!o || !grid || !sid) {
		free(o);
		free(grid);
		free(sid);
		return RAISE(BW_ENOMEM, "n*: out of memory");
	}
	for (size_t i = 0; i < nobs; i++) {
		o[i] = obs[i];
		grid[i] = obs[i].n;
		sid[i] = obs[i].seed;
	}
	qsort(o, nobs, sizeof *o, cmp_obs);
	qsort(grid, nobs, sizeof *grid, cmp_double);
	qsort(sid, nobs, sizeof *sid, cmp_i64);
	size_t m = distinct_double(grid, nobs), ns = distinct_i64(sid, nobs);
	/* distinct (seed, n) pairs: complete when every seed ran every n */
	size_t pairs = 0;
	for (size_t i = 0; i < nobs; i++)
		if (i == 0 || o[i].seed != o[i - 1].seed || o[i].n != o[i - 1].n)
			pairs++;
	int rc;
	if (pairs == m * ns || !isfinite(grid[0])) {
		rc = estimate_complete(obs, nobs, opts, out);
	} else {
		struct bw_nstar_obs *full = malloc((nobs + m * ns) * sizeof *full);
		size_t len = 0;
		if (!full) {
			rc = RAISE(BW_ENOMEM, "n*: out of memory");
		} else {
			for (size_t a = 0; a < nobs;) { /* one seed at a time (o is sorted by seed, n) */
				size_t b = a;
				while (b < nobs && o[b].seed == o[a].seed)
					b++;
				/* threshold: smallest n from which every larger own n succeeds */
				double thr = NAN;
				for (size_t k = b; k-- > a;) {
					if (!o[k].success)
						break;
					thr = o[k].n;
				}
				size_t k = a;
				for (size_t g = 0; g < m; g++) {
					int own = 0;
					for (; k < b && o[k].n <= grid[g]; k++)
						if (o[k].n == grid[g]) {
							full[len++] = o[k];
							own = 1;
						}
					if (!own)
						full[len++] = (struct bw_nstar_obs){grid[g], o[a].seed,
										   !isnan(thr) && grid[g] >= thr};
				}
				a = b;
			}
			rc = estimate_complete(full, len, opts, out);
			free(full);
		}
	}
	free(o);
	free(grid);
	free(sid);
	return rc;
}
