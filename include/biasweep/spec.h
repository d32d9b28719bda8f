/* spec.h - job specs (jobs/NAME.cfg, libconfig) and the grid they expand to.
 *
 * bw_spec_load parses, validates and expands a spec into tasks.  Errors are
 * BW_EINVAL with messages "PATH:LINE: 'eta' must be > 0" (line of the
 * offending setting) and nothing is allocated for the caller to free.
 *
 * Tasks come out in a deterministic order: descending estimated cost, ties
 * by key.  Ownership: bw_spec_release frees everything bw_spec_load made.
 *
 * Tasks (task.h) and admission (admit.h) have their own headers, included here.
 */
#ifndef BIASWEEP_SPEC_H
#define BIASWEEP_SPEC_H

#include "biasweep/dynamics.h"
#include "biasweep/instance.h"
#include "biasweep/task.h"

#include <stddef.h>
#include <stdint.h>

#define BW_SPEC_MAX_TASKS 10000000   /* larger grids are refused (BW_EINVAL) */
#define BW_SPEC_MAX_POINTS 100000000  /* per algorithm, before constraints */
#define BW_SPEC_MAX_STEPS 1e15        /* the largest step budget (specs and run-one) */
#define BW_SPEC_NAME_MAX 128          /* bytes of a sweep's name */
#define BW_SPEC_FILE_MAX (16L << 20)  /* bytes of a spec file (16 MiB) */

/* An adaptive n-search (`n = { search = [lo, hi]; resolution = r; };`): one
 * per (cell, seed).  Its probes are ordinary tasks (bw_search_probe) at the n
 * the bisection asks for (search.h); base holds every other parameter. */
struct bw_search {
	struct bw_task base;  /* the probe at n = hi (key and cost of that probe) */
	long lo, hi, resolution; /* after constraints: lo >= kappa (and batch), hi <= max_n_over_d * d */
	int max_probes;       /* bw_bisect_max_probes(lo, hi, resolution) */
	double cost;          /* estimated cost of all its probes */
};

struct bw_spec {
	char *path;          /* as given */
	char *name;          /* 'name' setting, or the file's basename without .cfg; a valid file name
			      * (1..BW_SPEC_NAME_MAX bytes of UTF-8, not "." or "..", no '/', control or
			      * bidirectional-control characters) */
	unsigned name_line;  /* line of the 'name' setting, 0 for the file's basename */
	char *text;          /* the whole file */
	uint64_t text_hash;  /* bw_hash_str(text) */
	uint64_t sweep_seed; /* 'seed' setting (default 0) */
	size_t ntasks;
	struct bw_task *tasks;
	size_t dropped;              /* grid points dropped by constraints (kappa <= n, kappa <= d, batch <= n,
				      * and n <= max_n_over_d * d where a spec sets that filter) */
	size_t per_algo[BW_ALGO_COUNT];
	double total_cost;
	size_t max_instance_bytes;   /* the largest bw_instance_bytes over tasks */
	size_t nsearch;              /* adaptive n-searches, largest cost first (ties by base key) */
	struct bw_search *searches;
	size_t per_algo_search[BW_ALGO_COUNT];
};

/* PATH must be a regular file of at most BW_SPEC_FILE_MAX bytes (a FIFO, a
 * device or a directory is refused at once, without reading). */
int bw_spec_load(const char *path, struct bw_spec *out);
/* Same from a string; `path` names it in messages, in spec->path and (without .cfg) in the default name. */
int bw_spec_load_string(const char *path, const char *text, struct bw_spec *out);
/* The same with overrides: each of sets is "PATH=VALUE" (`d=[64,128]`,
 * `algorithms.sgd.batch=8`), VALUE in the spec's (libconfig's) syntax; the
 * setting PATH is replaced or added before the spec is checked, and errors
 * about it read "--set d=[0]: 'd' must be >= 1".  With overrides, spec->text
 * is the effective spec (the settings with the overrides applied, a first
 * comment line naming the file and the overrides), and text_hash its hash. */
int bw_spec_load_with(const char *path, const char *const *sets, size_t nsets, struct bw_spec *out);
int bw_spec_load_string_with(const char *path, const char *text, const char *const *sets, size_t nsets,
			     struct bw_spec *out);
void bw_spec_release(struct bw_spec *spec);

/* The probe of a search at n: the base task with n replaced, key and cost set. */
void bw_search_probe(const struct bw_search *s, long n, struct bw_task *out);

/* The values a spec allows on axis AXIS ("d", "n", "kappa", "seeds", "alpha",
 * "eta", "sigma", "batch", "eps", "tol", "steps", "time"): returns 1 when x is
 * one of them, else 0 with the rule in why ("must be >= 1").  Records no
 * error; run-one checks its options with it, so both share one set of limits. */
int bw_spec_value_ok(const char *axis, double x, char *why, size_t len);
/* Whether dynamics `algo` reads the spec setting `axis` (its row's uses flags;
 * every dynamics reads a setting without one): 1, or 0 with the rule in why
 * ("gd does not read 'sigma' (only label_noise_sgd does)").  A spec's group
 * and run-one's options are refused by this one rule.  Records no error. */
int bw_spec_reads(enum bw_algo algo, const char *axis, char *why, size_t len);

#include "biasweep/admit.h"

#endif
