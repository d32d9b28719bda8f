/* shard.h - deterministic, cost-balanced split of a spec's tasks into N shards
 * (one per Slurm array element).  Tasks are taken in the spec's order
 * (descending cost, ties by key) and each goes to the shard with the least
 * total cost so far (ties: lowest shard index): the greedy LPT rule.  The
 * shards partition the grid exactly. */
#ifndef BIASWEEP_SHARD_H
#define BIASWEEP_SHARD_H

#include "biasweep/spec.h"

#include <stdint.h>

/* Writes the indices (into spec->tasks, ascending) of shard `index` of `count`
 * into out (room for spec->ntasks) and returns how many.  count <= 1: all. */
size_t bw_spec_shard(const struct bw_spec *spec, int index, int count, int32_t *out);
/* The same for the spec's n-searches (each search, with all its probes, goes
 * to one shard; the LPT loads continue from the tasks').  out has room for
 * spec->nsearch. */
size_t bw_spec_shard_searches(const struct bw_spec *spec, int index, int count, int32_t *out);

#endif
