/* test_scheduler.c - the run's work queue driven by plain calls (no MPI):
 * every task handed out exactly once, static tasks dearest first, cheap
 * tasks only under max_cost, searches resolved to the threshold computed
 * here from a known success function, and a resumed run (the first run's outcomes as the catalog's) handing out
 * exactly what is left and reaching the same thresholds; the ETA (bw_sched_eta)
 * against the sum over the tasks left of their synthetic seconds, and on a
 * simulated two-slot run whose seconds per cost unit differ from the static
 * model by dynamics and by d: within 0.6-1.5x of the real total from 20% on. */
#include "biasweep/error.h"
#include "biasweep/scheduler.h"
#include "biasweep/spec.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char spec_text[] =
	"name = \"sched\";\nd = [20, 60];\nkappa = 2;\nseeds = 4;\nalgorithms = {\n"
	"  gd = { n = { search = [2, 60]; resolution = 2; }; steps = 1000; };\n"
	"  riemannian_flow = { n = [10, 20]; time = 5.0; }; };\n";

/* The success function: a threshold per (algorithm, d, seed) in n, some
 * below lo, some above hi. */
static long n0_of(const struct bw_task *t)
{
	return 3 + 7 * (long)t->inst.seed_index + (long)t->inst.d / 5 + 4 * (long)t->run.algo - 2;
}
static int success_of(const struct bw_task *t)
{
	return (long)t->inst.n >= n0_of(t);
}

/* The threshold a bisection at resolution r over [lo, hi] must find for
 * "success iff n >= n0" (search.h): -1 when n0 > hi, lo when n0 <= lo, else
 * some t with n0 <= t < n0 + r. */
static int threshold_ok(long got, long lo, long hi, long r, long n0)
{
	if (n0 > hi)
		return got == -1;
	if (n0 <= lo)
		return got == lo;
	return got >= n0 && got < n0 + r && got <= hi;
}

struct record {
	uint64_t *keys;
	int8_t *ok;
	size_t n;
};

static int cmp_key(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return (*x > *y) - (*x < *y);
}

/* Drives s to the end with `workers` tasks in flight, completing them in a
 * scrambled order (an LCG); every outcome is appended to rec.  Returns how many were handed out. */
static size_t drive(const char *what, struct bw_sched *s, const struct bw_spec *spec, int workers,
		    struct record *rec, size_t *static_seen)
{
	int32_t flight[64];
	int nflight = 0;
	uint64_t lcg = 12345;
	size_t handed = 0, steps = 0;
	double last_cost = INFINITY, cost_done = 0;
	int order_ok = 1, rows_ok = 1, d_ok = 1, cheap_ok = 1;
	unsigned char *row_used = calloc(s->nrows ? s->nrows : 1, 1);
	for (;;) {
		while (nflight < workers) {
			/* a tiny max_cost hands out nothing dearer than it */
			int32_t row;
			TU_CHECK(bw_sched_next(s, 1e-300, &row) == BW_OK, "%s: next", what);
			if (row >= 0) {
				cheap_ok &= s->row_task[row].cost <= 1e-300;
				flight[nflight++] = row;
				continue;
			}
			TU_CHECK(bw_sched_next(s, INFINITY, &row) == BW_OK, "%s: next: %s", what, bw_error_message());
			if (row < 0)
				break;
			rows_ok &= row < (int32_t)s->nrows && !row_used[row];
			if (row < (int32_t)s->nrows)
				row_used[row] = 1;
			const struct bw_task *t = &s->row_task[row];
			d_ok &= s->row_d[row] == t->inst.d;
			if (s->row_search[row] < 0) {
				order_ok &= t->cost <= last_cost;
				last_cost = t->cost;
				size_t idx = (size_t)(s->stat[row] - spec->tasks);
				static_seen[idx]++;
			}
			flight[nflight++] = row;
			handed++;
		}
		if (!nflight)
			break;
		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		int k = (int)((lcg >> 33) % (uint64_t)nflight);
		int32_t row = flight[k];
		flight[k] = flight[--nflight];
		const struct bw_task *t = &s->row_task[row];
		int ok = success_of(t);
		bw_sched_finished(s, row, ok, 0, &cost_done);
		rec->keys[rec->n] = t->key;
		rec->ok[rec->n++] = (int8_t)ok;
		if (++steps > 100000)
			break;
	}
	TU_CHECK(order_ok, "%s: static tasks handed out dearest first", what);
	TU_CHECK(rows_ok, "%s: every row handed out once, inside the file", what);
	TU_CHECK(d_ok, "%s: each row's d is its task's", what);
	TU_CHECK(cheap_ok, "%s: nothing dearer than max_cost handed out", what);
	TU_CHECK(s->inflight == 0, "%s: nothing left in flight (%zu)", what, s->inflight);
	TU_CHECK(!bw_sched_more_later(s), "%s: no work left", what);
	free(row_used);
	return handed;
}

