/* test_shard.c - the LPT split into Slurm shards (src/sweep/shard.c): for
 * several specs and shard counts, every task (and every n-search) is in
 * exactly one shard, so the union of the shards is exactly the unsharded
 * grid; indices come out ascending; each shard is the one a brute-force
 * reimplementation of shard.h's rule gives (items by descending cost, ties by
 * key, each to the least-loaded shard, ties to the lowest index; searches
 * after the tasks); a small case matches assignments derived by hand; and the
 * shards' estimated loads differ by at most the largest single cost (the
 * invariant of assigning each item to the least-loaded shard). */
#include "biasweep/error.h"
#include "biasweep/shard.h"
#include "biasweep/spec.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static double cost_of(double c) { return c > 0 ? c : 1.0; } /* as shard.c counts it */

/* The oracle: item k's cost and key (which = 0: tasks, 1: searches). */
static const struct bw_spec *oracle_spec;
static int oracle_which;
static double item_cost(size_t k)
{
	return cost_of(oracle_which ? oracle_spec->searches[k].cost : oracle_spec->tasks[k].cost);
}
static uint64_t item_key(size_t k)
{
	return oracle_which ? oracle_spec->searches[k].base.key : oracle_spec->tasks[k].key;
}
static int by_cost_then_key(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	double ca = item_cost(a), cb = item_cost(b);
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return item_key(a) < item_key(b) ? -1 : item_key(a) > item_key(b);
}

/* shard.h's rule by brute force: owner[k] of every task (which = 0) or, after
 * all the tasks are placed, of every search (which = 1).  0 on out of memory. */
static int oracle_owners(const struct bw_spec *s, int which, int count, int *owner)
{
	double *load = calloc((size_t)count, sizeof *load);
	size_t *order = malloc((s->ntasks + s->nsearch + 1) * sizeof *order);
	if (!load || !order) {
		free(load);
		free(order);
		return 0;
	}
	oracle_spec = s;
	for (int w = 0; w <= which; w++) {
		size_t len = w ? s->nsearch : s->ntasks;
		oracle_which = w;
		for (size_t k = 0; k < len; k++)
			order[k] = k;
		qsort(order, len, sizeof *order, by_cost_then_key);
		for (size_t r = 0; r < len; r++) {
			int best = count - 1;
			for (int i = count - 2; i >= 0; i--) /* the lowest index among the least loaded */
				if (load[i] <= load[best])
					best = i;
			load[best] += item_cost(order[r]);
			if (w == which)
				owner[order[r]] = best;
		}
	}
	free(load);
	free(order);
	return 1;
}

/* which = 0: tasks, 1: searches. */
static size_t do_shard(const struct bw_spec *s, int which, int i, int n, int32_t *out)
{
	return which ? bw_spec_shard_searches(s, i, n, out) : bw_spec_shard(s, i, n, out);
}

