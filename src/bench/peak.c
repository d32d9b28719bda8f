/* peak.c - independent accumulator chains per instruction set (bench_peak.h).
 * -std=c17 implies -ffp-contract=off, so the mul+add chains stay separate. */
#include "biasweep/bench_peak.h"
#include "biasweep/clock.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define BENCH_X86 1
#endif

const char *const bw_peak_names[BW_PEAK_COUNT] = {"scalar mul+add", "scalar fma",     "sse2 mul+add",
						  "avx2 fma",       "avx512 mul+add", "avx512 fma"};
const char *const bw_peak_keys[BW_PEAK_COUNT] = {"scalar_muladd", "scalar_fma",    "sse2_muladd",
						 "avx2_fma",      "avx512_muladd", "avx512_fma"};
static const double peak_flops[BW_PEAK_COUNT] = {2 * 12, 2 * 12, 4 * 12, 8 * 12, 16 * 24, 16 * 24}; /* per iteration */

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

int bw_peak_supported(enum bw_peak_kind k)
{
#ifdef BENCH_X86
	__builtin_cpu_init();
	switch (k) {
	case BW_PEAK_SCALAR_FMA:
		return __builtin_cpu_supports("fma");
	case BW_PEAK_AVX2_FMA:
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	case BW_PEAK_AVX512_MULADD:
	case BW_PEAK_AVX512_FMA:
		return __builtin_cpu_supports("avx512f");
	default:
		return 1;
	}
#else
	return k == BW_PEAK_SCALAR_MULADD || k == BW_PEAK_SSE2_MULADD;
#endif
}

/* The kernel of each kind; NULL where this build has none. */
static double (*const peak_kernel[BW_PEAK_COUNT])(long it, double m, double c) = {
	[BW_PEAK_SCALAR_MULADD] = peak_scalar_muladd,
	[BW_PEAK_SSE2_MULADD] = peak_sse2_muladd,
#ifdef BENCH_X86
	[BW_PEAK_SCALAR_FMA] = peak_scalar_fma,
	[BW_PEAK_AVX2_FMA] = peak_avx2_fma,
	[BW_PEAK_AVX512_MULADD] = peak_avx512_muladd,
	[BW_PEAK_AVX512_FMA] = peak_avx512_fma,
#endif
};

static volatile double sink;

double bw_peak_gflops(enum bw_peak_kind k, long it)
{
	double t = bw_now_s(), r = peak_kernel[k] ? peak_kernel[k](it, 0.9999999, 1e-7) : 0;
	t = bw_now_s() - t;
	sink = r;
	return peak_flops[k] * (double)it / t * 1e-9;
}
