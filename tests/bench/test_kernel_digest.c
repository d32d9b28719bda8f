/* test_kernel_digest.c - the optimized kernels compute what the reference
 * kernels computed, bit for bit.
 *
 * Each case runs one dynamics on one small instance and hashes its outcome
 * (bw_hash_bytes, FNV-1a + SplitMix64) at two levels:
 *
 *  - kernel digest: final u, v, steps and status.  For label_noise_sgd
 *    without the projection and for plain sgd this depends only on the SGD
 *    kernels (step1_i8, step1_f64, stepB in src/numerics/sgd.c) and on GSL's
 *    mt19937, not on BLAS or libm, so it must match on every x86-64 machine
 *    and for every vector width the kernels were compiled or dispatched to.
 *    The cases are checked with every kernel variant this CPU can run
 *    (bw_sgd_kernel_select: generic, avx2, avx512).
 *  - full digest: u, v, w, the whole trajectory, every scalar of the outcome,
 *    the flags and the message.  Losses, gd, the flow and the projection go
 *    through OpenBLAS (whose kernels depend on the CPU it detects, and whose
 *    results depend on its thread count: pinned to 1 here as in main()) and
 *    libm, so these are compared only where the OpenBLAS build and run-time
 *    core equal those they were recorded with (the NOTE line says when they
 *    are skipped).
 *
 * History of the recorded digests:
 *  - v1: the kernels before the performance work (omp simd reductions, whose
 *    summation order the compiler chose: SSE2, two lanes, in the portable build).
 *    Their digests, same cases and BLAS, for the record:
 *   lnsgd rad d37        kernel 0x5f2df854b5365ab6 full 0xa6757701d99d023b
 *   lnsgd rad d200       kernel 0xc25b5c2a1efdf6a3 full 0x1da8781358a255b3
 *   lnsgd rad d64 proj   kernel 0x61e383928c593037 full 0x0885834e0fb15a1d
 *   lnsgd gau d45        kernel 0xff29dc8cb5fad137 full 0x74ec709d0d6015da
 *   lnsgd gau d130       kernel 0x56c4bb31a4cf5b1a full 0x0dfd758a1875f84e
 *   sgd rad d37 B1       kernel 0x6e65ae90a0fd6860 full 0x4d09845b96730dd4
 *   sgd rad d129 B1      kernel 0x45bfaa9e4e55cd7a full 0x63b9721a14a2270d
 *   sgd gau d51 B1       kernel 0x7c1e931d43ae459d full 0xf34466a99d8fb539
 *   sgd rad d40 B4       kernel 0x1bad273e39de04a6 full 0x16209ea0823ab564
 *   sgd gau d33 B3       kernel 0x54879bf8adabfde8 full 0x363b6d60906d270c
 *   gd rad d37           kernel 0xc439a329c835979f full 0x2b1df52fabf6d164
 *   gd rad d300          kernel 0x7e8c38b508e273cf full 0x63d2e18e672b01cf
 *   gd gau d45           kernel 0xe9d16918dccac7f2 full 0xa51b47f69402c653
 *   flow rad d40         kernel 0x7203506e753a7085 full 0xc15434340d7562d8
 *   flow gau d37         kernel 0xfef6ab1f485edb6f full 0x652409fe10373820
 *  - v2 (current): the dot products <z_next, w> of step1_* and stepB sum in
 *    the fixed order of BW_SGD_LANES (8) partial sums acc[j % 8] over
 *    ascending j, combined ((0+1)+(2+3))+((4+5)+(6+7)) (kernels.h); v1 summed
 *    them in the order the compiler picked for omp simd (step1) or
 *    sequentially (stepB).  Nothing else changed: the updates of u and v and
 *    s_j = sum_b a_b z_bj are the same operations in the same order.  So the
 *    digests of label_noise_sgd and sgd changed from v1 to v2, and those of
 *    gd and the flow did not (checked: identical above and below).
 *
 * `test_kernel_digest --print` prints the table below from the current code
 * (to re-record after a deliberate change of the numerics, with a reason). */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/instance.h"
#include "testutil.h"
#include "../../src/numerics/kernels.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *openblas_get_config(void);
char *openblas_get_corename(void);
void openblas_set_num_threads(int);

/* The OpenBLAS build and the kernels it picked at run time (DYNAMIC_ARCH: by
 * CPU, or OPENBLAS_CORETYPE) when the full digests were recorded. */
static const char RECORDED_BLAS[] = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64 "
				    "/ core Prescott";

static const char *blas_id(void)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "%s / core %s", openblas_get_config(), openblas_get_corename());
	return buf;
}

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *x, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, x, len);
	b->len += len;
}

static uint64_t kernel_digest(const struct bw_outcome *o)
{
	struct bytes b = {0};
	int32_t st = (int32_t)o->status;
	put(&b, o->u, o->d * sizeof(double));
	put(&b, o->v, o->d * sizeof(double));
	put(&b, &o->steps, sizeof o->steps);
	put(&b, &st, sizeof st);
	uint64_t h = bw_hash_bytes(b.p, b.len);
	free(b.p);
	return h;
}

