/* admit.h - admission (src/sweep/admit.c): what `plan` and `run` (and
 * run-one, per task) accept.
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
#ifndef BIASWEEP_ADMIT_H
#define BIASWEEP_ADMIT_H

#include "biasweep/spec.h"

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
