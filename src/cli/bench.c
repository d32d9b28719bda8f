/* bench.c - `biasweep bench`: how close the kernels run to this machine's
 * limits, against the NumPy code researchers write (bench/peers/), and the
 * scheduler's throughput.  Reports, never fails on a slow machine: every
 * figure is the median of --repeats runs (with the min and max beside it, as
 * this is a shared 2-core machine in the usual case), and the targets are
 * printed as held / not held with their numbers.
 *
 * Sections (units are per coordinate-update, so sizes compare):
 *  peak      GFLOP/s of independent chains of FMA (and of separate mul + add,
 *            the ceiling of kernels that may not contract) per instruction set
 *  sgd       label-noise SGD at d = 100, 1000, 10000, n = d/10: the kernel
 *            alone (each variant this CPU runs, kernels.h) and bw_run end to
 *            end (RNG, residual, checkpoints; project off), ns per step and
 *            coordinate; GFLOP/s at 8 flops per coordinate-update; plain sgd
 *            (batch 1 and 8) end to end
 *  gd        bw_run gd, ns per step and matrix entry, against two cblas_dgemv
 *            (Z w and Z^T r, the products a step needs) timed alone; n = d/10,
 *            but n = 500 at d = 10000 (Z 40 MB)
 *  flow      one velocity evaluation (dsyrk + Cholesky + 2 dgemv) and one
 *            step as bw_run runs it (difference of runs of 1 and 1+K steps);
 *            n = min(d/10, 100) (a step costs n^2 d + n^3)
 *  peers     bench/peers/ (lnsgd.py, gd.py) with /usr/bin/python3 (Debian's NumPy), at the
 *            same d, n and step counts scaled to ~0.2 s; OPENBLAS_NUM_THREADS=1
 *            for them as for biasweep (one BLAS thread per rank)
 *  coord     empty tasks (gd, d = n = 1, one step) through the real
 *            coordinator/worker path with 2 and 4 ranks, tasks per second
 *            from the coordinator's own clock (MPI start-up, spec and
 *            catalog set-up excluded; commits and trajectory writes included)
 *  sweep     (--sweep) jobs/default.cfg with 1 and 2 ranks: wall time and
 *            strong-scaling efficiency T1 / (2 T2); minutes per run
 *  memory    peak RSS per rank of the MPI runs, and bw_task_bytes of the sizes
 *
 * A table goes to stdout, everything to JSON (results/bench/bench-HOST-DATE.json
 * unless --json or --out say otherwise).  The MPI runs are this same binary,
 * started through mpirun as `biasweep bench --child SPEC CATALOG DIR`, which
 * runs bw_sweep_run and leaves its clock and peak RSS in DIR. */
#include "biasweep/cli.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/flow.h"
#include "biasweep/instance.h"
#include "biasweep/opts.h"
#include "biasweep/spec.h"
#include "biasweep/sweeprun.h"
#include "../numerics/kernels.h"
#include "revision.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_cblas.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define BENCH_X86 1
#endif

extern char **environ;
char *openblas_get_config(void);

#define SGD_FLOPS 8.0 /* per coordinate-update: u*a, u-+, v*a, v+-, u^2, v^2, -, acc+ (the +-1 products are exact sign flips) */
#define MAXREP 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- statistics of repeated measurements ---- */
struct stat3 {
	double med, lo, hi;
	int n;
};

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static struct stat3 stats(const double *x, int n)
{
	struct stat3 s = {NAN, NAN, NAN, n};
	if (n <= 0)
		return s;
	double t[MAXREP];
	memcpy(t, x, (size_t)n * sizeof(double));
	qsort(t, (size_t)n, sizeof(double), cmp_dbl);
	s.med = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
	s.lo = t[0];
	s.hi = t[n - 1];
	return s;
}

/* ---- JSON output: a flat buffer written as we go ---- */
struct jbuf {
	char *p;
	size_t len, cap;
	int first; /* no comma before the next member */
};

