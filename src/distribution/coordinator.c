/* coordinator.c - bw_sweep_run: the setup every rank shares, and rank 0's
 * coordinating loop (dynamic hand-out, local compute thread, batched commits). */
#include "biasweep/sweeprun.h"

#include "biasweep/bench_kernels.h"
#include "biasweep/catalog.h"
#include "biasweep/clock.h"
#include "biasweep/search.h"
#include "biasweep/shard.h"
#include "biasweep/error.h"
#include "biasweep/versions.h"
#include "protocol.h"
#include "revision.h"
#include "worker.h"

#include <errno.h>
#include <gsl/gsl_version.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { COMMIT_BATCH = 256, PREFETCH_MAX = BW_PREFETCH_MAX };
#define COMMIT_SECONDS 1.0
/* Tasks estimated cheaper than this (coordinate-updates, bw_task_cost: well
 * under a millisecond) are sent ahead, up to PREFETCH_MAX per worker, and
 * reported in batches (worker.c): for them the round trip through rank 0 and
 * one trajectory write per table and row would cost more than the work.
 * Dearer tasks go one at a time, largest first, as the tail of a sweep needs. */
#define PREFETCH_COST 1e5

/* ---- a catalog locked by another connection: wait it out, never give up but on a signal ----
 * Each write waits BUSY_POLL_MS inside SQLite, then comes back BW_EBUSY; it is tried
 * again after a backoff (BUSY_DELAY0 doubling to BUSY_DELAY_MAX), and mid-run the
 * loop goes on collecting meanwhile.  After a signal a wait ends SIGNAL_GRACE later. */
enum { BUSY_POLL_MS = 100 };
#define BUSY_DELAY0 0.1
#define BUSY_DELAY_MAX 2.0
#define SIGNAL_GRACE 2.0

struct busy {
	double since;     /* when the lock was first found held; 0: not waiting */
	double next;      /* when to try again */
	double delay;
	double cancelled; /* when the wait first saw the signal */
};

/* Ends a wait: reported over (1: went through or failed otherwise, 2: given up). */
static void busy_over(const struct bw_sweep_opts *o, struct busy *b, const char *what, size_t waiting, int how)
{
	if (b->since && o->busy) {
		struct bw_busy note = {o->catalog, what, bw_now_s() - b->since, waiting, how};
		o->busy(o->progress_ctx, &note);
	}
	b->since = b->cancelled = 0;
}

/* After a catalog write returned rc: 1 when it was busy (the next try is
 * scheduled and reported), 0 otherwise (and a wait that was on is reported over). */
static int busy_note(const struct bw_sweep_opts *o, struct busy *b, int rc, const char *what, size_t waiting)
{
	double t = bw_now_s();
	struct bw_busy note = {o->catalog, what, 0, waiting, 0};
	if (rc != BW_EBUSY) {
		busy_over(o, b, what, waiting, 1);
		return 0;
	}
	if (!b->since) {
		b->since = t;
		b->delay = BUSY_DELAY0;
	} else {
		b->delay = b->delay * 2 < BUSY_DELAY_MAX ? b->delay * 2 : BUSY_DELAY_MAX;
	}
	b->next = t + b->delay;
	note.waited_s = t - b->since;
	if (o->busy)
		o->busy(o->progress_ctx, &note);
	return 1;
}

/* Whether a busy write should be tried again after a signal (not SIGNAL_GRACE
 * after it; the next try comes no later than that). */
static int busy_persist(const struct bw_sweep_opts *o, struct busy *b)
{
	if (!o->cancel || !*o->cancel)
		return 1;
	double t = bw_now_s();
	if (!b->cancelled)
		b->cancelled = t;
	double left = SIGNAL_GRACE - (t - b->cancelled);
	if (b->delay > left)
		b->delay = left > 0 ? left : 0;
	return left > 0;
}

/* For a write that has nothing else to do meanwhile (the sweep's start and end,
 * the last commit): 1 after waiting for the next try, 0 to go on with rc (done,
 * failed, or given up after a signal: then still BW_EBUSY). */
