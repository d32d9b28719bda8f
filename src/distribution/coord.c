/* coord.c - rank 0's coordinator state: batched commits of finished
 * outcomes, waiting out a catalog locked by another connection, progress. */
#include "coord.h"

#include "biasweep/clock.h"
#include "biasweep/error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define COMMIT_SECONDS 1.0

/* ---- a catalog locked by another connection: wait it out, never give up but on a signal ----
 * Each write waits BW_BUSY_POLL_MS inside SQLite (coord.h), then comes back BW_EBUSY; it is tried
 * again after a backoff (BUSY_DELAY0 doubling to BUSY_DELAY_MAX), and mid-run the
 * loop goes on collecting meanwhile.  After a signal a wait ends SIGNAL_GRACE later. */
#define BUSY_DELAY0 0.1
#define BUSY_DELAY_MAX 2.0
#define SIGNAL_GRACE 2.0

/* Ends a wait: reported over (1: went through or failed otherwise, 2: given up). */
static void busy_over(const struct bw_sweep_opts *o, struct bw_busy_wait *b, const char *what, size_t waiting, int how)
{
	if (b->since && o->busy) {
		struct bw_busy note = {o->catalog, what, bw_now_s() - b->since, waiting, how};
		o->busy(o->progress_ctx, &note);
	}
	b->since = b->cancelled = 0;
}

/* After a catalog write returned rc: 1 when it was busy (the next try is
 * scheduled and reported), 0 otherwise (and a wait that was on is reported over). */
int bw_busy_note(const struct bw_sweep_opts *o, struct bw_busy_wait *b, int rc, const char *what, size_t waiting)
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
static int busy_persist(const struct bw_sweep_opts *o, struct bw_busy_wait *b)
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
int bw_busy_retry(const struct bw_sweep_opts *o, struct bw_busy_wait *b, int rc, const char *what, size_t waiting)
{
	if (!bw_busy_note(o, b, rc, what, waiting))
		return 0;
	if (!busy_persist(o, b)) {
		busy_over(o, b, what, waiting, 2);
		return 0;
	}
	struct timespec ts = {(time_t)b->delay, (long)((b->delay - (double)(time_t)b->delay) * 1e9)};
	nanosleep(&ts, NULL); /* a signal cuts it short: the next try sees it */
	return 1;
}

void bw_coord_fail(struct bw_coord *c, int code, const char *msg)
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
static int coord_commit(struct bw_coord *c)
{
	int rc = BW_OK;
	if (!c->ntxn) {
		if (!c->nbatch)
			return BW_OK;
		rc = bw_catalog_begin(c->cat);
		for (size_t i = 0; i < c->nbatch && !rc; i++) {
			int32_t row = c->batch[i].row;
			if (c->w->row_search[row] >= 0) /* a probe: its task row goes in with its outcome */
				rc = bw_catalog_task_add(c->cat, c->sweep_id, &c->w->row_task[row]);
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
static void coord_abandon(struct bw_coord *c)
{
	if (c->ntxn)
		bw_catalog_rollback(c->cat);
	c->ntxn = 0;
}

/* Mid-run: commit a full batch or one a second old, or try a busy one again
 * when its time has come; a lock held elsewhere is waited out, anything else
 * ends the run. */
void bw_coord_commit_due(struct bw_coord *c)
{
	double t = bw_now_s();
	if (c->busy.since ? t < c->busy.next
			  : c->nbatch < BW_COMMIT_BATCH && !(c->nbatch && t - c->last_commit >= COMMIT_SECONDS))
		return;
	int rc = coord_commit(c);
	if (!bw_busy_note(c->o, &c->busy, rc, "committing", c->nbatch) && rc)
		bw_coord_fail(c, bw_error_code(), bw_error_message());
}

/* The last commits (a transaction left open by a busy COMMIT, then the rest):
 * waits out a lock held elsewhere (after a signal, SIGNAL_GRACE at most),
 * with progress meanwhile. */
void bw_coord_commit_last(struct bw_coord *c)
{
	int rc = BW_OK;
	while (rc == BW_OK && c->nbatch)
		do {
			rc = coord_commit(c);
			if (rc == BW_EBUSY)
				bw_coord_progress(c, c->start, 0);
		} while (bw_busy_retry(c->o, &c->busy, rc, "committing", c->nbatch));
	if (rc == BW_EBUSY && c->o->cancel && *c->o->cancel)
		coord_abandon(c); /* given up on a signal: an interruption, not a failure */
	else if (rc)
		bw_coord_fail(c, bw_error_code(), bw_error_message());
}

void bw_coord_progress(struct bw_coord *c, double start, int final)
{
	bw_sched_progress(c->w, &c->prog);
	c->prog.elapsed_s = bw_now_s() - start;
	c->prog.final = final;
	if (c->o->progress)
		c->o->progress(c->o->progress_ctx, &c->prog);
}
