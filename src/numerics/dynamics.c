/* dynamics.c - the table of the dynamics (their rows are in gd.c, sgd.c,
 * flow.c, gnoise.c), parameter defaults and checks read from the rows, what the rows'
 * cost models share, and the outcome bookkeeping (checkpoints, final
 * metrics) shared by the dynamics. */
#include "biasweep/dynamics.h"

#include "biasweep/buf.h"
#include "biasweep/clock.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/model.h"
#include "biasweep/suggest.h"
#include "rows.h"

#include <inttypes.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The dynamics, in the order of enum bw_algo (each row is in its own file). */
const struct bw_dynamics *const bw_dynamics_table[BW_ALGO_COUNT] = {
	[BW_GD] = &bw_gd,
	[BW_LABEL_NOISE_SGD] = &bw_label_noise_sgd,
	[BW_SGD] = &bw_sgd,
	[BW_RIEMANNIAN_FLOW] = &bw_riemannian_flow,
	[BW_GAUSSIAN_NOISE_GD] = &bw_gaussian_noise_gd,
};

static const char *const status_names[] = {"converged", "budget", "diverged", "failed"};

const char *bw_algo_name(enum bw_algo a) { return bw_dynamics_table[a]->name; }
const char *bw_run_status_name(enum bw_run_status s) { return status_names[s]; }

void bw_dynamics_list(unsigned uses, const char *sep, const char *last, char *buf, size_t len)
{
	size_t off = 0, n = 0, k = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		n += (bw_dynamics_table[a]->uses & uses) == uses;
	if (len)
		buf[0] = 0;
	for (int a = 0; a < BW_ALGO_COUNT && off < len; a++) {
		if ((bw_dynamics_table[a]->uses & uses) != uses)
			continue;
		k++;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", k == 1 ? "" : k == n ? last : sep,
					bw_dynamics_table[a]->name);
	}
}

void bw_dynamics_time_docs(char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = 0;
	for (int a = 0; a < BW_ALGO_COUNT && off < len; a++) {
		const char *doc = bw_dynamics_table[a]->time_doc;
		int seen = 0;
		for (int b = 0; b < a; b++)
			seen |= !strcmp(bw_dynamics_table[b]->time_doc, doc);
		if (seen)
			continue;
		for (int b = a, k = 0; b < BW_ALGO_COUNT && off < len; b++)
			if (!strcmp(bw_dynamics_table[b]->time_doc, doc))
				off += (size_t)snprintf(buf + off, len - off, "%s%s", k++ ? ", " : off ? "; " : "",
							bw_dynamics_table[b]->name);
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, ": %s", doc);
	}
}

int bw_algo_parse(const char *s, enum bw_algo *out)
{
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		if (!strcmp(s, bw_dynamics_table[a]->name)) {
			*out = (enum bw_algo)a;
			return BW_OK;
		}
	const char *cands[BW_ALGO_COUNT];
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		cands[a] = bw_dynamics_table[a]->name;
	char names[256], hint[96];
	if (*bw_suggest_hint(hint, sizeof hint, s, cands, BW_ALGO_COUNT))
		return RAISE(BW_EINVAL, "unknown algorithm '%s'%s", s, hint);
	bw_dynamics_list(0, ", ", " or ", names, sizeof names);
	return RAISE(BW_EINVAL, "unknown algorithm '%s' (expected %s)", s, names);
}

void bw_default_budget(enum bw_algo algo, long *steps, double *time)
{
	*steps = bw_dynamics_table[algo]->budget_steps;
	*time = bw_dynamics_table[algo]->budget_time;
}

void bw_run_default_budget(const struct bw_run_params *p, long *steps, double *time)
{
	const struct bw_dynamics *row = bw_dynamics_table[p->algo];
	bw_default_budget(p->algo, steps, time);
	if (bw_run_schedule(p) != BW_SCHEDULE_CONSTANT && row->budget_time_scheduled > 0)
		*time = row->budget_time_scheduled;
}

static const char *const schedule_names[BW_SCHEDULE_COUNT] = {"constant", "sharpness"};

const char *bw_schedule_name(enum bw_schedule s) { return schedule_names[s]; }

int bw_schedule_parse(const char *s, enum bw_schedule *out)
{
	for (int i = 0; i < BW_SCHEDULE_COUNT; i++)
		if (!strcmp(s, schedule_names[i])) {
			*out = (enum bw_schedule)i;
			return BW_OK;
		}
	char hint[96];
	if (*bw_suggest_hint(hint, sizeof hint, s, schedule_names, BW_SCHEDULE_COUNT))
		return RAISE(BW_EINVAL, "unknown schedule '%s'%s", s, hint);
	return RAISE(BW_EINVAL, "unknown schedule '%s' (expected constant or sharpness)", s);
}

