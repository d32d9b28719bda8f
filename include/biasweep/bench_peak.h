/* bench_peak.h - this CPU's floating-point peak, per instruction set.
 *
 * bw_peak_gflops runs `it` iterations of independent accumulator chains (12
 * vectors, 24 for AVX-512) of a*m + c, as FMA or as a separate multiply and
 * add (the ceiling of kernels that may not contract), and returns GFLOP/s.
 * Only kinds bw_peak_supported says this CPU runs may be timed.
 */
#ifndef BIASWEEP_BENCH_PEAK_H
#define BIASWEEP_BENCH_PEAK_H

enum bw_peak_kind {
	BW_PEAK_SCALAR_MULADD,
	BW_PEAK_SCALAR_FMA,
	BW_PEAK_SSE2_MULADD,
	BW_PEAK_AVX2_FMA,
	BW_PEAK_AVX512_MULADD,
	BW_PEAK_AVX512_FMA,
	BW_PEAK_COUNT
};

extern const char *const bw_peak_names[BW_PEAK_COUNT]; /* "avx2 fma" */
extern const char *const bw_peak_keys[BW_PEAK_COUNT];  /* "avx2_fma" */

int bw_peak_supported(enum bw_peak_kind k);
double bw_peak_gflops(enum bw_peak_kind k, long it);

#endif
