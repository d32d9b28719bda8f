/* coordinator.c - bw_sweep_run: the setup every rank shares, and rank 0's
 * coordinating loop (dynamic hand-out, local compute thread, batched commits). */
#include "biasweep/sweeprun.h"

#include "biasweep/catalog.h"
#include "biasweep/shard.h"
#include "biasweep/error.h"
#include "protocol.h"
#include "revision.h"
#include "worker.h"

#include <errno.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char *openblas_get_config(void);

enum { COMMIT_BATCH = 256 };
#define COMMIT_SECONDS 1.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- rank 0's compute thread: numerics only, handed one task at a time ---- */
struct local {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct bw_task *const *rows;
	const volatile int *cancel;
	int32_t row;       /* task to run, -1 none */
	int busy, ready, quit, rc;
	struct bw_outcome out;
};

static void *local_main(void *arg)
{
	struct local *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (l->row < 0 && !l->quit)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->quit)
			break;
		int32_t row = l->row;
		pthread_mutex_unlock(&l->mu);
		struct bw_outcome out;
		int rc = bw_task_execute(l->rows[row], l->cancel, &out);
		pthread_mutex_lock(&l->mu);
		l->out = out;
		l->rc = rc;
		l->ready = 1;
		l->row = -1;
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void local_give(struct local *l, int32_t row)
{
	pthread_mutex_lock(&l->mu);
	l->row = row;
	l->busy = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* ---- the coordinator's state ---- */
struct coord {
	const struct bw_sweep_opts *o;
	struct bw_catalog *cat;
	struct bw_trajfile *tf;
	const char *trajname;
	const struct bw_task *const *rows;
	size_t nrows, next;
	int64_t sweep_id;
	int size, active, stopping, err;
	char errmsg[600];
	struct bw_result *batch;
	size_t nbatch;
	double last_commit;
	struct bw_progress prog;
};

static int coord_commit(struct coord *c)
{
	if (!c->nbatch)
		return BW_OK;
	CHECK(bw_catalog_begin(c->cat));
	for (size_t i = 0; i < c->nbatch; i++) {
		int rc = bw_catalog_put(c->cat, c->sweep_id, &c->batch[i]);
		if (rc)
			return rc;
	}
	CHECK(bw_catalog_commit(c->cat));
	c->nbatch = 0;
	c->last_commit = now_s();
	return BW_OK;
}

static int coord_add(struct coord *c, const struct bw_result *r, int32_t row)
{
	c->batch[c->nbatch++] = *r;
	c->prog.cost_done += c->rows[row]->cost;
	c->prog.done++;
	if (r->status == BW_RUN_DIVERGED)
		c->prog.diverged++;
	if (r->status == BW_RUN_FAILED)
		c->prog.failed++;
	if (c->nbatch >= COMMIT_BATCH)
		return coord_commit(c);
	return BW_OK;
}

static int32_t coord_next(struct coord *c)
{
	if (c->o->cancel && *c->o->cancel)
		c->stopping = 1;
	if (c->stopping || c->err || c->next >= c->nrows)
		return -1;
	return (int32_t)c->next++;
}

static void coord_fail(struct coord *c, int code, const char *msg)
{
	if (!c->err) {
		c->err = code;
		snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
	}
	c->stopping = 1;
}

static void coord_progress(struct coord *c, double start, int final)
{
	c->prog.elapsed_s = now_s() - start;
	c->prog.final = final;
	if (c->o->progress)
		c->o->progress(c->o->progress_ctx, &c->prog);
}

/* Runs until every task is handed out and returned (or dropped), with the
 * local compute thread as one more worker. */
static void coordinate(struct coord *c)
{
	struct local l;
	memset(&l, 0, sizeof l);
	l.rows = c->rows;
	l.cancel = c->o->cancel;
	l.row = -1;
	int32_t local_row = -1; /* what the local thread computes; main thread only */
	pthread_mutex_init(&l.mu, NULL);
	pthread_cond_init(&l.cv, NULL);
	int have_local = pthread_create(&l.thread, NULL, local_main, &l) == 0;
	if (have_local && (local_row = coord_next(c)) >= 0)
		local_give(&l, local_row);
	double start = now_s(), last_prog = 0;
	c->last_commit = start;
	coord_progress(c, start, 0);
	while (c->active > 0 || local_row >= 0 || (!have_local && !c->stopping && c->next < c->nrows)) {
		int progressed = 0;
		for (;;) { /* messages from workers */
			int flag = 0;
			MPI_Status st;
			MPI_Iprobe(MPI_ANY_SOURCE, BW_TAG_MSG, MPI_COMM_WORLD, &flag, &st);
			if (!flag)
				break;
			struct bw_msg m;
			MPI_Recv(&m, sizeof m, MPI_BYTE, st.MPI_SOURCE, BW_TAG_MSG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			progressed = 1;
			if (m.kind == BW_MSG_RESULT) {
				if (coord_add(c, &m.result, m.row))
					coord_fail(c, bw_error_code(), bw_error_message());
			} else if (m.kind == BW_MSG_CANCELLED) {
				c->prog.dropped++;
				c->prog.cost_done += c->rows[m.row]->cost;
			} else if (m.kind == BW_MSG_ERROR) {
				coord_fail(c, m.code, m.error);
			}
			int32_t r = coord_next(c);
			MPI_Send(&r, 1, MPI_INT32_T, st.MPI_SOURCE, BW_TAG_TASK, MPI_COMM_WORLD);
			if (r < 0)
				c->active--;
		}
		if (local_row >= 0) { /* the local compute thread */
			pthread_mutex_lock(&l.mu);
			int ready = l.ready;
			pthread_mutex_unlock(&l.mu);
			if (ready) {
				progressed = 1;
				l.ready = 0;
				if (l.rc == BW_EINTR) {
					c->prog.dropped++;
					c->prog.cost_done += c->rows[local_row]->cost;
					bw_error_clear();
				} else {
					struct bw_result res;
					int rc = bw_task_record(c->tf, c->trajname, (size_t)local_row, c->rows[local_row],
								&l.out, 0, &res);
					bw_outcome_release(&l.out);
					if (rc == BW_OK)
						rc = coord_add(c, &res, local_row);
					if (rc)
						coord_fail(c, rc, bw_error_message());
				}
				if ((local_row = coord_next(c)) >= 0)
					local_give(&l, local_row);
			}
		}
		double t = now_s();
		if (c->nbatch && t - c->last_commit >= COMMIT_SECONDS) {
			if (coord_commit(c))
				coord_fail(c, bw_error_code(), bw_error_message());
		}
		if (t - last_prog >= 0.25) {
			coord_progress(c, start, 0);
			last_prog = t;
		}
		if (c->o->cancel && *c->o->cancel)
			c->stopping = 1;
		if (!progressed) {
			struct timespec ts = {0, 200000};
			nanosleep(&ts, NULL);
		}
	}
	if (coord_commit(c))
		coord_fail(c, bw_error_code(), bw_error_message());
	pthread_mutex_lock(&l.mu);
	l.quit = 1;
	pthread_cond_signal(&l.cv);
	pthread_mutex_unlock(&l.mu);
	if (have_local)
		pthread_join(l.thread, NULL);
	pthread_mutex_destroy(&l.mu);
	pthread_cond_destroy(&l.cv);
	coord_progress(c, start, 1);
}

/* Every rank must agree on success before a collective step. */
static int agree(int rc)
{
	int worst = rc;
	MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return worst;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void libraries(char *buf, size_t len)
{
	char mpiv[MPI_MAX_LIBRARY_VERSION_STRING];
	int ml = 0;
	MPI_Get_library_version(mpiv, &ml);
	char *nl = strchr(mpiv, ',');
	if (nl)
		*nl = 0;
	unsigned maj, min, rel;
	H5get_libversion(&maj, &min, &rel);
	snprintf(buf, len, "gsl %s; openblas %s; hdf5 %u.%u.%u; sqlite %s; %s", GSL_VERSION, openblas_get_config(),
		 maj, min, rel, sqlite3_libversion(), mpiv);
}

/* Rank 0: open the catalog, record the sweep, and list what is left to do. */
static int prepare(const struct bw_sweep_opts *o, const struct bw_spec *spec, const int32_t *mine, size_t nmine,
		   int ranks, struct bw_catalog **cat, int64_t *sweep_id, int32_t **todo, size_t *ntodo,
		   size_t *skipped, char *trajpath, size_t trajlen)
{
	char dirbuf[4096];
	snprintf(dirbuf, sizeof dirbuf, "%s", o->catalog);
	const char *dir = dirname(dirbuf);
	if (access(dir, W_OK) != 0)
		return RAISE(BW_EINVAL, "cannot write to the results directory '%s': %s", dir, strerror(errno));
	CHECK(bw_catalog_open(o->catalog, o->shard_count > 1 ? BW_CATALOG_ROLLBACK_JOURNAL : 0, cat));
	uint64_t *done = NULL;
	size_t ndone = 0;
	int rc = bw_catalog_done_keys(*cat, &done, &ndone);
	if (rc)
		return rc;
	*todo = malloc((nmine ? nmine : 1) * sizeof(int32_t));
	if (!*todo) {
		free(done);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	*ntodo = 0;
	*skipped = 0;
	for (size_t i = 0; i < nmine; i++) {
		uint64_t k = spec->tasks[mine[i]].key;
		if (ndone && bsearch(&k, done, ndone, sizeof k, cmp_u64))
			(*skipped)++;
		else
			(*todo)[(*ntodo)++] = mine[i];
	}
	free(done);
	char host[256] = "unknown", libs[1024], shard[64] = "";
	gethostname(host, sizeof host);
	host[sizeof host - 1] = 0;
	libraries(libs, sizeof libs);
	if (o->shard_count > 1)
		snprintf(shard, sizeof shard, "%d/%d", o->shard_index, o->shard_count);
	CHECK(bw_catalog_sweep_begin(*cat, spec, BW_REVISION, host, ranks, libs, shard, sweep_id));
	snprintf(dirbuf, sizeof dirbuf, "%s", o->catalog);
	dir = dirname(dirbuf);
	if (o->shard_count > 1)
		snprintf(trajpath, trajlen, "%s/%s-%" PRId64 "-shard%d.h5", dir, spec->name, *sweep_id, o->shard_index);
	else
		snprintf(trajpath, trajlen, "%s/%s-%" PRId64 ".h5", dir, spec->name, *sweep_id);
	return BW_OK;
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
	int rc = bw_spec_load(o->spec_path, &spec);
	if (agree(rc)) {
		if (!rc)
			bw_spec_release(&spec);
		if (rank)
			bw_error_clear();
		MPI_Finalize();
		return rc ? rc : BW_EINVAL;
	}
	/* this process's share of the grid (a Slurm array element runs one shard) */
	int32_t *mine = malloc((spec.ntasks ? spec.ntasks : 1) * sizeof(int32_t));
	size_t nmine = 0;
	if (mine)
		nmine = bw_spec_shard(&spec, o->shard_index, o->shard_count, mine);

	struct bw_catalog *cat = NULL;
	int64_t sweep_id = 0;
	int32_t *todo = NULL;
	size_t ntodo = 0, skipped = 0;
	char trajpath[4096] = "";
	rc = mine ? BW_OK : RAISE(BW_ENOMEM, "out of memory");
	if (rank == 0 && rc == BW_OK)
		rc = prepare(o, &spec, mine, nmine, size, &cat, &sweep_id, &todo, &ntodo, &skipped, trajpath,
			     sizeof trajpath);
	if (agree(rc)) {
		if (rank)
			bw_error_clear();
		if (cat)
			bw_catalog_close(cat);
		free(todo);
		free(mine);
		bw_spec_release(&spec);
		MPI_Finalize();
		return rc ? rc : BW_EINVAL;
	}
	/* everyone learns the run's rows and the trajectory file */
	uint64_t n64 = ntodo;
	MPI_Bcast(&n64, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	ntodo = (size_t)n64;
	if (rank) {
		free(todo);
		todo = malloc((ntodo ? ntodo : 1) * sizeof(int32_t));
	}
	MPI_Bcast(todo, (int)ntodo, MPI_INT32_T, 0, MPI_COMM_WORLD);
	MPI_Bcast(trajpath, sizeof trajpath, MPI_CHAR, 0, MPI_COMM_WORLD);

	struct coord c;
	memset(&c, 0, sizeof c);
	c.o = o;
	c.prog.total = ntodo;
	c.prog.skipped = skipped;
	c.prog.ranks = size;
	c.prog.catalog = o->catalog;
	c.prog.trajfile = ntodo ? trajpath : "";
	c.prog.sweep_id = sweep_id;
	const struct bw_task **rows = malloc((ntodo ? ntodo : 1) * sizeof *rows);
	for (size_t i = 0; rows && i < ntodo; i++) {
		rows[i] = &spec.tasks[todo[i]];
		c.prog.cost_total += rows[i]->cost;
	}

	struct bw_trajfile *tf = NULL;
	rc = rows ? BW_OK : RAISE(BW_ENOMEM, "out of memory");
	if (ntodo && !rc)
		rc = bw_trajfile_create(trajpath, MPI_COMM_WORLD, rows, ntodo, spec.name, "", BW_REVISION, &tf);
	if (agree(rc)) {
		if (tf)
			bw_trajfile_close(tf);
		tf = NULL;
		if (!rc)
			rc = BW_ESTORE;
	} else if (ntodo) {
		const char *slash = strrchr(trajpath, '/');
		const char *trajname = slash ? slash + 1 : trajpath;
		if (rank == 0) {
			c.o = o;
			c.cat = cat;
			c.tf = tf;
			c.trajname = trajname;
			c.rows = rows;
			c.nrows = ntodo;
			c.sweep_id = sweep_id;
			c.size = size;
			c.active = size - 1;
			c.batch = malloc(COMMIT_BATCH * sizeof *c.batch);
			if (!c.batch)
				coord_fail(&c, BW_ENOMEM, "out of memory");
			coordinate(&c);
			free(c.batch);
			if (c.err)
				rc = RAISE(c.err, "%s", c.errmsg);
			else if (c.stopping)
				rc = BW_EINTR;
		} else {
			bw_worker_loop(tf, trajname, rows, rank, o->cancel);
		}
		int crc = bw_trajfile_close(tf); /* collective */
		if (!rc)
			rc = crc;
	}
	if (rank == 0) {
		if (!ntodo)
			coord_progress(&c, now_s(), 1);
		const char *state = rc == BW_OK ? "done" : rc == BW_EINTR ? "interrupted" : "failed";
		int erc = bw_catalog_sweep_end(cat, sweep_id, state);
		if (!rc)
			rc = erc;
		bw_catalog_close(cat);
		*report = c.prog;
		report->trajfile = NULL;
	} else {
		bw_error_clear();
	}
	free(rows);
	free(todo);
	free(mine);
	bw_spec_release(&spec);
	MPI_Finalize();
	return rc;
}
