/* scheduler.c - the work queue of a run and its n-searches (scheduler.h):
 * no MPI, no threads, no storage. */
#include "biasweep/scheduler.h"

#include "biasweep/buf.h"
#include "biasweep/clock.h"
#include "biasweep/error.h"
#include "biasweep/shard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bw_sched_release(struct bw_sched *s)
{
	BW_FREE_ALL(s->stat, s->ss, s->done, s->ok, s->row_d, s->row_task, s->row_search, s->flight, s->qbuf);
	memset(s, 0, sizeof *s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* -1 when the key has no outcome yet, else its success (0/1). */
static int known(const struct bw_sched *s, uint64_t key)
{
	if (!s->ndone)
		return -1;
	const uint64_t *hit = bsearch(&key, s->done, s->ndone, sizeof key, cmp_u64);
	return hit ? s->ok[hit - s->done] : -1;
}

/* Advance a search past every probe the catalog already holds (resume is
 * rerun: the bisection replays them to the same point). */
static void replay(struct bw_sched *s, struct bw_sched_search *st)
{
	for (;;) {
		long n = bw_bisect_next(&st->b);
		if (n < 0)
			return;
		struct bw_task probe;
		bw_search_probe(st->s, n, &probe);
		int k = known(s, probe.key);
		if (k < 0)
			return;
		bw_bisect_update(&st->b, n, k);
		s->skipped++;
	}
}

int bw_sched_init(struct bw_sched *s, const struct bw_spec *spec, const int32_t *mine, size_t nmine,
		  const int32_t *mine_s, size_t nmine_s)
{
	s->stat = malloc((nmine ? nmine : 1) * sizeof *s->stat);
	s->ss = malloc((nmine_s ? nmine_s : 1) * sizeof *s->ss);
	s->qbuf = malloc((nmine_s ? nmine_s : 1) * sizeof *s->qbuf);
	if (!s->stat || !s->ss || !s->qbuf)
		return RAISE(BW_ENOMEM, "out of memory");
	for (size_t i = 0; i < nmine; i++) {
		const struct bw_task *t = &spec->tasks[mine[i]];
		if (known(s, t->key) >= 0)
			s->skipped++;
		else
			s->stat[s->nstat++] = t;
	}
	size_t rows = s->nstat;
	s->nsearch = nmine_s;
	for (size_t i = 0; i < nmine_s; i++) {
		struct bw_sched_search *st = &s->ss[s->nss];
		memset(st, 0, sizeof *st);
		st->s = &spec->searches[mine_s[i]];
		bw_bisect_init(&st->b, st->s->lo, st->s->hi, st->s->resolution);
		replay(s, st);
		if (st->b.done)
			continue;
		st->row_next = (int32_t)rows;
		rows += (size_t)(st->s->max_probes - st->b.probes);
		st->row_end = (int32_t)rows;
		s->nss++;
	}
	s->nrows = rows;
	s->row_d = malloc((rows ? rows : 1) * sizeof *s->row_d);
	if (!s->row_d)
		return RAISE(BW_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->nstat; i++)
		s->row_d[i] = s->stat[i]->inst.d;
	for (size_t i = 0; i < s->nss; i++)
		for (int32_t r = s->ss[i].row_next; r < s->ss[i].row_end; r++)
			s->row_d[r] = s->ss[i].s->base.inst.d;
	return BW_OK;
}

int bw_sched_dispatch_init(struct bw_sched *s)
{
	size_t n = s->nrows ? s->nrows : 1;
	s->row_task = malloc(n * sizeof *s->row_task);
	s->row_search = malloc(n * sizeof *s->row_search);
	s->flight = malloc(n * sizeof *s->flight);
	return s->row_task && s->row_search && s->flight ? BW_OK : RAISE(BW_ENOMEM, "out of memory");
}

/* the bucket of d in the ETA's calibration */
static int octave(size_t d)
{
	int b = 0;
	while (d > 1 && b < BW_SCHED_D_OCTAVES - 1) {
		d >>= 1;
		b++;
	}
	return b;
}

/* Row r is handed out; `now` when its task starts at once (handed to an idle
 * slot: max_cost unbounded), else it waits in a queue and its start is unknown. */
static void in_flight(struct bw_sched *s, int32_t r, int now)
{
	const struct bw_task *t = &s->row_task[r];
	s->flight_cost_d[t->run.algo][octave(t->inst.d)] += t->cost;
	s->flight[s->nflight].row = r;
	s->flight[s->nflight++].t0 = now ? (s->clock ? s->clock() : bw_now_s()) : -1;
}

int bw_sched_next(struct bw_sched *s, double max_cost, int32_t *row)
{
	*row = -1;
	for (size_t k = 0; k < s->nss; k++) {
		size_t i = (s->cursor + k) % s->nss;
		struct bw_sched_search *st = &s->ss[i];
		if (st->busy || st->b.done)
			continue;
		replay(s, st); /* another spec may have run this probe meanwhile */
		long n = bw_bisect_next(&st->b);
		if (n < 0)
			continue;
		if (st->s->cost / (double)st->s->max_probes > max_cost)
			return BW_OK;
		if (st->row_next >= st->row_end)
			return RAISE(BW_EINTERNAL, "a search ran out of its reserved trajectory rows");
		int32_t r = st->row_next++;
		bw_search_probe(st->s, n, &s->row_task[r]);
		in_flight(s, r, isinf(max_cost));
		s->row_search[r] = (int32_t)i;
		st->busy = 1;
		s->cursor = i + 1;
		s->inflight++;
		*row = r;
		return BW_OK;
	}
	if (s->next_stat < s->nstat) {
		if (s->stat[s->next_stat]->cost > max_cost)
			return BW_OK;
		int32_t r = (int32_t)s->next_stat;
		s->row_task[r] = *s->stat[s->next_stat++];
		in_flight(s, r, isinf(max_cost));
		s->row_search[r] = -1;
		s->inflight++;
		*row = r;
	}
	return BW_OK;
}

int bw_sched_more_later(const struct bw_sched *s)
{
	for (size_t i = 0; i < s->nss; i++)
		if (!s->ss[i].b.done)
			return 1;
	return s->next_stat < s->nstat;
}

void bw_sched_finished(struct bw_sched *s, int32_t row, int success, double wall_s, double *cost_done)
{
	const struct bw_task *t = &s->row_task[row];
	s->inflight--;
	for (size_t i = 0; i < s->nflight; i++)
		if (s->flight[i].row == row) {
			s->flight[i] = s->flight[--s->nflight];
			break;
		}
	*cost_done += t->cost;
	s->flight_cost_d[t->run.algo][octave(t->inst.d)] -= t->cost;
	if (s->inflight == 0) { /* no rounding left over */
		memset(s->flight_cost_d, 0, sizeof s->flight_cost_d);
	}
	if (success >= 0 && wall_s >= 0) {
		s->cal_cost[t->run.algo] += t->cost;
		s->cal_wall[t->run.algo] += wall_s;
		s->cal_cost_d[t->run.algo][octave(t->inst.d)] += t->cost;
		s->cal_wall_d[t->run.algo][octave(t->inst.d)] += wall_s;
	}
	int32_t si = s->row_search[row];
	if (si >= 0) {
		struct bw_sched_search *st = &s->ss[si];
		st->busy = 0;
		if (success >= 0)
			bw_bisect_update(&st->b, (long)s->row_task[row].inst.n, success);
	}
}

double bw_sched_cost_total(const struct bw_sched *s)
{
	double c = 0;
	for (size_t i = 0; i < s->nstat; i++)
		c += s->stat[i]->cost;
	for (size_t i = 0; i < s->nss; i++)
		c += s->ss[i].s->cost;
	return c;
}

/* The estimated cost of the probes a search may still take when its seed's
 * threshold is n0 (success iff n >= n0; the probe in flight, if any, is
 * counted by flight_cost_d). */
static double search_path_cost(const struct bw_sched_search *st, long n0)
{
	struct bw_bisect b = st->b;
	int skip = st->busy;
	double cost = 0;
	for (long n; (n = bw_bisect_next(&b)) >= 0;) {
		if (!skip) {
			struct bw_task probe;
			bw_search_probe(st->s, n, &probe);
			cost += probe.cost;
		}
		skip = 0;
		bw_bisect_update(&b, n, n >= n0);
	}
	return cost;
}

/* search_path_cost for a threshold n0 clipped into the open bracket (fail_n, succ_n] */
static double search_path_in(const struct bw_sched_search *st, long n0)
{
	if (n0 <= st->b.fail_n)
		n0 = st->b.fail_n + 1;
	if (n0 > st->b.succ_n)
		n0 = st->b.succ_n;
	return search_path_cost(st, n0);
}

/* The expected cost of a search's remaining probes (scheduler.h, bw_sched_eta):
 * thresholds at 1/4, 1/2 and 3/4 of its open bracket (fail_n, succ_n], and
 * where m resolved searches of its dynamics had theirs (quartiles q[]). */
static double search_left_cost(const struct bw_sched_search *st, int m, const double *q)
{
	double width = (double)(st->b.succ_n - st->b.fail_n), range = (double)(st->s->hi - st->s->lo), uni = 0, res = 0;
	for (int k = 1; k <= 3; k++)
		uni += search_path_in(st, st->b.fail_n + (long)ceil(width * k / 4.0));
	if (!m)
		return uni / 3;
	/* q of the range [lo, hi] (q > 1: above hi) */
	for (int k = 0; k < 3; k++)
		res += search_path_in(st, st->s->lo + (long)ceil(q[k] * range));
	return (uni + m * res / 3) / (3 + m);
}

static int cmp_q(const void *x, const void *y)
{
	const struct bw_sched_q *a = x, *b = y;
	if (a->algo != b->algo)
		return (a->algo > b->algo) - (a->algo < b->algo);
	return (a->q > b->q) - (a->q < b->q);
}

/* Per dynamics: how many of its searches are resolved (m[a]) and the quartiles
 * (nearest rank) of where their thresholds lie in their ranges (q[a][]). */
static void threshold_prior(const struct bw_sched *s, int *m, double (*q)[3])
{
	size_t k = 0;
	for (size_t i = 0; i < s->nss; i++) {
		const struct bw_sched_search *st = &s->ss[i];
		if (!st->b.done)
			continue;
		long lo = st->s->lo, hi = st->s->hi, t = bw_bisect_threshold(&st->b);
		s->qbuf[k].algo = (int)st->s->base.run.algo;
		s->qbuf[k++].q = (double)((t < 0 ? hi + 1 : t) - lo) / (double)(hi > lo ? hi - lo : 1);
	}
	qsort(s->qbuf, k, sizeof *s->qbuf, cmp_q);
	memset(m, 0, BW_ALGO_COUNT * sizeof *m);
	for (size_t i = 0; i < k;) {
		size_t j = i;
		while (j < k && s->qbuf[j].algo == s->qbuf[i].algo)
			j++;
		int a = s->qbuf[i].algo;
		m[a] = (int)(j - i);
		for (int r = 0; r < 3; r++)
			q[a][r] = s->qbuf[i + (size_t)floor((double)(r + 1) / 4.0 * (double)(j - i - 1) + 0.5)].q;
		i = j;
	}
}

/* Seconds per cost unit of dynamics a at octave o, from the calibration sums. */
static double cal_rate(const double (*wall)[BW_SCHED_D_OCTAVES], const double (*cost)[BW_SCHED_D_OCTAVES],
		       const double *wall_a, const double *cost_a, int a, int o)
{
	if (cost[a][o] > 0)
		return wall[a][o] / cost[a][o];
	return cost_a[a] > 0 ? wall_a[a] / cost_a[a] : BW_S_PER_UPDATE;
}

double bw_sched_eta(const struct bw_sched *s, int slots, double now)
{
	double left[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES];
	memcpy(left, s->flight_cost_d, sizeof left);
	for (size_t i = s->next_stat; i < s->nstat; i++)
		left[s->stat[i]->run.algo][octave(s->stat[i]->inst.d)] += s->stat[i]->cost;
	int m[BW_ALGO_COUNT];
	double q[BW_ALGO_COUNT][3];
	threshold_prior(s, m, q);
	for (size_t i = 0; i < s->nss; i++) {
		const struct bw_sched_search *st = &s->ss[i];
		if (st->b.done)
			continue;
		/* the base's algorithm and d are every probe's */
		int a = (int)st->s->base.run.algo;
		left[a][octave(st->s->base.inst.d)] += search_left_cost(st, m[a], q[a]);
	}
	/* The finished tasks are a biased sample: the slow ones are still running.  Each
	 * task that runs since a known start (t0) counts as finished at what it will take
	 * at least, the larger of its elapsed seconds and its cost at the finished tasks'
	 * rate; its own seconds left are that rate's prediction minus its elapsed ones. */
	double wall[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES], cost[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES];
	double wall_a[BW_ALGO_COUNT], cost_a[BW_ALGO_COUNT], elapsed[BW_ALGO_COUNT][BW_SCHED_D_OCTAVES] = {{0}};
	memcpy(wall, s->cal_wall_d, sizeof wall);
	memcpy(cost, s->cal_cost_d, sizeof cost);
	memcpy(wall_a, s->cal_wall, sizeof wall_a);
	memcpy(cost_a, s->cal_cost, sizeof cost_a);
	for (size_t i = 0; i < s->nflight; i++) {
		const struct bw_task *t = &s->row_task[s->flight[i].row];
		if (s->flight[i].t0 < 0)
			continue;
		int a = t->run.algo, o = octave(t->inst.d);
		double e = fmax(now - s->flight[i].t0, 0);
		double w = fmax(e, t->cost * cal_rate(s->cal_wall_d, s->cal_cost_d, s->cal_wall, s->cal_cost, a, o));
		wall[a][o] += w;
		cost[a][o] += t->cost;
		wall_a[a] += w;
		cost_a[a] += t->cost;
		elapsed[a][o] += e;
	}
	/* a dynamics with no finished task yet: the static model (the others' rates say nothing of it) */
	double secs = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		for (int o = 0; o < BW_SCHED_D_OCTAVES; o++)
			if (left[a][o] != 0)
				secs += fmax(left[a][o] * cal_rate(wall, cost, wall_a, cost_a, a, o) - elapsed[a][o], 0);
	return secs / (slots > 0 ? slots : 1);
}

void bw_sched_progress(const struct bw_sched *s, struct bw_progress *p)
{
	/* total: what finished, what runs, and the most the rest can still take */
	size_t left = s->nstat - s->next_stat;
	double cost_left = 0, cost_flight = 0;
	for (size_t i = s->next_stat; i < s->nstat; i++)
		cost_left += s->stat[i]->cost;
	for (size_t i = 0; i < s->nss; i++) {
		const struct bw_sched_search *st = &s->ss[i];
		double per_probe = st->s->cost / (double)st->s->max_probes;
		if (st->busy)
			cost_flight += per_probe;
		if (!st->b.done && st->row_end > st->row_next) {
			left += (size_t)(st->row_end - st->row_next);
			cost_left += per_probe * (double)(st->row_end - st->row_next);
		}
	}
	/* searches end early and their probes cost what their n costs: re-estimate */
	if (s->nss)
		p->cost_total = p->cost_done + cost_flight + cost_left;
	/* what a signal or an error leaves undone stays in the count: the denominator holds */
	p->total = p->finished + p->dropped + s->inflight + left;
	p->searches = s->nsearch;
	p->searches_resolved = s->nsearch;
	for (size_t i = 0; i < s->nss; i++)
		p->searches_resolved -= !s->ss[i].b.done;
	p->eta_s = bw_sched_eta(s, p->ranks, s->clock ? s->clock() : bw_now_s());
}

int bw_spec_state(const struct bw_spec *spec, int index, int count, const uint64_t *done, const int8_t *ok,
		  size_t ndone, struct bw_spec_state *out)
{
	memset(out, 0, sizeof *out);
	int32_t *mine = malloc((spec->ntasks ? spec->ntasks : 1) * sizeof *mine);
	int32_t *mine_s = malloc((spec->nsearch ? spec->nsearch : 1) * sizeof *mine_s);
	if (!mine || !mine_s) {
		free(mine);
		free(mine_s);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	/* the catalog's keys, read but not owned */
	struct bw_sched s = {.done = (uint64_t *)done, .ok = (int8_t *)ok, .ndone = ndone};
	size_t nmine = bw_spec_shard(spec, index, count, mine);
	size_t nmine_s = bw_spec_shard_searches(spec, index, count, mine_s);
	for (size_t i = 0; i < nmine; i++) {
		const struct bw_task *t = &spec->tasks[mine[i]];
		int a = (int)t->run.algo, hit = known(&s, t->key) >= 0;
		out->tasks[a]++;
		out->tasks[BW_ALGO_COUNT]++;
		out->tasks_done[a] += (size_t)hit;
		out->tasks_done[BW_ALGO_COUNT] += (size_t)hit;
	}
	for (size_t i = 0; i < nmine_s; i++) {
		struct bw_sched_search st = {.s = &spec->searches[mine_s[i]]};
		int a = (int)st.s->base.run.algo;
		bw_bisect_init(&st.b, st.s->lo, st.s->hi, st.s->resolution);
		s.skipped = 0;
		replay(&s, &st);
		out->searches[a]++;
		out->searches[BW_ALGO_COUNT]++;
		out->searches_done[a] += (size_t)(st.b.done != 0);
		out->searches_done[BW_ALGO_COUNT] += (size_t)(st.b.done != 0);
		out->probes[a] += s.skipped;
		out->probes[BW_ALGO_COUNT] += s.skipped;
	}
	free(mine);
	free(mine_s);
	return BW_OK;
}
