/* bench.h - `biasweep bench`'s measurements: what to measure, the results,
 * and the run (src/bench/bench.c; the sections are in bench_*.h).
 *
 * bw_bench_prepare checks the configuration (BW_EINVAL) and makes its
 * temporary directory, bw_bench_release removes it.  bw_bench_results_init
 * records the machine and starts the clock; bw_bench_run measures every
 * section the configuration asks for.  Nothing here prints or fails on a
 * slow machine: progress notes (one line each, no newline) go to
 * cfg->progress, a figure not measured is NaN (with a reason where there is
 * one), and every figure is the median of the repeats with its min and max.
 * bw_bench_summarize derives the peaks and the targets the table and the
 * JSON (bench_report.h) state.
 */
#ifndef BIASWEEP_BENCH_H
#define BIASWEEP_BENCH_H
#include "biasweep/bench_kernels.h"
#include "biasweep/bench_peak.h"

#include <stddef.h>

#define BW_BENCH_MAXREP 64
#define BW_BENCH_ND 3
#define BW_BENCH_NCOORD 3
/* flops per SGD coordinate-update: u*a, u-+, v*a, v+-, u^2, v^2, -, acc+
 * (the +-1 products are exact sign flips) */
#define BW_BENCH_SGD_FLOPS 8.0

extern const size_t bw_bench_dims[BW_BENCH_ND];        /* d = 100, 1000, 10000 */
extern const int bw_bench_coord_ranks[BW_BENCH_NCOORD]; /* 1, 2, 4 ranks */

/* median, min and max of n measurements */
struct bw_stat3 {
	double med, lo, hi;
	int n;
};
struct bw_stat3 bw_stat3_of(const double *x, int n); /* 0 <= n <= BW_BENCH_MAXREP; NaN when n = 0 */

struct bw_bench_cfg {
	long repeats, tasks; /* repeats in 1..BW_BENCH_MAXREP, tasks >= 100 (empty tasks per coordinator run) */
	int sweep, sweep_only, no_peers, no_mpi, quick;
	const char *python, *peers, *mpirun, *spec, *out, *json;
	void (*progress)(void *ctx, const char *line);
	void *progress_ctx;
	char self[4096], tmp[4096]; /* set by bw_bench_prepare */
};

struct bw_bench_peer {
	int ok;
	double ns; /* median ns per unit */
	double lo, hi;
	long steps, runs;
	char err[160];
};

/* The step schedule "sharpness" of the noisy SGD against its constant step
 * (bench_runs.h, bw_bench_schedule): one near-threshold Rademacher instance
 * per d (kappa = 4, alpha = 0.5, seed 0), whole runs at the default budgets
 * to the stopping rule.  The constant step is run whole where const_measured
 * (d = 256), else it is its measured ns per step times the steps it needs to the flow's
 * stationary time (t_flow / (eta^2 sigma^2 / 2): the flow is the limit both
 * follow; the constant step's own stop came later than the flow's where
 * both were measured, so this estimate is low). */
#define BW_BENCH_NSCHED 3
extern const size_t bw_bench_sched_dims[BW_BENCH_NSCHED]; /* d = 256, 512, 1024 */
extern const size_t bw_bench_sched_n[BW_BENCH_NSCHED];    /* n = 20, 24, 32: near the threshold */
struct bw_bench_sched {
	int ok, const_measured;
	const char *sharp_status, *const_status; /* bw_run_status_name; NULL: not run */
	double sharp_wall, sharp_t, sharp_steps, const_wall, const_t, const_steps, const_ns_step, flow_t;
	int sharp_success, const_success, flow_success;
	double speedup;            /* const_wall / sharp_wall */
	struct bw_bench_peer peer; /* the NumPy per-sample loop, ns per coordinate-update */
	double peer_s;             /* its ns per step times the constant step's steps, in s */
};

struct bw_bench_machine {
	char host[256], cpu[256], date[64], stamp[64]; /* date ISO 8601 UTC, stamp YYYYmmdd-HHMMSS */
	long cores;
	double load_before;
};