static void check_searches(const char *what, const struct bw_sched *s)
{
	size_t wrong = 0;
	for (size_t i = 0; i < s->nss; i++) {
		const struct bw_sched_search *st = &s->ss[i];
		TU_CHECK(st->b.done, "%s: search %zu done", what, i);
		if (!threshold_ok(bw_bisect_threshold(&st->b), st->s->lo, st->s->hi, st->s->resolution,
				  n0_of(&st->s->base)))
			wrong++;
	}
	TU_CHECK(wrong == 0, "%s: %zu of %zu thresholds wrong", what, wrong, s->nss);
}

/* Every key in rec at most once; returns how many distinct. */
static size_t distinct(struct record *rec, const char *what)
{
	uint64_t *k = malloc((rec->n ? rec->n : 1) * sizeof *k);
	memcpy(k, rec->keys, rec->n * sizeof *k);
	qsort(k, rec->n, sizeof *k, cmp_key);
	size_t dup = 0;
	for (size_t i = 1; i < rec->n; i++)
		dup += k[i] == k[i - 1];
	TU_CHECK(dup == 0, "%s: %zu outcomes reported twice", what, dup);
	free(k);
	return rec->n - dup;
}

/* The catalog's finished keys from outcomes rec[0..n): sorted, with success. */
static void catalog_of(const struct record *rec, size_t n, struct bw_sched *s)
{
	size_t *ix = malloc((n ? n : 1) * sizeof *ix);
	uint64_t *k = malloc((n ? n : 1) * sizeof *k);
	s->done = malloc((n ? n : 1) * sizeof *s->done);
	s->ok = malloc((n ? n : 1) * sizeof *s->ok);
	memcpy(k, rec->keys, n * sizeof *k);
	qsort(k, n, sizeof *k, cmp_key);
	for (size_t i = 0; i < n; i++) {
		s->done[i] = k[i];
		for (size_t j = 0; j < n; j++)
			if (rec->keys[j] == k[i])
				s->ok[i] = rec->ok[j];
	}
	s->ndone = n;
	free(ix);
	free(k);
}

/* Loads a spec of static tasks and a scheduler of all of them (*mine: their indices, to free). 0 on failure. */
static int static_sched(const char *what, const char *text, struct bw_spec *spec, struct bw_sched *s, int32_t **mine)
{
	int rc = bw_spec_load_string("grid.cfg", text, spec);
	TU_CHECK(rc == BW_OK, "%s: spec loads: %s", what, bw_error_message());
	if (rc)
		return 0;
	*mine = malloc(spec->ntasks * sizeof **mine);
	for (size_t i = 0; i < spec->ntasks; i++)
		(*mine)[i] = (int32_t)i;
	memset(s, 0, sizeof *s);
	TU_CHECK(bw_sched_init(s, spec, *mine, spec->ntasks, NULL, 0) == BW_OK, "%s: init", what);
	TU_CHECK(bw_sched_dispatch_init(s) == BW_OK, "%s: dispatch init", what);
	return 1;
}

/* max_cost: with no search, the next static task is handed out only when
 * its estimated cost is within the bound; a refusal consumes nothing. */
