/* grid.c - the expansion of a parsed spec (parse.h): per selected algorithm
 * the product of its axes, points dropped by the constraints (kappa <= n,
 * kappa <= d, batch <= n, n <= max_n_over_d * d), budgets resolved (formulas
 * in eta and d), n-searches clipped to the constraints, every task checked
 * (instance, automatic steps), then deduped by key and ordered by cost. */
#include "parse.h"
#include "biasweep/search.h"

#include "biasweep/buf.h"
#include "biasweep/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- expansion ------------------------------------------------------------------- */

/* struct NAME, a growable array of T, and PUSH(&vec, &x), which appends x. */
#define DEFINE_VEC(NAME, T, PUSH, FIRST, WHAT)                                          \
	struct NAME {                                                                   \
		T *v;                                                                   \
		size_t len, cap;                                                        \
	};                                                                              \
	static int PUSH(struct NAME *a, const T *x)                                     \
	{                                                                               \
		CHECK(bw_array_grow(&a->v, &a->cap, a->len, sizeof *a->v, FIRST, WHAT)); \
		a->v[a->len++] = *x;                                                    \
		return BW_OK;                                                           \
	}

DEFINE_VEC(task_vec, struct bw_task, push, 256, "tasks")
DEFINE_VEC(search_vec, struct bw_search, push_search, 64, "searches")
#undef DEFINE_VEC

/* scale * eta^eta_power * d^d_power; steps round up (after shaving 1e-12
 * relative so that 2 * (1e-3)^-2 is 2000000, not 2000001). */
static int resolve_budget(const struct parse *p, enum axis_id id, const struct val *v, const struct bw_task *t,
			  double *out)
{
	if (!v->formula) {
		*out = v->x;
		return BW_OK;
	}
	double eta = bw_run_eta(&t->run, &t->inst);
	double x = v->scale * pow(eta, v->eta_power) * pow((double)t->inst.d, v->d_power);
	if (id == AX_STEPS)
		x = fmax(1.0, ceil(x * (1 - 1e-12)));
	if (!isfinite(x) || !(x > 0) || (id == AX_STEPS && x > MAX_STEPS))
		return spec_fail(p, v->line, "the budget formula of '%s' gives %g for %s d=%zu eta=%g (must be in (0, %g])",
			    spec_axes[id].name, x, bw_algo_name(t->run.algo), t->inst.d, eta,
			    id == AX_STEPS ? MAX_STEPS : HUGE_VAL);
	*out = x;
	return BW_OK;
}

/* The budgets (resolve_budget) and the noise seed of the task t at the grid point idx. */
static int set_budget_and_noise(const struct parse *p, const struct axis *ax, const size_t *idx, enum bw_algo a,
				struct bw_task *t)
{
	double steps = 0, time = 0;
	CHECK(resolve_budget(p, AX_STEPS, &ax[AX_STEPS].v[idx[AX_STEPS]], t, &steps));
	CHECK(resolve_budget(p, AX_TIME, &ax[AX_TIME].v[idx[AX_TIME]], t, &time));
	t->run.max_steps = (long)steps;
	t->run.max_time = time;
	if (!ax[AX_TIME].set && !ax[AX_STEPS].set) /* no budget in the spec: the run's default (its schedule's) */
		bw_run_default_budget(&t->run, &t->run.max_steps, &t->run.max_time);
	t->run.noise_index = (uint32_t)ax[AX_NOISE_SEEDS].v[idx[AX_NOISE_SEEDS]].x;
	t->run.noise_seed = bw_noise_seed_k(bw_instance_seed(&t->inst), a, t->run.noise_index);
	return BW_OK;
}

void bw_search_probe(const struct bw_search *s, long n, struct bw_task *out)
{
	*out = s->base;
	out->inst.n = (size_t)n;
	bw_task_set_key(out);
	out->cost = bw_task_cost(out);
}