static void check_split(const char *what, const struct bw_spec *s, int count)
{
	size_t len[2] = {s->ntasks, s->nsearch};
	double *load = calloc((size_t)count, sizeof *load);
	double maxcost = 0;
	for (int which = 0; which < 2; which++) {
		size_t nitems = len[which];
		int *owner = malloc((nitems ? nitems : 1) * sizeof *owner);
		int32_t *idx = malloc((nitems ? nitems : 1) * sizeof *idx);
		int *want = malloc((nitems ? nitems : 1) * sizeof *want);
		if (!owner || !idx || !want || !load || (count > 1 && !oracle_owners(s, which, count, want))) {
			TU_CHECK(0, "%s: out of memory", what);
			return;
		}
		for (size_t k = 0; k < nitems; k++) {
			owner[k] = -1;
			if (count <= 1)
				want[k] = 0;
		}
		size_t total = 0;
		int dup = 0, order = 0, range = 0, mismatch = 0;
		for (int i = 0; i < count; i++) {
			size_t m = do_shard(s, which, i, count, idx);
			size_t wanted = 0; /* the oracle's shard i, ascending, against the returned list */
			for (size_t k = 0; k < nitems; k++)
				if (want[k] == i)
					mismatch += wanted >= m || idx[wanted++] != (int32_t)k;
			mismatch += wanted != m;
			total += m;
			for (size_t k = 0; k < m; k++) {
				if (idx[k] < 0 || (size_t)idx[k] >= nitems) {
					range++;
					continue;
				}
				if (k && idx[k] <= idx[k - 1])
					order++;
				if (owner[idx[k]] >= 0)
					dup++;
				owner[idx[k]] = i;
				double c = which ? cost_of(s->searches[idx[k]].cost) : cost_of(s->tasks[idx[k]].cost);
				load[i] += c;
				if (c > maxcost)
					maxcost = c;
			}
		}
		size_t unowned = 0;
		for (size_t k = 0; k < nitems; k++)
			unowned += owner[k] < 0;
		const char *kind = which ? "searches" : "tasks";
		TU_CHECK(!range, "%s, %d shards: %d %s indices out of range", what, count, range, kind);
		TU_CHECK(!dup, "%s, %d shards: %d %s in two shards", what, count, dup, kind);
		TU_CHECK(!unowned, "%s, %d shards: %zu %s in no shard", what, count, unowned, kind);
		TU_CHECK(total == nitems, "%s, %d shards: %zu %s over all shards, the grid has %zu", what, count, total,
			 kind, nitems);
		TU_CHECK(!order, "%s, %d shards: %s indices not ascending (%d times)", what, count, kind, order);
		TU_CHECK(!mismatch, "%s, %d shards: the %s split differs from the brute-force LPT oracle (%d)", what, count,
			 kind, mismatch);
		if (which == 0 && count > 1) { /* the tasks alone are balanced too: they are placed first */
			double lo = load[0], hi = load[0];
			for (int i = 1; i < count; i++) {
				lo = load[i] < lo ? load[i] : lo;
				hi = load[i] > hi ? load[i] : hi;
			}
			TU_CHECK(hi - lo <= maxcost * (1 + 1e-12), "%s, %d shards: task loads %.6g..%.6g differ by more "
				 "than the largest task cost %.6g", what, count, lo, hi, maxcost);
		}
		free(owner);
		free(idx);
		free(want);
	}
	if (count > 1) {
		double lo = load[0], hi = load[0];
		for (int i = 1; i < count; i++) {
			lo = load[i] < lo ? load[i] : lo;
			hi = load[i] > hi ? load[i] : hi;
		}
		TU_CHECK(hi - lo <= maxcost * (1 + 1e-12),
			 "%s, %d shards: loads %.6g..%.6g differ by more than the largest cost %.6g", what, count, lo, hi,
			 maxcost);
	}
	/* count <= 1 is the whole grid, in order */
	if (count == 1) {
		int32_t *idx = malloc((s->ntasks ? s->ntasks : 1) * sizeof *idx);
		size_t m = idx ? bw_spec_shard(s, 0, 1, idx) : 0;
		int ok = m == s->ntasks;
		for (size_t k = 0; ok && k < m; k++)
			ok = idx[k] == (int32_t)k;
		TU_CHECK(ok, "%s: one shard is the whole grid in order", what);
		free(idx);
	}
	free(load);
}

static void check_spec(const char *what, struct bw_spec *s)
{
	static const int counts[] = {1, 2, 3, 4, 5, 7, 16, 64};
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
		check_split(what, s, counts[c]);
	/* more shards than tasks: some are empty, the partition still holds */
	if (s->ntasks + s->nsearch <= 300)
		check_split(what, s, (int)(s->ntasks + s->nsearch + 3));
}

/* A hand-made grid: tasks of cost 7 5 4 3 3 2 1 (keys ascending), then two
 * searches of cost 6 and 1.  Derived by hand:
 *   3 shards: 7->0 (loads 7 0 0), 5->1 (7 5 0), 4->2 (7 5 4), 3->2 (7 5 7), 3->1 (7 8 7),
 *             2->0 (tie 7 7: the lowest index; 9 8 7), 1->2 (9 8 8);
 *             searches 6->1 (tie 8 8: 9 14 8), 1->2 (9 14 9).
 *   2 shards: 7->0, 5->1, 4->1 (7 9), 3->0 (10 9), 3->1 (10 12), 2->0 (12 12), 1->0 (tie: 13 12);
 *             searches 6->1 (13 18), 1->0. */
