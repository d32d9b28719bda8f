/* scheduler.h - what a sweep's run has left to do and in which order, with
 * no MPI, threads or storage: driven by plain calls from the coordinator
 * (src/distribution/pump.c) and directly by its unit test.
 *
 * The work is this process's share of the grid: its static tasks without an
 * outcome in the catalog, and its n-searches, each replayed past every probe
 * the catalog already holds (resume is rerun: the bisection replays them to
 * the same point; search.h).  Each task to run gets a row of the run's
 * trajectory file: static tasks rows 0 .. nstat-1 in hand-out order, then
 * each unfinished search the rows its remaining probes may need.
 *
 * Hand-out (bw_sched_next): search probes first (each search is a chain of
 * one probe at a time, visited round robin), then static tasks, largest
 * estimated cost first; max_cost lets the caller send only cheap tasks ahead
 * of a busy worker (a task estimated dearer is not handed out then).
 */
#ifndef BIASWEEP_SCHEDULER_H
#define BIASWEEP_SCHEDULER_H

#include "biasweep/search.h"
#include "biasweep/spec.h"
#include "biasweep/sweeprun.h"

#include <stddef.h>
#include <stdint.h>

#define BW_SCHED_D_OCTAVES 32 /* d < 2^31 (specs allow d <= 1e9) */

/* One (cell, seed) search: its bisection, and the trajectory rows reserved for it. */
struct bw_sched_search {
	const struct bw_search *s;
	struct bw_bisect b;
	int busy;              /* a probe is in flight */
	int32_t row_next, row_end;
};

struct bw_sched {
	const struct bw_task **stat; /* static tasks still to run, rows 0 .. nstat-1, dearest first */
	size_t nstat;
	struct bw_sched_search *ss;  /* searches not finished yet (replayed from the catalog) */
	size_t nss;
	uint64_t *done;              /* keys with an outcome, sorted ascending, and their success */
	int8_t *ok;
	size_t ndone;
	size_t nrows;                /* rows of the trajectory file */
	uint64_t *row_d;             /* d of each row */
	size_t skipped;              /* tasks and probes found in the catalog */
	/* the hand-out (after bw_sched_dispatch_init) */
	struct bw_task *row_task;    /* what each dispatched row runs */
	int32_t *row_search;         /* its search, -1 for a static task */
	size_t next_stat, cursor, inflight;
	/* the ETA's calibration, per dynamics (indexed by bw_algo, read as the table's rows): the
	 * estimated cost and the measured seconds of the tasks that finished; the same per dynamics
	 * and octave of d (floor(log2 d): the cost model's d-scaling need not be right), and the
	 * estimated cost of the tasks handed out and not back yet */
	double cal_cost[BW_ALGO_COUNT], cal_wall[BW_ALGO_COUNT];
	double cal_cost_d[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES], cal_wall_d[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES];
	double flight_cost_d[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES];
	struct bw_sched_flight { int32_t row; double t0; } *flight; /* the rows in flight and when each
	                             * started (bw_now_s; -1: queued behind another, start unknown) */
	size_t nflight;
	double (*clock)(void);       /* the clock of t0 and of the ETA (NULL: bw_now_s; tests simulate one) */
	size_t nsearch;              /* this process's searches, finished ones included */
	struct bw_sched_q { int algo; double q; } *qbuf; /* the ETA's scratch: one per search (nss) */
};

/* The seconds of one coordinate-update on one core that the ETA assumes
 * before any task of a dynamics has finished, and plan's estimate: measured,
 * jobs/default.cfg's 5.18e11 estimated updates ran in 185 s on 2 cores. */
#define BW_S_PER_UPDATE 0.7e-9

/* Builds the work of tasks spec->tasks[mine[i]] (in that order: the shard's
 * order, dearest first) and searches spec->searches[mine_s[i]] in s, zeroed
 * but for the catalog's finished keys: done (sorted ascending), ok (their
 * success) and ndone, malloc'ed, which the scheduler then owns (freed by
 * bw_sched_release, also after a failure).  BW_ENOMEM. */
