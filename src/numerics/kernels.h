/* kernels.h - the SGD kernels of src/numerics/sgd.c, one variant per
 * instruction set, chosen once per process for the CPU it runs on
 * (internal to the numerics; exposed for tests/bench and `biasweep bench`).
 *
 * Every variant returns bit-identical results on every input: the vector
 * width only decides how many of the fixed partial sums are added at once.
 * The order is part of the numerics' definition:
 *   step1_*: u_j <- u_j - u_j s_j, v_j <- v_j + v_j s_j with s_j = a z_c,j;
 *            returns <z_n, w> after the update, w_j = u_j^2 - v_j^2, summed as
 *            BW_SGD_LANES partial sums acc[j % 8] over ascending j, combined
 *            ((acc0 + acc1) + (acc2 + acc3)) + ((acc4 + acc5) + (acc6 + acc7)).
 *   stepB:   s_j = sum_b a_b Z[cur_b, j] (b ascending, from 0), the same
 *            update, and nd[b] = <Z[nxt_b], w> in the same 8-lane order.
 * No FMA: the build's -std=c17 implies -ffp-contract=off, and the intrinsic
 * variants use separate multiplies and adds (tests/bench/test_kernel_digest.c
 * compares every variant this CPU runs against the recorded digests, and
 * tests/bench/test_kernels.c against a scalar reference, bit for bit).
 * Multiplying by z = +-1 is exact, so the int8 signs and the doubles of a
 * Rademacher design give the same bits; each variant reads the cheaper one.
 *
 * Selection: the best variant this CPU supports (avx512 > avx2 > generic),
 * or the one named by the environment variable BIASWEEP_KERNEL (generic,
 * avx2, avx512) when this CPU supports it.
 */
#ifndef BIASWEEP_KERNELS_H
#define BIASWEEP_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#define BW_SGD_LANES 8

typedef double (*bw_step1_i8_fn)(size_t d, const int8_t *zc, const int8_t *zn, double a, double *u, double *v);
typedef double (*bw_step1_f64_fn)(size_t d, const double *zc, const double *zn, double a, double *u, double *v);
/* scratch: BW_STEPB_SCRATCH(B) doubles */
typedef void (*bw_stepB_fn)(size_t d, size_t B, const double *Z, const size_t *cur, const double *a,
			    const size_t *nxt, double *u, double *v, double *nd, double *scratch);
#define BW_STEPB_BLOCK 512
#define BW_STEPB_SCRATCH(B) (BW_SGD_LANES * (B) + 2 * BW_STEPB_BLOCK)

struct bw_sgd_kernels {
	const char *name;  /* "generic", "avx2", "avx512" */
	const char *isa;   /* what the CPU must support, in words */
	int rademacher_i8; /* batch-1 Rademacher rows: read the int8 signs (1) or the doubles (0) */
	bw_step1_i8_fn step1_i8;
	bw_step1_f64_fn step1_f64;
	bw_stepB_fn stepB;
};

/* Every variant compiled in (whether or not this CPU runs it). */
const struct bw_sgd_kernels *bw_sgd_kernel_variants(size_t *count);
int bw_sgd_kernel_supported(const struct bw_sgd_kernels *k);
/* The variant sgd.c uses. */
const struct bw_sgd_kernels *bw_sgd_kernels_active(void);
const char *bw_sgd_kernel_name(void);
/* Use the named variant (NULL: the automatic choice).  Returns 0, or -1 when
 * the name is unknown or this CPU does not support it (nothing changes).
 * Not thread-safe: for tests and benchmarks, before runs start. */
int bw_sgd_kernel_select(const char *name);

#endif
