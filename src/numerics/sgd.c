/* sgd.c - label-noise SGD (batch 1, labels y_i + delta, delta = +-sigma) and
 * plain mini-batch SGD (batch B without replacement, no label noise).
 *
 * The next sample does not depend on the state, so each step draws the next
 * batch first and computes its dot products <z_i, w> in the same pass over
 * (u, v) as this step's update: one pass over memory per step.  Rademacher
 * rows are read as int8.  The full loss is evaluated only at checkpoints
 * (and, for plain SGD, every 16 epochs for the convergence test). */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/hash.h"
#include "biasweep/model.h"

#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* u <- u(1 - a z_c), v <- v(1 + a z_c); returns <z_n, u.u - v.v> after the update. */
#define DEFINE_STEP1(NAME, T)                                                                        \
	static double NAME(size_t d, const T *restrict zc, const T *restrict zn, double a,           \
			   double *restrict u, double *restrict v)                                   \
	{                                                                                            \
		double acc = 0;                                                                      \
		_Pragma("omp simd reduction(+ : acc)") for (size_t j = 0; j < d; j++)                \
		{                                                                                    \
			double s = a * (double)zc[j];                                                \
			double uj = u[j] - u[j] * s, vj = v[j] + v[j] * s;                           \
			u[j] = uj;                                                                   \
			v[j] = vj;                                                                   \
			acc += (double)zn[j] * (uj * uj - vj * vj);                                  \
		}                                                                                    \
		return acc;                                                                          \
	}
DEFINE_STEP1(step1_i8, int8_t)
DEFINE_STEP1(step1_f64, double)

/* General batch: s_j = sum_b a_b z_{c_b j}; next dots nd_b = <z_{n_b}, w>. */
static void stepB(size_t d, size_t B, const double *Z, const size_t *cur, const double *a, const size_t *nxt,
		  double *u, double *v, double *nd)
{
	for (size_t b = 0; b < B; b++)
		nd[b] = 0;
	for (size_t j = 0; j < d; j++) {
		double s = 0;
		for (size_t b = 0; b < B; b++)
			s += a[b] * Z[cur[b] * d + j];
		double uj = u[j] - u[j] * s, vj = v[j] + v[j] * s, wj;
		u[j] = uj;
		v[j] = vj;
		wj = uj * uj - vj * vj;
		for (size_t b = 0; b < B; b++)
			nd[b] += Z[nxt[b] * d + j] * wj;
	}
}

static double dot_row(const struct bw_instance *inst, size_t i, const double *u, const double *v)
{
	const double *z = inst->Z + i * inst->d;
	double acc = 0;
	for (size_t j = 0; j < inst->d; j++)
		acc += z[j] * (u[j] * u[j] - v[j] * v[j]);
	return acc;
}

/* Partial Fisher-Yates: the first B entries of perm become the batch. */
static void draw_batch(gsl_rng *rng, size_t n, size_t B, size_t *perm, size_t *batch)
{
	for (size_t b = 0; b < B; b++) {
		size_t k = b + (size_t)gsl_rng_uniform_int(rng, n - b);
		size_t t = perm[b];
		perm[b] = perm[k];
		perm[k] = t;
		batch[b] = perm[b];
	}
}

struct evals {
	size_t len, cap;
	double *k, *lnL, *L;
};

static int evals_push(struct evals *e, long k, double L)
{
	if (e->len == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;
		double *a = realloc(e->k, cap * sizeof(double)), *b, *c;
		if (!a)
			return RAISE(BW_ENOMEM, "out of memory");
		e->k = a;
		if (!(b = realloc(e->lnL, cap * sizeof(double))))
			return RAISE(BW_ENOMEM, "out of memory");
		e->lnL = b;
		if (!(c = realloc(e->L, cap * sizeof(double))))
			return RAISE(BW_ENOMEM, "out of memory");
		e->L = c;
		e->cap = cap;
	}
	e->k[e->len] = (double)k;
	e->L[e->len] = L;
	e->lnL[e->len] = log(L);
	e->len++;
	return BW_OK;
}