static void jraw(struct jbuf *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jraw(struct jbuf *j, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = j->cap - j->len;
		va_start(ap, fmt);
		int k = vsnprintf(j->p ? j->p + j->len : NULL, j->p ? room : 0, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if (j->p && (size_t)k < room) {
			j->len += (size_t)k;
			return;
		}
		size_t cap = j->cap ? j->cap : 8192;
		while (cap < j->len + (size_t)k + 1)
			cap *= 2;
		char *q = realloc(j->p, cap);
		if (!q)
			return;
		j->p = q;
		j->cap = cap;
	}
}

static void jsep(struct jbuf *j)
{
	if (!j->first)
		jraw(j, ",");
	j->first = 0;
}

static void jopen(struct jbuf *j, const char *key, char c)
{
	jsep(j);
	if (key)
		jraw(j, "\"%s\":%c", key, c);
	else
		jraw(j, "%c", c);
	j->first = 1;
}

static void jclose(struct jbuf *j, char c)
{
	jraw(j, "%c", c);
	j->first = 0;
}

static void jnum(struct jbuf *j, const char *key, double x)
{
	jsep(j);
	if (isfinite(x))
		jraw(j, "\"%s\":%.6g", key, x);
	else
		jraw(j, "\"%s\":null", key);
}

static void jstr(struct jbuf *j, const char *key, const char *s)
{
	jsep(j);
	jraw(j, "\"%s\":\"", key);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			jraw(j, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			jraw(j, " ");
		else
			jraw(j, "%c", *s);
	}
	jraw(j, "\"");
}

static void jstat(struct jbuf *j, const char *key, struct stat3 s)
{
	jopen(j, key, '{');
	jnum(j, "median", s.med);
	jnum(j, "min", s.lo);
	jnum(j, "max", s.hi);
	jnum(j, "repeats", s.n);
	jclose(j, '}');
}

/* ---- peak: independent accumulator chains ---- */
enum peak_kind { PK_SCALAR_MULADD, PK_SCALAR_FMA, PK_SSE2_MULADD, PK_AVX2_FMA, PK_AVX512_MULADD, PK_AVX512_FMA, PK_COUNT };
static const char *const peak_names[PK_COUNT] = {"scalar mul+add", "scalar fma",       "sse2 mul+add",
						 "avx2 fma",       "avx512 mul+add", "avx512 fma"};
static const char *const peak_keys[PK_COUNT] = {"scalar_muladd", "scalar_fma",    "sse2_muladd",
						"avx2_fma",      "avx512_muladd", "avx512_fma"};
static const double peak_flops[PK_COUNT] = {2 * 12, 2 * 12, 4 * 12, 8 * 12, 16 * 24, 16 * 24}; /* per iteration */

typedef double v2d __attribute__((vector_size(16)));

static double peak_scalar_muladd(long it, double m, double c)
{
	double a[12];
	for (int k = 0; k < 12; k++)
		a[k] = 0.001 * k;
	for (long i = 0; i < it; i++)
		for (int k = 0; k < 12; k++)
			a[k] = a[k] * m + c; /* -std=c17: no contraction */
	double s = 0;
	for (int k = 0; k < 12; k++)
		s += a[k];
	return s;
}

static double peak_sse2_muladd(long it, double m, double c)
{
	v2d a[12], vm = {m, m}, vc = {c, c};
	for (int k = 0; k < 12; k++)
		a[k] = (v2d){0.001 * k, 0.002 * k};
	for (long i = 0; i < it; i++)
		for (int k = 0; k < 12; k++)
			a[k] = a[k] * vm + vc;
	double s = 0;
	for (int k = 0; k < 12; k++)
		s += a[k][0] + a[k][1];
	return s;
}

#ifdef BENCH_X86
__attribute__((target("fma"))) static double peak_scalar_fma(long it, double m, double c)
{
	double a[12];
	for (int k = 0; k < 12; k++)
		a[k] = 0.001 * k;
	for (long i = 0; i < it; i++)
		for (int k = 0; k < 12; k++)
			a[k] = __builtin_fma(a[k], m, c);
	double s = 0;
	for (int k = 0; k < 12; k++)
		s += a[k];
	return s;
}

__attribute__((target("avx2,fma"))) static double peak_avx2_fma(long it, double m, double c)
{
	__m256d a[12], vm = _mm256_set1_pd(m), vc = _mm256_set1_pd(c);
	for (int k = 0; k < 12; k++)
		a[k] = _mm256_set1_pd(0.001 * k);
	for (long i = 0; i < it; i++)
		for (int k = 0; k < 12; k++)
			a[k] = _mm256_fmadd_pd(a[k], vm, vc);
	double r[4], s = 0;
	for (int k = 0; k < 12; k++) {
		_mm256_storeu_pd(r, a[k]);
		s += r[0] + r[1] + r[2] + r[3];
	}
	return s;
}

#define PEAK512(NAME, OP)                                                         \
	__attribute__((target("avx512f"))) static double NAME(long it, double m, double c) \
	{                                                                         \
		__m512d a[24], vm = _mm512_set1_pd(m), vc = _mm512_set1_pd(c);    \
		for (int k = 0; k < 24; k++)                                      \
			a[k] = _mm512_set1_pd(0.001 * k);                         \
		for (long i = 0; i < it; i++)                                     \
			for (int k = 0; k < 24; k++)                              \
				a[k] = OP;                                        \
		double r[8], s = 0;                                               \
		for (int k = 0; k < 24; k++) {                                    \
			_mm512_storeu_pd(r, a[k]);                                \
			for (int l = 0; l < 8; l++)                               \
				s += r[l];                                        \
		}                                                                 \
		return s;                                                         \
	}
PEAK512(peak_avx512_fma, _mm512_fmadd_pd(a[k], vm, vc))
PEAK512(peak_avx512_muladd, _mm512_add_pd(_mm512_mul_pd(a[k], vm), vc))
#endif

static int peak_supported(enum peak_kind k)
{
#ifdef BENCH_X86
	__builtin_cpu_init();
	switch (k) {
	case PK_SCALAR_FMA:
		return __builtin_cpu_supports("fma");
	case PK_AVX2_FMA:
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	case PK_AVX512_MULADD:
	case PK_AVX512_FMA:
		return __builtin_cpu_supports("avx512f");
	default:
		return 1;
	}
#else
	return k == PK_SCALAR_MULADD || k == PK_SSE2_MULADD;
#endif
}

static volatile double sink;

static double peak_once(enum peak_kind k, long it)
{
	double m = 0.9999999, c = 1e-7, t = now_s(), r = 0;
	switch (k) {
	case PK_SCALAR_MULADD:
		r = peak_scalar_muladd(it, m, c);
		break;
	case PK_SSE2_MULADD:
		r = peak_sse2_muladd(it, m, c);
		break;
#ifdef BENCH_X86
	case PK_SCALAR_FMA:
		r = peak_scalar_fma(it, m, c);
		break;
	case PK_AVX2_FMA:
		r = peak_avx2_fma(it, m, c);
		break;
	case PK_AVX512_MULADD:
		r = peak_avx512_muladd(it, m, c);
		break;
	case PK_AVX512_FMA:
		r = peak_avx512_fma(it, m, c);
		break;
#endif
	default:
		break;
	}
	t = now_s() - t;
	sink = r;
	return peak_flops[k] * (double)it / t * 1e-9;
}

/* ---- the benchmark's configuration and results ---- */
enum { ND = 3 };
static const size_t dims[ND] = {100, 1000, 10000};

struct cfg {
	int repeats, sweep, sweep_only, no_peers, no_mpi, quick;
	long tasks;
	const char *python, *peers, *mpirun, *spec, *out, *json;
	char self[4096], tmp[4096];
};

struct peerres {
	int ok;
	double ns;         /* median ns per unit */
	double lo, hi;
	long steps, runs;
	char err[160];
};

struct results {
	double peak[PK_COUNT];
	struct stat3 peak_s[PK_COUNT];
	/* sgd */
	size_t sgd_n[ND];
	struct stat3 kern[ND][3][2]; /* [d][variant][i8, f64] ns/cu */
	int kern_ok[3];
	struct stat3 lnsgd[ND], sgd1[ND], sgd8[ND];
	struct peerres p_loop[ND], p_batch[ND];
	/* gd */
	size_t gd_n[ND];
	struct stat3 gd[ND], gemv[ND];
	struct peerres p_gd_loop[ND], p_gd_batch[ND];
	/* flow */
	size_t flow_n[ND];
	struct stat3 flow_eval[ND], flow_step[ND];
	/* memory */
	size_t bytes_sgd[ND], bytes_gd[ND], bytes_flow[ND];
	/* coordinator */
	int coord_ok[3]; /* 1, 2, 4 ranks */
	struct stat3 coord[3];
	long coord_rss_kb[3]; /* largest rank */
	double task_exec_us;
	char coord_err[3][200];
	/* sweep */
	int sweep_ok[2];
	double sweep_elapsed[2], sweep_wall[2];
	long sweep_rss_kb[2];
	double sweep_load[2][2]; /* load average before and after each run */
	size_t sweep_done[2];
	char sweep_err[2][200];
};

static double loadavg(void);

static int rep_count(const struct cfg *c) { return c->repeats < 1 ? 1 : c->repeats > MAXREP ? MAXREP : c->repeats; }

/* ---- sgd ---- */
static int make_instance(struct bw_instance *inst, enum bw_design des, size_t d, size_t n)
{
	struct bw_instance_spec s = {.design = des, .wstar = BW_WSTAR_SIGNS, .d = d, .n = n, .kappa = 2,
				     .sweep_seed = 7, .seed_index = 0};
	return bw_instance_init(inst, &s);
}

/* The kernel alone, as sgd.c calls it: rows drawn by an LCG, a = +-1e-6. */
static double kernel_once(const struct bw_sgd_kernels *k, int f64, const struct bw_instance *inst, long steps,
			  double *u, double *v)
{
	size_t d = inst->d, n = inst->n;
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = 0.5;
	uint64_t x = 88172645463325252ULL;
	size_t cur = 0;
	double acc = 0, t = now_s();
	for (long s = 0; s < steps; s++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t nxt = (size_t)((x >> 33) % n);
		double a = (x >> 63) ? 1e-6 : -1e-6;
		if (f64)
			acc += k->step1_f64(d, inst->Z + cur * d, inst->Z + nxt * d, a, u, v);
		else
			acc += k->step1_i8(d, inst->signs + cur * d, inst->signs + nxt * d, a, u, v);
		cur = nxt;
	}
	t = now_s() - t;
	sink = acc;
	return t * 1e9 / ((double)steps * (double)d);
}

/* bw_run end to end: wall seconds of a run of `steps` steps (*taken: steps done). */
static double run_wall(const struct bw_instance *inst, enum bw_algo algo, long batch, long steps, long *taken)
{
	struct bw_run_params p;
	bw_run_params_default(&p, algo);
	p.alpha = 0.5;
	p.batch = batch;
	p.max_steps = steps;
	p.tol = 1e-300; /* run the whole budget */
	p.project = 0;
	p.noise_seed = bw_noise_seed(inst->seed, algo);
	struct bw_outcome o;
	*taken = 0;
	if (bw_run(inst, &p, &o) != BW_OK) {
		bw_error_clear();
		return NAN;
	}
	double w = o.wall_s;
	*taken = o.steps;
	bw_outcome_release(&o);
	return w;
}

/* ns per (step x coordinate x batch) of the steps between S and 2S: the
 * difference of runs of S and 2S steps, so the fixed costs (start, the dense
 * first checkpoints) drop out; RNG, residuals and the 3 checkpoints of the
 * doubling (O(nd) each) stay in. */
static double run_once(const struct bw_instance *inst, enum bw_algo algo, long batch, long steps)
{
	long s1, s2;
	double t1 = run_wall(inst, algo, batch, steps, &s1), t2 = run_wall(inst, algo, batch, 2 * steps, &s2);
	if (!(s2 > s1) || !isfinite(t1) || !isfinite(t2))
		return NAN;
	return (t2 - t1) * 1e9 / ((double)(s2 - s1) * (double)inst->d * (double)batch);
}

static size_t task_bytes(enum bw_algo algo, size_t d, size_t n)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.d = d;
	t.inst.n = n;
	t.inst.kappa = 2;
	bw_run_params_default(&t.run, algo);
	return bw_task_bytes(&t);
}

