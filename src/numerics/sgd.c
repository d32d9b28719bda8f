/* sgd.c - label-noise SGD (batch 1, labels y_i + delta, delta = +-sigma) and
 * plain mini-batch SGD (batch B without replacement, no label noise).
 *
 * The next sample does not depend on the state, so each step draws the next
 * batch first and computes its dot products <z_i, w> in the same pass over
 * (u, v) as this step's update: one pass over memory per step.  Rademacher
 * rows are read as int8.  The full loss is evaluated only at checkpoints
 * (and, for plain SGD, every 16 epochs for the convergence test). */
/* No FMA contraction in this file: the kernels' bits must not depend on the
 * compiler or the vector width (kernels.h).  The build's -std=c17 already
 * means -ffp-contract=off for GCC; this keeps it so in GNU mode and clang. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__) && !defined(__STRICT_ANSI__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/hash.h"
#include "biasweep/model.h"
#include "kernels.h"
#include "mt19937.h"
#include "rows.h"

#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* ---- the kernels (kernels.h): one variant per instruction set, same bits ----
 *
 * The summation order is fixed by BW_SGD_LANES partial sums acc[j % 8]
 * (kernels.h), never left to the compiler (no omp simd reduction), so every
 * variant and every vector width gives the same bits.  Multiplying by
 * z = +-1 is exact, which is why the avx512 variant may read the int8 signs
 * through mask registers (a blend and a sign flip) and the others the
 * doubles of the same rows. */

#define BW_LANE_SUM(acc) ((((acc)[0] + (acc)[1]) + ((acc)[2] + (acc)[3])) + (((acc)[4] + (acc)[5]) + ((acc)[6] + (acc)[7])))

/* one coordinate of step1 into partial sum `lane` */
#define STEP1_ONE(zc, zn, j, lane)                                             \
	do {                                                                   \
		double s_ = a * (double)(zc)[j];                               \
		double u_ = u[j] - u[j] * s_, v_ = v[j] + v[j] * s_;           \
		u[j] = u_;                                                     \
		v[j] = v_;                                                     \
		acc[lane] += (double)(zn)[j] * (u_ * u_ - v_ * v_);            \
	} while (0)

/* Portable C: the inner loop over the 8 lanes is what the compiler vectorizes. */
#define DEFINE_STEP1_C(NAME, T, ATTR)                                                                 \
	ATTR static double NAME(size_t d, const T *restrict zc, const T *restrict zn, double a,      \
				double *restrict u, double *restrict v)                              \
	{                                                                                             \
		double acc[BW_SGD_LANES] = {0};                                                       \
		size_t j = 0;                                                                         \
		for (; j + BW_SGD_LANES <= d; j += BW_SGD_LANES)                                      \
			for (size_t k = 0; k < BW_SGD_LANES; k++)                                     \
				STEP1_ONE(zc, zn, j + k, k);                                          \
		for (size_t k = 0; j < d; j++, k++)                                                   \
			STEP1_ONE(zc, zn, j, k);                                                      \
		return BW_LANE_SUM(acc);                                                              \
	}

/* General batch in blocks of STEPB_BLOCK coordinates (s and w stay in L1):
 * s_j = sum_b a_b Z[cur_b, j], the update, then nd[b] += Z[nxt_b, j] w_j
 * into lane j % 8 of row b's partial sums.  scratch: BW_STEPB_SCRATCH(B). */
#define STEPB_BLOCK BW_STEPB_BLOCK
#define DEFINE_STEPB_C(NAME, ATTR)                                                                     \
	ATTR static void NAME(size_t d, size_t B, const double *restrict Z, const size_t *cur,            \
			      const double *a, const size_t *nxt, double *restrict u, double *restrict v,  \
			      double *restrict nd, double *restrict scratch)                               \
	{                                                                                              \
		double *restrict acc = scratch, *restrict s = scratch + BW_SGD_LANES * B,              \
				 *restrict w = s + STEPB_BLOCK;                                        \
		for (size_t i = 0; i < BW_SGD_LANES * B; i++)                                          \
			acc[i] = 0;                                                                    \
		for (size_t j0 = 0; j0 < d; j0 += STEPB_BLOCK) {                                       \
			size_t len = d - j0 < STEPB_BLOCK ? d - j0 : STEPB_BLOCK;                      \
			for (size_t jj = 0; jj < len; jj++)                                            \
				s[jj] = 0;                                                             \
			for (size_t b = 0; b < B; b++) {                                               \
				const double *restrict z = Z + cur[b] * d + j0;                        \
				double ab = a[b];                                                      \
				for (size_t jj = 0; jj < len; jj++)                                    \
					s[jj] += ab * z[jj];                                           \
			}                                                                              \
			for (size_t jj = 0; jj < len; jj++) {                                          \
				size_t j = j0 + jj;                                                    \
				double uj = u[j] - u[j] * s[jj], vj = v[j] + v[j] * s[jj];             \
				u[j] = uj;                                                             \
				v[j] = vj;                                                             \
				w[jj] = uj * uj - vj * vj;                                             \
			}                                                                              \
			size_t full = len / BW_SGD_LANES * BW_SGD_LANES;                               \
			for (size_t b = 0; b < B; b++) {                                               \
				const double *restrict z = Z + nxt[b] * d + j0;                        \
				double l[BW_SGD_LANES];                                                \
				for (size_t k = 0; k < BW_SGD_LANES; k++)                              \
					l[k] = acc[BW_SGD_LANES * b + k];                              \
				for (size_t jj = 0; jj < full; jj += BW_SGD_LANES)                     \
					for (size_t k = 0; k < BW_SGD_LANES; k++)                      \
						l[k] += z[jj + k] * w[jj + k];                         \
				for (size_t jj = full; jj < len; jj++)                                 \
					l[jj % BW_SGD_LANES] += z[jj] * w[jj];                         \
				for (size_t k = 0; k < BW_SGD_LANES; k++)                              \
					acc[BW_SGD_LANES * b + k] = l[k];                              \
			}                                                                              \
		}                                                                                      \
		for (size_t b = 0; b < B; b++)                                                         \
			nd[b] = BW_LANE_SUM(acc + BW_SGD_LANES * b);                                   \
	}