static void check_by_hand(void)
{
	static const double task_cost[] = {7, 5, 4, 3, 3, 2, 1};
	struct bw_task tasks[7];
	struct bw_search searches[2];
	memset(tasks, 0, sizeof tasks);
	memset(searches, 0, sizeof searches);
	for (int k = 0; k < 7; k++) {
		tasks[k].cost = task_cost[k];
		tasks[k].key = (uint64_t)k + 1;
	}
	searches[0].cost = 6;
	searches[1].cost = 1;
	struct bw_spec s;
	memset(&s, 0, sizeof s);
	s.ntasks = 7;
	s.tasks = tasks;
	s.nsearch = 2;
	s.searches = searches;
	static const int32_t want3[3][4] = {{0, 5, -1}, {1, 4, -1}, {2, 3, 6, -1}};
	static const int32_t want3s[3][2] = {{-1}, {0, -1}, {1, -1}};
	static const int32_t want2[2][5] = {{0, 3, 5, 6, -1}, {1, 2, 4, -1}};
	static const int32_t want2s[2][2] = {{1, -1}, {0, -1}};
	int32_t idx[8];
	for (int count = 2; count <= 3; count++)
		for (int i = 0; i < count; i++) {
			const int32_t *w = count == 3 ? want3[i] : want2[i];
			const int32_t *ws = count == 3 ? want3s[i] : want2s[i];
			size_t m = bw_spec_shard(&s, i, count, idx), k = 0;
			int ok = 1;
			for (; w[k] >= 0; k++)
				ok &= k < m && idx[k] == w[k];
			TU_CHECK(ok && m == k, "by hand, %d shards: tasks of shard %d", count, i);
			m = bw_spec_shard_searches(&s, i, count, idx);
			ok = 1;
			for (k = 0; ws[k] >= 0; k++)
				ok &= k < m && idx[k] == ws[k];
			TU_CHECK(ok && m == k, "by hand, %d shards: searches of shard %d", count, i);
		}
}

int main(void)
{
	check_by_hand();
	static const char *const files[] = {"jobs/smoke.cfg", "jobs/default.cfg", "jobs/paper.cfg"};
	const char *root = getenv("SOURCE_ROOT");
	char path[4096];
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		struct bw_spec s;
		snprintf(path, sizeof path, "%s/%s", root ? root : ".", files[f]);
		int rc = bw_spec_load(path, &s);
		TU_CHECK(rc == BW_OK, "%s: %s", files[f], bw_error_message());
		if (rc != BW_OK)
			continue;
		check_spec(files[f], &s);
		bw_spec_release(&s);
	}
	/* a grid of very unequal costs, and one with n-searches next to plain tasks */
	static const char *const texts[] = {
		"name = \"mixed\";\nd = [10, 40, 160];\nn = [8, 16, 32];\nkappa = [1, 2];\nseeds = 3;\n"
		"algorithms = { gd = { steps = [100, 10000]; }; riemannian_flow = { time = 5.0; }; };\n",
		"name = \"search\";\nd = [20, 60];\nkappa = 2;\nseeds = 4;\nalgorithms = {\n"
		"  gd = { n = { search = [2, 60]; resolution = 2; }; steps = 1000; };\n"
		"  riemannian_flow = { n = [10, 20]; time = 5.0; }; };\n",
	};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		struct bw_spec s;
		int rc = bw_spec_load_string("t.cfg", texts[t], &s);
		TU_CHECK(rc == BW_OK, "spec %zu: %s", t, bw_error_message());
		if (rc != BW_OK)
			continue;
		TU_CHECK(s.ntasks > 0, "spec %zu has tasks", t);
		if (t == 1)
			TU_CHECK(s.nsearch > 0, "spec %zu has searches (%zu)", t, s.nsearch);
		check_spec(t ? "search spec" : "mixed spec", &s);
		bw_spec_release(&s);
	}
	return tu_summary("test_shard");
}