static void bench_sgd(const struct cfg *c, struct results *r)
{
	int R = rep_count(c);
	size_t nv;
	const struct bw_sgd_kernels *vs = bw_sgd_kernel_variants(&nv);
	for (int di = 0; di < ND; di++) {
		size_t d = dims[di], n = d / 10;
		r->sgd_n[di] = n;
		r->bytes_sgd[di] = task_bytes(BW_LABEL_NOISE_SGD, d, n);
		struct bw_instance inst;
		if (make_instance(&inst, BW_DESIGN_RADEMACHER, d, n) != BW_OK) {
			bw_error_clear();
			continue;
		}
		double *u = malloc(d * sizeof(double)), *v = malloc(d * sizeof(double));
		/* coordinate-updates per measurement: ~0.1 s of kernel; more at d = 10000,
		 * where a checkpoint (O(nd), 80 MB of Z) costs ~10^4 steps' worth */
		long steps = (long)((c->quick ? 0.25 : 1.0) * (d >= 10000 ? 1e9 : 2e8) / (double)d);
		long ksteps = d >= 10000 ? steps / 5 : steps; /* the kernel alone has no checkpoints */
		double x[MAXREP];
		for (size_t k = 0; k < nv && k < 3; k++) {
			r->kern_ok[k] = bw_sgd_kernel_supported(&vs[k]);
			if (!r->kern_ok[k])
				continue;
			for (int f = 0; f < 2; f++) {
				kernel_once(&vs[k], f, &inst, ksteps / 10, u, v); /* warm-up */
				for (int i = 0; i < R; i++)
					x[i] = kernel_once(&vs[k], f, &inst, ksteps, u, v);
				r->kern[di][k][f] = stats(x, R);
			}
		}
		run_once(&inst, BW_LABEL_NOISE_SGD, 1, steps / 10);
		for (int i = 0; i < R; i++)
			x[i] = run_once(&inst, BW_LABEL_NOISE_SGD, 1, steps);
		r->lnsgd[di] = stats(x, R);
		for (int i = 0; i < R; i++)
			x[i] = run_once(&inst, BW_SGD, 1, steps);
		r->sgd1[di] = stats(x, R);
		for (int i = 0; i < R; i++)
			x[i] = run_once(&inst, BW_SGD, 8, steps / 8);
		r->sgd8[di] = stats(x, R);
		free(u);
		free(v);
		bw_instance_release(&inst);
		printf("  sgd d=%zu done\n", d);
		fflush(stdout);
	}
}

/* ---- gd ---- */
static size_t gd_n_for(size_t d) { return d >= 10000 ? 500 : d / 10; }

static double gd_once(const struct bw_instance *inst, long steps_per_run, double budget_s)
{
	double total = 0;
	long steps = 0;
	struct bw_run_params p;
	bw_run_params_default(&p, BW_GD);
	p.alpha = 0.5;
	p.max_steps = steps_per_run;
	p.tol = 1e-300;
	do {
		struct bw_outcome o;
		if (bw_run(inst, &p, &o) != BW_OK) {
			bw_error_clear();
			return NAN;
		}
		total += o.wall_s;
		steps += o.steps;
		bw_outcome_release(&o);
	} while (total < budget_s);
	return total * 1e9 / ((double)steps * (double)inst->n * (double)inst->d);
}

static double gemv_once(const struct bw_instance *inst, long steps, double *w, double *rr, double *g)
{
	int n = (int)inst->n, d = (int)inst->d;
	double t = now_s();
	for (long s = 0; s < steps; s++) {
		cblas_dgemv(CblasRowMajor, CblasNoTrans, n, d, 1.0, inst->Z, d, w, 1, -1.0, rr, 1);
		cblas_dgemv(CblasRowMajor, CblasTrans, n, d, 4.0 / n, inst->Z, d, rr, 1, 0.0, g, 1);
		rr[s % n] = inst->y[s % n]; /* keep r bounded */
	}
	t = now_s() - t;
	sink = g[0];
	return t * 1e9 / ((double)steps * (double)n * (double)d);
}

static void bench_gd(const struct cfg *c, struct results *r)
{
	int R = rep_count(c);
	double budget = c->quick ? 0.05 : 0.2;
	for (int di = 0; di < ND; di++) {
		size_t d = dims[di], n = gd_n_for(d);
		r->gd_n[di] = n;
		r->bytes_gd[di] = task_bytes(BW_GD, d, n);
		struct bw_instance inst;
		if (make_instance(&inst, BW_DESIGN_RADEMACHER, d, n) != BW_OK) {
			bw_error_clear();
			continue;
		}
		long spr = d <= 100 ? 2000 : d <= 1000 ? 500 : 50;
		double x[MAXREP];
		gd_once(&inst, spr, budget / 4);
		for (int i = 0; i < R; i++)
			x[i] = gd_once(&inst, spr, budget);
		r->gd[di] = stats(x, R);
		double *w = malloc(d * sizeof(double)), *rr = malloc(n * sizeof(double)), *g = malloc(d * sizeof(double));
		for (size_t j = 0; j < d; j++)
			w[j] = 0.01 * (double)(j % 7) - 0.03;
		memcpy(rr, inst.y, n * sizeof(double));
		/* as many products as ~budget seconds at the gd step's pace */
		long gsteps = (long)(budget / (r->gd[di].med * 1e-9 * (double)n * (double)d));
		if (gsteps < 10 || !isfinite(r->gd[di].med))
			gsteps = 10;
		gemv_once(&inst, gsteps / 4, w, rr, g);
		for (int i = 0; i < R; i++)
			x[i] = gemv_once(&inst, gsteps, w, rr, g);
		r->gemv[di] = stats(x, R);
		free(w);
		free(rr);
		free(g);
		bw_instance_release(&inst);
		printf("  gd d=%zu done\n", d);
		fflush(stdout);
	}
}

/* ---- flow ---- */
static size_t flow_n_for(size_t d) { return d / 10 < 100 ? d / 10 : 100; }

static double flow_eval_once(const struct bw_instance *inst, double budget_s)
{
	size_t d = inst->d;
	double *u = malloc(d * sizeof(double)), *v = malloc(d * sizeof(double));
	double *du = malloc(d * sizeof(double)), *dv = malloc(d * sizeof(double));
	for (size_t j = 0; j < d; j++)
		u[j] = v[j] = 0.5;
	long k = 0;
	double t = now_s(), el;
	do {
		if (bw_flow_velocity(inst, u, v, du, dv, NULL, NULL) != BW_OK)
			bw_error_clear();
		k++;
		el = now_s() - t;
	} while (el < budget_s);
	free(u);
	free(v);
	free(du);
	free(dv);
	return el * 1e9 / (double)k;
}

/* one flow run of max_steps accepted steps: wall seconds and steps taken */
static double flow_run(const struct bw_instance *inst, long steps, long *taken)
{
	struct bw_run_params p;
	bw_run_params_default(&p, BW_RIEMANNIAN_FLOW);
	p.alpha = 0.5;
	p.max_steps = steps;
	p.tol = 1e-300;
	struct bw_outcome o;
	if (bw_run(inst, &p, &o) != BW_OK) {
		bw_error_clear();
		*taken = 0;
		return NAN;
	}
	double w = o.wall_s;
	*taken = o.steps;
	bw_outcome_release(&o);
	return w;
}

static void bench_flow(const struct cfg *c, struct results *r)
{
	int R = rep_count(c);
	for (int di = 0; di < ND; di++) {
		size_t d = dims[di], n = flow_n_for(d);
		r->flow_n[di] = n;
		r->bytes_flow[di] = task_bytes(BW_RIEMANNIAN_FLOW, d, n);
		struct bw_instance inst;
		if (make_instance(&inst, BW_DESIGN_RADEMACHER, d, n) != BW_OK) {
			bw_error_clear();
			continue;
		}
		double x[MAXREP];
		int m = 0;
		for (int i = 0; i < R; i++)
			x[i] = flow_eval_once(&inst, c->quick ? 0.03 : 0.1);
		r->flow_eval[di] = stats(x, R);
		long K = d <= 100 ? 200 : d <= 1000 ? 40 : 15;
		int Rf = d >= 10000 && R > 3 ? 3 : R; /* each run redoes the gd start (~1 s here) */
		for (int i = 0; i < Rf; i++) {
			long s1, s2;
			double t1 = flow_run(&inst, 1, &s1), t2 = flow_run(&inst, 1 + K, &s2);
			if (s2 > s1 && isfinite(t1) && isfinite(t2))
				x[m++] = (t2 - t1) * 1e9 / (double)(s2 - s1);
		}
		r->flow_step[di] = stats(x, m);
		bw_instance_release(&inst);
		printf("  flow d=%zu done\n", d);
		fflush(stdout);
	}
}