DEFINE_STEP1_C(step1_i8_generic, int8_t, )
DEFINE_STEP1_C(step1_f64_generic, double, )
DEFINE_STEPB_C(stepB_generic, )

#if defined(__x86_64__) && defined(__GNUC__)
#define BW_HAVE_X86_VARIANTS 1
#define TARGET_AVX2 __attribute__((target("avx2")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

DEFINE_STEPB_C(stepB_avx2, TARGET_AVX2)
DEFINE_STEPB_C(stepB_avx512, TARGET_AVX512)

/* AVX2: two 4-lane accumulators are lanes 0-3 and 4-7 of the 8. */
TARGET_AVX2 static double step1_f64_avx2(size_t d, const double *restrict zc, const double *restrict zn, double a,
					 double *restrict u, double *restrict v)
{
	__m256d va = _mm256_set1_pd(a), acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
	size_t j = 0;
#define HALF(off, ACC)                                                                                     \
	do {                                                                                               \
		__m256d s_ = _mm256_mul_pd(va, _mm256_loadu_pd(zc + j + (off)));                           \
		__m256d u_ = _mm256_loadu_pd(u + j + (off)), v_ = _mm256_loadu_pd(v + j + (off));           \
		u_ = _mm256_sub_pd(u_, _mm256_mul_pd(u_, s_));                                             \
		v_ = _mm256_add_pd(v_, _mm256_mul_pd(v_, s_));                                             \
		_mm256_storeu_pd(u + j + (off), u_);                                                       \
		_mm256_storeu_pd(v + j + (off), v_);                                                       \
		__m256d w_ = _mm256_sub_pd(_mm256_mul_pd(u_, u_), _mm256_mul_pd(v_, v_));                  \
		ACC = _mm256_add_pd(ACC, _mm256_mul_pd(_mm256_loadu_pd(zn + j + (off)), w_));              \
	} while (0)
	for (; j + 8 <= d; j += 8) {
		HALF(0, acc0);
		HALF(4, acc1);
	}
#undef HALF
	double acc[BW_SGD_LANES];
	_mm256_storeu_pd(acc, acc0);
	_mm256_storeu_pd(acc + 4, acc1);
	for (size_t k = 0; j < d; j++, k++)
		STEP1_ONE(zc, zn, j, k);
	return BW_LANE_SUM(acc);
}

/* AVX-512: one 8-lane accumulator is the 8 partial sums. */
TARGET_AVX512 static double step1_f64_avx512(size_t d, const double *restrict zc, const double *restrict zn,
					     double a, double *restrict u, double *restrict v)
{
	__m512d va = _mm512_set1_pd(a), vacc = _mm512_setzero_pd();
	size_t j = 0;
	for (; j + 8 <= d; j += 8) {
		__m512d s = _mm512_mul_pd(va, _mm512_loadu_pd(zc + j));
		__m512d uu = _mm512_loadu_pd(u + j), vv = _mm512_loadu_pd(v + j);
		uu = _mm512_sub_pd(uu, _mm512_mul_pd(uu, s));
		vv = _mm512_add_pd(vv, _mm512_mul_pd(vv, s));
		_mm512_storeu_pd(u + j, uu);
		_mm512_storeu_pd(v + j, vv);
		__m512d w = _mm512_sub_pd(_mm512_mul_pd(uu, uu), _mm512_mul_pd(vv, vv));
		vacc = _mm512_add_pd(vacc, _mm512_mul_pd(_mm512_loadu_pd(zn + j), w));
	}
	double acc[BW_SGD_LANES];
	_mm512_storeu_pd(acc, vacc);
	for (size_t k = 0; j < d; j++, k++)
		STEP1_ONE(zc, zn, j, k);
	return BW_LANE_SUM(acc);
}

/* AVX-512 on int8 signs: the sign bits become mask registers (vpmovb2m);
 * s = a z is a blend of a and -a, z w a masked flip of the sign bit (both
 * exact, so the same bits as multiplying by +-1.0). */
TARGET_AVX512 static double step1_i8_avx512(size_t d, const int8_t *restrict zc, const int8_t *restrict zn,
					    double a, double *restrict u, double *restrict v)
{
	const __m512d va = _mm512_set1_pd(a), vna = _mm512_set1_pd(-a);
	const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ULL);
	__m512d vacc = _mm512_setzero_pd();
	size_t j = 0;
#define OCT(off, KC, KN)                                                                                   \
	do {                                                                                               \
		__m512d s_ = _mm512_mask_blend_pd((KC), va, vna);                                          \
		__m512d u_ = _mm512_loadu_pd(u + j + (off)), v_ = _mm512_loadu_pd(v + j + (off));           \
		u_ = _mm512_sub_pd(u_, _mm512_mul_pd(u_, s_));                                             \
		v_ = _mm512_add_pd(v_, _mm512_mul_pd(v_, s_));                                             \
		_mm512_storeu_pd(u + j + (off), u_);                                                       \
		_mm512_storeu_pd(v + j + (off), v_);                                                       \
		__m512i w_ = _mm512_castpd_si512(_mm512_sub_pd(_mm512_mul_pd(u_, u_), _mm512_mul_pd(v_, v_))); \
		w_ = _mm512_mask_xor_epi64(w_, (KN), w_, sign);                                            \
		vacc = _mm512_add_pd(vacc, _mm512_castsi512_pd(w_));                                       \
	} while (0)
	for (; j + 16 <= d; j += 16) {
		__mmask16 kc = _mm_movepi8_mask(_mm_loadu_si128((const __m128i *)(zc + j)));
		__mmask16 kn = _mm_movepi8_mask(_mm_loadu_si128((const __m128i *)(zn + j)));
		OCT(0, (__mmask8)kc, (__mmask8)kn);
		OCT(8, (__mmask8)(kc >> 8), (__mmask8)(kn >> 8));
	}
	for (; j + 8 <= d; j += 8) {
		__mmask8 kc = (__mmask8)_mm_movepi8_mask(_mm_loadl_epi64((const __m128i *)(zc + j)));
		__mmask8 kn = (__mmask8)_mm_movepi8_mask(_mm_loadl_epi64((const __m128i *)(zn + j)));
		OCT(0, kc, kn);
	}
