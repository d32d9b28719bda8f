/* dynamics.h - the five dynamics of docs/model.md on one instance, and their outcome.
 *
 * bw_run(inst, params, out) runs one dynamics from u = v = alpha*1 and fills
 * *out (which it owns until bw_outcome_release).  It returns BW_OK for every
 * outcome, diverged and failed included (those are statuses, not errors);
 * it returns an error only for invalid parameters (BW_EINVAL) or memory.
 *
 * Simulated time t, per dynamics (so trajectories share one axis):
 *   gd, sgd           t = k * eta               (gradient-flow time)
 *   label_noise_sgd   t = k * eta^2 * sigma^2 / 2 (the flow's time, Li-Wang-Arora)
 *   gaussian_noise_gd t = k * eta^2 * sigma^2 / 2 (the same convention: noisy gd
 *                     x <- x - eta (grad L + sigma xi), noise covariance sigma^2 I)
 *   riemannian_flow   t = the flow's own time
 * Budgets: max_steps and/or max_time (whichever ends first; 0 = unset), caps:
 * every dynamics stops at its convergence test (its row's converged_doc;
 * docs/model.md), and the outcome's status says which ended the run.
 */
#ifndef BIASWEEP_DYNAMICS_H
#define BIASWEEP_DYNAMICS_H

#include "biasweep/instance.h"

#include <stdint.h>

enum bw_algo { BW_GD = 0, BW_LABEL_NOISE_SGD, BW_SGD, BW_RIEMANNIAN_FLOW, BW_GAUSSIAN_NOISE_GD, BW_ALGO_COUNT };

enum bw_run_status { BW_RUN_CONVERGED = 0, BW_RUN_BUDGET, BW_RUN_DIVERGED, BW_RUN_FAILED };

/* Which parameters each algorithm reads (so specs and keys ignore the rest). */
enum { BW_USES_ETA = 1, BW_USES_SIGMA = 2, BW_USES_BATCH = 4, BW_USES_PROJECT = 8,
       BW_USES_NOISE = 16 /* draws from its noise stream (noise_seed): sampling, label noise */,
       BW_USES_SCHEDULE = 32 /* reads the step schedule (schedule): label_noise_sgd */ };

/* How the step follows the run (label_noise_sgd; docs/model.md, "The step schedule"):
 *   BW_SCHEDULE_CONSTANT   eta_k = eta (bw_run_eta) at every step: t = k eta^2 sigma^2 / 2
 *   BW_SCHEDULE_SHARPNESS  eta_k = eta * B_0 / B_k, B_k = max(S_k, kappa), S_k the largest
 *                          one-sample sharpness over 8, max_i sum_j z_ij^2 (u_j^2 + v_j^2)
 *                          (for +-1 rows sum_j (u_j^2 + v_j^2)), recomputed every
 *                          BW_SCHEDULE_REFRESH steps for +-1 rows, every multiple of it
 *                          >= n otherwise; t = sum_k eta_k^2 sigma^2 / 2, the same clock */
enum bw_schedule { BW_SCHEDULE_CONSTANT = 0, BW_SCHEDULE_SHARPNESS, BW_SCHEDULE_COUNT };
#define BW_SCHEDULE_REFRESH 32

/* Which outcome fields beyond the common ones a dynamics fills (NaN otherwise):
 *   BW_REPORTS_ALPHA_INF  alpha_inf, the effective initialization at the end
 *   BW_REPORTS_LOSS_RATE  loss_rate and alpha_inf_pred (Pesme et al.) */
enum { BW_REPORTS_ALPHA_INF = 1, BW_REPORTS_LOSS_RATE = 2 };

/* What each dynamics converges to (docs/model.md, "Known limits"), and so how its
 * sample complexity n* should scale:
 *   BW_LIMIT_QALPHA  argmin Q_alpha(w) s.t. Zw = y (gd; sgd with a smaller
 *                    effective alpha): min l2 from large alpha, n* ~ d;
 *   BW_LIMIT_L1      weighted basis pursuit (the flow of R = tr Hess L, and
 *                    label-noise SGD, whose limit is that flow): n* = O(kappa ln d);
 *   BW_LIMIT_NONE    no limit point (gaussian_noise_gd: isotropic noise keeps
 *                    diffusing along the manifold, towards denser interpolants);
 *                    pooled with no other dynamics, no n* law asserted. */
