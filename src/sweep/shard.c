/* shard.c - the LPT split of a grid into shards (see shard.h). */
#include "biasweep/shard.h"

#include <stdlib.h>

size_t bw_spec_shard(const struct bw_spec *spec, int index, int count, int32_t *out)
{
	size_t m = 0;
	if (count <= 1) {
		for (size_t i = 0; i < spec->ntasks; i++)
			out[m++] = (int32_t)i;
		return m;
	}
	double *load = calloc((size_t)count, sizeof(double));
	if (!load)
		return 0;
	for (size_t i = 0; i < spec->ntasks; i++) {
		int best = 0;
		for (int s = 1; s < count; s++)
			if (load[s] < load[best])
				best = s;
		load[best] += spec->tasks[i].cost > 0 ? spec->tasks[i].cost : 1.0;
		if (best == index)
			out[m++] = (int32_t)i;
	}
	free(load);
	return m;
}