#undef OCT
	double acc[BW_SGD_LANES];
	_mm512_storeu_pd(acc, vacc);
	for (size_t k = 0; j < d; j++, k++)
		STEP1_ONE(zc, zn, j, k);
	return BW_LANE_SUM(acc);
}

/* AVX2 on int8: no mask registers; kept for tests and bench (the doubles are faster). */
DEFINE_STEP1_C(step1_i8_avx2, int8_t, TARGET_AVX2)
#endif

static const struct bw_sgd_kernels variants[] = {
	{"generic", "x86-64 baseline (SSE2) or any other CPU", 0, step1_i8_generic, step1_f64_generic,
	 stepB_generic},
#ifdef BW_HAVE_X86_VARIANTS
	{"avx2", "AVX2", 0, step1_i8_avx2, step1_f64_avx2, stepB_avx2},
	{"avx512", "AVX-512 F, BW, VL, DQ", 1, step1_i8_avx512, step1_f64_avx512, stepB_avx512},
#endif
};
enum { NVARIANTS = sizeof variants / sizeof variants[0] };

const struct bw_sgd_kernels *bw_sgd_kernel_variants(size_t *count)
{
	*count = NVARIANTS;
	return variants;
}

int bw_sgd_kernel_supported(const struct bw_sgd_kernels *k)
{
#ifdef BW_HAVE_X86_VARIANTS
	__builtin_cpu_init();
	if (!strcmp(k->name, "avx2"))
		return __builtin_cpu_supports("avx2");
	if (!strcmp(k->name, "avx512"))
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
#endif
	return !strcmp(k->name, "generic");
}

static const struct bw_sgd_kernels *find_variant(const char *name)
{
	for (size_t i = 0; i < NVARIANTS; i++)
		if (!strcmp(variants[i].name, name) && bw_sgd_kernel_supported(&variants[i]))
			return &variants[i];
	return NULL;
}

static const struct bw_sgd_kernels *auto_variant(void)
{
	const char *env = getenv("BIASWEEP_KERNEL");
	const struct bw_sgd_kernels *k = env && *env ? find_variant(env) : NULL;
	for (size_t i = NVARIANTS; !k && i-- > 0;)
		if (bw_sgd_kernel_supported(&variants[i]))
			k = &variants[i];
	return k ? k : &variants[0];
}

static const struct bw_sgd_kernels *active; /* atomic: set once, idempotently */

const struct bw_sgd_kernels *bw_sgd_kernels_active(void)
{
	const struct bw_sgd_kernels *k = __atomic_load_n(&active, __ATOMIC_ACQUIRE);
	if (!k) {
		k = auto_variant();
		__atomic_store_n(&active, k, __ATOMIC_RELEASE);
	}
	return k;
}

const char *bw_sgd_kernel_name(void) { return bw_sgd_kernels_active()->name; }

int bw_sgd_kernel_select(const char *name)
{
	const struct bw_sgd_kernels *k = name ? find_variant(name) : auto_variant();
	if (!k)
		return -1;
	__atomic_store_n(&active, k, __ATOMIC_RELEASE);
	return 0;
}

static double dot_row(const struct bw_instance *inst, size_t i, const double *u, const double *v)
{
	const double *z = inst->Z + i * inst->d;
	double acc = 0;
	for (size_t j = 0; j < inst->d; j++)
		acc += z[j] * (u[j] * u[j] - v[j] * v[j]);
	return acc;
}

/* Partial Fisher-Yates: the first B entries of perm become the batch.
 * scale0 = (2^32 - 1) / n, the first draw's (bw_mt_uniform_scaled). */