enum bw_limit { BW_LIMIT_QALPHA = 0, BW_LIMIT_L1, BW_LIMIT_NONE };

struct bw_run_params {
	enum bw_algo algo;
	double alpha;      /* initialization scale, u = v = alpha */
	double eta;        /* step; <= 0 means the documented automatic value */
	double eta_scale;  /* > 0 (with eta <= 0): the step is eta_scale times the automatic value
			    * (bw_run_eta); 0 = unset */
	double sigma;      /* noise scale: label noise (label_noise_sgd), parameter noise (gaussian_noise_gd) */
	long batch;        /* mini-batch size (sgd) */
	long max_steps;    /* 0 = unset */
	double max_time;   /* simulated time budget, 0 = unset */
	double eps;        /* success: test error <= eps */
	double tol;        /* convergence: relative loss (gd, sgd; label_noise_sgd's projection) or the
			    * flow's stopping rule (flow.c) */
	int project;       /* label_noise_sgd, gaussian_noise_gd: finish with the projection onto the manifold */
	int checkpoints;   /* checkpoints per decade of steps (the flow: of its own time); 0 = 10 */
	uint32_t noise_index; /* which noise realization (noise_seeds; 0 = the stream of bw_noise_seed) */
	uint64_t noise_seed; /* the dynamics' own stream (bw_noise_seed_k of noise_index) */
	enum bw_schedule schedule; /* the step schedule (a row with BW_USES_SCHEDULE; default constant) */
	const volatile int *cancel; /* optional: when *cancel becomes nonzero, bw_run
				     * stops soon and returns BW_EINTR (no outcome) */
};

struct bw_checkpoint {
	long step;
	double t, loss, test_error, R;
};

struct bw_outcome {
	enum bw_run_status status;
	double train_loss, test_error, R, l1;
	int support_recovered, success;
	long steps;
	double t, wall_s;
	double eta_used;   /* the step actually used (after 'auto') */
	double loss_rate;  /* sgd: fitted slope of ln L per step; NaN otherwise */
	double alpha_inf;  /* sgd, gd: effective init, bw_alpha_inf of the final state */
	double alpha_inf_pred; /* sgd: Pesme et al. prediction alpha*exp(-8 eta mean(c/n) int L dt / B),
				* first order in eta: within 0.2% of alpha_inf up to 4x the automatic
				* step, off by a factor 0.66-2.7 at 8x (steps with |4 eta r| > 1) */
	double int_loss_dt; /* integral of L dt along the run (sgd, gd) */
	size_t d, ntraj, cap;
	int per_decade;    /* the run's checkpoints per decade (its params' checkpoints) */
	struct bw_checkpoint *traj;
	double *u, *v, *w; /* final state, d each */
	char message[160]; /* why diverged/failed; "" otherwise */
	int projected;     /* train_loss .. success are of Phi(last iterate), the projection onto the
			    * zero-loss manifold (a row with `projects`, run with .project, not diverged
			    * before it); steps, t and the trajectory are the iterates' */
	long stop_checks;  /* label_noise_sgd: the projections its stopping rule made (0 otherwise) */
};

/* One row per dynamics, defined in the dynamics' own file (gd.c, sgd.c,
 * flow.c, gnoise.c) and listed in bw_dynamics_table (dynamics.c), indexed by enum
 * bw_algo: everything the other layers know of a dynamics is here, so adding
 * one is a new file and a table entry.  Other layers iterate the table and
 * use its fields and names, never a particular enum value. */