enum bw_schedule bw_run_schedule(const struct bw_run_params *p)
{
	return (bw_dynamics_table[p->algo]->uses & BW_USES_SCHEDULE) ? p->schedule : BW_SCHEDULE_CONSTANT;
}

const struct bw_dynamics *bw_run_descent(const struct bw_run_params *p)
{
	const struct bw_dynamics *row = bw_dynamics_table[p->algo];
	if ((row->uses & BW_USES_PROJECT) && !p->project)
		return NULL;
	return row->descent;
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
	p->tol = bw_dynamics_table[algo]->tol;
	p->project = 1;
	p->checkpoints = BW_CHECKPOINTS_DEFAULT;
}

int bw_run_params_check(const struct bw_run_params *p, const struct bw_instance_spec *s)
{
	if (p->algo < 0 || p->algo >= BW_ALGO_COUNT)
		return RAISE(BW_EINVAL, "unknown algorithm");
	unsigned uses = bw_dynamics_table[p->algo]->uses;
	if (!(p->alpha > 0) || !isfinite(p->alpha))
		return RAISE(BW_EINVAL, "'alpha' must be > 0");
	if (p->eta < 0 || !isfinite(p->eta))
		return RAISE(BW_EINVAL, "'eta' must be > 0");
	if (p->eta_scale < 0 || !isfinite(p->eta_scale))
		return RAISE(BW_EINVAL, "'eta_scale' must be > 0");
	if (p->eta > 0 && p->eta_scale > 0)
		return RAISE(BW_EINVAL, "'eta' and 'eta_scale' exclude each other");
	if ((uses & BW_USES_SIGMA) && (!(p->sigma > 0) || !isfinite(p->sigma)))
		return RAISE(BW_EINVAL, "'sigma' must be > 0");
	if ((uses & BW_USES_BATCH) && (p->batch < 1 || (size_t)p->batch > s->n))
		return RAISE(BW_EINVAL, "'batch' must be between 1 and n (%zu)", s->n);
	if (p->max_steps < 0)
		return RAISE(BW_EINVAL, "'steps' must be >= 1");
	if (p->max_time < 0 || !isfinite(p->max_time))
		return RAISE(BW_EINVAL, "'time' must be > 0");
	if (!(p->eps > 0) || !isfinite(p->eps))
		return RAISE(BW_EINVAL, "'eps' must be > 0");
	if (!(p->tol > 0) || !isfinite(p->tol))
		return RAISE(BW_EINVAL, "'tol' must be > 0");
	if ((int)p->schedule < 0 || p->schedule >= BW_SCHEDULE_COUNT)
		return RAISE(BW_EINVAL, "unknown schedule %d", (int)p->schedule);
	if (p->checkpoints < 0 || p->checkpoints > BW_CHECKPOINTS_MAX)
		return RAISE(BW_EINVAL, "'checkpoints' must be between 1 and %d", BW_CHECKPOINTS_MAX);
	return BW_OK;
}

double bw_eta_auto(const struct bw_run_params *p, const struct bw_instance_spec *s)
{
	return bw_dynamics_table[p->algo]->eta_auto(p->alpha, s);
}

double bw_run_eta(const struct bw_run_params *p, const struct bw_instance_spec *s)
{
	if (p->eta > 0)
		return p->eta;
	double a = bw_eta_auto(p, s);
	return p->eta_scale > 0 ? p->eta_scale * a : a;
}

/* ---- what the rows' cost models share (rows.h) ---- */

double bw_cost_descent_steps(double eta, double tol, double alpha, double n, double d)
{
	double gap = sqrt(d) - sqrt(n);
	double lo = 16.0 / n * fmax(alpha * alpha, 1.0) * fmax(gap * gap, 1.0);
	return ceil(log(1.0 / tol) / (eta * lo));
}

double bw_cost_budget_steps(const struct bw_run_params *r, double dt)
{
	double s = HUGE_VAL;
	if (r->max_steps > 0)
		s = (double)r->max_steps;
	if (r->max_time > 0 && dt > 0)
		s = fmin(s, ceil(r->max_time / dt));
	return s;
}

double bw_cost_to_manifold(const struct bw_dynamics *descent, const struct bw_run_params *r,
			   const struct bw_instance_spec *s)
{
	double n = (double)s->n, d = (double)s->d;
	double eta = descent->eta_auto(r->alpha, s);
	return bw_cost_descent_steps(eta, descent->tol, r->alpha, n, d) * 2 * n * d;
}

double bw_cost_eta(const struct bw_run_params *r, const struct bw_instance_spec *s)
{
	return bw_run_eta(r, s);
}