static void check_max_cost(void)
{
	static const char text[] = "name = \"grid\";\nd = [20, 60];\nn = [10, 20];\nkappa = 2;\nseeds = 2;\n"
				   "algorithms = { gd = { steps = [100, 1000]; }; };\n";
	struct bw_spec spec;
	struct bw_sched s;
	int32_t *mine;
	if (!static_sched("grid", text, &spec, &s, &mine))
		return;
	size_t refused = 0, wrong = 0;
	for (size_t i = 0; i < spec.ntasks; i++) {
		/* the dearest task left, by the spec's own estimates (an oracle outside the scheduler) */
		double dearest = 0;
		for (size_t j = 0; j < spec.ntasks; j++) {
			int out = 0;
			for (size_t k = 0; k < s.next_stat; k++)
				out |= s.row_task[k].key == spec.tasks[j].key;
			if (!out && spec.tasks[j].cost > dearest)
				dearest = spec.tasks[j].cost;
		}
		int32_t row;
		bw_sched_next(&s, nextafter(dearest, 0), &row);
		refused += row < 0;
		bw_sched_next(&s, dearest, &row);
		wrong += row < 0 || s.row_task[row].cost != dearest;
	}
	TU_CHECK(refused == spec.ntasks, "max_cost: %zu of %zu tasks refused just under their cost", refused,
		 spec.ntasks);
	TU_CHECK(wrong == 0, "max_cost: %zu of %zu hand-outs not the dearest task left", wrong, spec.ntasks);
	TU_CHECK(!bw_sched_more_later(&s), "max_cost: all handed out");
	bw_sched_release(&s);
	free(mine);
	bw_spec_release(&spec);
}

/* Synthetic seconds of a task: per dynamics, off the static model (BW_S_PER_UPDATE) by a factor, and by
 * d^0.5 within one (a cost model with the wrong exponent) when skew is set. */
static double synth_wall(const struct bw_task *t, int skew)
{
	static const double factor[] = {6.0, 0.5, 2.0, 0.2, 1.0, 1.0, 1.0, 1.0};
	return t->cost * BW_S_PER_UPDATE * factor[t->run.algo % 8] * (skew ? sqrt((double)t->inst.d / 40.0) : 1.0);
}

/* Static tasks only, one at a time: after each, the ETA is the sum over the tasks not handed out of
 * cost * (this dynamics' measured seconds per cost unit), over the slots, computed here from the
 * synthetic timings; before a dynamics has a finished task, the static model's rate. */
static void check_eta_static(void)
{
	static const char text[] = "d = [20, 40];\nkappa = 2;\nseeds = 2;\nn = [10, 16];\nalgorithms = {\n"
				   "  gd = { steps = 1000; };\n  riemannian_flow = { time = 5.0; }; };\n";
	struct bw_spec spec;
	struct bw_sched s;
	int32_t *mine;
	if (!static_sched("eta", text, &spec, &s, &mine))
		return;
	double all = 0;
	for (size_t i = 0; i < spec.ntasks; i++)
		all += spec.tasks[i].cost;
	double e0 = bw_sched_eta(&s, 2, 0);
	TU_CHECK(fabs(e0 - all * BW_S_PER_UPDATE / 2) <= 1e-12 * e0, "eta before any task: %g, want %g", e0,
		 all * BW_S_PER_UPDATE / 2);
	double wall[BW_ALGO_COUNT] = {0}, cost[BW_ALGO_COUNT] = {0}, cost_done = 0;
	int bad = 0, checked = 0;
	for (size_t k = 0; k < spec.ntasks; k++) {
		int32_t row;
		bw_sched_next(&s, INFINITY, &row);
		if (row < 0)
			break;
		const struct bw_task *t = &s.row_task[row];
		double w = synth_wall(t, 0);
		bw_sched_finished(&s, row, 1, w, &cost_done);
		wall[t->run.algo] += w;
		cost[t->run.algo] += t->cost;
		double want = 0;
		for (size_t j = k + 1; j < spec.ntasks; j++) { /* handed out dearest first: the rest are the cheaper */
			const struct bw_task *u = s.stat[j];
			want += u->cost * (cost[u->run.algo] > 0 ? wall[u->run.algo] / cost[u->run.algo] : BW_S_PER_UPDATE);
		}
		want /= 3;
		double got = bw_sched_eta(&s, 3, 0);
		bad += !(fabs(got - want) <= 1e-9 * want + 1e-300);
		checked++;
	}
	TU_CHECK(bad == 0 && checked == (int)spec.ntasks, "eta, static tasks: %d of %d predictions off", bad, checked);
	TU_CHECK(bw_sched_eta(&s, 3, 0) == 0, "eta at the end: %g", bw_sched_eta(&s, 3, 0));
	bw_sched_release(&s);
	free(mine);
	bw_spec_release(&spec);
}

/* The criterion on a simulated run: two slots, each task taking its synthetic seconds (off the
 * static model by dynamics and by d), searches answered by success_of.  From 20% of the real total on,
 * elapsed + ETA is within 0.6-1.5x of it. */
static double sim_now;
static double sim_clock(void) { return sim_now; }

