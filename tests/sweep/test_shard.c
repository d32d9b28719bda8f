/* test_shard.c - the LPT split into Slurm shards (src/sweep/shard.c): for
 * several specs and shard counts, every task (and every n-search) is in
 * exactly one shard, so the union of the shards is exactly the unsharded
 * grid; indices come out ascending; the split is deterministic; and the
 * shards' estimated loads differ by at most the largest single cost (the
 * invariant of assigning each item to the least-loaded shard). */
#include "biasweep/error.h"
#include "biasweep/shard.h"
#include "biasweep/spec.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static double cost_of(double c) { return c > 0 ? c : 1.0; } /* as shard.c counts it */

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
		int32_t *again = malloc((nitems ? nitems : 1) * sizeof *again);
		if (!owner || !idx || !again || !load) {
			TU_CHECK(0, "%s: out of memory", what);
			return;
		}
		for (size_t k = 0; k < nitems; k++)
			owner[k] = -1;
		size_t total = 0;
		int dup = 0, order = 0, range = 0, nondet = 0;
		for (int i = 0; i < count; i++) {
			size_t m = do_shard(s, which, i, count, idx);
			size_t m2 = do_shard(s, which, i, count, again);
			if (m != m2 || memcmp(idx, again, m * sizeof *idx))
				nondet++;
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
		TU_CHECK(!nondet, "%s, %d shards: a second split of the %s differs", what, count, kind);
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
		free(again);
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

int main(void)
{
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
