/* shard.c - the LPT split of a grid into shards (see shard.h). */
#include "biasweep/shard.h"

#include <stdlib.h>

static int lightest(const double *load, int count)
{
	int best = 0;
	for (int s = 1; s < count; s++)
		if (load[s] < load[best])
			best = s;
	return best;
}

/* which = 0: tasks; 1: searches (after placing the tasks). */
static size_t split(const struct bw_spec *spec, int index, int count, int32_t *out, int which)
{
	size_t m = 0;
	size_t len = which ? spec->nsearch : spec->ntasks;
	if (count <= 1) {
		for (size_t i = 0; i < len; i++)
			out[m++] = (int32_t)i;
		return m;
	}
	double *load = calloc((size_t)count, sizeof(double));
	if (!load)
		return 0;
	for (size_t i = 0; i < spec->ntasks; i++) {
		int best = lightest(load, count);
		load[best] += spec->tasks[i].cost > 0 ? spec->tasks[i].cost : 1.0;
		if (!which && best == index)
			out[m++] = (int32_t)i;
	}
	for (size_t i = 0; which && i < spec->nsearch; i++) {
		int best = lightest(load, count);
		load[best] += spec->searches[i].cost > 0 ? spec->searches[i].cost : 1.0;
		if (best == index)
			out[m++] = (int32_t)i;
	}
	free(load);
	return m;
}

size_t bw_spec_shard(const struct bw_spec *spec, int index, int count, int32_t *out)
{
	return split(spec, index, count, out, 0);
}

size_t bw_spec_shard_searches(const struct bw_spec *spec, int index, int count, int32_t *out)
{
	return split(spec, index, count, out, 1);
}