/* A search's base task sits at n = hi; clip [lo, hi] to the constraints. */
static int make_search(const struct axis *an, const struct bw_task *t, double max_n_over_d, unsigned reads,
		       struct bw_search *out)
{
	long lo = an->lo, hi = an->hi;
	if (lo < (long)t->inst.kappa)
		lo = (long)t->inst.kappa;
	if ((reads & BW_USES_BATCH) && lo < t->run.batch)
		lo = t->run.batch;
	if (max_n_over_d > 0 && (double)hi > max_n_over_d * (double)t->inst.d)
		hi = (long)floor(max_n_over_d * (double)t->inst.d);
	if (t->inst.kappa > t->inst.d || lo > hi)
		return 0;
	memset(out, 0, sizeof *out);
	out->lo = lo;
	out->hi = hi;
	out->resolution = an->resolution;
	out->max_probes = bw_bisect_max_probes(lo, hi, an->resolution);
	out->base = *t;
	out->base.inst.n = (size_t)hi;
	bw_task_set_key(&out->base);
	out->base.cost = bw_task_cost(&out->base);
	struct bw_task probe;
	bw_search_probe(out, lo, &probe);
	out->cost = out->base.cost + (out->max_probes > 1 ? probe.cost : 0);
	if (out->max_probes > 2) {
		bw_search_probe(out, lo + (hi - lo) / 2, &probe);
		out->cost += (double)(out->max_probes - 2) * probe.cost;
	}
	return 1;
}

/* A planned task must be runnable: its instance passes bw_instance_spec_check
 * (n*d at most 4e9 entries), else the spec is refused here, not each task at
 * run time. */
static int check_instance(const struct parse *p, const struct bw_task *t, unsigned line)
{
	if (bw_instance_spec_check(&t->inst) == BW_OK)
		return BW_OK;
	char why[256];
	snprintf(why, sizeof why, "%s", bw_error_message());
	bw_error_clear();
	return spec_fail(p, line, "%s d=%zu n=%zu: %s", bw_algo_name(t->run.algo), t->inst.d, t->inst.n, why);
}

/* A task whose automatic step underflows to 0 (alpha so large that alpha^2
 * overflows) would not move: its own step where eta is left out, and that
 * of the descent onto the manifold it makes (dynamics.h, bw_run_descent:
 * label_noise_sgd's projection, the flow's start). */
static int check_auto_step(const struct parse *p, const struct bw_task *t, unsigned line)
{
	const struct bw_run_params *r = &t->run;
	const struct bw_dynamics *g = bw_run_descent(r);
	int own = (bw_dynamics_table[r->algo]->uses & BW_USES_ETA) && !(bw_run_eta(r, &t->inst) > 0);
	if (own || (g && !(g->eta_auto(r->alpha, &t->inst) > 0)))
		return spec_fail(p, line, "'alpha' = %g is too large for %s d=%zu n=%zu: %s%s automatic step underflows to 0",
				 r->alpha, bw_algo_name(r->algo), t->inst.d, t->inst.n, own ? "its" : g->name,
				 own ? "" : "'s");
	return BW_OK;
}