static void check_eta_simulated(const struct bw_spec *spec, const int32_t *mine, const int32_t *mine_s,
				int (*succeeds)(const struct bw_task *), const char *what, double lo, double hi)
{
	struct bw_sched s;
	memset(&s, 0, sizeof s);
	TU_CHECK(bw_sched_init(&s, spec, mine, spec->ntasks, mine_s, spec->nsearch) == BW_OK &&
			 bw_sched_dispatch_init(&s) == BW_OK,
		 "eta sim: init");
	s.clock = sim_clock;
	sim_now = 0;
	enum { SLOTS = 2, MAXEV = 100000 };
	int32_t slot_row[SLOTS];
	double slot_end[SLOTS], now = 0, cost_done = 0;
	double *at = malloc(MAXEV * sizeof *at), *pred = malloc(MAXEV * sizeof *pred);
	size_t nev = 0;
	for (int k = 0; k < SLOTS; k++)
		slot_row[k] = -1;
	for (;;) {
		for (int k = 0; k < SLOTS; k++)
			if (slot_row[k] < 0) {
				int32_t row;
				bw_sched_next(&s, INFINITY, &row);
				if (row >= 0) {
					slot_row[k] = row;
					slot_end[k] = now + synth_wall(&s.row_task[row], 1);
				}
			}
		int first = -1;
		for (int k = 0; k < SLOTS; k++)
			if (slot_row[k] >= 0 && (first < 0 || slot_end[k] < slot_end[first]))
				first = k;
		if (first < 0)
			break;
		now = sim_now = slot_end[first];
		const struct bw_task *t = &s.row_task[slot_row[first]];
		bw_sched_finished(&s, slot_row[first], succeeds(t), synth_wall(t, 1), &cost_done);
		slot_row[first] = -1;
		if (nev < MAXEV) {
			at[nev] = now;
			pred[nev++] = now + bw_sched_eta(&s, SLOTS, now);
		}
	}
	double total = now, worst_lo = INFINITY, worst_hi = 0;
	size_t late = 0;
	for (size_t i = 0; i < nev; i++)
		if (at[i] >= 0.2 * total) {
			double r = pred[i] / total;
			worst_lo = fmin(worst_lo, r);
			worst_hi = fmax(worst_hi, r);
			late++;
		}
	printf("eta sim (%s): from 20%% of the run on, predicted/real total in [%.3f, %.3f] over %zu events\n", what,
	       worst_lo, worst_hi, late);
	TU_CHECK(late > 10 && worst_lo >= lo && worst_hi <= hi,
		 "eta sim (%s): from 20%% of the run on, predicted/real total in [%.3f, %.3f] over %zu events, want "
		 "within [%g, %g]", what, worst_lo, worst_hi, late, lo, hi);
	TU_CHECK(nev && pred[nev - 1] == total, "eta sim (%s): the last prediction %g is the end %g", what,
		 nev ? pred[nev - 1] : 0, total);
	free(at);
	free(pred);
	bw_sched_release(&s);
}


/* Thresholds that cluster where probes cost most: gd succeeds from n = 0.97 d
 * (as it does from a large initialization; jobs/default.cfg), and never at
 * d = 32 (those searches resolve at their first probe, as gd's at alpha = 3
 * do), searched over [2, d]; its cost model grows with n toward d (its
 * steps to tol).  The synthetic seconds are the cost times a constant per d
 * (synth_wall), so the rates are learnt exactly and what is left of the
 * error is where the thresholds are expected: a prior uniform over the
 * bracket alone (the ETA before: thresholds at 1/4, 1/2 and 3/4 only)
 * expects the cheap paths in the middle, and gave [0.749, 1.003] from 20% on
 * here; with the resolved searches' thresholds it must be within 10%. */
static int near_top(const struct bw_task *t)
{
	return t->inst.d > 32 && (double)t->inst.n >= ceil(0.97 * (double)t->inst.d);
}

static void check_eta_near_top(void)
{
	static const char text[] = "name = \"top\";\nd = [32, 64, 128, 256];\nkappa = 2;\nseeds = 8;\nmax_n_over_d = 1;\n"
				   "algorithms = { gd = { n = { search = [2, 256]; }; }; };\n";
	struct bw_spec spec;
	int rc = bw_spec_load_string("top.cfg", text, &spec);
	TU_CHECK(rc == BW_OK, "near top: spec loads: %s", bw_error_message());
	if (rc)
		return;
	int32_t *mine_s = malloc(spec.nsearch * sizeof *mine_s);
	for (size_t i = 0; i < spec.nsearch; i++)
		mine_s[i] = (int32_t)i;
	check_eta_simulated(&spec, NULL, mine_s, near_top, "thresholds near n = d", 0.9, 1.1);
	free(mine_s);
	bw_spec_release(&spec);
}

