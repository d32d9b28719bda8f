/* coordinator.c - bw_sweep_run: the setup every rank shares (the spec, the
 * trajectory file), then rank 0's coordinator (pump.c) or a worker's loop
 * (worker.c), and the sweep's end. */
#include "biasweep/sweeprun.h"

#include "biasweep/clock.h"
#include "biasweep/error.h"
#include "coord.h"
#include "revision.h"

#include <inttypes.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every rank must agree on success before a collective step. */
static int agree(int rc)
{
	int worst = rc;
	MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return worst;
}

int bw_sweep_run(const struct bw_sweep_opts *o, struct bw_progress *report, int *is_root)
{
	int provided, rank = 0, size = 1;
	MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	*is_root = rank == 0;
	memset(report, 0, sizeof *report);

	struct bw_spec spec;
	int rc = bw_spec_load_with(o->spec_path, o->sets, o->nsets, &spec);
	if (agree(rc)) {
		if (!rc)
			bw_spec_release(&spec);
		if (rank)
			bw_error_clear();
		MPI_Finalize();
		return rc ? rc : BW_EINVAL;
	}
	struct bw_catalog *cat = NULL;
	int64_t sweep_id = 0;
	struct bw_sched w;
	memset(&w, 0, sizeof w);
	char trajpath[4096] = "", trajname[256] = "";
	struct bw_traj_identity ident;
	memset(&ident, 0, sizeof ident);
	/* plan's admission, before anything is written */
	struct bw_admit_opts admit = {o->memory_limit, o->catalog};
	if (rank == 0 && (rc = bw_spec_admit(&spec, &admit, NULL)) == BW_OK)
		rc = bw_prepare(o, &spec, size, &cat, &sweep_id, &w, &ident);
	if (agree(rc)) {
		if (rank)
			bw_error_clear();
		if (cat)
			bw_catalog_close(cat);
		bw_sched_release(&w);
		bw_spec_release(&spec);
		MPI_Finalize();
		return rc ? rc : BW_EINVAL;
	}
	/* everyone learns the rows' dimensions and the trajectory file */
	uint64_t n64 = w.nrows;
	MPI_Bcast(&n64, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	size_t nrows = (size_t)n64;
	if (rank) {
		w.nrows = nrows;
		w.row_d = malloc((nrows ? nrows : 1) * sizeof *w.row_d);
	}
	rc = w.row_d ? BW_OK : RAISE(BW_ENOMEM, "out of memory");
	if (agree(rc)) {
		bw_sched_release(&w);
		bw_spec_release(&spec);
		MPI_Finalize();
		return BW_ENOMEM;
	}
	MPI_Bcast(w.row_d, (int)nrows, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	MPI_Bcast(&ident, sizeof ident, MPI_BYTE, 0, MPI_COMM_WORLD);
	size_t *row_d = malloc((nrows ? nrows : 1) * sizeof *row_d);
	for (size_t i = 0; row_d && i < nrows; i++)
		row_d[i] = (size_t)w.row_d[i];

	struct bw_coord c;
	memset(&c, 0, sizeof c);
	c.o = o;
	c.w = &w;
	c.prog.skipped = w.skipped;
	c.prog.ranks = size;
	c.prog.catalog = o->catalog;
	c.prog.trajfile = nrows ? trajpath : "";
	c.prog.sweep_id = sweep_id;
	c.prog.cost_total = bw_sched_cost_total(&w);

	/* checkpoint slots per row: the most any task of the spec can use (the same on every rank) */
	size_t slots = 0;
	for (size_t i = 0; i < spec.ntasks; i++)
		if (bw_task_checkpoint_slots(&spec.tasks[i]) > slots)
			slots = bw_task_checkpoint_slots(&spec.tasks[i]);
	for (size_t i = 0; i < spec.nsearch; i++)
		if (bw_task_checkpoint_slots(&spec.searches[i].base) > slots)
			slots = bw_task_checkpoint_slots(&spec.searches[i].base);

	struct bw_trajfile *tf = NULL;
	rc = row_d ? BW_OK : RAISE(BW_ENOMEM, "out of memory");
	/* a new file of this catalog's (never an existing one), with room for all of it first: a full disk
	 * is a clean error here */
	if (nrows && !rc && rank == 0)
		rc = bw_trajfile_reserve(o->catalog, spec.name, sweep_id, bw_is_shard(o) ? o->shard_index : -1, row_d,
					 nrows, slots, trajname, sizeof trajname, trajpath, sizeof trajpath);
	if (nrows && agree(rc) == BW_OK) {
		MPI_Bcast(trajpath, sizeof trajpath, MPI_CHAR, 0, MPI_COMM_WORLD);
		MPI_Bcast(trajname, sizeof trajname, MPI_CHAR, 0, MPI_COMM_WORLD);
		char spec_hash[17]; /* as the catalog's sweeps.spec_hash */
		snprintf(spec_hash, sizeof spec_hash, "%016" PRIx64, spec.text_hash);
		rc = bw_trajfile_create(trajpath, MPI_COMM_WORLD, rank, row_d, nrows, slots, spec.name, spec_hash, BW_REVISION,
					&ident, &tf);
	}
	if (agree(rc)) {
		if (tf)
			bw_trajfile_close(tf);
		tf = NULL;
		if (!rc)
			rc = BW_ESTORE;
	} else if (nrows) {
		if (rank == 0) {
			c.cat = cat;
			c.tf = tf;
			c.trajname = trajname;
			c.sweep_id = sweep_id;
			c.size = size;
			c.active = size - 1;
			c.batch = malloc(BW_COMMIT_BATCH * sizeof *c.batch);
			c.cap = c.batch ? BW_COMMIT_BATCH : 0;
			int drc = bw_sched_dispatch_init(&w);
			c.idle = malloc((size_t)size * sizeof *c.idle);
			c.outst = calloc((size_t)size, sizeof *c.outst);
			if (!c.batch || drc || !c.idle || !c.outst)
				bw_coord_fail(&c, BW_ENOMEM, "out of memory");
			bw_coordinate(&c);
			free(c.batch);
			free(c.idle);
			free(c.outst);
			/* a signal after the last task was handed out still interrupts (the commit gave up) */
			int signalled = c.stopping || (o->cancel && *o->cancel);
			rc = c.err ? c.err : signalled ? BW_EINTR : BW_OK;
			if (rc == BW_OK && c.prog.done != c.prog.finished) { /* never a silent loss */
				char msg[128];
				snprintf(msg, sizeof msg, "%zu finished outcomes were left uncommitted",
					 c.prog.finished - c.prog.done);
				bw_coord_fail(&c, BW_EINTERNAL, msg);
			}
			rc = c.err ? c.err : rc;
		} else {
			bw_worker_loop(tf, trajname, rank, o->cancel);
		}
		int crc = bw_trajfile_close(tf); /* collective */
		if (crc && !rc) {
			if (!strstr(bw_error_message(), trajpath))
				bw_error_context(crc, "trajectory file '%s'", trajpath);
			rc = crc;
		}
		if (rank == 0 && c.err) /* the first error, not the close's */
			RAISE(c.err, "%s", c.errmsg);
	}
	if (rank == 0) {
		if (!nrows)
			bw_coord_progress(&c, bw_now_s(), 1);
		const char *state = rc == BW_OK ? "done" : rc == BW_EINTR ? "interrupted" : "failed";
		/* the first error is the one to report (a full disk fails the end too) */
		char first[sizeof c.errmsg];
		snprintf(first, sizeof first, "%s", rc ? bw_error_message() : "");
		struct bw_busy_wait b = {0};
		int erc;
		do
			erc = bw_catalog_sweep_end(cat, sweep_id, state);
		while (bw_busy_retry(o, &b, erc, "ending the sweep", 0));
		if (!rc)
			rc = erc; /* given up after a signal: the next run marks the sweep interrupted */
		else if (erc && rc != BW_EINTR)
			RAISE(rc, "%s", first);
		bw_catalog_close(cat);
		*report = c.prog;
		report->trajfile = NULL;
	} else {
		bw_error_clear();
	}
	free(row_d);
	bw_sched_release(&w);
	bw_spec_release(&spec);
	MPI_Finalize();
	return rc;
}