static uint64_t full_digest(const struct bw_outcome *o)
{
	struct bytes b = {0};
	int32_t st = (int32_t)o->status, flags[2] = {o->support_recovered, o->success};
	put(&b, o->u, o->d * sizeof(double));
	put(&b, o->v, o->d * sizeof(double));
	put(&b, o->w, o->d * sizeof(double));
	put(&b, &o->steps, sizeof o->steps);
	put(&b, &st, sizeof st);
	for (size_t i = 0; i < o->ntraj; i++) { /* field by field: no padding bytes */
		const struct bw_checkpoint *c = &o->traj[i];
		put(&b, &c->step, sizeof c->step);
		put(&b, &c->t, sizeof c->t);
		put(&b, &c->loss, sizeof c->loss);
		put(&b, &c->test_error, sizeof c->test_error);
		put(&b, &c->R, sizeof c->R);
	}
	const double s[] = {o->train_loss, o->test_error, o->R, o->l1, o->t, o->eta_used,
			    o->loss_rate, o->alpha_inf, o->alpha_inf_pred, o->int_loss_dt};
	put(&b, s, sizeof s);
	put(&b, flags, sizeof flags);
	put(&b, o->message, strlen(o->message));
	uint64_t h = bw_hash_bytes(b.p, b.len);
	free(b.p);
	return h;
}

struct kase {
	const char *name;
	enum bw_design design;
	size_t d, n, kappa;
	uint32_t seed;
	enum bw_algo algo;
	long batch, steps;
	double time, alpha, sigma;
	int project;
	int kernel_only;      /* the kernel digest is BLAS-independent */
	uint64_t kernel, full; /* recorded digests */
};