/* ---- child processes ---- */
/* Spawn argv with stdout to a pipe (captured into out, up to outlen) or to
 * the file `log`; env entries `extra` are added.  Returns the exit status,
 * or -1 when it could not start. */
static int spawn(char *const argv[], const char *const extra[], char *out, size_t outlen, const char *log)
{
	int fd[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out) {
		if (pipe(fd) != 0)
			return -1;
		posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
		posix_spawn_file_actions_addclose(&fa, fd[0]);
		posix_spawn_file_actions_addclose(&fa, fd[1]);
	}
	if (log) {
		if (!out)
			posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	}
	size_t ne = 0, nx = 0;
	while (environ[ne])
		ne++;
	while (extra && extra[nx])
		nx++;
	char **env = malloc((ne + nx + 1) * sizeof(char *));
	if (!env)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < ne; i++) {
		int overridden = 0;
		for (size_t e = 0; e < nx; e++) {
			const char *eq = strchr(extra[e], '=');
			size_t len = eq ? (size_t)(eq - extra[e]) + 1 : strlen(extra[e]);
			if (!strncmp(environ[i], extra[e], len))
				overridden = 1;
		}
		if (!overridden)
			env[k++] = environ[i];
	}
	for (size_t e = 0; e < nx; e++)
		env[k++] = (char *)extra[e];
	env[k] = NULL;
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (out)
		close(fd[1]);
	if (rc != 0) {
		if (out)
			close(fd[0]);
		return -1;
	}
	if (out) {
		size_t len = 0;
		ssize_t got;
		while ((got = read(fd[0], out + len, outlen - 1 - len)) > 0) {
			len += (size_t)got;
			if (len + 1 >= outlen)
				break;
		}
		out[len] = 0;
		char drain[4096];
		while (read(fd[0], drain, sizeof drain) > 0)
			;
		close(fd[0]);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* the number after "key": in a JSON line */
static double json_get(const char *s, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(s, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void json_minmax(const char *s, double *lo, double *hi)
{
	*lo = *hi = NAN;
	const char *p = strstr(s, "\"samples\":");
	if (!p || !(p = strchr(p, '[')))
		return;
	for (p++; *p && *p != ']';) {
		char *end;
		double x = strtod(p, &end);
		if (end == p)
			break;
		if (!(x >= *lo))
			*lo = x;
		if (!(x <= *hi))
			*hi = x;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
}

static void run_peer(const struct cfg *c, const char *script, const char *variant, size_t d, size_t n, long steps,
		     long runs, struct peerres *res)
{
	char path[4200], sd[32], sn[32], ss[32], sr[32], sp[32];
	snprintf(path, sizeof path, "%s/%s", c->peers, script);
	snprintf(sd, sizeof sd, "%zu", d);
	snprintf(sn, sizeof sn, "%zu", n);
	snprintf(ss, sizeof ss, "%ld", steps);
	snprintf(sr, sizeof sr, "%ld", runs);
	snprintf(sp, sizeof sp, "%d", rep_count(c));
	char *argv[] = {(char *)c->python, path, "--variant", (char *)variant, "--d", sd, "--n", sn,
			"--steps", ss, "--runs", sr, "--repeats", sp, NULL};
	const char *extra[] = {"OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", NULL};
	char out[65536];
	memset(res, 0, sizeof *res);
	res->ns = res->lo = res->hi = NAN;
	res->steps = steps;
	res->runs = runs;
	int rc = spawn(argv, extra, out, sizeof out, NULL);
	if (rc != 0) {
		snprintf(res->err, sizeof res->err, "%.40s %.80s exited with %d", c->python, path, rc);
		return;
	}
	res->ns = json_get(out, "ns_per_unit");
	json_minmax(out, &res->lo, &res->hi);
	res->ok = isfinite(res->ns);
	if (!res->ok)
		snprintf(res->err, sizeof res->err, "no ns_per_unit in the output of %.100s", path);
}

static void bench_peers(const struct cfg *c, struct results *r)
{
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/lnsgd.py", c->peers);
	if (access(probe, R_OK) != 0 || access(c->python, X_OK) != 0) {
		for (int di = 0; di < ND; di++) {
			snprintf(r->p_loop[di].err, sizeof r->p_loop[di].err, "no %.60s or no %.40s (see --peers, --python)",
				 probe,
				 c->python);
			r->p_loop[di].ns = r->p_batch[di].ns = r->p_gd_loop[di].ns = r->p_gd_batch[di].ns = NAN;
		}
		printf("  peers skipped: no %s or no %s (see --peers, --python)\n", probe, c->python);
		return;
	}
	double q = c->quick ? 0.25 : 1.0;
	for (int di = 0; di < ND; di++) {
		size_t d = dims[di];
		/* steps for ~0.2 s per repeat at the measured pace of each peer shape */
		long loop_steps = (long)(q * (d <= 100 ? 20000 : d <= 1000 ? 10000 : 2000));
		long batch_steps = (long)(q * (d <= 100 ? 2000 : d <= 1000 ? 300 : 30));
		run_peer(c, "lnsgd.py", "loop", d, r->sgd_n[di], loop_steps, 1, &r->p_loop[di]);
		run_peer(c, "lnsgd.py", "batched", d, r->sgd_n[di], batch_steps, 64, &r->p_batch[di]);
		long gd_steps = (long)(q * (d <= 100 ? 5000 : d <= 1000 ? 1000 : 20));
		long gdb_steps = (long)(q * (d <= 100 ? 500 : d <= 1000 ? 100 : 4));
		run_peer(c, "gd.py", "loop", d, r->gd_n[di], gd_steps < 2 ? 2 : gd_steps, 1, &r->p_gd_loop[di]);
		run_peer(c, "gd.py", "batched", d, r->gd_n[di], gdb_steps < 2 ? 2 : gdb_steps, 64, &r->p_gd_batch[di]);
		printf("  peers d=%zu done\n", d);
		fflush(stdout);
	}
}

/* ---- MPI runs through this binary ---- */
static void rm_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	char path[8300];
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

/* Read what the ranks of a --child run left in dir: elapsed and done from
 * rank 0, the largest peak RSS over ranks. */
static int read_child(const char *dir, double *elapsed, size_t *done, long *rss_kb)
{
	*elapsed = NAN;
	*done = 0;
	*rss_kb = 0;
	DIR *dp = opendir(dir);
	if (!dp)
		return -1;
	struct dirent *e;
	int found = 0;
	char path[8300];
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, "rank-", 5))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char line[256];
		while (fgets(line, sizeof line, f)) {
			double x;
			long l;
			size_t z;
			if (sscanf(line, "elapsed %lf", &x) == 1) {
				*elapsed = x;
				found = 1;
			} else if (sscanf(line, "done %zu", &z) == 1) {
				*done = z;
			} else if (sscanf(line, "maxrss_kb %ld", &l) == 1 && l > *rss_kb) {
				*rss_kb = l;
			}
		}
		fclose(f);
	}
	closedir(dp);
	return found ? 0 : -1;
}

/* mpirun -np K self bench --child SPEC CATALOG DIR; returns 0 and fills the
 * figures, or -1 with err set. */
static int mpi_run(const struct cfg *c, int ranks, const char *spec, const char *tag, double *elapsed, double *wall,
		   size_t *done, long *rss_kb, char *err, size_t errlen)
{
	char dir[4200], cat[4300], log[4300], np[16];
	snprintf(dir, sizeof dir, "%s/%s", c->tmp, tag);
	rm_tree(dir);
	if (mkdir(dir, 0755) != 0) {
		snprintf(err, errlen, "cannot create %.120s: %.60s", dir, strerror(errno));
		return -1;
	}
	snprintf(cat, sizeof cat, "%s/catalog.sqlite", dir);
	snprintf(log, sizeof log, "%s/log.txt", c->tmp);
	snprintf(np, sizeof np, "%d", ranks);
	char *argv[] = {(char *)c->mpirun, "--oversubscribe", "-np", np, (char *)c->self, "bench", "--child",
			(char *)spec, cat, dir, NULL};
	/* the bench starts its own MPI jobs: as root, Open MPI refuses them without these */
	const char *root_env[] = {"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", NULL};
	double t = now_s();
	int rc = spawn(argv, geteuid() == 0 ? root_env : NULL, NULL, 0, log);
	*wall = now_s() - t;
	int got = read_child(dir, elapsed, done, rss_kb);
	rm_tree(dir);
	if (rc != 0 || got != 0) {
		char tail[160] = "";
		FILE *f = fopen(log, "r");
		if (f) {
			char line[512];
			while (fgets(line, sizeof line, f)) { /* the first line that says something */
				char *p = line + strspn(line, " -\t\r\n");
				if (*p && !tail[0])
					snprintf(tail, sizeof tail, "%.150s", p);
			}
			fclose(f);
			tail[strcspn(tail, "\n")] = 0;
		}
		snprintf(err, errlen, "%s -np %d exited with %d%s%s%s", c->mpirun, ranks, rc, tail[0] ? " (" : "", tail,
			 tail[0] ? ")" : "");
		if (rc == -1)
			snprintf(err, errlen, "cannot start %s (see --mpirun)", c->mpirun);
		return -1;
	}
	return 0;
}

/* What one empty task costs without any MPI: instance, one gd step, outcome. */
static double task_exec_us(long count)
{
	struct bw_task t;
	memset(&t, 0, sizeof t);
	t.inst.design = BW_DESIGN_RADEMACHER;
	t.inst.d = t.inst.n = t.inst.kappa = 1;
	bw_run_params_default(&t.run, BW_GD);
	t.run.max_steps = 1;
	double s = now_s();
	for (long i = 0; i < count; i++) {
		t.inst.seed_index = (uint32_t)i;
		struct bw_instance inst;
		struct bw_outcome o;
		if (bw_instance_init(&inst, &t.inst) != BW_OK)
			return NAN;
		if (bw_run(&inst, &t.run, &o) == BW_OK)
			bw_outcome_release(&o);
		bw_instance_release(&inst);
	}
	return (now_s() - s) * 1e6 / (double)count;
}

static const int coord_ranks[3] = {1, 2, 4};

static void bench_coord(const struct cfg *c, struct results *r)
{
	int R = rep_count(c);
	char spec[4200];
	snprintf(spec, sizeof spec, "%s/empty.cfg", c->tmp);
	FILE *f = fopen(spec, "w");
	if (!f) {
		snprintf(r->coord_err[0], sizeof r->coord_err[0], "cannot write %.150s", spec);
		return;
	}
	fprintf(f,
		"# empty tasks: each is one gd step at d = n = 1 (instance, step, checkpoint,\n"
		"# trajectory row and catalog row: the real path, with no work in it)\n"
		"name = \"empty\";\nd = 1;\nn = 1;\nkappa = 1;\nseeds = %ld;\n"
		"algorithms = { gd = { steps = 1; }; };\n",
		c->tasks);
	fclose(f);
	r->task_exec_us = task_exec_us(20000);
	for (int k = 0; k < 3; k++) {
		double x[MAXREP];
		int m = 0;
		for (int i = 0; i < R; i++) {
			double el, wall;
			size_t done;
			long rss;
			char tag[32];
			snprintf(tag, sizeof tag, "coord-%d-%d", coord_ranks[k], i);
			if (mpi_run(c, coord_ranks[k], spec, tag, &el, &wall, &done, &rss, r->coord_err[k],
				    sizeof r->coord_err[k]) != 0)
				break;
			x[m++] = (double)done / el;
			if (rss > r->coord_rss_kb[k])
				r->coord_rss_kb[k] = rss;
		}
		r->coord_ok[k] = m > 0;
		r->coord[k] = stats(x, m);
		printf("  coordinator %d rank%s: %s\n", coord_ranks[k], k ? "s" : "", m ? "done" : r->coord_err[k]);
		fflush(stdout);
	}
}

static void bench_sweep(const struct cfg *c, struct results *r)
{
	for (int k = 0; k < 2; k++) {
		char tag[32];
		snprintf(tag, sizeof tag, "sweep-%d", k + 1);
		printf("  sweep %s on %d rank%s (minutes)...\n", c->spec, k + 1, k ? "s" : "");
		fflush(stdout);
		r->sweep_load[k][0] = loadavg();
		if (mpi_run(c, k + 1, c->spec, tag, &r->sweep_elapsed[k], &r->sweep_wall[k], &r->sweep_done[k],
			    &r->sweep_rss_kb[k], r->sweep_err[k], sizeof r->sweep_err[k]) == 0)
			r->sweep_ok[k] = 1;
		r->sweep_load[k][1] = loadavg();
		printf("  sweep %d rank%s: %s\n", k + 1, k ? "s" : "", r->sweep_ok[k] ? "done" : r->sweep_err[k]);
		fflush(stdout);
	}
}

/* ---- the child: one bw_sweep_run, its clock and peak RSS left in DIR ---- */
struct child_ctx {
	double elapsed;
	size_t done;
};

static void child_progress(void *vctx, const struct bw_progress *p)
{
	struct child_ctx *ctx = vctx;
	if (p->final) {
		ctx->elapsed = p->elapsed_s;
		ctx->done = p->done;
	}
}

static int bench_child(const char *spec, const char *catalog, const char *dir)
{
	struct bw_sweep_opts o;
	memset(&o, 0, sizeof o);
	o.spec_path = spec;
	o.catalog = catalog;
	o.shard_count = 1;
	struct child_ctx ctx = {NAN, 0};
	o.progress = child_progress;
	o.progress_ctx = &ctx;
	struct bw_progress rep;
	int root = 0;
	int rc = bw_sweep_run(&o, &rep, &root);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	char path[4200];
	snprintf(path, sizeof path, "%s/rank-%s-%ld.txt", dir, root ? "0" : "w", (long)getpid());
	FILE *f = fopen(path, "w");
	if (f) {
		if (root && rc == BW_OK)
			fprintf(f, "elapsed %.9f\ndone %zu\n", ctx.elapsed, ctx.done);
		fprintf(f, "maxrss_kb %ld\n", ru.ru_maxrss);
		fclose(f);
	}
	return rc;
}

/* ---- report ---- */
static void cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');
			if (p) {
				p++;
				while (*p == ' ')
					p++;
				p[strcspn(p, "\n")] = 0;
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	fclose(f);
}

static double loadavg(void)
{
	double l = NAN;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = NAN;
		fclose(f);
	}
	return l;
}

