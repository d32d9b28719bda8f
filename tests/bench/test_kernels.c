/* test_kernels.c - every SGD kernel variant this CPU runs (kernels.h) gives,
 * bit for bit, what a plain scalar reference of the documented order gives:
 *  - step1 on int8 signs and on the same rows as doubles +-1.0 (the two agree),
 *    and step1 on Gaussian rows, for d = 0..70 (every tail), 1000 and 1037;
 *  - stepB for B = 2, 3, 5 across blocks (d = 1100: two blocks and a tail);
 *  - the updated u, v and the returned dot products.
 * No BLAS or libm is involved, so this holds on every machine.  Variants the
 * CPU cannot run are reported and skipped. */
#include "testutil.h"
#include "../../src/numerics/kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static double unif(void) /* xorshift64*, uniform in (0, 1) */
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return ((double)((rs * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

static double sum8(const double *acc)
{
	return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

static double ref_step1(size_t d, const double *zc, const double *zn, double a, double *u, double *v)
{
	double acc[8] = {0};
	for (size_t j = 0; j < d; j++) {
		double s = a * zc[j];
		double uj = u[j] - u[j] * s, vj = v[j] + v[j] * s;
		u[j] = uj;
		v[j] = vj;
		acc[j % 8] += zn[j] * (uj * uj - vj * vj);
	}
	return sum8(acc);
}

static void ref_stepB(size_t d, size_t B, const double *Z, const size_t *cur, const double *a, const size_t *nxt,
		      double *u, double *v, double *nd)
{
	double *acc = calloc(8 * B, sizeof(double));
	for (size_t j = 0; j < d; j++) {
		double s = 0;
		for (size_t b = 0; b < B; b++)
			s += a[b] * Z[cur[b] * d + j];
		double uj = u[j] - u[j] * s, vj = v[j] + v[j] * s, wj = uj * uj - vj * vj;
		u[j] = uj;
		v[j] = vj;
		for (size_t b = 0; b < B; b++)
			acc[8 * b + j % 8] += Z[nxt[b] * d + j] * wj;
	}
	for (size_t b = 0; b < B; b++)
		nd[b] = sum8(acc + 8 * b);
	free(acc);
}

static int same(const double *x, const double *y, size_t m) { return memcmp(x, y, m * sizeof(double)) == 0; }

static void fill_state(size_t d, double *u, double *v)
{
	for (size_t j = 0; j < d; j++) {
		u[j] = 0.1 + unif();
		v[j] = 0.1 + unif();
	}
}

static void check_step1(const struct bw_sgd_kernels *k, size_t d)
{
	int8_t *sc = malloc(d + 1), *sn = malloc(d + 1);
	double *zc = malloc((d + 1) * sizeof(double)), *zn = malloc((d + 1) * sizeof(double));
	double *gc = malloc((d + 1) * sizeof(double)), *gn = malloc((d + 1) * sizeof(double));
	double *u0 = malloc((d + 1) * sizeof(double)), *v0 = malloc((d + 1) * sizeof(double));
	double *u1 = malloc((d + 1) * sizeof(double)), *v1 = malloc((d + 1) * sizeof(double));
	double *u2 = malloc((d + 1) * sizeof(double)), *v2 = malloc((d + 1) * sizeof(double));
	for (size_t j = 0; j < d; j++) {
		sc[j] = unif() < 0.5 ? -1 : 1;
		sn[j] = unif() < 0.5 ? -1 : 1;
		zc[j] = sc[j];
		zn[j] = sn[j];
		gc[j] = 2 * unif() - 1;
		gn[j] = 2 * unif() - 1;
	}
	fill_state(d, u0, v0);
	double a = 0.01 * (unif() - 0.5);
	/* signs, as int8 and as doubles */
	memcpy(u1, u0, d * sizeof(double));
	memcpy(v1, v0, d * sizeof(double));
	double want = ref_step1(d, zc, zn, a, u1, v1);
	memcpy(u2, u0, d * sizeof(double));
	memcpy(v2, v0, d * sizeof(double));
	double got = k->step1_i8(d, sc, sn, a, u2, v2);
	TU_CHECK(memcmp(&got, &want, sizeof got) == 0 && same(u1, u2, d) && same(v1, v2, d),
		 "%s step1_i8 d=%zu: %.17g vs reference %.17g", k->name, d, got, want);
	memcpy(u2, u0, d * sizeof(double));
	memcpy(v2, v0, d * sizeof(double));
	got = k->step1_f64(d, zc, zn, a, u2, v2);
	TU_CHECK(memcmp(&got, &want, sizeof got) == 0 && same(u1, u2, d) && same(v1, v2, d),
		 "%s step1_f64 (signs) d=%zu: %.17g vs reference %.17g", k->name, d, got, want);
	/* Gaussian rows */
	memcpy(u1, u0, d * sizeof(double));
	memcpy(v1, v0, d * sizeof(double));
	want = ref_step1(d, gc, gn, a, u1, v1);
	memcpy(u2, u0, d * sizeof(double));
	memcpy(v2, v0, d * sizeof(double));
	got = k->step1_f64(d, gc, gn, a, u2, v2);
	TU_CHECK(memcmp(&got, &want, sizeof got) == 0 && same(u1, u2, d) && same(v1, v2, d),
		 "%s step1_f64 (gaussian) d=%zu: %.17g vs reference %.17g", k->name, d, got, want);
	free(sc);
	free(sn);
	free(zc);
	free(zn);
	free(gc);
	free(gn);
	free(u0);
	free(v0);
	free(u1);
	free(v1);
	free(u2);
	free(v2);
}

static void check_stepB(const struct bw_sgd_kernels *k, size_t d, size_t B)
{
	size_t n = B + 3;
	double *Z = malloc(n * d * sizeof(double)), *a = malloc(B * sizeof(double));
	double *u0 = malloc(d * sizeof(double)), *v0 = malloc(d * sizeof(double));
	double *u1 = malloc(d * sizeof(double)), *v1 = malloc(d * sizeof(double));
	double *u2 = malloc(d * sizeof(double)), *v2 = malloc(d * sizeof(double));
	double *nd1 = malloc(B * sizeof(double)), *nd2 = malloc(B * sizeof(double));
	double *scratch = malloc(BW_STEPB_SCRATCH(B) * sizeof(double));
	size_t *cur = malloc(B * sizeof(size_t)), *nxt = malloc(B * sizeof(size_t));
	for (size_t i = 0; i < n * d; i++)
		Z[i] = 2 * unif() - 1;
	for (size_t b = 0; b < B; b++) {
		a[b] = 0.01 * (unif() - 0.5);
		cur[b] = (b * 2 + 1) % n;
		nxt[b] = (b * 3 + 2) % n;
	}
	fill_state(d, u0, v0);
	memcpy(u1, u0, d * sizeof(double));
	memcpy(v1, v0, d * sizeof(double));
	memcpy(u2, u0, d * sizeof(double));
	memcpy(v2, v0, d * sizeof(double));
	ref_stepB(d, B, Z, cur, a, nxt, u1, v1, nd1);
	k->stepB(d, B, Z, cur, a, nxt, u2, v2, nd2, scratch);
	TU_CHECK(same(nd1, nd2, B) && same(u1, u2, d) && same(v1, v2, d), "%s stepB d=%zu B=%zu: nd[0] %.17g vs %.17g",
		 k->name, d, B, nd2[0], nd1[0]);
	free(Z);
	free(a);
	free(u0);
	free(v0);
	free(u1);
	free(v1);
	free(u2);
	free(v2);
	free(nd1);
	free(nd2);
	free(scratch);
	free(cur);
	free(nxt);
}

int main(void)
{
	size_t nv;
	const struct bw_sgd_kernels *vs = bw_sgd_kernel_variants(&nv);
	TU_CHECK(nv >= 1 && !strcmp(vs[0].name, "generic"), "the generic variant is always there");
	TU_CHECK(bw_sgd_kernels_active() != NULL, "a variant is active (%s)", bw_sgd_kernel_name());
	TU_CHECK(bw_sgd_kernel_select("no-such-isa") == -1, "unknown names are refused");
	for (size_t i = 0; i < nv; i++) {
		const struct bw_sgd_kernels *k = &vs[i];
		if (!bw_sgd_kernel_supported(k)) {
			printf("NOTE variant %s (%s): not supported by this CPU, skipped\n", k->name, k->isa);
			continue;
		}
		int before = tu_fail;
		for (size_t d = 0; d <= 70; d++)
			check_step1(k, d);
		check_step1(k, 1000);
		check_step1(k, 1037);
		for (size_t B = 2; B <= 5; B += (B == 3 ? 2 : 1)) {
			check_stepB(k, 37, B);
			check_stepB(k, 512, B);
			check_stepB(k, 1100, B);
		}
		printf("variant %-8s (%s): %s\n", k->name, k->isa, tu_fail == before ? "bit-identical to the reference"
										   : "DIFFERS");
	}
	return tu_summary("test_kernels");
}
