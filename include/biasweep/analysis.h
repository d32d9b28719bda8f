/* analysis.h - the statistics of `biasweep curve` and `biasweep plot`, over
 * the cells of the query layer (bw_query_cells, query.h).  Pure C: no SQL,
 * no printing; errors through error.h (BW_ENOMEM, and BW_EINVAL from
 * bw_nstar_estimate).
 *
 * Per cell: n* and its seed-bootstrap interval as nstar.h defines them,
 * always with each seed's missing n imputed from its threshold (impute =
 * 1); the bootstrap only when asked for (BW_NSTAR_BOOTSTRAP; with
 * BW_NSTAR_NO_INTERVAL lo = hi = NaN and n*, rates and thresholds are the
 * same).  The Donoho-Tanner n50 = d psi(kappa/d) (dt.h), NaN unless
 * d >= 1 and 0 <= kappa <= d.
 *
 * Fits: ordinary least squares (bw_fit_line) of n* against x = kappa ln d
 * or x = d over the chosen cells whose n* is interpolated (censor
 * BW_NSTAR_INSIDE; censored cells are left out), in cell order.  Per
 * algorithm: the cells of each algorithm (bw_query_cells orders them by
 * algorithm).  Pooled by limit: the cells of every dynamics whose limit
 * (dynamics.h, struct bw_dynamics .limit) is the one asked for, e.g. the
 * kappa ln d fit over label_noise_sgd and riemannian_flow (BW_LIMIT_L1).
 *
 * Series: the cells that differ only in d and kappa (same algorithm,
 * design, wstar, alpha, eta, sigma, batch, eps; NaN equals NaN), numbered
 * in the order of their first cell, each with its index among the series
 * of its algorithm and the parameters in which those differ.
 */
#ifndef BIASWEEP_ANALYSIS_H
#define BIASWEEP_ANALYSIS_H

#include "biasweep/dynamics.h"
#include "biasweep/nstar.h"
#include "biasweep/query.h"

#include <stddef.h>

/* ---- per cell ------------------------------------------------------------------ */

/* n* of one cell (nstar.h, imputed), interval per enum bw_nstar_interval.
 * *out as bw_nstar_estimate's (released with bw_nstar_release). */
int bw_cell_estimate(const struct bw_qcell *c, enum bw_nstar_interval interval, struct bw_nstar *out);

double bw_cell_n50(const struct bw_qcell *c);  /* NaN unless d >= 1 and 0 <= kappa <= d */
double bw_cell_klnd(const struct bw_qcell *c); /* kappa ln d */

struct bw_cell_stat {
	double nstar, lo, hi; /* as struct bw_nstar */
	int censor;           /* enum bw_nstar_censor */
	size_t seeds;
	double nmin, nmax;    /* the smallest and largest n of the cell */
	double n50, klnd;
};

/* One stat per cell; *out (cells->n entries, at least one allocated) is the
 * caller's to free(). */
int bw_cells_estimate(const struct bw_qcells *cells, enum bw_nstar_interval interval, struct bw_cell_stat **out);

/* Instance variance against noise variance of the per-search thresholds n*
 * (struct bw_nstar_seed .threshold; a seed of a cell is one (instance, noise
 * realization), query.h) in a cell with several noise realizations:
 *   between = the sample variance (n - 1) over instances of the mean, over an
 *             instance's noise realizations, of its thresholds;
 *   within  = the mean over instances with >= 2 realizations of the sample
 *             variance of that instance's thresholds over its realizations.
 * Thresholds that are censored (NaN: fails at the largest n) are left out.
 * NaN where fewer than 2 instances (between) or no instance with 2
 * realizations (within). */
struct bw_noise_split {
	size_t instances, realizations; /* instances with a threshold; thresholds used */
	double between, within;
};
int bw_cell_noise_split(const struct bw_qcell *c, const struct bw_nstar *e, struct bw_noise_split *out);

/* ---- fits ------------------------------------------------------------------------- */

enum bw_fit_x { BW_FIT_KLND = 0, BW_FIT_D, BW_FIT_X_COUNT };

const char *bw_fit_x_name(enum bw_fit_x x); /* "kappa_ln_d", "d" */

/* The fit over the cells i with want[i] != 0 (want NULL: every cell). */
int bw_fit_cells(const struct bw_qcells *cells, const struct bw_cell_stat *st, const int *want, enum bw_fit_x x,
		 struct bw_line_fit *out);

struct bw_algo_fit {
	const char *algorithm;              /* points into the cells */
	size_t first, end;                  /* its cells [first, end) */
	struct bw_line_fit fit[BW_FIT_X_COUNT];
};

/* One entry per algorithm of the cells, in their order; *out (at least one
 * allocated) is the caller's to free(). */
int bw_fit_per_algorithm(const struct bw_qcells *cells, const struct bw_cell_stat *st, struct bw_algo_fit **out,
			 size_t *n);

/* The row of bw_dynamics_table of a cell's algorithm name, NULL for a name
 * of none (a catalog may hold any text). */
const struct bw_dynamics *bw_dynamics_named(const char *name);

/* want[i] = 1 for the cells of the dynamics with this limit (an algorithm
 * name not in bw_dynamics_table has none), 0 for the others; returns their
 * number. */
size_t bw_cells_of_limit(const struct bw_qcells *cells, enum bw_limit limit, int *want);

/* buf (len > 0) gets the names of the dynamics with this limit in
 * bw_dynamics_table order, separated by sep and the last two by last
 * ("label_noise_sgd and riemannian_flow" for BW_LIMIT_L1 with ", " and
 * " and "), truncated to len - 1 characters; bw_limit_group_name joins them
 * by '+' ("label_noise_sgd+riemannian_flow"). */