static const char *yes(int ok) { return ok ? "holds" : "does not hold"; }

static double ratio(double a, double b) { return isfinite(a) && isfinite(b) && b > 0 ? a / b : NAN; }

static void print_peer(const char *what, const struct peerres *p, double c_ns)
{
	if (p->ok)
		printf("  %-30s %9.3f ns  (min %.3f, max %.3f)  %7.1fx the C code\n", what, p->ns, p->lo, p->hi,
		       ratio(p->ns, c_ns));
	else
		printf("  %-30s not measured: %s\n", what, p->err);
}

static int mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static const char summary[] =
	"Measure the kernels against this CPU's peak, against NumPy peers (bench/peers/), and the\n"
	"coordinator's throughput; print a table and write JSON under results/bench/.\n"
	"  biasweep bench            (a few minutes; run from the repository root)\n"
	"  biasweep bench --sweep    (adds jobs/default.cfg on 1 and 2 ranks: +10-20 minutes)\n"
	"Figures are medians of --repeats runs, with min and max: the machine is shared and noisy.\n"
	"Targets are reported as held or not, never as a failure.";

static const char epilog[] =
	"units: sgd ns per step and coordinate (8 flops each), gd ns per step and matrix entry,\n"
	"flow ns per evaluation / step; peers ns per the same unit (NumPy with one BLAS thread).\n"
	"The MPI runs are `mpirun --oversubscribe -np K biasweep bench --child SPEC CATALOG DIR`\n"
	"(run as root, bench sets OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 for them).\n"
	"BIASWEEP_KERNEL=generic|avx2|avx512 forces an SGD kernel variant for every command.\n";