static void evals_free(struct evals *e)
{
	free(e->k);
	free(e->lnL);
	free(e->L);
}

static int sgd_common(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out,
		      int label_noise)
{
	size_t n = inst->n, d = inst->d, B = label_noise ? 1 : (size_t)p->batch;
	CHECK(bw_outcome_alloc(out, d));
	double eta = p->eta > 0 ? p->eta : bw_eta_auto(p, &inst->spec);
	double sigma = label_noise ? p->sigma : 0.0;
	double dt = label_noise ? eta * eta * sigma * sigma / 2.0 : eta;
	long max_steps = p->max_steps;
	if (max_steps == 0 && p->max_time > 0)
		max_steps = (long)ceil(p->max_time / dt);
	if (max_steps == 0)
		max_steps = label_noise ? (long)ceil(5.0 / dt) : 10000000L;
	int rademacher = inst->signs != NULL && B == 1;

	double *r = malloc(n * sizeof(double)), *w = out->w, *a = malloc(B * sizeof(double));
	double *cf = malloc(B * sizeof(double)), *nf = malloc(B * sizeof(double));
	size_t *perm = malloc(n * sizeof(size_t)), *cur = malloc(B * sizeof(size_t)), *nxt = malloc(B * sizeof(size_t));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct evals ev = {0};
	int rc = BW_OK;
	if (!r || !a || !cf || !nf || !perm || !cur || !nxt || !rng) {
		rc = RAISE(BW_ENOMEM, "out of memory for sgd with n=%zu d=%zu", n, d);
		goto done;
	}
	gsl_rng_set(rng, bw_seed32(p->noise_seed));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	double *u = out->u, *v = out->v;
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = p->alpha;

	double ref = 0;
	for (size_t i = 0; i < n; i++)
		ref += inst->y[i] * inst->y[i];
	ref = ref > 0 ? ref / (double)n : 1.0;
	bw_model_w(d, u, v, w);
	double loss0 = bw_model_residual(inst, w, r), bound = bw_blowup_bound(loss0);
	double res_bound = (double)n * bound;
	long eval_every = label_noise ? 0 : 16 * (long)((n + B - 1) / B);
	long next_ck = 0, last_ck = -1, k = 0;
	int status = BW_RUN_BUDGET;
	double sq_sum = 0;

	draw_batch(rng, n, B, perm, cur);
	for (size_t b = 0; b < B; b++)
		cf[b] = dot_row(inst, cur[b], u, v);
	for (;; k++) {
		int is_ck = k == next_ck, is_eval = eval_every && k % eval_every == 0;
		if (is_ck || is_eval) {
			double L;
			if (is_ck) {
				if ((rc = bw_outcome_checkpoint(out, inst, k, (double)k * dt, u, v, w, r)) != BW_OK)
					goto done;
				L = out->traj[out->ntraj - 1].loss;
				last_ck = k;
				next_ck = bw_next_checkpoint(k);
			} else {
				bw_model_w(d, u, v, w);
				L = bw_model_residual(inst, w, r);
			}
			if (!isfinite(L) || L > bound) {
				status = BW_RUN_DIVERGED;
				break;
			}
			if (!label_noise) {
				if ((rc = evals_push(&ev, k, L)) != BW_OK)
					goto done;
				if (L <= p->tol * ref) {
					status = BW_RUN_CONVERGED;
					break;
				}
			}
		}
		if (k >= max_steps)
			break;
		if (p->cancel && (k & 65535) == 0 && *p->cancel) {
			rc = RAISE(BW_EINTR, "cancelled");
			goto done;
		}
		int bad = 0;
		for (size_t b = 0; b < B; b++) {
			double res = cf[b] - inst->y[cur[b]];
			if (label_noise)
				res -= (gsl_rng_get(rng) & 1u) ? sigma : -sigma;
			if (!(res * res <= res_bound))
				bad = 1;
			sq_sum += res * res; /* the batch's residuals estimate L without bias */
			a[b] = 4.0 * eta * res / (double)B;
		}
		if (bad) {
			status = BW_RUN_DIVERGED;
			break;
		}
		draw_batch(rng, n, B, perm, nxt);
		if (rademacher)
			nf[0] = step1_i8(d, inst->signs + cur[0] * d, inst->signs + nxt[0] * d, a[0], u, v);
		else if (B == 1)
			nf[0] = step1_f64(d, inst->Z + cur[0] * d, inst->Z + nxt[0] * d, a[0], u, v);
		else
			stepB(d, B, inst->Z, cur, a, nxt, u, v, nf);
		double *tf = cf;
		cf = nf;
		nf = tf;
		size_t *tb = cur;
		cur = nxt;
		nxt = tb;
	}
	if (status != BW_RUN_DIVERGED && last_ck != k)
		if ((rc = bw_outcome_checkpoint(out, inst, k, (double)k * dt, u, v, w, r)) != BW_OK)
			goto done;
	out->status = (enum bw_run_status)status;
	out->steps = k;
	out->t = (double)k * dt;
	out->eta_used = eta;
	if (status == BW_RUN_DIVERGED)
		snprintf(out->message, sizeof out->message, "residual left the blow-up bound near step %ld (eta=%g)", k,
			 eta);

	if (!label_noise && ev.len >= 2) {
		/* int L dt from every step's own batch residuals (unbiased, free) */
		double integral = sq_sum / (double)B * eta;
		out->int_loss_dt = integral;
		double cbar = 0;
		for (size_t j = 0; j < d; j++)
			cbar += inst->c[j] / (double)n;
		cbar /= (double)d;
		out->alpha_inf_pred = p->alpha * exp(-8.0 * eta * cbar * integral / (double)B);
		/* linear rate of ln L per step over the second half of the run */
		size_t first = 0;
		while (first < ev.len && ev.k[first] < 0.5 * (double)k)
			first++;
		size_t m = 0;
		for (size_t e = first; e < ev.len; e++)
			if (isfinite(ev.lnL[e]))
				m++;
		if (m >= 3 && m == ev.len - first) {
			double c0, c1, cov00, cov01, cov11, sumsq;
			gsl_fit_linear(ev.k + first, 1, ev.lnL + first, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
			out->loss_rate = c1;
		}
	}
	/* label_noise_sgd: the final iterate is projected onto the manifold of
	 * interpolators: Phi(x), the limit of noise-free gradient flow (the
	 * theory's Phi), computed exactly by Gauss-Newton (flow.h), or by gd. */
	if (label_noise && p->project && status != BW_RUN_DIVERGED) {
		double mx = 0;
		for (size_t j = 0; j < d; j++)
			mx = fmax(mx, u[j] * u[j] + v[j] * v[j]);
		double sq = sqrt((double)n) + sqrt((double)d);
		double eta_gd = 0.25 / (16.0 / (double)n * fmax(mx, 1e-300) * sq * sq);
		double *g = malloc(d * sizeof(double));
		if (!g) {
			rc = RAISE(BW_ENOMEM, "out of memory");
			goto done;
		}
		const long cap = 20000000;
		long k_gd = 0;
		if (bw_flow_project(inst, u, v, w, r) != BW_OK) {
			bw_error_clear(); /* fall back to gd, which ends at the same point */
			k_gd = bw_gd_descend(inst, u, v, eta_gd, p->tol, cap, w, r, g);
		}
		if (k_gd < 0) {
			out->status = BW_RUN_DIVERGED;
			snprintf(out->message, sizeof out->message, "the final projection by gd diverged");
		} else if (k_gd >= cap) {
			snprintf(out->message, sizeof out->message,
				 "the final projection stopped after %ld gd steps above tol", cap);
		}
		free(g);
	}
	bw_outcome_finish(out, inst, p, u, v, r);
done:
	free(r);
	free(a);
	free(cf);
	free(nf);
	free(perm);
	free(cur);
	free(nxt);
	if (rng)
		gsl_rng_free(rng);
	evals_free(&ev);
	if (rc != BW_OK)
		bw_outcome_release(out);
	return rc;
}

int bw_label_noise_sgd_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	return sgd_common(inst, p, out, 1);
}

int bw_sgd_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	return sgd_common(inst, p, out, 0);
}
