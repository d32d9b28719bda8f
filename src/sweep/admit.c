/* admit.c - admission: what plan, run and run-one accept (admit.h): finite
 * costs, the largest task within the memory limit per rank, and names of the
 * catalog's files that fit the file system. */
#include "biasweep/admit.h"

#include "biasweep/error.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void bw_format_bytes(double b, char *buf, size_t len)
{
	const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int i = 0;
	while (b >= 1024 && i < 5) {
		b /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

double bw_memory_limit_default(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (cores < 1)
		cores = 1;
	return pages > 0 && page > 0 ? (double)pages * (double)page / (double)cores : HUGE_VAL;
}

/* path: the spec's, or NULL; which: "the largest task" or "the task" */
static int memory_fits(const char *path, const char *which, const struct bw_task *t, size_t bytes, double limit,
		       int given)
{
	if (!((double)bytes > limit))
		return BW_OK;
	char b1[32], b2[32];
	bw_format_bytes((double)bytes, b1, sizeof b1);
	bw_format_bytes(limit, b2, sizeof b2);
	return RAISE(BW_EINVAL, "%s%s%s (%s d=%zu n=%zu) needs %s, more than the memory limit per rank %s%s",
		     path ? path : "", path ? ": " : "", which, bw_algo_name(t->run.algo), t->inst.d, t->inst.n, b1, b2,
		     given ? "" : " (physical memory / cores; --memory-limit overrides)");
}

int bw_task_admit(const struct bw_task *t, double memory_limit)
{
	CHECK(bw_instance_spec_check(&t->inst));
	int given = memory_limit > 0;
	return memory_fits(NULL, "the task", t, bw_task_bytes(t), given ? memory_limit : bw_memory_limit_default(), given);
}

static int cost_finite(const struct bw_spec *spec, const struct bw_task *t, double cost)
{
	if (isfinite(cost))
		return BW_OK;
	const struct bw_run_params *r = &t->run;
	double eta = bw_run_eta(r, &t->inst);
	return RAISE(BW_EINVAL,
		     "%s: the task %s (%s d=%zu n=%zu alpha=%g eta=%g%s) has no finite cost estimate: a step that "
		     "underflows to 0 or a budget beyond any number of steps (change alpha, eta or the budget)",
		     spec->path, t->key_hex, bw_algo_name(r->algo), t->inst.d, t->inst.n, r->alpha, eta,
		     r->eta > 0 ? "" : " automatic");
}

/* The catalog's sidecars and the run's trajectory files must fit NAME_MAX
 * and PATH_MAX: the longest run id (19 digits) and shard index (10). */
static int names_fit(const struct bw_spec *spec, const char *catalog)
{
	const char *base = strrchr(catalog, '/');
	base = base ? base + 1 : catalog;
	size_t bl = strlen(base), dirl = (size_t)(base - catalog);
	size_t side = bl + strlen("-journal");
	size_t traj = bl + 1 + strlen(spec->name) + 1 + 19 + strlen("-shard") + 10 + strlen(".h5");
	char at[64] = "";
	if (spec->name_line)
		snprintf(at, sizeof at, ":%u", spec->name_line);
	if (side > NAME_MAX)
		return RAISE(BW_EINVAL, "the catalog's file name '%s' is %zu bytes: with '-journal' it passes the %d bytes "
			     "a file name may have", base, bl, NAME_MAX);
	if (traj > NAME_MAX)
		return RAISE(BW_EINVAL, "%s%s: the trajectory files '<catalog>-<name>-<run>-shard<i>.h5' of catalog '%s' "
			     "would have names of up to %zu bytes, more than the %d a file name may have: shorten "
			     "'name' (%zu bytes) or the catalog's file name", spec->path, at, base, traj, NAME_MAX,
			     strlen(spec->name));
	if (dirl + (traj > side ? traj : side) >= PATH_MAX)
		return RAISE(BW_EINVAL, "the catalog's path '%s' is too long: its trajectory files' paths would pass the "
			     "%d bytes a path may have", catalog, PATH_MAX);
	return BW_OK;
}

int bw_spec_admit(const struct bw_spec *spec, const struct bw_admit_opts *o, struct bw_admission *out)
{
	struct bw_admission a = {0};
	int given = o && o->memory_limit > 0;
	a.memory_limit = given ? o->memory_limit : bw_memory_limit_default();
	for (size_t i = 0; i < spec->ntasks; i++) {
		const struct bw_task *t = &spec->tasks[i];
		CHECK(cost_finite(spec, t, t->cost));
		size_t b = bw_task_bytes(t);
		if (b > a.bytes) {
			a.bytes = b;
			a.largest = t;
		}
	}
	for (size_t i = 0; i < spec->nsearch; i++) { /* a search's largest probe is its base (n = hi) */
		const struct bw_search *x = &spec->searches[i];
		CHECK(cost_finite(spec, &x->base, x->cost));
		size_t b = bw_task_bytes(&x->base);
		if (b > a.bytes) {
			a.bytes = b;
			a.largest = &x->base;
		}
	}
	if (!isfinite(spec->total_cost))
		return RAISE(BW_EINVAL, "%s: the estimated cost of the grid overflows (more than %g coordinate-updates): "
			     "split the spec", spec->path, DBL_MAX);
	if (a.largest)
		CHECK(memory_fits(spec->path, "the largest task", a.largest, a.bytes, a.memory_limit, given));
	if (o && o->catalog)
		CHECK(names_fit(spec, o->catalog));
	if (out)
		*out = a;
	return BW_OK;
}