int cmd_bench(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "--child")) {
		if (argc != 4)
			return RAISE(BW_EINVAL, "--child SPEC CATALOG DIR (internal: the MPI runs of bench)");
		return bench_child(argv[1], argv[2], argv[3]);
	}
	struct cfg c;
	memset(&c, 0, sizeof c);
	long repeats = 5;
	c.tasks = 20000;
	c.python = "/usr/bin/python3";
	c.peers = "bench/peers";
	c.mpirun = "mpirun";
	c.spec = "jobs/default.cfg";
	c.out = "results/bench";
	struct bw_option opts[] = {
		{"repeats", BW_OPT_LONG, &repeats, "R", "repetitions of every measurement, median reported (default 5)", 0},
		{"sweep", BW_OPT_FLAG, &c.sweep, NULL, "also time --spec on 1 and 2 ranks (strong scaling; minutes)", 0},
		{"sweep-only", BW_OPT_FLAG, &c.sweep_only, NULL, "only the --sweep measurement (to repeat it)", 0},
		{"spec", BW_OPT_STRING, &c.spec, "FILE", "the sweep of --sweep (default jobs/default.cfg)", 0},
		{"tasks", BW_OPT_LONG, &c.tasks, "N", "empty tasks per coordinator run (default 20000)", 0},
		{"quick", BW_OPT_FLAG, &c.quick, NULL, "shorter measurements (a smoke run of the bench itself)", 0},
		{"peers", BW_OPT_STRING, &c.peers, "DIR", "the NumPy peers (default bench/peers)", 0},
		{"python", BW_OPT_STRING, &c.python, "PATH", "Python with NumPy for the peers (default /usr/bin/python3)", 0},
		{"no-peers", BW_OPT_FLAG, &c.no_peers, NULL, "skip the NumPy peers", 0},
		{"mpirun", BW_OPT_STRING, &c.mpirun, "PATH", "mpirun for the coordinator and sweep runs (default mpirun)", 0},
		{"no-mpi", BW_OPT_FLAG, &c.no_mpi, NULL, "skip the coordinator (and sweep) runs", 0},
		{"out", BW_OPT_STRING, &c.out, "DIR", "directory of the JSON report (default results/bench)", 0},
		{"json", BW_OPT_STRING, &c.json, "FILE", "write the JSON report here instead", 0},
		{0},
	};
	char *pos[1];
	int npos, rc = bw_opts_parse(opts, argc, argv, pos, &npos, 0);
	if (rc == BW_OPTS_HELP) {
		bw_opts_usage(stdout, "biasweep bench [--sweep] [--repeats R] [options]", summary, opts, epilog);
		return rc;
	}
	CHECK(rc);
	if (repeats < 1 || repeats > MAXREP)
		return RAISE(BW_EINVAL, "--repeats must be between 1 and %d", MAXREP);
	if (c.tasks < 100)
		return RAISE(BW_EINVAL, "--tasks must be >= 100");
	c.repeats = (int)repeats;
	if (c.sweep_only)
		c.sweep = 1;
	if (c.sweep_only && c.no_mpi)
		return RAISE(BW_EINVAL, "--sweep-only needs MPI (drop --no-mpi)");
	ssize_t sl = readlink("/proc/self/exe", c.self, sizeof c.self - 1);
	if (sl <= 0)
		return RAISE(BW_EIO, "cannot find this executable (/proc/self/exe)");
	c.self[sl] = 0;
	snprintf(c.tmp, sizeof c.tmp, "/tmp/biasweep-bench-XXXXXX");
	if (!mkdtemp(c.tmp))
		return RAISE(BW_EIO, "cannot create a temporary directory: %s", strerror(errno));

	struct results *r = calloc(1, sizeof *r);
	if (!r) {
		rm_tree(c.tmp);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	for (int di = 0; di < ND; di++) { /* "not measured" until a peer says otherwise */
		struct peerres *pr[4] = {&r->p_loop[di], &r->p_batch[di], &r->p_gd_loop[di], &r->p_gd_batch[di]};
		for (int k = 0; k < 4; k++) {
			pr[k]->ns = pr[k]->lo = pr[k]->hi = NAN;
			snprintf(pr[k]->err, sizeof pr[k]->err, "skipped (--no-peers)");
		}
	}
	char host[256] = "unknown", cpu[256], date[64], stamp[64];
	gethostname(host, sizeof host);
	host[sizeof host - 1] = 0;
	cpu_model(cpu, sizeof cpu);
	time_t tnow = time(NULL);
	struct tm tmv;
	gmtime_r(&tnow, &tmv);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tmv);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tmv);
	double load0 = loadavg(), t0 = now_s();
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	printf("biasweep bench %s on %s (%s, %ld cores), load %.2f, %d repeats per figure\n", BW_REVISION, host, cpu,
	       cores, load0, c.repeats);
	printf("sgd kernels: %s; %s\n", bw_sgd_kernel_name(), openblas_get_config());
	fflush(stdout);

	int R = rep_count(&c);
	for (int k = 0; k < PK_COUNT; k++) {
		if (c.sweep_only || !peak_supported((enum peak_kind)k)) {
			r->peak[k] = NAN;
			continue;
		}
		long it = c.quick ? 2000000 : 10000000;
		double x[MAXREP];
		peak_once((enum peak_kind)k, it / 10);
		for (int i = 0; i < R; i++)
			x[i] = peak_once((enum peak_kind)k, k >= PK_AVX512_MULADD ? it / 2 : it);
		r->peak_s[k] = stats(x, R);
		r->peak[k] = r->peak_s[k].med;
	}
	if (!c.sweep_only) {
		printf("  peaks done\n");
		fflush(stdout);
		bench_sgd(&c, r);
		bench_gd(&c, r);
		bench_flow(&c, r);
		if (!c.no_peers)
			bench_peers(&c, r);
	}
	if (!c.no_mpi) {
		if (!c.sweep_only)
			bench_coord(&c, r);
		if (c.sweep)
			bench_sweep(&c, r);
	}
	double elapsed = now_s() - t0, load1 = loadavg();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);

	/* the best peak, and the mul+add peak of the widest vectors */
	double peak = NAN, peak_noFMA = NAN;
	const char *peak_name = "none";
	for (int k = 0; k < PK_COUNT; k++)
		if (isfinite(r->peak[k]) && !(r->peak[k] <= peak)) {
			peak = r->peak[k];
			peak_name = peak_names[k];
		}
	peak_noFMA = isfinite(r->peak[PK_AVX512_MULADD]) ? r->peak[PK_AVX512_MULADD] : r->peak[PK_SSE2_MULADD];
	size_t nv;
	const struct bw_sgd_kernels *vs = bw_sgd_kernel_variants(&nv);
	int active = 0;
	for (size_t k = 0; k < nv; k++)
		if (!strcmp(vs[k].name, bw_sgd_kernel_name()))
			active = (int)k;
	int act_f64 = !vs[active].rademacher_i8;

	/* ---- the table ---- */
	if (!c.sweep_only) {
		printf("\n== peak (GFLOP/s, median of %d; min-max) ==\n", R);
		for (int k = 0; k < PK_COUNT; k++)
			if (isfinite(r->peak[k]))
				printf("  %-16s %7.2f  (%.2f-%.2f)\n", peak_names[k], r->peak[k], r->peak_s[k].lo,
				       r->peak_s[k].hi);
		printf("  measured peak: %.2f GFLOP/s (%s); without FMA (what a kernel that may not contract can reach): "
		       "%.2f\n",
		       peak, peak_name, peak_noFMA);

		printf("\n== label-noise SGD, n = d/10: ns per coordinate-update (median; min-max) ==\n");
		printf("  %-28s", "");
		for (int di = 0; di < ND; di++)
			printf("  d=%-19zu", dims[di]);
		printf("\n");
		for (size_t k = 0; k < nv && k < 3; k++)
			for (int f = 0; f < 2; f++) {
				if (!r->kern_ok[k])
					continue;
				char nm[64];
				snprintf(nm, sizeof nm, "kernel %s %s%s", vs[k].name, f ? "f64" : "int8",
					 (int)k == active && f == act_f64 ? " *" : "");
				printf("  %-28s", nm);
				for (int di = 0; di < ND; di++)
					printf("  %6.3f (%.3f-%.3f)", r->kern[di][k][f].med, r->kern[di][k][f].lo,
					       r->kern[di][k][f].hi);
				printf("\n");
			}
		const struct {
			const char *name;
			struct stat3 *s;
		} rows[] = {{"bw_run label_noise_sgd", r->lnsgd},
			    {"bw_run sgd (batch 1)", r->sgd1},
			    {"bw_run sgd (batch 8) /B", r->sgd8}};
		for (int k = 0; k < 3; k++) {
			printf("  %-28s", rows[k].name);
			for (int di = 0; di < ND; di++)
				printf("  %6.3f (%.3f-%.3f)", rows[k].s[di].med, rows[k].s[di].lo, rows[k].s[di].hi);
			printf("\n");
		}
		printf("  %-28s", "GFLOP/s of the kernel *");
		for (int di = 0; di < ND; di++) {
			double g = SGD_FLOPS / r->kern[di][active][act_f64].med;
			printf("  %6.2f = %3.0f%% / %3.0f%%  ", g, 100 * g / peak, 100 * g / peak_noFMA);
		}
		printf("\n  (* the variant and rows bw_run uses; %% of the measured peak / of the no-FMA peak)\n");
		if (!c.no_peers) {
			for (int di = 0; di < ND; di++) {
				printf(" NumPy peers at d=%zu (n=%zu):\n", dims[di], r->sgd_n[di]);
				print_peer("lnsgd, per-sample loop", &r->p_loop[di], r->lnsgd[di].med);
				print_peer("lnsgd, batched R=64", &r->p_batch[di], r->lnsgd[di].med);
			}
		}

		printf("\n== gd: ns per step and matrix entry (median; min-max) ==\n");
		for (int di = 0; di < ND; di++) {
			size_t d = dims[di], n = r->gd_n[di];
			printf("  d=%-6zu n=%-4zu gd step %.3f (%.3f-%.3f)  two dgemv %.3f (%.3f-%.3f)  step/dgemv %.2f  "
			       "%.2f GFLOP/s\n",
			       d, n, r->gd[di].med, r->gd[di].lo, r->gd[di].hi, r->gemv[di].med, r->gemv[di].lo, r->gemv[di].hi,
			       ratio(r->gd[di].med, r->gemv[di].med), 4.0 / r->gd[di].med);
			if (!c.no_peers) {
				print_peer("NumPy gd, loop", &r->p_gd_loop[di], r->gd[di].med);
				print_peer("NumPy gd, batched R=64 (gemm)", &r->p_gd_batch[di], r->gd[di].med);
			}
		}

		printf("\n== riemannian flow, n = min(d/10, 100): ms (median; min-max) ==\n");
		for (int di = 0; di < ND; di++) {
			size_t d = dims[di], n = r->flow_n[di];
			double fl = (double)n * (double)n * (double)d + (double)n * n * n / 3.0 + 4.0 * n * d;
			printf("  d=%-6zu n=%-4zu evaluation %.4f (%.4f-%.4f) = %.2f GFLOP/s   step %.4f (%.4f-%.4f, %d runs)\n",
			       d, n,
			       r->flow_eval[di].med * 1e-6, r->flow_eval[di].lo * 1e-6, r->flow_eval[di].hi * 1e-6,
			       fl / r->flow_eval[di].med, r->flow_step[di].med * 1e-6, r->flow_step[di].lo * 1e-6,
			       r->flow_step[di].hi * 1e-6, r->flow_step[di].n);
		}

		printf("\n== memory per rank (bw_task_bytes, MiB) ==\n");
		for (int di = 0; di < ND; di++)
			printf("  d=%-6zu lnsgd n=%-5zu %8.2f   gd n=%-4zu %8.2f   flow n=%-4zu %8.2f\n", dims[di], r->sgd_n[di],
			       r->bytes_sgd[di] / 1048576.0, r->gd_n[di], r->bytes_gd[di] / 1048576.0, r->flow_n[di],
			       r->bytes_flow[di] / 1048576.0);
		printf("  this process: peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
	}

	if (!c.no_mpi && !c.sweep_only) {
		printf("\n== coordinator: %ld empty tasks through MPI (tasks/s, median; min-max) ==\n", c.tasks);
		printf("  one empty task alone (instance + 1 gd step + outcome, no MPI): %.1f us\n", r->task_exec_us);
		for (int k = 0; k < 3; k++) {
			if (r->coord_ok[k])
				printf("  %d rank%s %8.0f  (%.0f-%.0f), peak RSS of the largest rank %.1f MiB%s\n",
				       coord_ranks[k], k ? "s:" : ": ", r->coord[k].med, r->coord[k].lo, r->coord[k].hi,
				       r->coord_rss_kb[k] / 1024.0, k ? "" : " (rank 0's compute thread alone)");
			else
				printf("  %d rank%s not measured: %s\n", coord_ranks[k], k ? "s:" : ": ", r->coord_err[k]);
		}
	}
	double eff = NAN;
	if (c.sweep) {
		printf("\n== sweep %s ==\n", c.spec);
		for (int k = 0; k < 2; k++) {
			if (r->sweep_ok[k])
				printf("  %d rank%s: %zu tasks, %.1f s coordinating (%.1f s wall with start-up), peak RSS %.1f "
				       "MiB, load average %.2f before, %.2f after\n",
				       k + 1, k ? "s" : " ", r->sweep_done[k], r->sweep_elapsed[k], r->sweep_wall[k],
				       r->sweep_rss_kb[k] / 1024.0, r->sweep_load[k][0], r->sweep_load[k][1]);
			else
				printf("  %d rank%s: not measured: %s\n", k + 1, k ? "s" : "", r->sweep_err[k]);
		}
		if (r->sweep_ok[0] && r->sweep_ok[1])
			eff = r->sweep_elapsed[0] / (2.0 * r->sweep_elapsed[1]);
		printf("  strong-scaling efficiency T1/(2 T2): %.1f%%%s\n", 100 * eff,
		       eff > 1.02 ? " (above 100%: other load on the machine slowed one of the runs)" : "");
	}

	/* ---- targets ---- */
	int i1000 = 1;
	double c_ln = r->lnsgd[i1000].med;
	double r_loop = ratio(r->p_loop[i1000].ns, c_ln), r_batch = ratio(r->p_batch[i1000].ns, c_ln);
	double kg = SGD_FLOPS / r->kern[i1000][active][act_f64].med;
	double gd_worst = NAN;
	for (int di = 0; di < ND; di++) {
		double q = ratio(r->gd[di].med, r->gemv[di].med);
		if (isfinite(q) && !(q <= gd_worst))
			gd_worst = q;
	}
	double coord_min = NAN;
	for (int k = 1; k < 3; k++)
		if (r->coord_ok[k] && !(r->coord[k].med >= coord_min))
			coord_min = r->coord[k].med;
	printf("\n== targets ==\n");
	printf("  lnsgd >= 30x the per-sample NumPy loop at d=1000:  %.1fx  %s\n", r_loop,
	       isfinite(r_loop) ? yes(r_loop >= 30) : "not measured");
	printf("  lnsgd >= 10x the batched NumPy (R=64) at d=1000:  %.1fx  %s\n", r_batch,
	       isfinite(r_batch) ? yes(r_batch >= 10) : "not measured");
	printf("  SGD kernel >= 50%% of the measured peak at d=1000: %.1f%% of %.1f GFLOP/s (%.1f%% of the no-FMA "
	       "peak)  %s\n",
	       100 * kg / peak, peak, 100 * kg / peak_noFMA, isfinite(kg / peak) ? yes(kg >= 0.5 * peak) : "not measured");
	printf("  gd step within 1.5x of two dgemv (worst d):        %.2fx  %s\n", gd_worst,
	       isfinite(gd_worst) ? yes(gd_worst <= 1.5) : "not measured");
	printf("  coordinator >= 20000 empty tasks/s (2 and 4 ranks): %.0f  %s\n", coord_min,
	       isfinite(coord_min) ? yes(coord_min >= 20000) : "not measured");
	printf("  2-rank efficiency on %s >= 90%%: %s%.1f%%  %s\n", c.spec, "", 100 * eff,
	       isfinite(eff) ? yes(eff >= 0.9) : "not measured (bench --sweep)");
	printf("\nbench took %.0f s; load average %.2f before, %.2f after\n", elapsed, load0, load1);

	/* ---- JSON ---- */
	struct jbuf j = {NULL, 0, 0, 1};
	jopen(&j, NULL, '{');
	jstr(&j, "schema", "biasweep-bench/1");
	jstr(&j, "revision", BW_REVISION);
	jstr(&j, "host", host);
	jstr(&j, "cpu", cpu);
	jnum(&j, "cores", (double)cores);
	jstr(&j, "date", date);
	jstr(&j, "compiler", __VERSION__);
	jstr(&j, "openblas", openblas_get_config());
	jstr(&j, "sgd_kernel", bw_sgd_kernel_name());
	jnum(&j, "repeats", R);
	jnum(&j, "loadavg_before", load0);
	jnum(&j, "loadavg_after", load1);
	jnum(&j, "elapsed_s", elapsed);
	if (!c.sweep_only) {
		jopen(&j, "peak_gflops", '{');
		for (int k = 0; k < PK_COUNT; k++)
			if (isfinite(r->peak[k]))
				jstat(&j, peak_keys[k], r->peak_s[k]);
		jclose(&j, '}');
		jnum(&j, "peak_measured_gflops", peak);
		jnum(&j, "peak_noFMA_gflops", peak_noFMA);
		jnum(&j, "sgd_flops_per_update", SGD_FLOPS);
		jopen(&j, "sizes", '[');
		for (int di = 0; di < ND; di++) {
			jopen(&j, NULL, '{');
			jnum(&j, "d", (double)dims[di]);
			jopen(&j, "label_noise_sgd", '{');
			jnum(&j, "n", (double)r->sgd_n[di]);
			jstr(&j, "unit", "ns per step and coordinate");
			jopen(&j, "kernel", '{');
			for (size_t k = 0; k < nv && k < 3; k++)
				if (r->kern_ok[k]) {
					char key[64];
					snprintf(key, sizeof key, "%s_int8", vs[k].name);
					jstat(&j, key, r->kern[di][k][0]);
					snprintf(key, sizeof key, "%s_f64", vs[k].name);
					jstat(&j, key, r->kern[di][k][1]);
				}
			jclose(&j, '}');
			jstat(&j, "bw_run", r->lnsgd[di]);
			jnum(&j, "kernel_gflops", SGD_FLOPS / r->kern[di][active][act_f64].med);
			jnum(&j, "bw_run_gflops", SGD_FLOPS / r->lnsgd[di].med);
			jnum(&j, "task_bytes", (double)r->bytes_sgd[di]);
			if (!c.no_peers) {
				jopen(&j, "numpy_loop", '{');
				jnum(&j, "ns", r->p_loop[di].ns);
				jnum(&j, "min", r->p_loop[di].lo);
				jnum(&j, "max", r->p_loop[di].hi);
				jnum(&j, "steps", (double)r->p_loop[di].steps);
				jnum(&j, "ratio", ratio(r->p_loop[di].ns, r->lnsgd[di].med));
				jclose(&j, '}');
				jopen(&j, "numpy_batched_R64", '{');
				jnum(&j, "ns", r->p_batch[di].ns);
				jnum(&j, "min", r->p_batch[di].lo);
				jnum(&j, "max", r->p_batch[di].hi);
				jnum(&j, "steps", (double)r->p_batch[di].steps);
				jnum(&j, "ratio", ratio(r->p_batch[di].ns, r->lnsgd[di].med));
				jclose(&j, '}');
			}
			jclose(&j, '}');
			jopen(&j, "sgd", '{');
			jnum(&j, "n", (double)r->sgd_n[di]);
			jstat(&j, "batch1_bw_run", r->sgd1[di]);
			jstat(&j, "batch8_bw_run_per_sample", r->sgd8[di]);
			jclose(&j, '}');
			jopen(&j, "gd", '{');
			jnum(&j, "n", (double)r->gd_n[di]);
			jstr(&j, "unit", "ns per step and matrix entry");
			jstat(&j, "bw_run", r->gd[di]);
			jstat(&j, "two_dgemv", r->gemv[di]);
			jnum(&j, "ratio_step_to_dgemv", ratio(r->gd[di].med, r->gemv[di].med));
			jnum(&j, "gflops", 4.0 / r->gd[di].med);
			jnum(&j, "task_bytes", (double)r->bytes_gd[di]);
			if (!c.no_peers) {
				jopen(&j, "numpy_loop", '{');
				jnum(&j, "ns", r->p_gd_loop[di].ns);
				jnum(&j, "steps", (double)r->p_gd_loop[di].steps);
				jnum(&j, "ratio", ratio(r->p_gd_loop[di].ns, r->gd[di].med));
				jclose(&j, '}');
				jopen(&j, "numpy_batched_R64", '{');
				jnum(&j, "ns", r->p_gd_batch[di].ns);
				jnum(&j, "steps", (double)r->p_gd_batch[di].steps);
				jnum(&j, "ratio", ratio(r->p_gd_batch[di].ns, r->gd[di].med));
				jclose(&j, '}');
			}
			jclose(&j, '}');
			jopen(&j, "riemannian_flow", '{');
			jnum(&j, "n", (double)r->flow_n[di]);
			jstr(&j, "unit", "ns per evaluation / per accepted step");
			jstat(&j, "evaluation", r->flow_eval[di]);
			jstat(&j, "step", r->flow_step[di]);
			jnum(&j, "task_bytes", (double)r->bytes_flow[di]);
			jclose(&j, '}');
			jclose(&j, '}');
		}
		jclose(&j, ']');
	}
	if (!c.no_mpi && !c.sweep_only) {
		jopen(&j, "coordinator", '{');
		jnum(&j, "tasks", (double)c.tasks);
		jnum(&j, "task_exec_us", r->task_exec_us);
		for (int k = 0; k < 3; k++) {
			char key[32];
			snprintf(key, sizeof key, "ranks%d", coord_ranks[k]);
			jopen(&j, key, '{');
			if (r->coord_ok[k]) {
				jstat(&j, "tasks_per_s", r->coord[k]);
				jnum(&j, "max_rank_rss_mib", r->coord_rss_kb[k] / 1024.0);
			} else {
				jstr(&j, "error", r->coord_err[k]);
			}
			jclose(&j, '}');
		}
		jclose(&j, '}');
	}
	if (c.sweep) {
		jopen(&j, "sweep", '{');
		jstr(&j, "spec", c.spec);
		for (int k = 0; k < 2; k++) {
			char key[32];
			snprintf(key, sizeof key, "ranks%d", k + 1);
			jopen(&j, key, '{');
			if (r->sweep_ok[k]) {
				jnum(&j, "tasks", (double)r->sweep_done[k]);
				jnum(&j, "elapsed_s", r->sweep_elapsed[k]);
				jnum(&j, "wall_s", r->sweep_wall[k]);
				jnum(&j, "max_rank_rss_mib", r->sweep_rss_kb[k] / 1024.0);
				jnum(&j, "loadavg_before", r->sweep_load[k][0]);
				jnum(&j, "loadavg_after", r->sweep_load[k][1]);
			} else {
				jstr(&j, "error", r->sweep_err[k]);
			}
			jclose(&j, '}');
		}
		jnum(&j, "efficiency_2_ranks", eff);
		jclose(&j, '}');
	}
	jopen(&j, "targets", '{');
	jnum(&j, "lnsgd_vs_numpy_loop_d1000", r_loop);
	jnum(&j, "lnsgd_vs_numpy_batched_d1000", r_batch);
	jnum(&j, "sgd_kernel_fraction_of_peak_d1000", kg / peak);
	jnum(&j, "sgd_kernel_fraction_of_noFMA_peak_d1000", kg / peak_noFMA);
	jnum(&j, "gd_step_over_two_dgemv_worst", gd_worst);
	jnum(&j, "coordinator_tasks_per_s_min", coord_min);
	jnum(&j, "sweep_efficiency_2_ranks", eff);
	jclose(&j, '}');
	jclose(&j, '}');
	jraw(&j, "\n");

	char path[4300];
	if (c.json)
		snprintf(path, sizeof path, "%s", c.json);
	else
		snprintf(path, sizeof path, "%s/bench-%s-%s.json", c.out, host, stamp);
	rc = BW_OK;
	if (!c.json && mkdir_p(c.out) != 0) {
		rc = RAISE(BW_EIO, "cannot create %s: %s", c.out, strerror(errno));
	} else {
		FILE *f = fopen(path, "w");
		if (!f || fwrite(j.p, 1, j.len, f) != j.len || fclose(f) != 0)
			rc = RAISE(BW_EIO, "cannot write %s", path);
		else
			printf("JSON: %s\n", path);
	}
	free(j.p);
	free(r);
	rm_tree(c.tmp);
	return rc;
}