/* Tasks in flight (the slow ones are still running when the fast have finished): two slots, the
 * dearest two tasks handed out at t = 0, the second finishes at w1, the first is still running at
 * T.  The ETA at T, computed here from the rule of scheduler.h: per (dynamics, octave of d) rate =
 * (finished seconds + for the running task max(T, its cost at the finished rate)) / (their costs),
 * times the cost left (the running task and those not handed out), minus the running task's T,
 * over the slots.  A running task that outlives its prediction makes the ETA grow with T. */
static double oct_of(size_t d)
{
	int b = 0;
	while (d > 1 && b < BW_SCHED_D_OCTAVES - 1) {
		d >>= 1;
		b++;
	}
	return b;
}

static void check_eta_in_flight(void)
{
	static const char text[] = "d = [20, 40];\nkappa = 2;\nseeds = 2;\nn = [10, 16];\nalgorithms = {\n"
				   "  gd = { steps = 1000; }; };\n";
	struct bw_spec spec;
	struct bw_sched s;
	int32_t *mine;
	if (!static_sched("eta-flight", text, &spec, &s, &mine))
		return;
	s.clock = sim_clock;
	sim_now = 0;
	int32_t r0, r1;
	bw_sched_next(&s, INFINITY, &r0);
	bw_sched_next(&s, INFINITY, &r1);
	TU_CHECK(r0 >= 0 && r1 >= 0, "eta in flight: two rows handed out");
	if (r0 < 0 || r1 < 0)
		goto out;
	const struct bw_task *t0 = &s.row_task[r0], *t1 = &s.row_task[r1];
	double w1 = 3.0 * t1->cost * BW_S_PER_UPDATE, cost_done = 0;
	bw_sched_finished(&s, r1, 1, w1, &cost_done);
	double prev = -1;
	int grows = 1;
	for (int k = 1; k <= 4; k++) {
		double T = w1 * k * 2.0;
		sim_now = T;
		double fin_rate = w1 / t1->cost; /* the finished tasks' rate: t1's (one dynamics) */
		double w0 = fmax(T, t0->cost * fin_rate);
		double want = 0;
		for (size_t j = 0; j < spec.ntasks; j++) {
			const struct bw_task *u = &spec.tasks[j];
			if (u->key == t1->key)
				continue; /* finished */
			int uo = oct_of(u->inst.d);
			double wall = 0, cost = 0;
			if (uo == oct_of(t0->inst.d)) {
				wall += w0;
				cost += t0->cost;
			}
			if (uo == oct_of(t1->inst.d)) {
				wall += w1;
				cost += t1->cost;
			}
			double rate = cost > 0 ? wall / cost : (w0 + w1) / (t0->cost + t1->cost);
			want += u->cost * rate;
		}
		/* t0's elapsed T comes off its (dynamics, octave)'s time left */
		want = fmax(want - T, 0) / 2;
		double got = bw_sched_eta(&s, 2, T);
		TU_CHECK(fabs(got - want) <= 1e-9 * want + 1e-300, "eta in flight at T=%g: %.9g, want %.9g", T, got,
			 want);
		if (T > t0->cost * fin_rate && prev >= 0 && !(got + T > prev))
			grows = 0;
		prev = got + T;
	}
	TU_CHECK(grows, "eta in flight: the predicted total grows while the running task outlives its prediction");
out:
	bw_sched_release(&s);
	free(mine);
	bw_spec_release(&spec);
}

