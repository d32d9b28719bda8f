/* dynamics.c - the algorithm table, parameter defaults and checks, and the
 * outcome bookkeeping (checkpoints, final metrics) shared by the dynamics. */
#include "biasweep/dynamics.h"

#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/model.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* (The flow's large open square keeps label-noise SGD's triangle visible
 * where both coincide on a figure.) */
const struct bw_dynamics bw_dynamics_table[BW_ALGO_COUNT] = {
	[BW_GD] = {"gd", BW_USES_ETA, BW_LIMIT_QALPHA, bw_gd_run, 0, "#1f77b4", {7, 6}, 1.3},
	[BW_LABEL_NOISE_SGD] = {"label_noise_sgd", BW_USES_ETA | BW_USES_SIGMA, BW_LIMIT_L1, bw_label_noise_sgd_run, 1,
				"#d62728", {9, 8}, 1.2},
	[BW_SGD] = {"sgd", BW_USES_ETA | BW_USES_BATCH, BW_LIMIT_QALPHA, bw_sgd_run, 0, "#ff7f0e", {13, 12}, 1.1},
	[BW_RIEMANNIAN_FLOW] = {"riemannian_flow", 0, BW_LIMIT_L1, bw_flow_run, 0, "#2ca02c", {4, 5}, 2.0},
};

static const char *const status_names[] = {"converged", "budget", "diverged", "failed"};

const char *bw_algo_name(enum bw_algo a) { return bw_dynamics_table[a].name; }
const char *bw_run_status_name(enum bw_run_status s) { return status_names[s]; }

int bw_algo_parse(const char *s, enum bw_algo *out)
{
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		if (!strcmp(s, bw_dynamics_table[a].name)) {
			*out = (enum bw_algo)a;
			return BW_OK;
		}
	return RAISE(BW_EINVAL, "unknown algorithm '%s' (expected gd, label_noise_sgd, sgd or riemannian_flow)", s);
}

void bw_run_params_default(struct bw_run_params *p, enum bw_algo algo)
{
	memset(p, 0, sizeof *p);
	p->algo = algo;
	p->alpha = 1.0;
	p->eta = 0; /* auto */
	p->sigma = 1.0;
	p->batch = 1;
	p->eps = 0.1;
	p->tol = algo == BW_RIEMANNIAN_FLOW ? 1e-7 : 1e-10;
	p->project = 1;
}

int bw_run_params_check(const struct bw_run_params *p, const struct bw_instance_spec *s)
{
	if (p->algo < 0 || p->algo >= BW_ALGO_COUNT)
		return RAISE(BW_EINVAL, "unknown algorithm");
	if (!(p->alpha > 0) || !isfinite(p->alpha))
		return RAISE(BW_EINVAL, "'alpha' must be > 0");
	if (p->eta < 0 || !isfinite(p->eta))
		return RAISE(BW_EINVAL, "'eta' must be > 0");
	if (p->algo == BW_LABEL_NOISE_SGD && (!(p->sigma > 0) || !isfinite(p->sigma)))
		return RAISE(BW_EINVAL, "'sigma' must be > 0");
	if (p->algo == BW_SGD && (p->batch < 1 || (size_t)p->batch > s->n))
		return RAISE(BW_EINVAL, "'batch' must be between 1 and n (%zu)", s->n);
	if (p->max_steps < 0)
		return RAISE(BW_EINVAL, "'steps' must be >= 1");
	if (p->max_time < 0 || !isfinite(p->max_time))
		return RAISE(BW_EINVAL, "'time' must be > 0");
	if (!(p->eps > 0) || !isfinite(p->eps))
		return RAISE(BW_EINVAL, "'eps' must be > 0");
	if (!(p->tol > 0) || !isfinite(p->tol))
		return RAISE(BW_EINVAL, "'tol' must be > 0");
	return BW_OK;
}

double bw_eta_auto(const struct bw_run_params *p, const struct bw_instance_spec *s)
{
	double a2 = p->alpha * p->alpha, d = (double)s->d, n = (double)s->n, k = (double)s->kappa;
	switch (p->algo) {
	case BW_LABEL_NOISE_SGD:
	case BW_SGD:
		/* one-sample Hessian 16 d alpha^2 at the start, about 8 ||w*||_1 at the end */
		return 0.25 / (8.0 * fmax(d * a2, k));
	default: {
		/* full-batch Hessian (16/n) max(u^2+v^2) lambda_max(Z Z^T) */
		double sq = sqrt(n) + sqrt(d);
		return 0.25 / (16.0 / n * fmax(a2, 1.0) * sq * sq);
	}
	}
}

