/* spec.h - job specs (jobs/NAME.cfg, libconfig) and the grid they expand to.
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
 *
 * The canonical string (version 1), fields separated by one space, in this
 * order, [..] only for the algorithms that read the field:
 *   bw-task/1 algo=<name> design=<name> wstar=<signs|gaussian> d=<d> n=<n>
 *   kappa=<kappa> sweep_seed=<u64> seed=<index> alpha=<%.17g>
 *   [eta=<%.17g|auto>] [sigma=<%.17g>] [batch=<B>] steps=<max_steps>
 *   time=<%.17g max_time> eps=<%.17g> tol=<%.17g> [project=<0|1>]
 * eta: gd, sgd, label_noise_sgd ("auto" when the spec leaves it out, stored
 * as 0); sigma and project: label_noise_sgd; batch: sgd.  steps and time are
 * the resolved budgets (0 = unset).  Example:
 *   bw-task/1 algo=gd design=rademacher wstar=signs d=20 n=10 kappa=2
 *   sweep_seed=0 seed=1 alpha=3 eta=auto steps=1000 time=0
 *   eps=0.10000000000000001 tol=1e-10
 *
 * Budgets a spec leaves out: gd 1e6 steps, sgd 1e7 steps, label_noise_sgd
 * time 5, riemannian_flow time 50 (written into the task, hence the key).
 *
 * bw_task_cost, in coordinate-updates (a rough guess for scheduling and plan):
 *   gd               2 n d * min(budget steps, S)      S = ln(1/tol) / (eta lo),
 *   sgd              B d   * min(budget steps, S)      lo = (16/n) max(alpha^2,1)
 *                                                           * max((sqrt d - sqrt n)^2, 1)
 *   label_noise_sgd  d * budget steps (time / (eta^2 sigma^2 / 2))
 *                    + the projection, 2 n d * S at gd's automatic step
 *   riemannian_flow  (time / 0.05 + 100) (n^2 d + n^3) + the start Phi(x0)
 *                    like the projection (0.05: a guess of the adaptive step)
 * with eta the automatic step where the spec leaves it out.
 * bw_task_bytes: bw_instance_bytes + the outcome (3d doubles, 256 checkpoints)
 * + the dynamics' buffers (flow: 2 n^2 + n d + 12 (n + d) doubles).
 */
#ifndef BIASWEEP_SPEC_H
#define BIASWEEP_SPEC_H

#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

#include <stddef.h>
#include <stdint.h>

#define BW_SPEC_MAX_TASKS 10000000   /* larger grids are refused (BW_EINVAL) */
#define BW_SPEC_MAX_POINTS 100000000  /* per algorithm, before constraints */
#define BW_TASK_CANONICAL_MAX 512     /* always enough for bw_task_canonical */
#define BW_SPEC_MAX_STEPS 1e15        /* the largest step budget (specs and run-one) */
#define BW_SPEC_NAME_MAX 128          /* bytes of a sweep's name */
#define BW_SPEC_FILE_MAX (16L << 20)  /* bytes of a spec file (16 MiB) */

struct bw_task {
	uint64_t key;
	char key_hex[17];
	struct bw_instance_spec inst; /* design, wstar, d, n, kappa, sweep_seed, seed_index */
	struct bw_run_params run;     /* algo, alpha, eta, sigma, batch, budgets, eps, tol, project;
				       * noise_seed = bw_noise_seed(bw_instance_seed(&inst), algo) */
	double cost;                  /* estimated work in coordinate-updates (bw_task_cost) */
};

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
void bw_spec_release(struct bw_spec *spec);

/* Canonical string and key of a task (fills t->key and t->key_hex).
 * bw_task_canonical returns BW_OK, or BW_EINVAL when len is too small. */
int bw_task_canonical(const struct bw_task *t, char *buf, size_t len);
void bw_task_set_key(struct bw_task *t);
double bw_task_cost(const struct bw_task *t);
/* Peak memory of running the task (instance plus dynamics' buffers). */
size_t bw_task_bytes(const struct bw_task *t);
/* The probe of a search at n: the base task with n replaced, key and cost set. */
void bw_search_probe(const struct bw_search *s, long n, struct bw_task *out);

/* The values a spec allows on axis AXIS ("d", "n", "kappa", "seeds", "alpha",
 * "eta", "sigma", "batch", "eps", "tol", "steps", "time"): returns 1 when x is
 * one of them, else 0 with the rule in why ("must be >= 1").  Records no
 * error; run-one checks its options with it, so both share one set of limits. */
int bw_spec_value_ok(const char *axis, double x, char *why, size_t len);

/* ---- admission: what `plan` and `run` (and run-one, per task) accept -------
 *
 * A spec that loads is admitted when every task and search has a finite cost
 * estimate and so does their sum, the largest task fits in the memory limit
 * per rank, and, for a run into a catalog, the catalog's and its trajectory
 * files' names fit the file system: NAME_MAX (255) bytes for
 *   <catalog name>-journal (also -wal, -shm)
 *   <catalog name>-<spec name>-<run id>-shard<i>.h5  (run id and i of any size)
 * and PATH_MAX for their paths.  Errors are BW_EINVAL, one message (plan's
 * wording: "SPEC: the largest task (gd d=... n=...) needs 68.0 GiB, more
 * than the memory limit per rank 11.8 GiB ..."); nothing is printed. */
struct bw_admit_opts {
	double memory_limit; /* bytes per rank; 0: bw_memory_limit_default() */
	const char *catalog; /* the catalog a run writes; NULL: none (plan) */
};

struct bw_admission {
	double memory_limit;           /* the limit applied */
	size_t bytes;                  /* the largest task's bw_task_bytes */
	const struct bw_task *largest; /* that task (in spec), NULL when there is none */
};

/* Physical memory divided by the cores online (HUGE_VAL when unknown). */
double bw_memory_limit_default(void);
/* out may be NULL. */
int bw_spec_admit(const struct bw_spec *spec, const struct bw_admit_opts *o, struct bw_admission *out);
/* One task (run-one): its instance is valid and it fits in the memory limit
 * (0: the default).  The message reads like the spec's ("the task (...) needs ..."). */
int bw_task_admit(const struct bw_task *t, double memory_limit);
/* "1.5 GiB" */
void bw_format_bytes(double bytes, char *buf, size_t len);

#endif