static int busy_retry(const struct bw_sweep_opts *o, struct busy *b, int rc, const char *what, size_t waiting)
{
	if (!busy_note(o, b, rc, what, waiting))
		return 0;
	if (!busy_persist(o, b)) {
		busy_over(o, b, what, waiting, 2);
		return 0;
	}
	struct timespec ts = {(time_t)b->delay, (long)((b->delay - (double)(time_t)b->delay) * 1e9)};
	nanosleep(&ts, NULL); /* a signal cuts it short: the next try sees it */
	return 1;
}

/* ---- rank 0's compute thread: numerics only, fed through a small queue ---- */
struct local {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* to the thread: a task, or quit */
	pthread_cond_t done_cv; /* to the coordinator: a task finished */
	const volatile int *cancel;
	struct bw_finished in[PREFETCH_MAX]; /* ring of tasks to run */
	size_t in_head, in_n;
	struct bw_finished out[PREFETCH_MAX]; /* finished, in order */
	size_t out_n;
	int quit;
};

static void *local_main(void *arg)
{
	struct local *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->in_n && !l->quit)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->quit)
			break;
		struct bw_finished x = l->in[l->in_head];
		l->in_head = (l->in_head + 1) % PREFETCH_MAX;
		l->in_n--;
		pthread_mutex_unlock(&l->mu);
		x.cancelled = bw_task_execute(&x.task, l->cancel, &x.out) == BW_EINTR;
		if (x.cancelled)
			bw_error_clear(); /* this thread's error state */
		pthread_mutex_lock(&l->mu);
		l->out[l->out_n++] = x;
		pthread_cond_signal(&l->done_cv);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void local_give(struct local *l, int32_t row, const struct bw_task *t)
{
	pthread_mutex_lock(&l->mu);
	struct bw_finished *x = &l->in[(l->in_head + l->in_n) % PREFETCH_MAX];
	x->row = row;
	x->task = *t;
	l->in_n++;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* ---- what there is to do: static tasks and adaptive n-searches ---- */

/* One (cell, seed) search: its bisection, and the trajectory rows reserved for it. */
struct sstate {
	const struct bw_search *s;
	struct bw_bisect b;
	int busy;              /* a probe is in flight */
	int32_t row_next, row_end;
};

struct work {
	const struct bw_task **stat; /* static tasks still to run, rows 0 .. nstat-1 */
	size_t nstat;
	struct sstate *ss;           /* searches not finished yet (replayed from the catalog) */
	size_t nss;
	uint64_t *done;              /* keys with an outcome, sorted, and their success */
	int8_t *ok;
	size_t ndone;
	size_t nrows;                /* rows of the trajectory file */
	uint64_t *row_d;             /* d of each row */
	size_t skipped;              /* tasks and probes found in the catalog */
};

static void work_release(struct work *w)
{
	free(w->stat);
	free(w->ss);
	free(w->done);
	free(w->ok);
	free(w->row_d);
	memset(w, 0, sizeof *w);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* -1 when the key has no outcome yet, else its success (0/1). */
static int known(const struct work *w, uint64_t key)
{
	if (!w->ndone)
		return -1;
	const uint64_t *hit = bsearch(&key, w->done, w->ndone, sizeof key, cmp_u64);
	return hit ? w->ok[hit - w->done] : -1;
}

/* Advance a search past every probe the catalog already holds (resume is
 * rerun: the bisection replays them to the same point). */
static void replay(struct work *w, struct sstate *st)
{
	for (;;) {
		long n = bw_bisect_next(&st->b);
		if (n < 0)
			return;
		struct bw_task probe;
		bw_search_probe(st->s, n, &probe);
		int k = known(w, probe.key);
		if (k < 0)
			return;
		bw_bisect_update(&st->b, n, k);
		w->skipped++;
	}
}

/* ---- the coordinator's state ---- */
struct pending {
	struct bw_result r;
	int32_t row;
};

struct coord {
	const struct bw_sweep_opts *o;
	struct bw_catalog *cat;
	struct bw_trajfile *tf;
	const char *trajname;
	struct work *w;
	size_t next_stat, cursor, inflight;
	struct bw_task *row_task; /* what each dispatched row runs */
	int32_t *row_search;      /* its search, -1 for a static task */
	int64_t sweep_id;
	int size, active, stopping, err;
	char errmsg[600];
	struct pending *batch; /* finished, not committed yet; batch[0..ntxn) is in an open */
	size_t nbatch, cap;    /* transaction whose COMMIT found the catalog locked */
	size_t ntxn;
	struct busy busy;
	double start, last_commit;
	int *idle; /* worker ranks waiting for work a search may still produce */
	int nidle;
	int *outst; /* tasks sent to each worker rank and not returned yet */
	struct bw_progress prog;
};

static void coord_fail(struct coord *c, int code, const char *msg)
{
	if (!c->err) {
		c->err = code ? code : BW_EINTERNAL;
		snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
	}
	c->stopping = 1;
}

/* Commits the finished outcomes in one transaction; what is committed is
 * counted in prog.done.  BW_EBUSY loses nothing: a busy COMMIT keeps its
 * transaction open (batch[0..ntxn)) to be committed again, a busy begin
 * leaves the batch as it was; outcomes that finish meanwhile join the batch
 * behind. */
static int coord_commit(struct coord *c)
{
	int rc = BW_OK;
	if (!c->ntxn) {
		if (!c->nbatch)
			return BW_OK;
		rc = bw_catalog_begin(c->cat);
		for (size_t i = 0; i < c->nbatch && !rc; i++) {
			int32_t row = c->batch[i].row;
			if (c->row_search[row] >= 0) /* a probe: its task row goes in with its outcome */
				rc = bw_catalog_task_add(c->cat, c->sweep_id, &c->row_task[row]);
			if (!rc)
				rc = bw_catalog_put(c->cat, c->sweep_id, &c->batch[i].r);
		}
		if (rc) {
			bw_catalog_rollback(c->cat);
			return rc;
		}
		c->ntxn = c->nbatch;
	}
	rc = bw_catalog_commit(c->cat);
	if (rc == BW_EBUSY)
		return rc;
	size_t n = c->ntxn;
	c->ntxn = 0;
	if (rc) /* rolled back: the batch stays, a later commit may take it */
		return rc;
	for (size_t i = 0; i < n; i++) {
		c->prog.done++;
		c->prog.diverged += c->batch[i].r.status == BW_RUN_DIVERGED;
		c->prog.failed += c->batch[i].r.status == BW_RUN_FAILED;
	}
	memmove(c->batch, c->batch + n, (c->nbatch - n) * sizeof *c->batch);
	c->nbatch -= n;
	c->last_commit = bw_now_s();
	return BW_OK;
}

/* Gives up an open busy transaction (after a signal): its outcomes run again on resume. */
static void coord_abandon(struct coord *c)
{
	if (c->ntxn)
		bw_catalog_rollback(c->cat);
	c->ntxn = 0;
}

/* Mid-run: commit a full batch or one a second old, or try a busy one again
 * when its time has come; a lock held elsewhere is waited out, anything else
 * ends the run. */
static void coord_commit_due(struct coord *c)
{
	double t = bw_now_s();
	if (c->busy.since ? t < c->busy.next
			  : c->nbatch < COMMIT_BATCH && !(c->nbatch && t - c->last_commit >= COMMIT_SECONDS))
		return;
	int rc = coord_commit(c);
	if (!busy_note(c->o, &c->busy, rc, "committing", c->nbatch) && rc)
		coord_fail(c, bw_error_code(), bw_error_message());
}

static void coord_progress(struct coord *c, double start, int final);

/* The last commits (a transaction left open by a busy COMMIT, then the rest):
 * waits out a lock held elsewhere (after a signal, SIGNAL_GRACE at most),
 * with progress meanwhile. */
static void coord_commit_last(struct coord *c)
{
	int rc = BW_OK;
	while (rc == BW_OK && c->nbatch)
		do {
			rc = coord_commit(c);
			if (rc == BW_EBUSY)
				coord_progress(c, c->start, 0);
		} while (busy_retry(c->o, &c->busy, rc, "committing", c->nbatch));
	if (rc == BW_EBUSY && c->o->cancel && *c->o->cancel)
		coord_abandon(c); /* given up on a signal: an interruption, not a failure */
	else if (rc)
		coord_fail(c, bw_error_code(), bw_error_message());
}

static void coord_finished(struct coord *c, int32_t row, const struct bw_result *r)
{
	c->inflight--;
	c->prog.cost_done += c->row_task[row].cost;
	int32_t si = c->row_search[row];
	if (si >= 0) {
		struct sstate *st = &c->w->ss[si];
		st->busy = 0;
		if (r)
			bw_bisect_update(&st->b, (long)c->row_task[row].inst.n, r->success);
	}
	if (!r) {
		c->prog.dropped++;
		return;
	}
	if (c->nbatch == c->cap) { /* it grows while the catalog is locked elsewhere */
		size_t cap = c->cap ? 2 * c->cap : COMMIT_BATCH;
		struct pending *nb = realloc(c->batch, cap * sizeof *nb);
		if (!nb) {
			coord_fail(c, BW_ENOMEM, "out of memory keeping finished outcomes");
			return;
		}
		c->batch = nb;
		c->cap = cap;
	}
	c->batch[c->nbatch].r = *r;
	c->batch[c->nbatch].row = row;
	c->nbatch++;
	c->prog.finished++;
	coord_commit_due(c);
}

/* The next row to hand out, or -1 when there is nothing right now (or the
 * next task is estimated to cost more than max_cost).  Search probes go first
 * (each search is a chain of probes), then static tasks, largest estimated
 * cost first. */
static int32_t coord_next(struct coord *c, double max_cost)
{
	if (c->o->cancel && *c->o->cancel)
		c->stopping = 1;
	if (c->stopping || c->err)
		return -1;
	struct work *w = c->w;
	for (size_t k = 0; k < w->nss; k++) {
		size_t i = (c->cursor + k) % w->nss;
		struct sstate *st = &w->ss[i];
		if (st->busy || st->b.done)
			continue;
		replay(w, st); /* another spec may have run this probe meanwhile */
		long n = bw_bisect_next(&st->b);
		if (n < 0)
			continue;
		if (st->s->cost / (double)st->s->max_probes > max_cost)
			return -1;
		if (st->row_next >= st->row_end) {
			coord_fail(c, BW_EINTERNAL, "a search ran out of its reserved trajectory rows");
			return -1;
		}
		int32_t row = st->row_next++;
		bw_search_probe(st->s, n, &c->row_task[row]);
		c->row_search[row] = (int32_t)i;
		st->busy = 1;
		c->cursor = i + 1;
		c->inflight++;
		return row;
	}
	if (c->next_stat < w->nstat) {
		if (w->stat[c->next_stat]->cost > max_cost)
			return -1;
		int32_t row = (int32_t)c->next_stat;
		c->row_task[row] = *w->stat[c->next_stat++];
		c->row_search[row] = -1;
		c->inflight++;
		return row;
	}
	return -1;
}

/* Whether work may still appear (a search with a probe in flight). */
static int coord_more_later(const struct coord *c)
{
	if (c->stopping || c->err)
		return 0;
	for (size_t i = 0; i < c->w->nss; i++)
		if (!c->w->ss[i].b.done)
			return 1;
	return c->next_stat < c->w->nstat;
}

static void coord_progress(struct coord *c, double start, int final)
{
	/* total: what finished, what runs, and the most the rest can still take */
	size_t left = c->w ? c->w->nstat - c->next_stat : 0;
	double cost_left = 0, cost_flight = 0;
	for (size_t i = c->next_stat; c->w && i < c->w->nstat; i++)
		cost_left += c->w->stat[i]->cost;
	for (size_t i = 0; c->w && i < c->w->nss; i++) {
		const struct sstate *st = &c->w->ss[i];
		double per_probe = st->s->cost / (double)st->s->max_probes;
		if (st->busy)
			cost_flight += per_probe;
		if (!st->b.done && st->row_end > st->row_next) {
			left += (size_t)(st->row_end - st->row_next);
			cost_left += per_probe * (double)(st->row_end - st->row_next);
		}
	}
	/* searches end early and their probes cost what their n costs: re-estimate */
	if (c->w && c->w->nss)
		c->prog.cost_total = c->prog.cost_done + cost_flight + cost_left;
	/* what a signal or an error leaves undone stays in the count: the denominator holds */
	c->prog.total = c->prog.finished + c->prog.dropped + c->inflight + left;
	c->prog.elapsed_s = bw_now_s() - start;
	c->prog.final = final;
	if (c->o->progress)
		c->o->progress(c->o->progress_ctx, &c->prog);
}

static void send_task(struct coord *c, int dest, int32_t row)
{
	struct bw_task_msg tm;
	memset(&tm, 0, sizeof tm);
	tm.row = row;
	if (row >= 0)
		tm.task = c->row_task[row];
	MPI_Send(&tm, sizeof tm, MPI_BYTE, dest, BW_TAG_TASK, MPI_COMM_WORLD);
	if (row < 0)
		c->active--;
}

/* Fill a worker's queue: one task, or up to PREFETCH_MAX cheap ones; a
 * worker with nothing to do is parked (a search may still produce work) or
 * stopped (only once every task it was sent has come back). */
static void top_up(struct coord *c, int dest)
{
	while (c->outst[dest] < PREFETCH_MAX) {
		int32_t r = coord_next(c, c->outst[dest] ? PREFETCH_COST : INFINITY);
		if (r < 0)
			break;
		send_task(c, dest, r);
		c->outst[dest]++;
	}
	if (c->outst[dest] == 0) {
		if (coord_more_later(c))
			c->idle[c->nidle++] = dest;
		else
			send_task(c, dest, -1);
	}
}

/* A worker's message about a task (or rank 0's own, through the same path). */
static void coord_message(struct coord *c, const struct bw_msg *m)
{
	if (m->kind == BW_MSG_RESULT) {
		coord_finished(c, m->row, &m->result);
	} else if (m->kind == BW_MSG_CANCELLED) {
		coord_finished(c, m->row, NULL);
	} else if (m->kind == BW_MSG_ERROR) { /* writing its trajectory row failed: name the file */
		char msg[sizeof c->errmsg];
		c->inflight--;
		if (c->prog.trajfile && *c->prog.trajfile && !strstr(m->error, c->trajname))
			snprintf(msg, sizeof msg, "trajectory file '%s': %s", c->prog.trajfile, m->error);
		else
			snprintf(msg, sizeof msg, "%s", m->error);
		coord_fail(c, m->code, msg);
	}
}

/* The local thread's finished tasks, reported as a worker reports its own;
 * returns how many there were. */
static size_t local_collect(struct coord *c, struct local *l)
{
	static struct bw_finished got[PREFETCH_MAX];
	static struct bw_msg msg[PREFETCH_MAX];
	pthread_mutex_lock(&l->mu);
	size_t n = l->out_n;
	memcpy(got, l->out, n * sizeof *got);
	l->out_n = 0;
	pthread_mutex_unlock(&l->mu);
	bw_finished_report(c->tf, c->trajname, 0, got, n, msg);
	for (size_t i = 0; i < n; i++)
		coord_message(c, &msg[i]);
	return n;
}

/* Runs until every task is handed out and returned (or dropped), with the
 * local compute thread as one more worker. */
static void coordinate(struct coord *c)
{
	struct local *l = calloc(1, sizeof *l);
	size_t local_out = 0; /* tasks given to the local thread and not collected */
	int local_done = 0, have_local = 0;
	if (l) {
		l->cancel = c->o->cancel;
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_mutex_init(&l->mu, NULL);
		pthread_cond_init(&l->cv, NULL);
		pthread_cond_init(&l->done_cv, &ca);
		pthread_condattr_destroy(&ca);
		have_local = pthread_create(&l->thread, NULL, local_main, l) == 0;
	}
	if (!have_local) {
		local_done = 1;
		if (c->size == 1)
			coord_fail(c, BW_EINTERNAL, "cannot start the compute thread");
	}
	double start = bw_now_s(), last_prog = 0;
	c->start = c->last_commit = start;
	coord_progress(c, start, 0);
	for (;;) {
		int progressed = 0;
		for (;;) { /* messages from workers */
			int flag = 0;
			MPI_Status st;
			MPI_Iprobe(MPI_ANY_SOURCE, BW_TAG_MSG, MPI_COMM_WORLD, &flag, &st);
			if (!flag)
				break;
			struct bw_msg m;
			int src = st.MPI_SOURCE;
			MPI_Recv(&m, sizeof m, MPI_BYTE, src, BW_TAG_MSG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			progressed = 1;
			if (m.kind != BW_MSG_READY)
				c->outst[src]--;
			coord_message(c, &m);
			/* a worker that still has tasks queued is topped up after its batch */
			int more = 0;
			if (c->outst[src] > 0)
				MPI_Iprobe(src, BW_TAG_MSG, MPI_COMM_WORLD, &more, MPI_STATUS_IGNORE);
			if (!more)
				top_up(c, src);
		}
		if (local_out > 0) { /* the local compute thread finished some? */
			size_t got = local_collect(c, l);
			local_out -= got;
			progressed |= got > 0;
		}
		while (!local_done && local_out < PREFETCH_MAX) {
			int32_t r = coord_next(c, local_out ? PREFETCH_COST : INFINITY);
			if (r >= 0) {
				local_give(l, r, &c->row_task[r]);
				local_out++;
				progressed = 1;
				continue;
			}
			if (local_out == 0 && !coord_more_later(c))
				local_done = 1;
			break;
		}
		while (c->nidle > 0) { /* parked workers: work may have appeared */
			int32_t r = coord_next(c, INFINITY);
			if (r >= 0) {
				int dest = c->idle[--c->nidle];
				send_task(c, dest, r);
				c->outst[dest]++;
				progressed = 1;
			} else if (!coord_more_later(c)) {
				send_task(c, c->idle[--c->nidle], -1);
				progressed = 1;
			} else {
				break;
			}
		}
		if (c->active == 0 && local_done)
			break;
		double t = bw_now_s();
		coord_commit_due(c);
		if (t - last_prog >= 0.25) {
			coord_progress(c, start, 0);
			last_prog = t;
		}
		if (c->o->cancel && *c->o->cancel)
			c->stopping = 1;
		if (!progressed) { /* wait: for the local thread (woken at once) or 0.2 ms for MPI */
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += 200000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (local_out > 0) {
				pthread_mutex_lock(&l->mu);
				if (!l->out_n)
					pthread_cond_timedwait(&l->done_cv, &l->mu, &ts);
				pthread_mutex_unlock(&l->mu);
			} else {
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			}
		}
	}
	coord_commit_last(c);
	if (l) {
		pthread_mutex_lock(&l->mu);
		l->quit = 1;
		pthread_cond_signal(&l->cv);
		pthread_mutex_unlock(&l->mu);
		if (have_local)
			pthread_join(l->thread, NULL);
		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->cv);
		pthread_cond_destroy(&l->done_cv);
		free(l);
	}
	coord_progress(c, start, 1);
}

/* Every rank must agree on success before a collective step. */
static int agree(int rc)
{
	int worst = rc;
	MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return worst;
}

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
static int is_shard(const struct bw_sweep_opts *o)
{
	return o->sharded || o->shard_count > 1;
}

/* Rank 0: open the catalog, record the sweep, and work out what is left:
 * static tasks without an outcome and searches not finished (replayed), and
 * the trajectory rows they need; *ident is what the run's trajectory file carries. */
static int prepare(const struct bw_sweep_opts *o, const struct bw_spec *spec, int ranks, struct bw_catalog **cat,
		   int64_t *sweep_id, struct work *w, struct bw_traj_identity *ident)
{
	char dirbuf[4096], probe[256];
	/* a sweep name too long for a file name is refused before anything is written */
	CHECK(bw_trajfile_name(o->catalog, spec->name, INT64_MAX, is_shard(o) ? o->shard_index : -1, 1000, probe,
			       sizeof probe));
	snprintf(dirbuf, sizeof dirbuf, "%s", o->catalog);
	const char *dir = dirname(dirbuf);
	struct stat dst;
	if (stat(dir, &dst) == 0 && !S_ISDIR(dst.st_mode))
		return RAISE(BW_EINVAL, "cannot write to the results directory '%s': %s", dir, strerror(ENOTDIR));
	if (access(dir, W_OK) != 0)
		return RAISE(BW_EINVAL, "cannot write to the results directory '%s': %s", dir, strerror(errno));
	CHECK(bw_catalog_open(o->catalog, is_shard(o) ? BW_CATALOG_ROLLBACK_JOURNAL : 0, cat));
	CHECK(bw_catalog_done_successes(*cat, &w->done, &w->ok, &w->ndone));
	CHECK(bw_catalog_traj_identity(*cat, 0, ident)); /* a malformed catalog_id is refused before the sweep row */
	bw_catalog_set_busy_timeout(*cat, BUSY_POLL_MS); /* the writes wait out locks themselves */

	/* this process's share of the grid (a Slurm array element runs one shard) */
	int32_t *mine = malloc((spec->ntasks ? spec->ntasks : 1) * sizeof(int32_t));
	int32_t *mine_s = malloc((spec->nsearch ? spec->nsearch : 1) * sizeof(int32_t));
	w->stat = malloc((spec->ntasks ? spec->ntasks : 1) * sizeof *w->stat);
	w->ss = malloc((spec->nsearch ? spec->nsearch : 1) * sizeof *w->ss);
	if (!mine || !mine_s || !w->stat || !w->ss) {
		free(mine);
		free(mine_s);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	size_t nmine = bw_spec_shard(spec, o->shard_index, o->shard_count, mine);
	size_t nmine_s = bw_spec_shard_searches(spec, o->shard_index, o->shard_count, mine_s);
	for (size_t i = 0; i < nmine; i++) {
		const struct bw_task *t = &spec->tasks[mine[i]];
		if (known(w, t->key) >= 0)
			w->skipped++;
		else
			w->stat[w->nstat++] = t;
	}
	size_t rows = w->nstat;
	for (size_t i = 0; i < nmine_s; i++) {
		struct sstate *st = &w->ss[w->nss];
		memset(st, 0, sizeof *st);
		st->s = &spec->searches[mine_s[i]];
		bw_bisect_init(&st->b, st->s->lo, st->s->hi, st->s->resolution);
		replay(w, st);
		if (st->b.done)
			continue;
		st->row_next = (int32_t)rows;
		rows += (size_t)(st->s->max_probes - st->b.probes);
		st->row_end = (int32_t)rows;
		w->nss++;
	}
	w->nrows = rows;
	w->row_d = malloc((rows ? rows : 1) * sizeof *w->row_d);
	if (!w->row_d) {
		free(mine);
		free(mine_s);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < w->nstat; i++)
		w->row_d[i] = w->stat[i]->inst.d;
	for (size_t i = 0; i < w->nss; i++)
		for (int32_t r = w->ss[i].row_next; r < w->ss[i].row_end; r++)
			w->row_d[r] = w->ss[i].s->base.inst.d;

	char host[256] = "unknown", libs[1024], shard[64] = "";
	gethostname(host, sizeof host);
	host[sizeof host - 1] = 0;
	libraries(libs, sizeof libs);
	if (is_shard(o))
		snprintf(shard, sizeof shard, "%d/%d", o->shard_index, o->shard_count);
	/* A shard's catalog plans only the shard's own tasks (sweep_tasks): its
	 * pending count, and the merge's completeness check, are then exact.
	 * Search probes are recorded as they finish. */
	struct bw_spec part = *spec;
	struct bw_task *own = NULL;
	int rc = BW_OK;
	if (is_shard(o)) {
		own = malloc((nmine ? nmine : 1) * sizeof *own);
		if (!own)
			rc = RAISE(BW_ENOMEM, "out of memory");
		for (size_t i = 0; own && i < nmine; i++)
			own[i] = spec->tasks[mine[i]];
		part.tasks = own;
		part.ntasks = nmine;
	}
	struct busy b = {0};
	if (!rc)
		do
			rc = bw_catalog_sweep_begin(*cat, &part, BW_REVISION, host, ranks, libs, shard, sweep_id);
		while (busy_retry(o, &b, rc, "recording the sweep", 0));
	if (rc == BW_EBUSY && o->cancel && *o->cancel)
		rc = RAISE(BW_EINTR, "interrupted while the catalog '%s' was locked by another connection; nothing "
			   "was run", o->catalog);
	free(own);
	free(mine);
	free(mine_s);
	CHECK(rc);
	return bw_catalog_traj_identity(*cat, *sweep_id, ident);
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
	struct bw_catalog *cat = NULL;
	int64_t sweep_id = 0;
	struct work w;
	memset(&w, 0, sizeof w);
	char trajpath[4096] = "", trajname[256] = "";
	struct bw_traj_identity ident;
	memset(&ident, 0, sizeof ident);
	/* plan's admission, before anything is written */
	struct bw_admit_opts admit = {o->memory_limit, o->catalog};
	if (rank == 0 && (rc = bw_spec_admit(&spec, &admit, NULL)) == BW_OK)
		rc = prepare(o, &spec, size, &cat, &sweep_id, &w, &ident);
	if (agree(rc)) {
		if (rank)
			bw_error_clear();
		if (cat)
			bw_catalog_close(cat);
		work_release(&w);
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
		work_release(&w);
		bw_spec_release(&spec);
		MPI_Finalize();
		return BW_ENOMEM;
	}
	MPI_Bcast(w.row_d, (int)nrows, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	MPI_Bcast(&ident, sizeof ident, MPI_BYTE, 0, MPI_COMM_WORLD);
	size_t *row_d = malloc((nrows ? nrows : 1) * sizeof *row_d);
	for (size_t i = 0; row_d && i < nrows; i++)
		row_d[i] = (size_t)w.row_d[i];

	struct coord c;
	memset(&c, 0, sizeof c);
	c.o = o;
	c.w = &w;
	c.prog.skipped = w.skipped;
	c.prog.ranks = size;
	c.prog.catalog = o->catalog;
	c.prog.trajfile = nrows ? trajpath : "";
	c.prog.sweep_id = sweep_id;
	for (size_t i = 0; i < w.nstat; i++)
		c.prog.cost_total += w.stat[i]->cost;
	for (size_t i = 0; i < w.nss; i++)
		c.prog.cost_total += w.ss[i].s->cost;

	struct bw_trajfile *tf = NULL;
	rc = row_d ? BW_OK : RAISE(BW_ENOMEM, "out of memory");
	/* a new file of this catalog's (never an existing one), with room for all of it first: a full disk
	 * is a clean error here */
	if (nrows && !rc && rank == 0)
		rc = bw_trajfile_reserve(o->catalog, spec.name, sweep_id, is_shard(o) ? o->shard_index : -1, row_d,
					 nrows, trajname, sizeof trajname, trajpath, sizeof trajpath);
	if (nrows && agree(rc) == BW_OK) {
		MPI_Bcast(trajpath, sizeof trajpath, MPI_CHAR, 0, MPI_COMM_WORLD);
		MPI_Bcast(trajname, sizeof trajname, MPI_CHAR, 0, MPI_COMM_WORLD);
		rc = bw_trajfile_create(trajpath, MPI_COMM_WORLD, rank, row_d, nrows, spec.name, "", BW_REVISION, &ident,
					&tf);
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
			c.batch = malloc(COMMIT_BATCH * sizeof *c.batch);
			c.cap = c.batch ? COMMIT_BATCH : 0;
			c.row_task = malloc(nrows * sizeof *c.row_task);
			c.row_search = malloc(nrows * sizeof *c.row_search);
			c.idle = malloc((size_t)size * sizeof *c.idle);
			c.outst = calloc((size_t)size, sizeof *c.outst);
			if (!c.batch || !c.row_task || !c.row_search || !c.idle || !c.outst)
				coord_fail(&c, BW_ENOMEM, "out of memory");
			coordinate(&c);
			free(c.batch);
			free(c.row_task);
			free(c.row_search);
			free(c.idle);
			free(c.outst);
			rc = c.err ? c.err : c.stopping ? BW_EINTR : BW_OK;
			if (rc == BW_OK && c.prog.done != c.prog.finished) { /* never a silent loss */
				char msg[128];
				snprintf(msg, sizeof msg, "%zu finished outcomes were left uncommitted",
					 c.prog.finished - c.prog.done);
				coord_fail(&c, BW_EINTERNAL, msg);
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
			coord_progress(&c, bw_now_s(), 1);
		const char *state = rc == BW_OK ? "done" : rc == BW_EINTR ? "interrupted" : "failed";
		/* the first error is the one to report (a full disk fails the end too) */
		char first[sizeof c.errmsg];
		snprintf(first, sizeof first, "%s", rc ? bw_error_message() : "");
		struct busy b = {0};
		int erc;
		do
			erc = bw_catalog_sweep_end(cat, sweep_id, state);
		while (busy_retry(o, &b, erc, "ending the sweep", 0));
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
	work_release(&w);
	bw_spec_release(&spec);
	MPI_Finalize();
	return rc;
}