struct bw_bench_results {
	struct bw_bench_machine m;
	double t0, elapsed_s, load_after;
	long self_rss_kb;
	struct bw_stat3 peak[BW_PEAK_COUNT]; /* med NaN: not measured */
	/* sgd */
	size_t sgd_n[BW_BENCH_ND];
	struct bw_stat3 kern[BW_BENCH_ND][BW_BENCH_NVARIANT][2]; /* [d][variant][i8, f64] ns/cu */
	int kern_ok[BW_BENCH_NVARIANT];
	struct bw_stat3 lnsgd[BW_BENCH_ND], sgd1[BW_BENCH_ND], sgd8[BW_BENCH_ND];
	struct bw_bench_peer p_loop[BW_BENCH_ND], p_batch[BW_BENCH_ND];
	/* gd */
	size_t gd_n[BW_BENCH_ND];
	struct bw_stat3 gd[BW_BENCH_ND], gemv[BW_BENCH_ND];
	struct bw_bench_peer p_gd_loop[BW_BENCH_ND], p_gd_batch[BW_BENCH_ND];
	/* flow */
	size_t flow_n[BW_BENCH_ND];
	struct bw_stat3 flow_eval[BW_BENCH_ND], flow_step[BW_BENCH_ND];
	/* the step schedule */
	struct bw_bench_sched sched[BW_BENCH_NSCHED];
	/* memory */
	size_t bytes_sgd[BW_BENCH_ND], bytes_gd[BW_BENCH_ND], bytes_flow[BW_BENCH_ND];
	/* coordinator */
	int coord_ok[BW_BENCH_NCOORD];
	struct bw_stat3 coord[BW_BENCH_NCOORD];
	long coord_rss_kb[BW_BENCH_NCOORD]; /* largest rank */
	double task_exec_us;
	char coord_err[BW_BENCH_NCOORD][200];
	/* sweep */
	int sweep_ok[2];
	double sweep_elapsed[2], sweep_wall[2];
	long sweep_rss_kb[2];
	double sweep_load[2][2]; /* load average before and after each run */
	size_t sweep_done[2];
	char sweep_err[2][200];
};

/* What the table and the JSON state beside the figures. */
struct bw_bench_summary {
	struct bw_kernel_variant v[BW_BENCH_NVARIANT];
	size_t nv, active; /* the variant sgd.c uses */
	int act_f64;       /* ... and whether it reads the doubles */
	double peak, peak_noFMA; /* the best peak; the mul+add peak of the widest vectors */
	const char *peak_name;
	double r_loop, r_batch; /* lnsgd against the NumPy loop and batched peers at d = 1000 */
	double kg;              /* GFLOP/s of the active kernel at d = 1000 */
	double gd_worst;        /* the largest gd step / two dgemv */
	double coord_min;       /* the lower tasks/s of 2 and 4 ranks */
	double eff;             /* strong-scaling efficiency T1 / (2 T2), NaN without --sweep */
	double sched_256, sched_1024; /* the sharpness schedule's whole-run speedup at d = 256, 1024 */
};

int bw_bench_prepare(struct bw_bench_cfg *c);
void bw_bench_release(struct bw_bench_cfg *c);
void bw_bench_results_init(const struct bw_bench_cfg *c, struct bw_bench_results *r);
void bw_bench_run(const struct bw_bench_cfg *c, struct bw_bench_results *r);
void bw_bench_summarize(const struct bw_bench_cfg *c, const struct bw_bench_results *r, struct bw_bench_summary *s);

/* for the sections */
int bw_bench_rep_count(const struct bw_bench_cfg *c);
void bw_bench_note(const struct bw_bench_cfg *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double bw_bench_ratio(double a, double b); /* a / b, NaN unless both finite and b > 0 */
double bw_loadavg(void);                   /* the 1-minute load average, NaN when unknown */

#endif