uint64_t bw_noise_seed(uint64_t instance_seed, enum bw_algo algo)
{
	return bw_hash_fmt("bw-noise/1 instance=%" PRIu64 " algo=%s", instance_seed, bw_algo_name(algo));
}

uint64_t bw_noise_seed_k(uint64_t instance_seed, enum bw_algo algo, uint32_t k)
{
	if (!k)
		return bw_noise_seed(instance_seed, algo);
	return bw_hash_fmt("bw-noise/1 instance=%" PRIu64 " algo=%s noise=%" PRIu32, instance_seed, bw_algo_name(algo), k);
}

/* malloc's 16-byte alignment made the kernels' loads and stores of u and v
 * straddle cache lines, a third of a label_noise_sgd step at d = 1000 */
double *bw_vec64(size_t d)
{
	size_t bytes = (d * sizeof(double) + 63) / 64 * 64;
	return aligned_alloc(64, bytes ? bytes : 64);
}

int bw_outcome_alloc(struct bw_outcome *out, size_t d)
{
	memset(out, 0, sizeof *out);
	out->d = d;
	out->u = bw_vec64(d);
	out->v = bw_vec64(d);
	out->w = bw_vec64(d);
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
	BW_FREE_ALL(out->u, out->v, out->w, out->traj);
	memset(out, 0, sizeof *out);
}

int bw_outcome_end(struct bw_outcome *out, const struct bw_instance *inst, enum bw_run_status status, long k,
		   long last_ck, double t, const double *u, const double *v, double *w, double *r)
{
	if (status != BW_RUN_DIVERGED && last_ck != k)
		CHECK(bw_outcome_checkpoint(out, inst, k, t, u, v, w, r));
	out->status = status;
	out->steps = k;
	out->t = t;
	return BW_OK;
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

long bw_next_checkpoint_n(long step, int per_decade)
{
	if (per_decade <= 0 || per_decade == BW_CHECKPOINTS_DEFAULT)
		return bw_next_checkpoint(step);
	if (step < per_decade)
		return step + 1;
	/* step (10^(1/N) - 1) >= N (10^(1/N) - 1) > ln 10: always a step ahead */
	return (long)ceil((double)step * pow(10.0, 1.0 / per_decade));
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
	/* effective initialization: u_j v_j = alpha^2 prod(1 - s_j^2) exactly for gd and sgd;
	 * a step with |s_j| > 1 flips the sign of u_j v_j, so the mean is over |u_j v_j| */
	if (bw_dynamics_table[p->algo]->reports & BW_REPORTS_ALPHA_INF)
		out->alpha_inf = bw_alpha_inf(d, out->u, out->v);
}

double bw_alpha_inf(size_t d, const double *u, const double *v)
{
	double lg = 0;
	for (size_t j = 0; j < d; j++) {
		double q = fabs(u[j] * v[j]);
		if (!(q > 0) || !isfinite(q))
			return NAN;
		lg += 0.5 * log(q);
	}
	return d ? exp(lg / (double)d) : NAN;
}

/* Subnormal numbers are flushed to zero while a dynamics runs (x86's
 * MXCSR flush-to-zero and denormals-are-zero bits, set for the run and
 * restored after it).  The off-support coordinates of the noisy dynamics
 * decay geometrically toward 0: label_noise_sgd with the sharpness step
 * reaches u_j ~ 1e-160 within its run, where u_j^2 is subnormal, and every
 * step on a subnormal operand costs ~100 cycles instead of one (measured:
 * d = 1024, n = 256, kappa = 8 ran at 126,000 steps/s against 1.8 million
 * before its coordinates got there, 97.7% of the time in the step kernel).
 * A value below 2.2e-308 is 0 for every quantity the project reports; the
 * rounding of normal numbers is untouched, so runs that never see a
 * subnormal give the same bits as before.  BLAS runs single-threaded in the
 * caller's thread (main.c), so it runs under the same mode.
 * fp_flush_subnormals sets FTZ (MXCSR bit 15) and DAZ (bit 6) and returns
 * the caller's MXCSR, which fp_restore puts back. */
static unsigned fp_flush_subnormals(void)
{
#if defined(__SSE2__)
	unsigned csr = _mm_getcsr();
	_mm_setcsr(csr | 0x8040u);
	return csr;
#else
	return 0;
#endif
}

static void fp_restore(unsigned csr)
{
#if defined(__SSE2__)
	_mm_setcsr(csr);
#else
	(void)csr;
#endif
}

int bw_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	memset(out, 0, sizeof *out);
	CHECK(bw_run_params_check(p, &inst->spec));
	double t0 = bw_now_s();
	unsigned fp = fp_flush_subnormals();
	int rc = bw_dynamics_table[p->algo]->run(inst, p, out);
	fp_restore(fp);
	out->wall_s = bw_now_s() - t0;
	return rc;
}
