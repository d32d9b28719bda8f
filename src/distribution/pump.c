/* pump.c - rank 0's message loop: hands tasks out to worker ranks and to
 * its own compute thread (local.c) as the scheduler orders them, collects
 * their outcomes and has them committed (coord.c). */
#include "coord.h"

#include "biasweep/clock.h"
#include "biasweep/error.h"
#include "protocol.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PREFETCH_MAX = BW_PREFETCH_MAX };
/* Tasks estimated cheaper than this (coordinate-updates, bw_task_cost: well
 * under a millisecond) are sent ahead, up to PREFETCH_MAX per worker, and
 * reported in batches (worker.c): for them the round trip through rank 0 and
 * one trajectory write per table and row would cost more than the work.
 * Dearer tasks go one at a time, largest first, as the tail of a sweep needs. */
#define PREFETCH_COST 1e5

static void coord_finished(struct bw_coord *c, int32_t row, const struct bw_result *r)
{
	bw_sched_finished(c->w, row, r ? r->success : -1, r ? r->wall_s : -1, &c->prog.cost_done);
	if (!r) {
		c->prog.dropped++;
		return;
	}
	if (c->nbatch == c->cap) { /* it grows while the catalog is locked elsewhere */
		size_t cap = c->cap ? 2 * c->cap : BW_COMMIT_BATCH;
		struct bw_pending *nb = realloc(c->batch, cap * sizeof *nb);
		if (!nb) {
			bw_coord_fail(c, BW_ENOMEM, "out of memory keeping finished outcomes");
			return;
		}
		c->batch = nb;
		c->cap = cap;
	}
	c->batch[c->nbatch].r = *r;
	c->batch[c->nbatch].row = row;
	c->nbatch++;
	c->prog.finished++;
	bw_coord_commit_due(c);
}

/* The next row to hand out, or -1 when there is nothing right now (or the
 * next task is estimated to cost more than max_cost): none after a signal or
 * an error, else the scheduler's (scheduler.h). */
static int32_t coord_next(struct bw_coord *c, double max_cost)
{
	if (c->o->cancel && *c->o->cancel)
		c->stopping = 1;
	if (c->stopping || c->err)
		return -1;
	int32_t row;
	int rc = bw_sched_next(c->w, max_cost, &row);
	if (rc)
		bw_coord_fail(c, rc, bw_error_message());
	return row;
}

/* Whether work may still appear (a search with a probe in flight). */
static int coord_more_later(const struct bw_coord *c)
{
	if (c->stopping || c->err)
		return 0;
	return bw_sched_more_later(c->w);
}

static void send_task(struct bw_coord *c, int dest, int32_t row)
{
	struct bw_task_msg tm;
	memset(&tm, 0, sizeof tm);
	tm.row = row;
	if (row >= 0)
		tm.task = c->w->row_task[row];
	MPI_Send(&tm, sizeof tm, MPI_BYTE, dest, BW_TAG_TASK, MPI_COMM_WORLD);
	if (row < 0)
		c->active--;
}

/* Fill a worker's queue: one task, or up to PREFETCH_MAX cheap ones; a
 * worker with nothing to do is parked (a search may still produce work) or
 * stopped (only once every task it was sent has come back). */
static void top_up(struct bw_coord *c, int dest)
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
static void coord_message(struct bw_coord *c, const struct bw_msg *m)
{
	if (m->kind == BW_MSG_RESULT) {
		coord_finished(c, m->row, &m->result);
	} else if (m->kind == BW_MSG_CANCELLED) {
		coord_finished(c, m->row, NULL);
	} else if (m->kind == BW_MSG_ERROR) { /* writing its trajectory row failed: name the file */
		char msg[sizeof c->errmsg];
		c->w->inflight--; /* the run ends: its search (if any) stays busy */
		if (c->prog.trajfile && *c->prog.trajfile && !strstr(m->error, c->trajname))
			snprintf(msg, sizeof msg, "trajectory file '%s': %s", c->prog.trajfile, m->error);
		else
			snprintf(msg, sizeof msg, "%s", m->error);
		bw_coord_fail(c, m->code, msg);
	}
}

/* The local thread's finished tasks, reported as a worker reports its own;
 * returns how many there were. */
static size_t local_collect(struct bw_coord *c, struct bw_local *l)
{
	static struct bw_finished got[PREFETCH_MAX];
	static struct bw_msg msg[PREFETCH_MAX];
	size_t n = bw_local_take(l, got);
	bw_finished_report(c->tf, c->trajname, 0, got, n, msg);
	for (size_t i = 0; i < n; i++)
		coord_message(c, &msg[i]);
	return n;
}

/* Runs until every task is handed out and returned (or dropped), with the
 * local compute thread as one more worker. */
void bw_coordinate(struct bw_coord *c)
{
	struct bw_local *l = bw_local_start(c->o->cancel);
	size_t local_out = 0; /* tasks given to the local thread and not collected */
	int local_done = 0, have_local = l != NULL;
	if (!have_local) {
		local_done = 1;
		if (c->size == 1)
			bw_coord_fail(c, BW_EINTERNAL, "cannot start the compute thread");
	}
	double start = bw_now_s(), last_prog = 0;
	c->start = c->last_commit = start;
	bw_coord_progress(c, start, 0);
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
				bw_local_give(l, r, &c->w->row_task[r]);
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
		bw_coord_commit_due(c);
		if (t - last_prog >= 0.25) {
			bw_coord_progress(c, start, 0);
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
				bw_local_wait(l, &ts);
			} else {
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			}
		}
	}
	bw_coord_commit_last(c);
	bw_local_stop(l);
	bw_coord_progress(c, start, 1);
}

