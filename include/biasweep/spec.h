/* spec.h - job specs (jobs/*.cfg, libconfig) and the grid they expand to.
 *
 * bw_spec_load parses, validates and expands a spec into tasks.  Errors are
 * BW_EINVAL with messages "PATH:LINE: 'eta' must be > 0" (line of the
 * offending setting) and nothing is allocated for the caller to free.
 *
 * A task is one (algorithm, instance, parameters) point.  Its key is
 *   bw_hash_str(canonical string) printed as 16 lowercase hex digits,
 * where the canonical string (bw_task_canonical) lists, in a fixed order,
 * only the parameters the algorithm reads (eta is absent for the flow,
 * sigma only for label_noise_sgd, batch only for sgd), with doubles printed
 * as %.17g.  So keys do not depend on the order of axes in the file, on the
 * spec's name, or on which spec produced them: two specs that share a task
 * share its key.
 *
 * Tasks come out in a deterministic order: descending estimated cost, ties
 * by key.  Ownership: bw_spec_release frees everything bw_spec_load made.
 */
#ifndef BIASWEEP_SPEC_H
#define BIASWEEP_SPEC_H

#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

#include <stddef.h>
#include <stdint.h>

struct bw_task {
	uint64_t key;
	char key_hex[17];
	struct bw_instance_spec inst; /* design, wstar, d, n, kappa, sweep_seed, seed_index */
	struct bw_run_params run;     /* algo, alpha, eta, sigma, batch, budgets, eps, tol, project;
				       * noise_seed = bw_noise_seed(bw_instance_seed(&inst), algo) */
	double cost;                  /* estimated work in coordinate-updates (bw_task_cost) */
};

struct bw_spec {
	char *path;          /* as given */
	char *name;          /* 'name' setting, or the file's basename without .cfg */
	char *text;          /* the whole file */
	uint64_t text_hash;  /* bw_hash_str(text) */
	uint64_t sweep_seed; /* 'seed' setting (default 0) */
	size_t ntasks;
	struct bw_task *tasks;
	size_t dropped;              /* grid points dropped by constraints (kappa <= n, kappa <= d, batch <= n) */
	size_t per_algo[BW_ALGO_COUNT];
	double total_cost;
	size_t max_instance_bytes;   /* the largest bw_instance_bytes over tasks */
};

int bw_spec_load(const char *path, struct bw_spec *out);
/* Same from a string; `path` is only used in messages. */
int bw_spec_load_string(const char *path, const char *text, struct bw_spec *out);
void bw_spec_release(struct bw_spec *spec);

/* Canonical string and key of a task (fills t->key and t->key_hex). */
int bw_task_canonical(const struct bw_task *t, char *buf, size_t len);
void bw_task_set_key(struct bw_task *t);
double bw_task_cost(const struct bw_task *t);
/* Peak memory of running the task (instance plus dynamics' buffers). */
size_t bw_task_bytes(const struct bw_task *t);

#endif