static int expand_algo(const struct parse *p, enum bw_algo a, struct task_vec *tv, struct search_vec *sv,
		       size_t *dropped, double *planned)
{
	const struct level *lv = &p->algo[a];
	const struct bw_dynamics *dyn = bw_dynamics_table[a];
	unsigned reads = dyn->uses;
	struct bw_run_params def;
	bw_run_params_default(&def, a);
	struct val dv[AX_COUNT] = {0};
	dv[AX_DESIGN].x = BW_DESIGN_RADEMACHER;
	dv[AX_WSTAR].x = BW_WSTAR_SIGNS;
	dv[AX_SEEDS].x = 0;
	dv[AX_NOISE_SEEDS].x = 0; /* today's stream */
	dv[AX_ALPHA].x = def.alpha;
	dv[AX_ETA].x = 0; /* auto */
	dv[AX_ETA_SCALE].x = 0; /* unset */
	dv[AX_SIGMA].x = def.sigma;
	dv[AX_BATCH].x = (double)def.batch;
	dv[AX_EPS].x = def.eps;
	dv[AX_TOL].x = def.tol;
	dv[AX_PROJECT].x = def.project;
	dv[AX_CHECKPOINTS].x = def.checkpoints;
	dv[AX_SCHEDULE].x = BW_SCHEDULE_CONSTANT;
	dv[AX_STEPS].x = (double)dyn->budget_steps;
	dv[AX_TIME].x = dyn->budget_time;
	struct axis ax[AX_COUNT];
	for (int i = 0; i < AX_COUNT; i++)
		ax[i] = (struct axis){.v = &dv[i], .len = 1};

	/* eta and eta_scale are one choice: a group that sets either replaces both */
	int own_eta = lv->ax[AX_ETA].set || lv->ax[AX_ETA_SCALE].set;
	for (int i = 0; i < AX_STEPS; i++) {
		unsigned uses = spec_axes[i].uses;
		if (uses && !(reads & uses))
			continue; /* not read: one default value, top-level lists ignored */
		if (lv->ax[i].set)
			ax[i] = lv->ax[i];
		else if (own_eta && (i == AX_ETA || i == AX_ETA_SCALE))
			continue;
		else if (p->top.ax[i].set)
			ax[i] = p->top.ax[i];
		else if (i == AX_D || i == AX_N || i == AX_KAPPA)
			return spec_fail(p, lv->present ? lv->line : 0, "'%s' is not set for %s (set it at the top level%s)",
				    spec_axes[i].name, bw_algo_name(a), lv->present ? " or in this group" : "");
	}
	/* steps and time form one budget: the level that sets either decides both */
	const struct level *bl = lv->ax[AX_STEPS].set || lv->ax[AX_TIME].set		  ? lv
				 : p->top.ax[AX_STEPS].set || p->top.ax[AX_TIME].set ? &p->top
											     : NULL;
	if (bl) {
		dv[AX_STEPS].x = dv[AX_TIME].x = 0;
		for (int i = AX_STEPS; i <= AX_TIME; i++) {
			if (bl->ax[i].set)
				ax[i] = bl->ax[i];
			if (!(reads & BW_USES_ETA))
				for (size_t j = 0; j < ax[i].len; j++)
					if (ax[i].v[j].formula && ax[i].v[j].eta_power != 0)
						return spec_fail(p, ax[i].v[j].line,
							    "%s has no step size for the 'eta_power' of this '%s' "
							    "(give it its own budget in algorithms.%s)",
							    bw_algo_name(a), spec_axes[i].name, bw_algo_name(a));
		}
	}

	double points = 1;
	for (int i = 0; i < AX_COUNT; i++)
		points *= (double)ax[i].len;
	if (points > BW_SPEC_MAX_POINTS)
		return spec_fail(p, 0, "the grid of %s has %.0f points, more than %.0f", bw_algo_name(a), points,
			    (double)BW_SPEC_MAX_POINTS);

	double max_n_over_d = lv->max_n_set ? lv->max_n_over_d : p->top.max_n_over_d;

	/* count the surviving points before building any task */
	double others = points / ((double)ax[AX_D].len * (double)ax[AX_N].len * (double)ax[AX_KAPPA].len *
				  (double)ax[AX_BATCH].len);
	for (size_t i = 0; i < ax[AX_D].len; i++)
		for (size_t j = 0; j < ax[AX_N].len; j++)
			for (size_t k = 0; k < ax[AX_KAPPA].len; k++)
				for (size_t b = 0; b < ax[AX_BATCH].len; b++) {
					double d = ax[AX_D].v[i].x, n = ax[AX_N].v[j].x, kappa = ax[AX_KAPPA].v[k].x;
					if (kappa <= d && kappa <= n && (max_n_over_d == 0 || n <= max_n_over_d * d) &&
					    (!(reads & BW_USES_BATCH) || ax[AX_BATCH].v[b].x <= n))
						*planned += others;
				}
	if (*planned > BW_SPEC_MAX_TASKS)
		return spec_fail(p, 0, "the grid has more than %d tasks (%.0f counting up to %s)", BW_SPEC_MAX_TASKS,
			    *planned, bw_algo_name(a));

	size_t idx[AX_COUNT] = {0};
	for (;;) {
#define V(i) (ax[i].v[idx[i]].x)
		struct bw_task t;
		memset(&t, 0, sizeof t);
		t.inst.design = (enum bw_design)V(AX_DESIGN);
		t.inst.wstar = (enum bw_wstar)V(AX_WSTAR);
		t.inst.d = (size_t)V(AX_D);
		t.inst.n = (size_t)V(AX_N);
		t.inst.kappa = (size_t)V(AX_KAPPA);
		t.inst.sweep_seed = p->sweep_seed;
		t.inst.seed_index = (uint32_t)V(AX_SEEDS);
		t.run.noise_index = 0;
		t.run = def;
		t.run.alpha = V(AX_ALPHA);
		t.run.eta = V(AX_ETA);
		t.run.eta_scale = V(AX_ETA_SCALE);
		t.run.sigma = V(AX_SIGMA);
		t.run.batch = (long)V(AX_BATCH);
		t.run.eps = V(AX_EPS);
		t.run.tol = V(AX_TOL);
		t.run.project = (int)V(AX_PROJECT);
		t.run.checkpoints = (int)V(AX_CHECKPOINTS);
		t.run.schedule = (enum bw_schedule)V(AX_SCHEDULE);
		if (ax[AX_N].search) {
			CHECK(set_budget_and_noise(p, ax, idx, a, &t));
			struct bw_search srch;
			if (make_search(&ax[AX_N], &t, max_n_over_d, reads, &srch)) {
				CHECK(check_instance(p, &srch.base, ax[AX_N].line));
				CHECK(check_auto_step(p, &srch.base, ax[AX_ALPHA].v[idx[AX_ALPHA]].line));
				CHECK(push_search(sv, &srch));
			} else {
				(*dropped)++;
			}
		} else if (t.inst.kappa > t.inst.d || t.inst.kappa > t.inst.n ||
		    (max_n_over_d > 0 && (double)t.inst.n > max_n_over_d * (double)t.inst.d) ||
		    ((reads & BW_USES_BATCH) && (size_t)t.run.batch > t.inst.n)) {
			(*dropped)++;
		} else {
			CHECK(set_budget_and_noise(p, ax, idx, a, &t));
			CHECK(check_instance(p, &t, ax[AX_N].v[idx[AX_N]].line));
			CHECK(check_auto_step(p, &t, ax[AX_ALPHA].v[idx[AX_ALPHA]].line));
			bw_task_set_key(&t);
			t.cost = bw_task_cost(&t);
			CHECK(push(tv, &t));
		}
#undef V
		int i = AX_COUNT - 1;
		while (i >= 0 && ++idx[i] == ax[i].len)
			idx[i--] = 0;
		if (i < 0)
			break;
	}
	return BW_OK;
}