/* Recorded with `test_kernel_digest --print` (v2, see the history above). */
static const struct kase cases[] = {
	{"lnsgd rad d37", BW_DESIGN_RADEMACHER, 37, 11, 2, 1, BW_LABEL_NOISE_SGD, 1, 30000, 0, 0.5, 0.5, 0, 1,
	 0xe54039ef84ebe6b0ULL, 0xe202c65d562e914aULL},
	{"lnsgd rad d200", BW_DESIGN_RADEMACHER, 200, 40, 3, 2, BW_LABEL_NOISE_SGD, 1, 20000, 0, 0.3, 1.0, 0, 1,
	 0xb0314a888bed3316ULL, 0xc30472f43e08d9d9ULL},
	{"lnsgd rad d64 proj", BW_DESIGN_RADEMACHER, 64, 20, 2, 3, BW_LABEL_NOISE_SGD, 1, 20000, 0, 0.5, 1.0, 1, 0,
	 0x58366ee9999760f0ULL, 0xe3c5d6224c7d47dfULL},
	{"lnsgd gau d45", BW_DESIGN_GAUSSIAN, 45, 15, 2, 4, BW_LABEL_NOISE_SGD, 1, 20000, 0, 0.5, 0.5, 0, 1,
	 0xdf1e68024c690a03ULL, 0xb167d9a3babef642ULL},
	{"lnsgd gau d130", BW_DESIGN_GAUSSIAN, 130, 30, 3, 5, BW_LABEL_NOISE_SGD, 1, 10000, 0, 0.4, 1.0, 0, 1,
	 0x39e10fc1efea3619ULL, 0x290f2de088bcc5dbULL},
	{"sgd rad d37 B1", BW_DESIGN_RADEMACHER, 37, 14, 2, 6, BW_SGD, 1, 30000, 0, 0.5, 0, 0, 1, 0x5c8507b54aba84ceULL, 0x990ddc98bc5653dfULL},
	{"sgd rad d129 B1", BW_DESIGN_RADEMACHER, 129, 60, 2, 7, BW_SGD, 1, 20000, 0, 0.5, 0, 0, 1, 0x6456769f64d8dbc4ULL, 0x4dabfd40d15b19f2ULL},
	{"sgd gau d51 B1", BW_DESIGN_GAUSSIAN, 51, 20, 2, 8, BW_SGD, 1, 20000, 0, 0.5, 0, 0, 1, 0x739e7e045f5a7776ULL, 0x44b9f75f0294dc70ULL},
	{"sgd rad d40 B4", BW_DESIGN_RADEMACHER, 40, 16, 2, 9, BW_SGD, 4, 10000, 0, 0.5, 0, 0, 1, 0x9d4af75a77633294ULL, 0xf562e2c25990c384ULL},
	{"sgd gau d33 B3", BW_DESIGN_GAUSSIAN, 33, 12, 2, 10, BW_SGD, 3, 10000, 0, 0.5, 0, 0, 1, 0x8b8f66f715e1d9b6ULL, 0xbfd98c9a6b61ebb3ULL},
	{"gd rad d37", BW_DESIGN_RADEMACHER, 37, 15, 2, 11, BW_GD, 1, 3000, 0, 0.5, 0, 0, 0, 0xc439a329c835979fULL, 0x2b1df52fabf6d164ULL},
	{"gd rad d300", BW_DESIGN_RADEMACHER, 300, 60, 3, 12, BW_GD, 1, 2000, 0, 1.0, 0, 0, 0, 0x7e8c38b508e273cfULL, 0x63d2e18e672b01cfULL},
	{"gd gau d45", BW_DESIGN_GAUSSIAN, 45, 20, 2, 13, BW_GD, 1, 3000, 0, 0.5, 0, 0, 0, 0xe9d16918dccac7f2ULL, 0xa51b47f69402c653ULL},
	{"flow rad d40", BW_DESIGN_RADEMACHER, 40, 16, 2, 14, BW_RIEMANNIAN_FLOW, 1, 0, 1.0, 0.5, 0, 0, 0, 0x7203506e753a7085ULL,
	 0xc15434340d7562d8ULL},
	{"flow gau d37", BW_DESIGN_GAUSSIAN, 37, 15, 2, 15, BW_RIEMANNIAN_FLOW, 1, 0, 1.0, 0.5, 0, 0, 0, 0xfef6ab1f485edb6fULL,
	 0x652409fe10373820ULL},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static int run_case(const struct kase *k, struct bw_outcome *o)
{
	struct bw_instance_spec s = {.design = k->design, .d = k->d, .n = k->n, .kappa = k->kappa,
				     .sweep_seed = 3, .seed_index = k->seed};
	struct bw_instance inst;
	if (bw_instance_init(&inst, &s) != BW_OK)
		return -1;
	struct bw_run_params p;
	bw_run_params_default(&p, k->algo);
	p.alpha = k->alpha;
	p.batch = k->batch;
	p.max_steps = k->steps;
	p.max_time = k->time;
	if (k->algo == BW_LABEL_NOISE_SGD) {
		p.sigma = k->sigma;
		p.project = k->project;
	}
	p.noise_seed = bw_noise_seed(inst.seed, k->algo);
	int rc = bw_run(&inst, &p, o);
	bw_instance_release(&inst);
	return rc;
}

int main(int argc, char **argv)
{
	openblas_set_num_threads(1); /* as biasweep's main(): BLAS results depend on the thread count */
	int print = argc > 1 && !strcmp(argv[1], "--print");
	const char *blas = blas_id();
	int same_blas = !strcmp(blas, RECORDED_BLAS);
	if (print) {
		printf("/* recorded with %s */\n", blas);
		for (int i = 0; i < NCASES; i++) {
			struct bw_outcome o;
			if (run_case(&cases[i], &o) != BW_OK) {
				printf("case %s failed: %s\n", cases[i].name, bw_error_message());
				return 1;
			}
			printf("%-20s kernel 0x%016" PRIx64 "ULL full 0x%016" PRIx64 "ULL (%s, %ld steps)\n",
			       cases[i].name, kernel_digest(&o), full_digest(&o), bw_run_status_name(o.status), o.steps);
			bw_outcome_release(&o);
		}
		return 0;
	}
	if (!same_blas)
		printf("NOTE full digests recorded with '%s', this is '%s': only the BLAS-independent kernel "
		       "digests are compared\n",
		       RECORDED_BLAS, blas);

	const char *variants[] = {"generic", "avx2", "avx512"};
	for (int vi = 0; vi < 3; vi++) {
		if (bw_sgd_kernel_select(variants[vi]) != 0) {
			printf("NOTE kernel variant %s: not supported by this CPU, skipped\n", variants[vi]);
			continue;
		}
		TU_CHECK(!strcmp(bw_sgd_kernel_name(), variants[vi]), "selected %s, running %s", variants[vi],
			 bw_sgd_kernel_name());
		for (int i = 0; i < NCASES; i++) {
			const struct kase *k = &cases[i];
			if (vi > 0 && !k->kernel_only && k->algo != BW_LABEL_NOISE_SGD)
				continue; /* gd and the flow do not use the SGD kernels */
			struct bw_outcome o;
			int rc = run_case(k, &o);
			TU_CHECK(rc == BW_OK, "%s: bw_run: %s", k->name, bw_error_message());
			if (rc != BW_OK) {
				bw_error_clear();
				continue;
			}
			uint64_t kd = kernel_digest(&o), fd = full_digest(&o);
			int kok = kd == k->kernel, fok = fd == k->full;
			printf("%-8s %-20s %-9s %8ld steps  kernel %016" PRIx64 " %s  full %016" PRIx64 " %s\n", variants[vi],
			       k->name, bw_run_status_name(o.status), o.steps, kd,
			       kok ? "ok" : k->kernel_only || same_blas ? "DIFFERS" : "(other BLAS)", fd,
			       fok ? "ok" : same_blas ? "DIFFERS" : "(not compared)");
			if (k->kernel_only || same_blas)
				TU_CHECK(kok, "%s (%s kernels): kernel digest %016" PRIx64 ", recorded %016" PRIx64, k->name,
					 variants[vi], kd, k->kernel);
			if (same_blas)
				TU_CHECK(fok, "%s (%s kernels): full digest %016" PRIx64 ", recorded %016" PRIx64, k->name,
					 variants[vi], fd, k->full);
			bw_outcome_release(&o);
		}
	}
	bw_sgd_kernel_select(NULL);
	return tu_summary("test_kernel_digest");
}