int main(void)
{
	check_max_cost();
	check_eta_static();
	check_eta_in_flight();
	struct bw_spec spec;
	int rc = bw_spec_load_string("sched.cfg", spec_text, &spec);
	TU_CHECK(rc == BW_OK, "spec loads: %s", bw_error_message());
	if (rc)
		return tu_summary("test_scheduler");
	int32_t *mine = malloc(spec.ntasks * sizeof *mine), *mine_s = malloc(spec.nsearch * sizeof *mine_s);
	for (size_t i = 0; i < spec.ntasks; i++)
		mine[i] = (int32_t)i;
	for (size_t i = 0; i < spec.nsearch; i++)
		mine_s[i] = (int32_t)i;
	check_eta_simulated(&spec, mine, mine_s, success_of, "thresholds spread", 0.6, 1.5);
	check_eta_near_top();
	size_t cap = spec.ntasks + 64 * spec.nsearch;
	struct record rec = {malloc(cap * sizeof(uint64_t)), malloc(cap), 0};
	size_t *seen = calloc(spec.ntasks, sizeof *seen);

	/* a fresh run, 3 "workers" */
	struct bw_sched s;
	memset(&s, 0, sizeof s);
	TU_CHECK(bw_sched_init(&s, &spec, mine, spec.ntasks, mine_s, spec.nsearch) == BW_OK, "init");
	TU_CHECK(bw_sched_dispatch_init(&s) == BW_OK, "dispatch init");
	TU_CHECK(s.nstat == spec.ntasks && s.nss == spec.nsearch && s.skipped == 0, "fresh: all work left");
	size_t rows_bound = spec.ntasks;
	for (size_t i = 0; i < spec.nsearch; i++)
		rows_bound += (size_t)spec.searches[i].max_probes;
	TU_CHECK(s.nrows == rows_bound, "fresh: rows %zu = tasks + max probes %zu", s.nrows, rows_bound);
	size_t handed = drive("fresh", &s, &spec, 3, &rec, seen);
	size_t once = 0;
	for (size_t i = 0; i < spec.ntasks; i++)
		once += seen[i] == 1;
	TU_CHECK(once == spec.ntasks, "fresh: %zu of %zu static tasks handed out exactly once", once, spec.ntasks);
	TU_CHECK(distinct(&rec, "fresh") == rec.n && rec.n == handed, "fresh: each outcome once (%zu, %zu)", rec.n,
		 handed);
	check_searches("fresh", &s);
	struct bw_progress p;
	memset(&p, 0, sizeof p);
	p.finished = rec.n;
	bw_sched_progress(&s, &p);
	TU_CHECK(p.total == rec.n, "fresh: progress total %zu = finished %zu at the end", p.total, rec.n);
	size_t first = rec.n;
	bw_sched_release(&s);

	/* resume: the catalog holds the first half of the outcomes, in report order */
	size_t half = first / 2;
	memset(&s, 0, sizeof s);
	catalog_of(&rec, half, &s);
	TU_CHECK(bw_sched_init(&s, &spec, mine, spec.ntasks, mine_s, spec.nsearch) == BW_OK, "resume init");
	TU_CHECK(bw_sched_dispatch_init(&s) == BW_OK, "resume dispatch init");
	size_t static_known = 0;
	for (size_t i = 0; i < spec.ntasks; i++)
		for (size_t j = 0; j < half; j++)
			static_known += rec.keys[j] == spec.tasks[i].key;
	TU_CHECK(s.nstat == spec.ntasks - static_known, "resume: %zu static tasks left, want %zu", s.nstat,
		 spec.ntasks - static_known);
	memset(seen, 0, spec.ntasks * sizeof *seen);
	struct record rec2 = {malloc(cap * sizeof(uint64_t)), malloc(cap), 0};
	drive("resume", &s, &spec, 2, &rec2, seen);
	size_t again = 0, missing = 0;
	for (size_t i = 0; i < rec2.n; i++)
		for (size_t j = 0; j < half; j++)
			again += rec2.keys[i] == rec.keys[j];
	TU_CHECK(again == 0, "resume: %zu finished tasks handed out again", again);
	for (size_t i = 0; i < spec.ntasks; i++) {
		int in_cat = 0;
		for (size_t j = 0; j < half; j++)
			in_cat |= rec.keys[j] == spec.tasks[i].key;
		missing += seen[i] != (size_t)!in_cat;
	}
	TU_CHECK(missing == 0, "resume: %zu static tasks not handed out exactly as often as left", missing);
	TU_CHECK(s.skipped + rec2.n == first, "resume: skipped %zu + run %zu = the first run's %zu", s.skipped,
		 rec2.n, first);
	TU_CHECK(distinct(&rec2, "resume") == rec2.n, "resume: each outcome once");
	/* replayed searches finish where the first run's did */
	check_searches("resume", &s);
	bw_sched_release(&s);

	free(rec.keys);
	free(rec.ok);
	free(rec2.keys);
	free(rec2.ok);
	free(seen);
	free(mine);
	free(mine_s);
	bw_spec_release(&spec);
	return tu_summary("test_scheduler");
}