static int cmp_key(const void *x, const void *y)
{
	const struct bw_task *a = x, *b = y;
	return (a->key > b->key) - (a->key < b->key);
}

static int cmp_search_key(const void *x, const void *y)
{
	const struct bw_search *a = x, *b = y;
	return (a->base.key > b->base.key) - (a->base.key < b->base.key);
}

static int cmp_search_cost(const void *x, const void *y)
{
	const struct bw_search *a = x, *b = y;
	if (a->cost != b->cost)
		return a->cost < b->cost ? 1 : -1;
	return (a->base.key > b->base.key) - (a->base.key < b->base.key);
}

static int cmp_cost(const void *x, const void *y)
{
	const struct bw_task *a = x, *b = y;
	if (a->cost != b->cost)
		return a->cost < b->cost ? 1 : -1;
	return (a->key > b->key) - (a->key < b->key);
}

/* Sorts v[0..len) (elements of `size` bytes) by `by_key`, keeps the first of
 * each run of equal keys, then sorts them by `by_cost`; returns the count. */
static size_t dedup(void *v, size_t len, size_t size, int (*by_key)(const void *, const void *),
		    int (*by_cost)(const void *, const void *))
{
	if (!len)
		return 0;
	char *e = v;
	qsort(v, len, size, by_key);
	size_t k = 1;
	for (size_t i = 1; i < len; i++)
		if (by_key(e + i * size, e + (k - 1) * size))
			memmove(e + k++ * size, e + i * size, size);
	qsort(v, k, size, by_cost);
	return k;
}

/* Counts the task t (of cost `cost`) in per_algo and the spec's totals. */
static void tally(struct bw_spec *out, size_t *per_algo, const struct bw_task *t, double cost)
{
	per_algo[t->run.algo]++;
	out->total_cost += cost;
	size_t b = bw_instance_bytes(t->inst.design, t->inst.n, t->inst.d);
	if (b > out->max_instance_bytes)
		out->max_instance_bytes = b;
}

int spec_expand(const struct parse *p, struct bw_spec *out)
{
	int rc;
	struct task_vec tv = {0};
	struct search_vec sv = {0};
	size_t dropped = 0;
	double planned = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		if (!p->selected[a])
			continue;
		rc = expand_algo(p, (enum bw_algo)a, &tv, &sv, &dropped, &planned);
		if (rc) {
			free(tv.v);
			free(sv.v);
			return rc;
		}
	}
	sv.len = dedup(sv.v, sv.len, sizeof *sv.v, cmp_search_key, cmp_search_cost);
	out->searches = sv.v;
	out->nsearch = sv.len;
	for (size_t i = 0; i < sv.len; i++)
		tally(out, out->per_algo_search, &sv.v[i].base, sv.v[i].cost);
	tv.len = dedup(tv.v, tv.len, sizeof *tv.v, cmp_key, cmp_cost);
	out->tasks = tv.v;
	out->ntasks = tv.len;
	out->dropped = dropped;
	out->sweep_seed = p->sweep_seed;
	for (size_t i = 0; i < tv.len; i++)
		tally(out, out->per_algo, &tv.v[i], tv.v[i].cost);
	return BW_OK;
}
