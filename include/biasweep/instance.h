/* instance.h - one sparse-recovery instance (Z, w*, y = Z w*).
 *
 * The generator is seeded with
 *   seed = bw_hash_str("bw-instance/1 seed=<sweep_seed> design=<name> d=<d>
 *                       kappa=<kappa> wstar=<signs|gaussian> index=<seed_index>")
 * (one space between fields; see bw_instance_seed) through gsl_rng_mt19937
 * seeded with bw_seed32(seed).  n is deliberately absent: w* is drawn first
 * (support by gsl_ran_choose, then one value per support entry), then the
 * rows z_1, z_2, ... in order, each consuming the same number of draws for
 * Rademacher rows (ceil(d/32) 32-bit words, bit j%32 of word j/32 is the
 * sign of z_ij).  So the n-row instance is exactly the first n rows of the
 * (n+1)-row one, with the same w*.  Every dynamics sees the same instance
 * for the same (sweep seed, design, d, kappa, wstar, seed index).
 *
 * Ownership: bw_instance_init allocates, bw_instance_release frees; a
 * released (or zeroed) instance may be released again.
 */
#ifndef BIASWEEP_INSTANCE_H
#define BIASWEEP_INSTANCE_H

#include <stddef.h>
#include <stdint.h>

enum bw_design { BW_DESIGN_RADEMACHER = 0, BW_DESIGN_GAUSSIAN = 1 };
enum bw_wstar { BW_WSTAR_SIGNS = 0, BW_WSTAR_GAUSSIAN = 1 };

struct bw_instance_spec {
	enum bw_design design;
	enum bw_wstar wstar;
	size_t d, n, kappa;
	uint64_t sweep_seed;
	uint32_t seed_index;
};

struct bw_instance {
	struct bw_instance_spec spec;
	size_t n, d;           /* copies of spec.n, spec.d */
	uint64_t seed;         /* bw_instance_seed(spec) */
	int8_t *signs;         /* Rademacher only: n*d row-major +-1; NULL for gaussian */
	double *Z;             /* n*d row-major doubles (for BLAS) */
	double *y;             /* n labels, y = Z w* */
	double *w_star;        /* d */
	double *c;             /* d column weights c_j = sum_i z_ij^2 */
	size_t *support;       /* kappa indices of w*, ascending */
	double wstar_norm;     /* ||w*||_2 */
};

const char *bw_design_name(enum bw_design d);
int bw_design_parse(const char *s, enum bw_design *out); /* BW_OK or BW_EINVAL */
const char *bw_wstar_name(enum bw_wstar w);
int bw_wstar_parse(const char *s, enum bw_wstar *out);

/* Validates (d >= 1, 1 <= n, 1 <= kappa <= d) and reports BW_EINVAL. */
int bw_instance_spec_check(const struct bw_instance_spec *s);
uint64_t bw_instance_seed(const struct bw_instance_spec *s);
int bw_instance_init(struct bw_instance *inst, const struct bw_instance_spec *s);
void bw_instance_release(struct bw_instance *inst);
/* Bytes bw_instance_init allocates for these sizes (for plan's memory check). */
size_t bw_instance_bytes(enum bw_design design, size_t n, size_t d);

#endif
