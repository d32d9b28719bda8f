/* setup.c - rank 0's preparation of a run: the results directory, the
 * catalog and the sweep's row, what is left to do (scheduler.h), and the
 * library versions recorded with the sweep. */
#include "coord.h"

#include "biasweep/bench_kernels.h"
#include "biasweep/error.h"
#include "biasweep/shard.h"
#include "biasweep/versions.h"
#include "revision.h"

#include <errno.h>
#include <gsl/gsl_version.h>
#include <libgen.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void libraries(char *buf, size_t len)
{
	char mpiv[MPI_MAX_LIBRARY_VERSION_STRING];
	int ml = 0;
	MPI_Get_library_version(mpiv, &ml);
	char *nl = strchr(mpiv, ',');
	if (nl)
		*nl = 0;
	char storage[128];
	bw_storage_versions(storage, sizeof storage);
	snprintf(buf, len, "gsl %s; openblas %s; %s; %s", GSL_VERSION, bw_blas_config(), storage, mpiv);
}

/* Any --shard, 0/1 included, is a shard: rollback journal, sweeps.shard, "-shard<i>" files. */
int bw_is_shard(const struct bw_sweep_opts *o)
{
	return o->sharded || o->shard_count > 1;
}

/* Rank 0: open the catalog, record the sweep, and work out what is left:
 * static tasks without an outcome and searches not finished (replayed), and
 * the trajectory rows they need; *ident is what the run's trajectory file carries. */
int bw_prepare(const struct bw_sweep_opts *o, const struct bw_spec *spec, int ranks, struct bw_catalog **cat,
		   int64_t *sweep_id, struct bw_sched *w, struct bw_traj_identity *ident)
{
	char dirbuf[4096], probe[256];
	/* a sweep name too long for a file name is refused before anything is written */
	CHECK(bw_trajfile_name(o->catalog, spec->name, INT64_MAX, bw_is_shard(o) ? o->shard_index : -1, 1000, probe,
			       sizeof probe));
	snprintf(dirbuf, sizeof dirbuf, "%s", o->catalog);
	const char *dir = dirname(dirbuf);
	struct stat dst;
	if (stat(dir, &dst) == 0 && !S_ISDIR(dst.st_mode))
		return RAISE(BW_EINVAL, "cannot write to the results directory '%s': %s", dir, strerror(ENOTDIR));
	if (access(dir, W_OK) != 0)
		return RAISE(BW_EINVAL, "cannot write to the results directory '%s': %s", dir, strerror(errno));
	CHECK(bw_catalog_open(o->catalog, bw_is_shard(o) ? BW_CATALOG_ROLLBACK_JOURNAL : 0, cat));
	CHECK(bw_catalog_done_successes(*cat, &w->done, &w->ok, &w->ndone));
	CHECK(bw_catalog_traj_identity(*cat, 0, ident)); /* a malformed catalog_id is refused before the sweep row */
	bw_catalog_set_busy_timeout(*cat, BW_BUSY_POLL_MS); /* the writes wait out locks themselves */

	/* this process's share of the grid (a Slurm array element runs one shard) */
	int32_t *mine = malloc((spec->ntasks ? spec->ntasks : 1) * sizeof(int32_t));
	int32_t *mine_s = malloc((spec->nsearch ? spec->nsearch : 1) * sizeof(int32_t));
	if (!mine || !mine_s) {
		free(mine);
		free(mine_s);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	size_t nmine = bw_spec_shard(spec, o->shard_index, o->shard_count, mine);
	size_t nmine_s = bw_spec_shard_searches(spec, o->shard_index, o->shard_count, mine_s);
	if (bw_sched_init(w, spec, mine, nmine, mine_s, nmine_s)) {
		free(mine);
		free(mine_s);
		return bw_error_code();
	}

	char host[256] = "unknown", libs[1024], shard[64] = "";
	gethostname(host, sizeof host);
	host[sizeof host - 1] = 0;
	libraries(libs, sizeof libs);
	if (bw_is_shard(o))
		snprintf(shard, sizeof shard, "%d/%d", o->shard_index, o->shard_count);
	/* A shard's catalog plans only the shard's own tasks (sweep_tasks): its
	 * pending count, and the merge's completeness check, are then exact.
	 * Search probes are recorded as they finish. */
	struct bw_spec part = *spec;
	struct bw_task *own = NULL;
	int rc = BW_OK;
	if (bw_is_shard(o)) {
		own = malloc((nmine ? nmine : 1) * sizeof *own);
		if (!own)
			rc = RAISE(BW_ENOMEM, "out of memory");
		for (size_t i = 0; own && i < nmine; i++)
			own[i] = spec->tasks[mine[i]];
		part.tasks = own;
		part.ntasks = nmine;
	}
	struct bw_busy_wait b = {0};
	if (!rc)
		do
			rc = bw_catalog_sweep_begin(*cat, &part, BW_REVISION, host, ranks, libs, shard, sweep_id);
		while (bw_busy_retry(o, &b, rc, "recording the sweep", 0));
	if (rc == BW_EBUSY && o->cancel && *o->cancel)
		rc = RAISE(BW_EINTR, "interrupted while the catalog '%s' was locked by another connection; nothing "
			   "was run", o->catalog);
	free(own);
	free(mine);
	free(mine_s);
	CHECK(rc);
	return bw_catalog_traj_identity(*cat, *sweep_id, ident);
}