static inline void draw_batch(struct bw_mt *rng, size_t n, size_t B, uint32_t scale0, size_t *perm, size_t *batch)
{
	for (size_t b = 0; b < B; b++) {
		uint32_t m = (uint32_t)(n - b);
		size_t k = b + (size_t)bw_mt_uniform_scaled(rng, m, b ? 0xffffffffu / m : scale0);
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

/* The final projection onto the manifold of interpolators (rows.h): Phi(x),
 * the limit of noise-free gradient flow (the theory's Phi), computed exactly
 * by Gauss-Newton (flow.h), or by gd. */
int bw_project_final(const struct bw_instance *inst, double tol, double *u, double *v, double *w, double *r,
		     struct bw_outcome *out)
{
	size_t n = inst->n, d = inst->d;
	double mx = 0;
	for (size_t j = 0; j < d; j++)
		mx = fmax(mx, u[j] * u[j] + v[j] * v[j]);
	double sq = sqrt((double)n) + sqrt((double)d);
	double eta_gd = 0.25 / (16.0 / (double)n * fmax(mx, 1e-300) * sq * sq);
	double *g = malloc(d * sizeof(double));
	if (!g)
		return RAISE(BW_ENOMEM, "out of memory");
	const long cap = 20000000;
	long k_gd = 0;
	if (bw_flow_project(inst, u, v, w, r) != BW_OK) {
		bw_error_clear(); /* fall back to gd, which ends at the same point */
		k_gd = bw_gd_descend(inst, u, v, eta_gd, tol, cap, w, r, g);
	}
	out->projected = 1;
	if (k_gd < 0) {
		out->status = BW_RUN_DIVERGED;
		snprintf(out->message, sizeof out->message, "the final projection by gd diverged");
	} else if (k_gd >= cap) {
		snprintf(out->message, sizeof out->message,
			 "the final projection stopped after %ld gd steps above tol", cap);
	}
	free(g);
	return BW_OK;
}

/* label_noise_sgd's stopping rule "phi3": at checks (below) the projection
 * Phi(x_k) onto the zero-loss manifold (bw_flow_project: the limit of
 * noise-free gradient flow from x_k) is computed on a copy of the state, and
 * its speed between consecutive checks, relative to the flow's natural
 * rate k = (16/n) max_j c_j,
 *   s_w = ||w(Phi_j) - w(Phi_{j-1})|| / ((t_j - t_{j-1}) k ||w(Phi_j)||),
 *   s_R = |R(Phi_j) - R(Phi_{j-1})| / ((t_j - t_{j-1}) k R(Phi_j)),
 * must be <= PHI_TOL at PHI_HOLD consecutive checks: Phi(x_k) follows the
 * flow (Li, Wang and Arora), so this is the flow's stationarity measured on
 * the projected iterate.  Speeds, not changes: the test does not depend on
 * how the checks are spaced.  A projection that fails restarts the count.
 * A change of exactly 0 is a speed of 0 (w = 0 and R = 0 at both checks:
 * labels all 0, where the iterate flushes to the origin, a fixed point).
 *
 * At a finite step Phi(x_k) does not settle to a point: the noise keeps it
 * jittering about the limit (Gaussian designs near the threshold: ||w||
 * within +-5% while R stays within 3e-4), and the speed of w measured on
 * that jitter falls only as 1/(t_j - t_{j-1}), far slower than the limit
 * is reached.  So w also counts as still when it has settled within its
 * jitter: its net change over the last PHI_WINDOW checks (a decade of time
 * on either schedule) is no larger than the largest change between two
 * consecutive ones of them,
 *   ||w(Phi_j) - w(Phi_{j-W})|| <= max_{j-W < i <= j} ||w(Phi_i) - w(Phi_{i-1})||,
 * which a drift (changes adding up along a path) does not meet.  R's speed
 * test is kept in both cases.
 *
 * The checks' schedule depends on n, d and the step only (never on the
 * trajectory's density or on time): the points of the default checkpoint
 * schedule (bw_next_checkpoint: about 10 per decade of steps) at or after
 * step PHI_FIRST, less those too close to the previous check for its cost:
 * a point k is a check only when
 *   (k - k_prev) d >= PHI_GAP n^2 (d + n/3)   (k_prev = 0 before the first).
 * A check is a Newton projection of about 4 iterations, each a dsyrk
 * (n^2 d / 2 multiply-adds) and a Cholesky factorization (n^3 / 6), so about
 * 2 n^2 (d + n/3) multiply-adds, as long as ~0.6 n^2 (d + n/3) of the
 * kernel's coordinate-updates (measured: one BLAS multiply-add ~0.3 of an
 * update); PHI_GAP = 12 keeps the checks near 5% of the steps' work since
 * the previous check, at most.  The bound binds only while the geometric
 * spacing is below PHI_GAP n^2 steps or so, i.e. before about 50 n^2 steps,
 * far less than the steps a run needs to converge at the automatic step:
 * it changes the cost of short runs, not where long ones stop.
 * Under the step schedule "sharpness" the step grows by up to (B_0/kappa)
 * during a run, so points spaced in steps would be spaced ever wider in
 * time (just after the growth, one factor 1.26 in k is several in t) and
 * runs would stop late; there the checks follow the same schedule in time
 * instead: the first step at or after t_j = PHI_FIRST dt_0 r^j (dt_0 =
 * eta_0^2 sigma^2 / 2, r = 10^(1/10) as a literal, t_j by repeated
 * multiplication) that is also PHI_FIRST or later and the gap above after
 * the previous check; a check at time t moves on to the first t_j > t.
 * The rule "phi" before it checked at every point of the schedule, which
 * cost up to several times the kernel's work itself in a short run at large
 * n (at d = 10^4, n = 10^3 one check is ~10^10 coordinate-updates' worth);
 * "phi2" had the checks of "phi3" without its settled test and its exact-0
 * speeds (runs near the threshold on Gaussian designs, and with labels all
 * 0, ran to the cap). */
#define PHI_TOL 1e-6
#define PHI_HOLD 3
#define PHI_FIRST 100
#define PHI_GAP 12.0
#define PHI_WINDOW 10 /* checks in the settled test: a decade of the schedule */

struct phi_track {
	double *u, *v, *w, *r, *wprev;
	double *past;               /* the last PHI_WINDOW w(Phi), a ring: w(Phi_i) at i % PHI_WINDOW */
	double step[PHI_WINDOW];    /* ||w(Phi_i) - w(Phi_{i-1})||, the same ring */
	long run;                   /* consecutive successful projections (0: none, or the last failed) */
	double tprev, Rprev, k;
	long next;   /* the step of the next check */
	long last;   /* the step of the previous check (0 before the first) */
	long gap;    /* the fewest steps between checks: ceil(PHI_GAP n^2 (d + n/3) / d) */
	long checks; /* projections made */
	int held;
	int by_time;  /* schedule sharpness: checks at the times tnext (above) */
	double tnext; /* the time of the next check (by_time) */
};

#define PHI_TIME_RATIO 1.2589254117941673 /* 10^(1/10) */

/* the next check: the first point of the default schedule after f->next
 * that is at or after both PHI_FIRST and f->last + f->gap */
static void phi_schedule(struct phi_track *f)
{
	long due = f->last + f->gap > PHI_FIRST ? f->last + f->gap : PHI_FIRST;
	do
		f->next = bw_next_checkpoint(f->next);
	while (f->next < due);
}

/* the fewest steps between checks: ceil(PHI_GAP n^2 (d + n/3) / d) */
static double phi_gap(double n, double d) { return ceil(PHI_GAP * n * n * (d + n / 3.0) / d); }

static void phi_free(struct phi_track *f)
{
	free(f->u);
	free(f->v);
	free(f->w);
	free(f->r);
	free(f->wprev);
	free(f->past);
}

static int phi_alloc(struct phi_track *f, const struct bw_instance *inst, int by_time, double dt0)
{
	size_t n = inst->n, d = inst->d;
	memset(f, 0, sizeof *f);
	f->u = malloc(d * sizeof(double));
	f->v = malloc(d * sizeof(double));
	f->w = malloc(d * sizeof(double));
	f->wprev = malloc(d * sizeof(double));
	f->past = malloc(PHI_WINDOW * d * sizeof(double));
	f->r = malloc(n * sizeof(double));
	double cmax = 0;
	for (size_t j = 0; j < d; j++)
		cmax = fmax(cmax, inst->c[j]);
	f->k = 16.0 / (double)n * cmax;
	f->gap = (long)phi_gap((double)n, (double)d);
	phi_schedule(f);
	f->by_time = by_time;
	f->tnext = PHI_FIRST * dt0;
	if (!f->u || !f->v || !f->w || !f->wprev || !f->past || !f->r) {
		phi_free(f);
		return RAISE(BW_ENOMEM, "out of memory for label_noise_sgd's projection checks");
	}
	return BW_OK;
}

static double dist2(size_t d, const double *a, const double *b)
{
	double s = 0;
	for (size_t j = 0; j < d; j++)
		s += (a[j] - b[j]) * (a[j] - b[j]);
	return sqrt(s);
}

/* The check at step k, time t: 1 when Phi has been stationary at
 * PHI_HOLD consecutive checks, 0 otherwise. */
static int phi_check(struct phi_track *f, const struct bw_instance *inst, const double *u, const double *v, long k,
		     double t)
{
	size_t d = inst->d;
	if (f->by_time) {
		f->last = k;
		while (f->tnext <= t)
			f->tnext *= PHI_TIME_RATIO;
	} else {
		f->last = f->next;
		phi_schedule(f);
	}
	f->checks++;
	memcpy(f->u, u, d * sizeof(double));
	memcpy(f->v, v, d * sizeof(double));
	if (bw_flow_project(inst, f->u, f->v, f->w, f->r) != BW_OK) {
		bw_error_clear();
		f->held = 0;
		f->run = 0;
		return 0;
	}
	double R = bw_model_R(inst, f->u, f->v), wn = 0;
	for (size_t j = 0; j < d; j++)
		wn += f->w[j] * f->w[j];
	wn = sqrt(wn);
	double *slot = f->past + (size_t)(f->run % PHI_WINDOW) * d;
	if (f->run > 0 && t > f->tprev) {
		double scale = (t - f->tprev) * f->k, dw = dist2(d, f->w, f->wprev), dR = fabs(R - f->Rprev);
		double sw = dw == 0 ? 0 : dw / (scale * wn), sR = dR == 0 ? 0 : dR / (scale * R);
		f->step[f->run % PHI_WINDOW] = dw;
		/* settled: the ring holds w(Phi_{j-W}) in this check's slot, and the W
		 * changes since (the oldest was stored with it, one window ago) */
		int settled = 0;
		if (f->run >= PHI_WINDOW) {
			double big = 0;
			for (int i = 0; i < PHI_WINDOW; i++)
				big = fmax(big, f->step[i]);
			settled = dist2(d, f->w, slot) <= big;
		}
		f->held = (sw <= PHI_TOL || settled) && sR <= PHI_TOL ? f->held + 1 : 0;
	}
	memcpy(slot, f->w, d * sizeof(double));
	f->run++;
	memcpy(f->wprev, f->w, d * sizeof(double));
	f->tprev = t;
	f->Rprev = R;
	return f->held >= PHI_HOLD;
}

/* label_noise_sgd's step schedule "sharpness" (dynamics.h, docs/model.md):
 * the stability bound of one step is set by the sample's sharpness
 * 8 sum_j z_ij^2 (u_j^2 + v_j^2).  For +-1 rows every sample has the same,
 * 8 S with S = sum_j (c_j / n) (u_j^2 + v_j^2); for other designs the
 * largest over the samples is used, S = max_i sum_j z_ij^2 (u_j^2 + v_j^2)
 * (with the mean instead, label noise at the grown step missed the flow's
 * verdict on 1 and ran to the cap on 3 of 15 Gaussian instances at d = 128,
 * kappa = 4; with the largest, 0 and 1).  The step is held at the fraction
 * of that bound the task's step eta has at the start:
 *   eta_k = eta * (B_0 / B_k),  B_k = max(S_k, kappa)
 * (kappa: S falls toward about kappa at the sparse solution, and is not
 * followed below it).  S_k is recomputed exactly every P steps and held in
 * between: P = BW_SCHEDULE_REFRESH for +-1 rows (one pass over u, v: 3 flops
 * a coordinate against the step's 9 or so), the least multiple of it >= n
 * otherwise (the pass reads all of Z, n times the work; so at most about a
 * third of the steps' own).  t advances by eta_k^2 sigma^2 / 2 a step, the
 * flow's clock. */
struct sched {
	double eta0, B0, kappa, sigma, step, dt, t;
	long period; /* P above */
};

static double sched_bound(const struct sched *sc, const struct bw_instance *inst, const double *u, const double *v)
{
	size_t n = inst->n, d = inst->d;
	double S = 0;
	if (inst->signs) { /* +-1 rows: every sample's sharpness is 8 S */
		double rn = 1.0 / (double)n;
		for (size_t j = 0; j < d; j++)
			S += inst->c[j] * rn * (u[j] * u[j] + v[j] * v[j]);
	} else { /* the largest sample sharpness over 8: max_i sum_j z_ij^2 (u_j^2 + v_j^2) */
		for (size_t i = 0; i < n; i++) {
			const double *z = inst->Z + i * d;
			double s = 0;
			for (size_t j = 0; j < d; j++)
				s += z[j] * z[j] * (u[j] * u[j] + v[j] * v[j]);
			S = fmax(S, s);
		}
	}
	return fmax(S, sc->kappa);
}

static void sched_init(struct sched *sc, const struct bw_instance *inst, const double *u, const double *v, double eta,
		       double sigma)
{
	sc->eta0 = eta;
	sc->sigma = sigma;
	sc->kappa = (double)inst->spec.kappa;
	sc->B0 = sched_bound(sc, inst, u, v);
	long P = BW_SCHEDULE_REFRESH, n = (long)inst->n;
	sc->period = inst->signs ? P : (n + P - 1) / P * P;
	sc->step = eta;
	sc->dt = eta * eta * sigma * sigma / 2.0;
	sc->t = 0;
}

/* The step from the state at a refresh (eta itself at the start: B_0 / B_0 = 1). */
static double sched_step(struct sched *sc, const struct bw_instance *inst, const double *u, const double *v)
{
	sc->step = sc->eta0 * (sc->B0 / sched_bound(sc, inst, u, v));
	sc->dt = sc->step * sc->step * sc->sigma * sc->sigma / 2.0;
	return sc->step;
}

/* The final projection of a run that ended at a successful check: that
 * check's Phi(x_k), which bw_project_final would compute again (the same
 * bw_flow_project on the same x_k, so the same bits). */
static void phi_take(const struct phi_track *f, const struct bw_instance *inst, double *u, double *v, double *w,
		     double *r, struct bw_outcome *out)
{
	size_t d = inst->d;
	memcpy(u, f->u, d * sizeof(double));
	memcpy(v, f->v, d * sizeof(double));
	memcpy(w, f->w, d * sizeof(double));
	memcpy(r, f->r, inst->n * sizeof(double));
	out->projected = 1;
}

static int sgd_common(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out,
		      int label_noise)
{
	size_t n = inst->n, d = inst->d, B = label_noise ? 1 : (size_t)p->batch;
	CHECK(bw_outcome_alloc(out, d));
	out->per_decade = p->checkpoints;
	double eta = bw_run_eta(p, &inst->spec);
	double sigma = label_noise ? p->sigma : 0.0;
	double dt = label_noise ? eta * eta * sigma * sigma / 2.0 : eta;
	struct sched sc = {0};
	int sharp = label_noise && bw_run_schedule(p) == BW_SCHEDULE_SHARPNESS;
	long max_steps = p->max_steps;
	double max_time = p->max_time;
	if (sharp) {
		if (max_steps == 0 && max_time == 0) {
			long s0;
			bw_run_default_budget(p, &s0, &max_time);
		}
		/* the clock ends the run (t >= max_time); the steps are capped where no
		 * cap is given at 4x the constant step's count to the same time (the
		 * step is rarely below eta, the bound B_k rarely above B_0) */
		if (max_steps == 0)
			max_steps = (long)fmin(ceil(4.0 * max_time / dt), 9e18);
	} else {
		if (max_steps == 0 && max_time > 0)
			max_steps = (long)ceil(max_time / dt);
		if (max_steps == 0)
			max_steps = label_noise ? (long)ceil(bw_label_noise_sgd.budget_time / dt) : bw_sgd.budget_steps;
	}
	/* the kernels of this CPU (kernels.h); Rademacher rows as int8 or doubles, same bits */
	const struct bw_sgd_kernels *kern = bw_sgd_kernels_active();
	int rademacher = inst->signs != NULL && B == 1 && kern->rademacher_i8;

	double *r = malloc(n * sizeof(double)), *w = out->w, *a = malloc(B * sizeof(double));
	double *cf = malloc(B * sizeof(double)), *nf = malloc(B * sizeof(double));
	size_t *perm = malloc(n * sizeof(size_t)), *cur = malloc(B * sizeof(size_t)), *nxt = malloc(B * sizeof(size_t));
	double *scratch = B > 1 ? malloc(BW_STEPB_SCRATCH(B) * sizeof(double)) : NULL;
	/* the noise stream: GSL's mt19937 seeded by gsl_rng_set, inline (mt19937.h) */
	struct bw_mt *rng = malloc(sizeof *rng);
	struct evals ev = {0};
	struct phi_track phi = {0};
	int rc = label_noise ? phi_alloc(&phi, inst, sharp, dt) : BW_OK;
	if (rc != BW_OK)
		goto done;
	if (!r || !a || !cf || !nf || !perm || !cur || !nxt || !rng || (B > 1 && !scratch)) {
		rc = RAISE(BW_ENOMEM, "out of memory for sgd with n=%zu d=%zu", n, d);
		goto done;
	}
	if (n > 0xffffffffu) {
		rc = RAISE(BW_EINVAL, "sgd draws samples with 32-bit integers: n=%zu is too large", n);
		goto done;
	}
	bw_mt_seed(rng, bw_seed32(p->noise_seed));
	const uint32_t scale0 = 0xffffffffu / (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	double *u = out->u, *v = out->v;
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = p->alpha;
	if (sharp)
		sched_init(&sc, inst, u, v, eta, sigma);

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
	double sq_sum = 0, step = eta, tk = 0; /* this step's eta_k; the time at step k */

	draw_batch(rng, n, B, scale0, perm, cur);
	for (size_t b = 0; b < B; b++)
		cf[b] = dot_row(inst, cur[b], u, v);
	for (;; k++) {
		if (sharp) {
			if (k % sc.period == 0)
				step = sched_step(&sc, inst, u, v);
			tk = sc.t;
		} else {
			tk = (double)k * dt;
		}
		int is_ck = k == next_ck, is_eval = eval_every && k % eval_every == 0;
		int is_phi = label_noise && (phi.by_time ? tk >= phi.tnext && k >= PHI_FIRST && k >= phi.last + phi.gap
							 : k == phi.next);
		if (is_ck || is_eval || is_phi) {
			double L;
			if (is_ck) {
				if ((rc = bw_outcome_checkpoint(out, inst, k, tk, u, v, w, r)) != BW_OK)
					goto done;
				L = out->traj[out->ntraj - 1].loss;
				last_ck = k;
				next_ck = bw_next_checkpoint_n(k, out->per_decade);
			} else {
				bw_model_w(d, u, v, w);
				L = bw_model_residual(inst, w, r);
			}
			if (!isfinite(L) || L > bound) {
				status = BW_RUN_DIVERGED;
				break;
			}
			if (is_phi && phi_check(&phi, inst, u, v, k, tk)) {
				status = BW_RUN_CONVERGED;
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
		if (k >= max_steps || (sharp && max_time > 0 && tk >= max_time))
			break;
		if (p->cancel && (k & 65535) == 0 && *p->cancel) {
			rc = RAISE(BW_EINTR, "cancelled");
			goto done;
		}
		int bad = 0;
		for (size_t b = 0; b < B; b++) {
			double res = cf[b] - inst->y[cur[b]];
			if (label_noise)
				res -= (bw_mt_get(rng) & 1u) ? sigma : -sigma;
			if (!(res * res <= res_bound))
				bad = 1;
			sq_sum += res * res; /* the batch's residuals estimate L without bias */
			a[b] = 4.0 * step * res / (double)B;
		}
		if (bad) {
			status = BW_RUN_DIVERGED;
			break;
		}
		draw_batch(rng, n, B, scale0, perm, nxt);
		if (rademacher)
			nf[0] = kern->step1_i8(d, inst->signs + cur[0] * d, inst->signs + nxt[0] * d, a[0], u, v);
		else if (B == 1)
			nf[0] = kern->step1_f64(d, inst->Z + cur[0] * d, inst->Z + nxt[0] * d, a[0], u, v);
		else
			kern->stepB(d, B, inst->Z, cur, a, nxt, u, v, nf, scratch);
		if (sharp)
			sc.t += sc.dt;
		double *tf = cf;
		cf = nf;
		nf = tf;
		size_t *tb = cur;
		cur = nxt;
		nxt = tb;
	}
	if ((rc = bw_outcome_end(out, inst, (enum bw_run_status)status, k, last_ck, tk, u, v, w, r)) != BW_OK)
		goto done;
	out->eta_used = eta;
	out->stop_checks = phi.checks;
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
	/* label_noise_sgd: the final iterate is scored after the projection Phi;
	 * a run its rule ended has Phi(x_k) from the check at step k (phi_take) */
	if (label_noise && p->project && status == BW_RUN_CONVERGED && phi.last == k && phi.run > 0)
		phi_take(&phi, inst, u, v, w, r, out);
	else if (label_noise && p->project && status != BW_RUN_DIVERGED &&
		 (rc = bw_project_final(inst, p->tol, u, v, w, r, out)) != BW_OK)
		goto done;
	bw_outcome_finish(out, inst, p, u, v, r);
done:
	free(r);
	free(a);
	free(cf);
	free(nf);
	free(perm);
	free(cur);
	free(nxt);
	free(scratch);
	free(rng);
	evals_free(&ev);
	phi_free(&phi);
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

/* ---- the rows (dynamics.h) ---- */

/* one-sample Hessian 16 d alpha^2 at the start, about 8 ||w*||_1 at the end */
static double sgd_eta_auto(double alpha, const struct bw_instance_spec *s)
{
	double a2 = alpha * alpha, d = (double)s->d, k = (double)s->kappa;
	return 0.25 / (8.0 * fmax(d * a2, k));
}

/* B d per step, up to the budget or gd's steps to reach tol (in expectation) */
static double sgd_cost(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	double n = (double)is->n, d = (double)is->d, eta = bw_cost_eta(r, is);
	double s = fmin(bw_cost_budget_steps(r, eta), bw_cost_descent_steps(eta, r->tol, r->alpha, n, d));
	return fmax(s, 1) * (double)r->batch * d;
}

#define LNSGD_TIME_GUESS 5.0 /* a typical time to the stopping rule (the budget is a cap) */

/* The steps of schedule sharpness to time T: sum_k 1 = int dt / (eta(t)^2 sigma^2 / 2)
 * = 2 / (eta B_0 sigma)^2 int B(t)^2 dt with eta(t) = eta B_0 / B(t), guessed as
 * 2 / (eta B_0 sigma)^2 (kappa^2 T + B_0^2 / 80): B at its floor kappa, plus the
 * fall from B_0 = max(2 d alpha^2, kappa) (E z^2 = 1), whose int B^2 dt is about
 * B_0^2 / 80 (measured, Rademacher kappa = 4, alpha = 0.5, runs to t = 5: the steps
 * beyond 2 kappa^2 T / (eta B_0)^2 give B_0^2 / 68, / 79, / 83, / 85 at d = 128,
 * 256, 512, 1024; d = 64, kappa = 2: / 47) */
static double sharpness_steps(const struct bw_run_params *r, const struct bw_instance_spec *is, double eta, double T)
{
	double d = (double)is->d, k = (double)is->kappa, B0 = fmax(2 * d * r->alpha * r->alpha, k);
	double e = eta * B0 * r->sigma;
	return ceil(2 / (e * e) * (k * k * T + B0 * B0 / 80));
}

/* d per step up to min(budget, LNSGD_TIME_GUESS) (time / (eta^2 sigma^2 / 2);
 * schedule sharpness: sharpness_steps), and the projection */
static double label_noise_sgd_cost(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	double d = (double)is->d, eta = bw_cost_eta(r, is), dt = eta * eta * r->sigma * r->sigma / 2, s;
	if (bw_run_schedule(r) == BW_SCHEDULE_SHARPNESS) {
		double T = r->max_time > 0 ? fmin(r->max_time, LNSGD_TIME_GUESS) : LNSGD_TIME_GUESS;
		s = sharpness_steps(r, is, eta, T);
		if (r->max_steps > 0)
			s = fmin(s, (double)r->max_steps);
	} else {
		s = fmin(bw_cost_budget_steps(r, dt), ceil(LNSGD_TIME_GUESS / dt));
	}
	/* the stopping rule cannot end a run before PHI_HOLD + 1 checks, each at
	 * least the gap of phi_alloc after the previous one */
	double floor_steps = (PHI_HOLD + 1) * phi_gap((double)is->n, d);
	double cap = r->max_steps > 0 ? (double)r->max_steps : HUGE_VAL;
	s = fmax(s, fmin(floor_steps, cap));
	const struct bw_dynamics *g = bw_run_descent(r);
	return s * d + (g ? bw_cost_projection(is) : 0);
}

/* r, the batch's coefficients and dot products, the permutation and batches */
static size_t sgd_bytes(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	size_t n = is->n, d = is->d, B = (size_t)(r->batch > 0 ? r->batch : 1);
	return (n + d + 3 * B) * sizeof(double) + (n + 2 * B) * sizeof(size_t);
}

/* sgd's, and the stopping rule's copies: u, v, w, the previous w, the ring of
 * PHI_WINDOW w's and a residual */
static size_t label_noise_sgd_bytes(const struct bw_run_params *r, const struct bw_instance_spec *is)
{
	return sgd_bytes(r, is) + ((4 + PHI_WINDOW) * is->d + is->n) * sizeof(double);
}

static const char sgd_eta_doc[] = "0.25/(8 max(d alpha^2, kappa)) (the one-sample stability bound)";

const struct bw_dynamics bw_label_noise_sgd = {
	.name = "label_noise_sgd",
	.summary = "SGD with batch 1 and label noise y_i +- sigma (Li, Wang & Arora), projected at the end",
	BW_NOISY_GD_FIELDS(BW_USES_SCHEDULE),
	.limit = BW_LIMIT_L1,
	/* 1000, not 100: at the constant step near the threshold on Gaussian
	 * designs the flow itself needs up to t ~ 400 (results/stopping.md), and
	 * label noise, which follows it, more (d = 128, kappa = 4: t = 181, 287,
	 * 455 where the cap 100 ended them) */
	.budget_time = 1000.0,
	/* schedule sharpness: its steps are up to (B_0/kappa)^2 fewer.  1e4, not
	 * 1e3: late in a run a step covers up to (B_0/kappa)^2 times the time of
	 * the first, so PHI_HOLD + 1 check gaps (the fewest that can end it) can
	 * span more than t = 1000 (d = 1024, n = 256, kappa = 2: ~400 a gap; all
	 * 16 such runs reached t = 1000 before the rule could end them) */
	.budget_time_scheduled = 10000.0,
	.stop_rule = "phi3",
	.eta_auto = sgd_eta_auto,
	.cost = label_noise_sgd_cost,
	.bytes = label_noise_sgd_bytes,
	.run = bw_label_noise_sgd_run,
	.plot_color = "#d62728",
	.plot_pt = {9, 8},
	.plot_ps = 1.2,
	.eta_doc = sgd_eta_doc,
	.converged_doc = "Phi(x_k), the projection at checks, is stationary: its R moves slower than\n"
			 "             1e-6 k relative between checks, and its w too or w has settled within its\n"
			 "             jitter (net change over the last 10 checks <= the largest single change),\n"
			 "             3 checks in a row (rule phi3: checks at checkpoints of the default schedule\n"
			 "             from step 100 at least 12 n^2 (d + n/3) / d steps apart, so they cost ~5%\n"
			 "             of the steps between them; in time under --schedule sharpness)",
};

const struct bw_dynamics bw_sgd = {
	.name = "sgd",
	.summary = "mini-batch SGD (batch B without replacement, no label noise)",
	.uses = BW_USES_ETA | BW_USES_BATCH | BW_USES_NOISE,
	.reports = BW_REPORTS_ALPHA_INF | BW_REPORTS_LOSS_RATE,
	.limit = BW_LIMIT_QALPHA,
	.tol = 1e-10,
	.budget_steps = 10000000,
	.eta_auto = sgd_eta_auto,
	.cost = sgd_cost,
	.bytes = sgd_bytes,
	.run = bw_sgd_run,
	.projects = 0,
	.plot_color = "#ff7f0e",
	.plot_pt = {13, 12},
	.plot_ps = 1.1,
	.eta_doc = sgd_eta_doc,
	.time_doc = "k*eta",
	.converged_doc = "relative loss L/(|y|^2/n) <= tol (default 1e-10)",
};