uint64_t bw_noise_seed(uint64_t instance_seed, enum bw_algo algo)
{
	return bw_hash_fmt("bw-noise/1 instance=%" PRIu64 " algo=%s", instance_seed, bw_algo_name(algo));
}

int bw_outcome_alloc(struct bw_outcome *out, size_t d)
{
	memset(out, 0, sizeof *out);
	out->d = d;
	out->u = malloc(d * sizeof(double));
	out->v = malloc(d * sizeof(double));
	out->w = malloc(d * sizeof(double));
	out->cap = 64;
	out->traj = malloc(out->cap * sizeof *out->traj);
	out->loss_rate = out->alpha_inf = out->alpha_inf_pred = out->int_loss_dt = NAN;
	if (!out->u || !out->v || !out->w || !out->traj) {
		bw_outcome_release(out);
		return RAISE(BW_ENOMEM, "out of memory for an outcome of dimension %zu", d);
	}
	return BW_OK;
}

void bw_outcome_release(struct bw_outcome *out)
{
	free(out->u);
	free(out->v);
	free(out->w);
	free(out->traj);
	memset(out, 0, sizeof *out);
}

int bw_outcome_checkpoint(struct bw_outcome *out, const struct bw_instance *inst, long step, double t,
			  const double *u, const double *v, double *w, double *r)
{
	if (out->ntraj == out->cap) {
		struct bw_checkpoint *p = realloc(out->traj, 2 * out->cap * sizeof *p);
		if (!p)
			return RAISE(BW_ENOMEM, "out of memory for a trajectory");
		out->traj = p;
		out->cap *= 2;
	}
	bw_model_w(inst->d, u, v, w);
	struct bw_checkpoint *c = &out->traj[out->ntraj++];
	c->step = step;
	c->t = t;
	c->loss = bw_model_residual(inst, w, r);
	c->test_error = bw_model_test_error(inst, w);
	c->R = bw_model_R(inst, u, v);
	return BW_OK;
}

long bw_next_checkpoint(long step)
{
	if (step < 10)
		return step + 1;
	return (long)ceil((double)step * 1.2589254117941673); /* 10 per decade */
}

double bw_blowup_bound(double loss0) { return 1e8 * fmax(loss0, 1.0); }

void bw_outcome_finish(struct bw_outcome *out, const struct bw_instance *inst, const struct bw_run_params *p,
		       const double *u, const double *v, double *r)
{
	size_t d = inst->d;
	if (u != out->u)
		memcpy(out->u, u, d * sizeof(double));
	if (v != out->v)
		memcpy(out->v, v, d * sizeof(double));
	bw_model_w(d, out->u, out->v, out->w);
	out->train_loss = bw_model_residual(inst, out->w, r);
	out->test_error = bw_model_test_error(inst, out->w);
	out->R = bw_model_R(inst, out->u, out->v);
	out->l1 = bw_model_l1(d, out->w);
	out->support_recovered = bw_model_support_recovered(inst, out->w);
	if (!isfinite(out->train_loss) || !isfinite(out->test_error)) {
		if (out->status != BW_RUN_FAILED)
			out->status = BW_RUN_DIVERGED;
	}
	out->success = out->status != BW_RUN_DIVERGED && out->status != BW_RUN_FAILED && out->test_error <= p->eps;
	/* effective initialization: u_j v_j = alpha^2 prod(1 - s_j^2) exactly for gd and sgd */
	if (p->algo == BW_GD || p->algo == BW_SGD) {
		double lg = 0;
		int ok = 1;
		for (size_t j = 0; j < d; j++) {
			double q = out->u[j] * out->v[j];
			if (!(q > 0)) {
				ok = 0;
				break;
			}
			lg += 0.5 * log(q);
		}
		out->alpha_inf = ok ? exp(lg / (double)d) : NAN;
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int bw_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	memset(out, 0, sizeof *out);
	CHECK(bw_run_params_check(p, &inst->spec));
	double t0 = now_s();
	int rc = bw_dynamics_table[p->algo].run(inst, p, out);
	out->wall_s = now_s() - t0;
	return rc;
}