struct bw_dynamics {
	const char *name;
	const char *summary;  /* one line for help texts */
	unsigned uses;        /* BW_USES_*: the parameters it reads */
	unsigned reports;     /* BW_REPORTS_*: the extra outcome fields it fills */
	enum bw_limit limit;
	double tol;           /* default convergence tolerance (bw_run_params_default) */
	long budget_steps;    /* default budget when none is given (0 = unset; */
	double budget_time;   /*   simulated time, 0 = unset): a generous cap, the stopping rule ends runs */
	double budget_time_scheduled; /* the default time cap under a schedule other than constant
				       * (BW_USES_SCHEDULE rows; 0: budget_time) */
	/* The name of its stopping rule when it is not the original one (the relative
	 * loss for gd and sgd, the budget for label_noise_sgd, ||P grad R|| for the
	 * flow): it enters the task's canonical string as " stop=<rule>" (task.h), so
	 * no key names outcomes of two rules.  NULL: the original rule, old keys. */
	const char *stop_rule;
	/* The noise-free descent onto the zero-loss manifold it runs (the flow's
	 * start Phi(x0), the noisy dynamics' final projection when 'project'):
	 * that dynamics' row (gd), at that row's automatic step, or NULL. */
	const struct bw_dynamics *descent;
	/* The automatic step when eta <= 0 (for a dynamics without a step, the
	 * step of its descent); reads alpha and the instance only. */
	double (*eta_auto)(double alpha, const struct bw_instance_spec *s);
	/* Estimated work in coordinate-updates (a rough guess for scheduling,
	 * plan and the catalog's cost column; task.h) and the bytes of the
	 * dynamics' own buffers (beyond the instance and the outcome). */
	double (*cost)(const struct bw_run_params *p, const struct bw_instance_spec *s);
	size_t (*bytes)(const struct bw_run_params *p, const struct bw_instance_spec *s);
	int (*run)(const struct bw_instance *, const struct bw_run_params *, struct bw_outcome *);
	/* Conventions for help texts (run-one --help): the automatic step, the
	 * simulated time t, and the convergence test, a whole phrase with its
	 * tolerance (NULL: none, it runs its budget). */
	const char *eta_doc, *time_doc, *converged_doc;
	int projects;      /* its final iterate is scored after the projection Phi (run with .project) */
	/* how the figures draw it (figures.h): colour, point type of its even- and
	 * odd-numbered series, point size */
	const char *plot_color;
	int plot_pt[2];
	double plot_ps;
};

extern const struct bw_dynamics *const bw_dynamics_table[BW_ALGO_COUNT];

const char *bw_algo_name(enum bw_algo a);
int bw_algo_parse(const char *s, enum bw_algo *out);
const char *bw_run_status_name(enum bw_run_status s);

/* The names of the dynamics whose row reads every parameter in `uses` (all
 * of them for 0), in table order, joined by `sep` and, before the last one,
 * by `last`: ("gd, label_noise_sgd, sgd, riemannian_flow or gaussian_noise_gd");
 * truncated to len - 1. */
void bw_dynamics_list(unsigned uses, const char *sep, const char *last, char *buf, size_t len);
/* The time conventions of the rows, those sharing a time_doc together, in
 * table order: "gd, sgd: k*eta; label_noise_sgd, gaussian_noise_gd:
 * k*eta^2*sigma^2/2; riemannian_flow: flow time"; truncated to len - 1. */
void bw_dynamics_time_docs(char *buf, size_t len);
/* The default budget of a dynamics (its row's budget_steps, budget_time). */
void bw_default_budget(enum bw_algo algo, long *steps, double *time);
/* The default budget of a run: bw_default_budget, with the row's
 * budget_time_scheduled where the run reads a schedule other than constant. */
void bw_run_default_budget(const struct bw_run_params *p, long *steps, double *time);
/* "constant", "sharpness"; bw_schedule_parse: BW_EINVAL with a "did you mean" hint. */
const char *bw_schedule_name(enum bw_schedule s);
int bw_schedule_parse(const char *s, enum bw_schedule *out);
/* The schedule a run reads: p->schedule for a row with BW_USES_SCHEDULE, else constant. */
enum bw_schedule bw_run_schedule(const struct bw_run_params *p);
/* The descent onto the manifold a run makes (its row's descent, when the row
 * reads 'project' only if p->project is set), or NULL. */