void bw_limit_names(enum bw_limit limit, const char *sep, const char *last, char *buf, size_t len);
void bw_limit_group_name(enum bw_limit limit, char *buf, size_t len);

/* ---- series ----------------------------------------------------------------------- */

/* The parameters in which the series of one algorithm differ. */
enum {
	BW_SERIES_DESIGN = 1,
	BW_SERIES_WSTAR = 2,
	BW_SERIES_ALPHA = 4,
	BW_SERIES_ETA = 8,
	BW_SERIES_SIGMA = 16,
	BW_SERIES_BATCH = 32,
	BW_SERIES_EPS = 64,
	BW_SERIES_SCHEDULE = 128
};

struct bw_series {
	const struct bw_qcell *key; /* its first cell */
	size_t variant;             /* its index among the series of its algorithm */
	unsigned differs;           /* BW_SERIES_*: where the series of its algorithm differ */
};

struct bw_series_set {
	size_t n;
	struct bw_series *s;
	size_t *of_cell; /* the series of each cell */
};

/* BW_SERIES_* of the parameters in which some cell differs from the first
 * (0: every cell has the same). */
unsigned bw_cells_differ(const struct bw_qcells *cells);

/* *out points into cells (keep them); release with bw_series_release
 * (which also accepts a zeroed set). */
int bw_series_group(const struct bw_qcells *cells, struct bw_series_set *out);
void bw_series_release(struct bw_series_set *s);

/* ---- the Pesme and Wojtowytsch experiments (experiments.c) ------------------------------- */

/* A cell's step as a multiple of its dynamics' automatic step (the row's
 * eta_auto, dynamics.h): the cell's eta_scale where set, 1 for the automatic
 * step (eta 0), eta / eta_auto otherwise; NaN for a dynamics without a step, an unknown algorithm or
 * design, or an automatic step that depends on n (gd's), where one cell has
 * no single scale. */
double bw_cell_step_scale(const struct bw_qcell *c);

/* The constants of Wojtowytsch's lemma (docs/model.md, "Loss-scaled noise")
 * for sgd with batch B on the loss L = (1/n)|Z w - y|^2 near the end of a
 * run, from the design Z (n x d, row-major), the final w and the effective
 * initialization alpha_inf (u_j v_j = alpha_inf^2 for every j, exact for
 * Rademacher batch-1 runs), so u_j^2 + v_j^2 = D_j = sqrt(w_j^2 + 4 alpha_inf^4).
 * With M = Z diag(D) Z^T (n x n):
 *   Lambda = (16/n) lambda_min(M)  (|grad L|^2 >= Lambda L near the limit),
 *   C_L    = (8/n) lambda_max(M)   (the largest Hessian eigenvalue there),
 *   sigma  = 16 (n - B) / (B (n - 1)) max_i sum_j z_ij^2 D_j
 *            (E|g - grad L|^2 <= sigma L for the batch gradient g).
 * BW_EINVAL for sizes out of range or a non-finite w or alpha_inf;
 * BW_ENOMEM; BW_ENUMERIC when the eigenvalue solver fails. */
struct bw_rate_consts {
	double Lambda, C_L, sigma;
};
int bw_rate_consts_estimate(size_t n, size_t d, const double *Z, const double *w, double alpha_inf, long batch,
			    struct bw_rate_consts *out);
/* rho_eta = 1 - Lambda eta + C_L (1 + sigma) eta^2 / (2 Lambda): the lemma's
 * bound E L_k <= rho^k L_0 (NaN unless Lambda > 0); the lemma's step bound
 * eta < Lambda / (Lambda + sigma) * 2 / C_L (NaN unless Lambda, C_L > 0). */
double bw_rate_rho(const struct bw_rate_consts *k, double eta);
double bw_rate_eta_max(const struct bw_rate_consts *k);

/* ---- the tables of `biasweep curve` (src/analysis/curve_tables.c) ---- */

/* Every table starts with the cell columns, in this order. */
#define BW_CURVE_NCELL 12
extern const char *const bw_curve_cell_names[BW_CURVE_NCELL];
/* A table of the cell columns followed by extra[0..nextra) (nextra <= 32). */
int bw_curve_table_init(struct bw_table *t, const char *const *extra, size_t nextra);
/* The outcomes of cell c that ran at n (the rest of a point's seeds are imputed). */
size_t bw_curve_ran_at(const struct bw_qcell *c, double n);
/* Row `row`'s cell columns from c. */
int bw_curve_set_cell(struct bw_table *t, size_t row, const struct bw_qcell *c);
/* One row per cell: seeds, probes, n range, n* with its interval, median threshold, n50. */
int bw_curve_summary_row(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e);
/* One row per (cell, n): outcomes that ran, seeds imputed, successes, rate. */
int bw_curve_points_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e);
/* One row per (cell, seed): its threshold and whether it is monotone. */
int bw_curve_seeds_rows(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e);
/* n* with one column per d: a kappa x d table per algorithm (initializes t). */
int bw_curve_pivot_rows(struct bw_table *t, const struct bw_qcells *cells);
/* Per algorithm: fits of n* against kappa ln d and against d (t initialized by the caller). */
int bw_curve_fit_rows(struct bw_table *t, const struct bw_qcells *cells);
/* t without its constant cell columns (and d when pivot), into *out; line
 * names the constant ones ("constant (--all-columns shows them): k=v ..."),
 * or is "" when none is. */
int bw_curve_varying(const struct bw_table *t, int pivot, struct bw_table *out, char *line, size_t len);
/* Per cell: threshold variance between instances and over noise seeds. */
int bw_curve_noise_row(struct bw_table *t, const struct bw_qcell *c, const struct bw_nstar *e);

#endif
