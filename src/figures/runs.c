/* runs.c - what trajectory.c and wojtowytsch.c share: the finished runs of
 * some dynamics on one instance, with their trajectories (contract in emit.h). */
#include "emit.h"

#include "biasweep/error.h"
#include "biasweep/trajfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const run_cols[RC_COUNT] = {"algorithm", "design", "wstar", "d", "kappa", "n", "seed", "sweep_seed", "alpha",
					"eta_used", "sigma", "eps", "status", "test_error", "traj_file", "traj_row", "key"};

double tv_real(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_REAL ? v->r : v->type == BW_VAL_INT ? (double)v->i : NAN;
}

int64_t tv_int(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_INT ? v->i : v->type == BW_VAL_REAL ? (int64_t)v->r : -1;
}

const char *tv_text(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_TEXT && v->s ? v->s : "";
}

void runs_release(struct runs *R)
{
	for (size_t r = 0; r < MAX_RUNS; r++) {
		free(R->ck[r]);
		free(R->w[r]);
	}
	bw_table_release(&R->t);
	memset(R, 0, sizeof *R);
}

/* 1 when rows r and u agree on the columns cols[0..n) */
static int same_instance(struct bw_table *t, size_t r, size_t u, const size_t *cols, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct bw_value *x = bw_table_at(t, r, cols[k]), *y = bw_table_at(t, u, cols[k]);
		int same = x->type == y->type &&
			   (x->type == BW_VAL_TEXT ? !strcmp(x->s, y->s) : x->type != BW_VAL_INT || x->i == y->i);
		if (!same)
			return 0;
	}
	return 1;
}

int read_runs(struct bw_query *q, const struct bw_qfilter *user, size_t nuser, int (*keep)(const struct bw_dynamics *),
	      const char *what, const char *const *colnames, size_t ncols, int want_w, struct runs *R)
{
	memset(R, 0, sizeof *R);
	size_t nf = 0, cols[RC_COUNT + 32], got;
	char list[800] = "";
	if (ncols > 32)
		return RAISE(BW_EINTERNAL, "read_runs: too many columns");
	for (size_t i = 0; i < RC_COUNT; i++)
		cat(list, sizeof list, "%s%s", i ? "," : "", run_cols[i]);
	for (size_t i = 0; i < ncols; i++)
		cat(list, sizeof list, ",%s", colnames[i]);
	/* the user's conditions, then one leaving out each dynamics not kept */
	struct bw_qfilter *filt = malloc((nuser + BW_ALGO_COUNT) * sizeof *filt);
	if (!filt)
		return RAISE(BW_ENOMEM, "out of memory");
	memcpy(filt, user, nuser * sizeof *user);
	nf = nuser;
	int rc = BW_OK;
	for (int d = 0; d < BW_ALGO_COUNT && rc == BW_OK; d++)
		if (!keep(bw_dynamics_table[d])) {
			char cond[80];
			snprintf(cond, sizeof cond, "algorithm != %s", bw_dynamics_table[d]->name);
			rc = bw_query_parse_filter(q, cond, &filt[nf++]);
		}
	if (rc == BW_OK)
		rc = bw_query_resolve_columns(q, list, cols, RC_COUNT + ncols, &got);
	if (rc == BW_OK)
		rc = bw_query_rows(q, filt, nf, cols, got, 0, &R->t);
	free(filt);
	if (rc != BW_OK)
		return rc;
	struct bw_table *t = &R->t;
	if (t->nrows == 0)
		return RAISE(BW_EINVAL, "no finished %s task matches the --where conditions", what);
	/* one instance: (sweep_seed, design, wstar, d, kappa, n, seed) */
	static const size_t inst[] = {RC_SWEEP_SEED, RC_DESIGN, RC_WSTAR, RC_D, RC_KAPPA, RC_N, RC_SEED};
	int varies[7] = {0}, any = 0;
	for (size_t r = 1; r < t->nrows; r++)
		for (size_t k = 0; k < 7; k++)
			if (!same_instance(t, 0, r, &inst[k], 1))
				varies[k] = any = 1;
	if (any) {
		/* suggest an instance that exists: the one most dynamics ran on (ties: the largest d, then n) */
		size_t best = 0, best_runs = 0;
		for (size_t r = 0; r < t->nrows; r++) {
			size_t runs = 0;
			for (size_t u = 0; u < t->nrows; u++)
				runs += same_instance(t, r, u, inst, 7);
			int64_t dr = tv_int(t, r, RC_D), bd = tv_int(t, best, RC_D);
			if (runs > best_runs ||
			    (runs == best_runs && (dr > bd || (dr == bd && tv_int(t, r, RC_N) > tv_int(t, best, RC_N))))) {
				best = r;
				best_runs = runs;
			}
		}
		char v[160] = "", eg[400] = "";
		for (size_t k = 0; k < 7; k++)
			if (varies[k]) {
				const struct bw_value *x = bw_table_at(t, best, inst[k]);
				cat(v, sizeof v, "%s%s", v[0] ? ", " : "", run_cols[inst[k]]);
				if (x->type == BW_VAL_INT)
					cat(eg, sizeof eg, " --where %s=%lld", run_cols[inst[k]], (long long)x->i);
				else if (x->type == BW_VAL_TEXT)
					cat(eg, sizeof eg, " --where %s=%s", run_cols[inst[k]], x->s);
			}
		return RAISE(BW_EINVAL, "the --where conditions match %zu runs on more than one instance (%s differ): pick "
					"one, e.g.%s (%zu run%s there)",
			     t->nrows, v, eg, best_runs, best_runs == 1 ? "" : "s");
	}
	if (t->nrows > MAX_RUNS)
		return RAISE(BW_EINVAL, "the --where conditions match %zu runs (at most %d): narrow them", t->nrows, MAX_RUNS);
	/* read the trajectories, each checked to be the task's own (bw_query_trajectory) */
	size_t d = (size_t)tv_int(t, 0, RC_D);
	for (size_t r = 0; r < t->nrows && rc == BW_OK; r++) {
		if (!*tv_text(t, r, RC_FILE) || tv_int(t, r, RC_ROW) < 0)
			return RAISE(BW_EINVAL, "the %s run matched has no trajectory recorded (traj_file is NULL)",
				     tv_text(t, r, RC_ALGO));
		if (!(R->ck[r] = calloc(BW_TRAJ_SLOTS_MAX, sizeof *R->ck[r])) || (want_w && !(R->w[r] = calloc(d, sizeof(double)))))
			return RAISE(BW_ENOMEM, "out of memory");
		rc = bw_query_trajectory(q, tv_text(t, r, RC_KEY), R->ck[r], &R->count[r], R->w[r], want_w ? d : 0);
	}
	return rc;
}