const struct bw_dynamics *bw_run_descent(const struct bw_run_params *p);
/* Fills defaults: eps 0.1, the row's tol (1e-10 gd/sgd, 1e-7 flow), sigma 1, batch 1, project 1. */
void bw_run_params_default(struct bw_run_params *p, enum bw_algo algo);
int bw_run_params_check(const struct bw_run_params *p, const struct bw_instance_spec *s);
/* The automatic step when eta <= 0 (the row's eta_auto; documented in run-one --help). */
double bw_eta_auto(const struct bw_run_params *p, const struct bw_instance_spec *s);
/* The step a run takes: eta when > 0, else eta_scale * bw_eta_auto when
 * eta_scale > 0, else bw_eta_auto (bit for bit: eta_scale 1 gives the automatic step). */
double bw_run_eta(const struct bw_run_params *p, const struct bw_instance_spec *s);
/* The noise stream: bw_hash_str("bw-noise/1 instance=<instance seed> algo=<name>") */
uint64_t bw_noise_seed(uint64_t instance_seed, enum bw_algo algo);
/* Realization k of it: bw_noise_seed for k = 0 (today's stream), else
 * bw_hash_str("bw-noise/1 instance=<instance seed> algo=<name> noise=<k>"). */
uint64_t bw_noise_seed_k(uint64_t instance_seed, enum bw_algo algo, uint32_t k);

int bw_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out);
void bw_outcome_release(struct bw_outcome *out);

/* ---- shared by the implementations (src/numerics/) ---- */
int bw_outcome_alloc(struct bw_outcome *out, size_t d);
/* d doubles on a 64-byte boundary (freed by free), as the outcome's u, v, w:
 * the SGD kernels' vector loads and stores then never split a cache line. */
double *bw_vec64(size_t d);
int bw_outcome_checkpoint(struct bw_outcome *out, const struct bw_instance *inst, long step, double t,
			  const double *u, const double *v, double *w, double *r);
/* The end of a run at step k, time t: the last checkpoint unless it was
 * written at k or the run diverged, then status, steps and t. */
int bw_outcome_end(struct bw_outcome *out, const struct bw_instance *inst, enum bw_run_status status, long k,
		   long last_ck, double t, const double *u, const double *v, double *w, double *r);
/* Computes loss, error, R, l1, support, success of the final (u, v) into out. */
void bw_outcome_finish(struct bw_outcome *out, const struct bw_instance *inst, const struct bw_run_params *p,
		       const double *u, const double *v, double *r);
/* Next log-spaced checkpoint step after `step` (about 10 per decade). */
long bw_next_checkpoint(long step);
#define BW_CHECKPOINTS_DEFAULT 10
#define BW_CHECKPOINTS_MAX 1000
/* The same at N per decade: every step up to N, then ceil(step * 10^(1/N));
 * N = 10 (or <= 0) is bw_next_checkpoint bit for bit. */
long bw_next_checkpoint_n(long step, int per_decade);
/* The effective initialization of a state: the geometric mean of sqrt|u_j v_j|
 * (u_j v_j = alpha^2 prod_k (1 - s_kj^2) for gd and sgd; a step with |s| > 1 flips
 * its sign, not its meaning).  NaN only when some u_j v_j is 0 or not finite. */
double bw_alpha_inf(size_t d, const double *u, const double *v);
/* Loss above which a run is declared diverged: 1e8 * max(L0, 1). */
double bw_blowup_bound(double loss0);

int bw_gd_run(const struct bw_instance *, const struct bw_run_params *, struct bw_outcome *);
int bw_sgd_run(const struct bw_instance *, const struct bw_run_params *, struct bw_outcome *);
int bw_label_noise_sgd_run(const struct bw_instance *, const struct bw_run_params *, struct bw_outcome *);
int bw_flow_run(const struct bw_instance *, const struct bw_run_params *, struct bw_outcome *);
int bw_gaussian_noise_gd_run(const struct bw_instance *, const struct bw_run_params *, struct bw_outcome *);

/* Gradient descent from (u, v) in place until the relative loss <= tol or max_steps
 * (used by the flow's start Phi(x0) and the noisy dynamics' final projection, bw_project_final).
 * Returns the number of steps taken, or -1 when it diverged. */
long bw_gd_descend(const struct bw_instance *inst, double *u, double *v, double eta, double tol, long max_steps,
		   double *w, double *r, double *g);

#endif