int bw_sched_init(struct bw_sched *s, const struct bw_spec *spec, const int32_t *mine, size_t nmine,
		  const int32_t *mine_s, size_t nmine_s);
/* Allocates the per-row hand-out state (nrows rows).  BW_ENOMEM. */
int bw_sched_dispatch_init(struct bw_sched *s);
void bw_sched_release(struct bw_sched *s);

/* The next row to hand out in *row, or -1 when there is nothing right now
 * (or the next task is estimated to cost more than max_cost); the row's task
 * is row_task[*row].  BW_EINTERNAL when a search ran out of its rows. */
int bw_sched_next(struct bw_sched *s, double max_cost, int32_t *row);
/* Whether work may still appear (a task not handed out, a search not done). */
int bw_sched_more_later(const struct bw_sched *s);
/* A handed-out row came back: success 0/1 and the seconds it took (the
 * outcome's wall_s), or success -1 when it was dropped (no outcome, wall_s
 * unread).  Adds its estimated cost to *cost_done. */
void bw_sched_finished(struct bw_sched *s, int32_t row, int success, double wall_s, double *cost_done);
/* The estimated cost of the whole work (at the start). */
double bw_sched_cost_total(const struct bw_sched *s);
/* Progress counting: p->total (what finished, was dropped, runs, and the most
 * the rest can still take, from p->finished and p->dropped), with searches
 * p->cost_total re-estimated from p->cost_done (searches end early and their
 * probes cost what their n costs), p->searches and p->searches_resolved, and
 * p->eta_s: bw_sched_eta with p->ranks compute slots. */
void bw_sched_progress(const struct bw_sched *s, struct bw_progress *p);

/* The seconds the work left should take on `slots` tasks at a time: for each
 * dynamics and octave of d, the estimated cost left (tasks not handed out,
 * the expected remaining probes of each search, the tasks in flight) times
 * the seconds per cost unit measured on its finished tasks (cal_wall_d /
 * cal_cost_d); where none finished yet, the rate of that dynamics' finished
 * tasks (cal_wall / cal_cost), and for a dynamics none of whose tasks
 * finished, the static model's BW_S_PER_UPDATE (another dynamics' rate says
 * nothing of its own).  A search's expected remaining probes are the cost of
 * the bisection's paths from where it stands, averaged over where its
 * threshold may lie: 3 pseudo-observations at 1/4, 1/2 and 3/4 of its open
 * bracket, and the m searches of the same dynamics already resolved, each
 * giving the place of its threshold in its range [lo, hi] (q = (n* - lo) /
 * (hi - lo), q > 1 where even hi failed), represented by their quartiles and
 * mapped into this search's range (clipped into its bracket): the mean
 * (3 * uniform + m * resolved) / (3 + m).  Thresholds cluster (gd's near
 * n = d, where its probes cost most), and a uniform guess alone put gd's
 * cost left at 1/8 of the real one a fifth into jobs/default.cfg.  The finished
 * tasks are a biased sample (the slow ones are still running), so a task in
 * flight since a known start counts in the rates as finished at the larger of
 * its elapsed seconds (at `now`, bw_now_s) and its cost at the finished
 * tasks' rate, and its elapsed seconds are taken off the time left. */
double bw_sched_eta(const struct bw_sched *s, int slots, double now);

/* How far a spec (or shard `index` of `count` of it; count <= 1: all) has
 * got, given the keys with an outcome (done ascending, ok their success): its
 * static tasks and those with an outcome, its n-searches and those whose
 * bisection is done (replayed from the outcomes as a rerun would), and the
 * searches' probes found; per algorithm and in total (index BW_ALGO_COUNT).
 * Complete when every task has an outcome and every search is done.
 * BW_ENOMEM. */
struct bw_spec_state {
	size_t tasks[BW_ALGO_COUNT + 1], tasks_done[BW_ALGO_COUNT + 1];
	size_t searches[BW_ALGO_COUNT + 1], searches_done[BW_ALGO_COUNT + 1];
	size_t probes[BW_ALGO_COUNT + 1];
};
int bw_spec_state(const struct bw_spec *spec, int index, int count, const uint64_t *done, const int8_t *ok,
		  size_t ndone, struct bw_spec_state *out);

#endif
