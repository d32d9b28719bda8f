/* test_hash.c - the stable hash behind seeds and keys (src/util/hash.c):
 *  - the reference (refhash.h) against the published vectors: FNV-1a 64 of
 *    "", "a", "foobar" (draft-eastlake-fnv) and the splitmix64.c outputs for
 *    seeds 0 and 1234567 (Vigna; Rosetta Code "Pseudo-random numbers/Splitmix64");
 *  - bw_mix64 = the SplitMix64 finalizer on those vectors, and bw_hash_bytes,
 *    bw_hash_str, bw_hash_fmt = finalizer(FNV-1a 64) on the published FNV
 *    inputs, embedded NULs, every byte value, and formatted strings (up to the
 *    documented 1023 formatted bytes) written out by hand;
 *  - bw_seed32 folds the two halves (hand-computed) and is never 0;
 *  - the documented canonical strings: a task key (spec.h's example, whose
 *    hex is pinned), an instance seed and a noise seed computed from
 *    hand-written strings, and pinned as hex (computed by a third, Python,
 *    implementation), so a change of the hash or of a string that would
 *    orphan existing catalogs fails here. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/instance.h"
#include "biasweep/spec.h"
#include "refhash.h"
#include "testutil.h"

#include <inttypes.h>
#include <string.h>

static void test_reference(void)
{
	/* FNV-1a 64 vectors (draft-eastlake-fnv, FNV test suite) */
	TU_CHECK(ref_fnv1a64("", 0) == 0xcbf29ce484222325ULL, "ref fnv1a64('')");
	TU_CHECK(ref_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL, "ref fnv1a64('a')");
	TU_CHECK(ref_fnv1a64("foobar", 6) == 0x85944171f73967e8ULL, "ref fnv1a64('foobar')");
	/* splitmix64.c, seed 0 and seed 1234567 */
	static const uint64_t seed0[] = {0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL, 0x06c45d188009454fULL,
					 0xf88bb8a8724c81ecULL, 0x1b39896a51a8749bULL};
	static const uint64_t seed1234567[] = {6457827717110365317ULL, 3203168211198807973ULL,
					       9817491932198370423ULL, 4593380528125082431ULL,
					       16408922859458223821ULL};
	uint64_t x = 0, y = 1234567;
	for (int k = 0; k < 5; k++) {
		TU_CHECK(ref_splitmix_next(&x) == seed0[k], "ref splitmix64 seed 0, output %d", k + 1);
		TU_CHECK(ref_splitmix_next(&y) == seed1234567[k], "ref splitmix64 seed 1234567, output %d", k + 1);
	}
}

static void test_mix64(void)
{
	/* the k-th output of the generator seeded s is the finalizer at s + k * gamma */
	static const uint64_t seed1234567[] = {6457827717110365317ULL, 3203168211198807973ULL,
					       9817491932198370423ULL, 4593380528125082431ULL,
					       16408922859458223821ULL};
	const uint64_t gamma = 0x9e3779b97f4a7c15ULL;
	for (uint64_t k = 1; k <= 5; k++)
		TU_CHECK(bw_mix64(1234567 + k * gamma) == seed1234567[k - 1], "bw_mix64: splitmix64 seed 1234567 output %d",
			 (int)k);
	TU_CHECK(bw_mix64(gamma) == 0xe220a8397b1dcdafULL, "bw_mix64(gamma): splitmix64 seed 0, first output");
	TU_CHECK(bw_mix64(2 * gamma) == 0x6e789e6aa1b965f4ULL, "bw_mix64(2 gamma): splitmix64 seed 0, second output");
	TU_CHECK(bw_mix64(0) == 0, "bw_mix64(0) = 0 (xor-shifts and products keep 0)");
}

static void test_hash_bytes(void)
{
	/* the published FNV inputs, through the finalizer */
	TU_CHECK(bw_hash_str("") == bw_mix64(0xcbf29ce484222325ULL), "bw_hash_str(''): finalizer of the offset basis");
	TU_CHECK(bw_hash_str("a") == ref_mix64(0xaf63dc4c8601ec8cULL), "bw_hash_str('a')");
	TU_CHECK(bw_hash_str("foobar") == ref_mix64(0x85944171f73967e8ULL), "bw_hash_str('foobar')");
	TU_CHECK(bw_hash_bytes("foobar", 6) == ref_mix64(0x85944171f73967e8ULL), "bw_hash_bytes('foobar', 6)");
	TU_CHECK(bw_hash_bytes("foobar", 0) == bw_hash_str(""), "bw_hash_bytes of 0 bytes is the empty string's");
	/* bytes, not a C string: a NUL inside counts, and so does every byte value (unsigned) */
	const char nul[] = {'a', 0, 'b'};
	TU_CHECK(bw_hash_bytes(nul, 3) == ref_mix64(ref_fnv1a64(nul, 3)), "bw_hash_bytes with an embedded NUL");
	TU_CHECK(bw_hash_bytes(nul, 3) != bw_hash_str("a"), "the bytes after a NUL enter the hash");
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)(255 - i);
	int bad = 0;
	for (size_t len = 0; len <= 256; len++)
		bad += bw_hash_bytes(all, len) != ref_mix64(ref_fnv1a64(all, len));
	TU_CHECK(bad == 0, "bw_hash_bytes of every prefix of bytes 255..0: %d of 257 differ from the reference", bad);
	/* a long string: the canonical strings are short, the text of a spec is not */
	static char text[100001];
	for (size_t i = 0; i < sizeof text - 1; i++)
		text[i] = (char)('a' + (i * 7919) % 26);
	text[sizeof text - 1] = 0;
	TU_CHECK(bw_hash_str(text) == ref_hash_str(text), "bw_hash_str of 100000 bytes");
}

static void test_hash_fmt(void)
{
	TU_CHECK(bw_hash_fmt("foobar") == ref_hash_str("foobar"), "bw_hash_fmt without conversions");
	TU_CHECK(bw_hash_fmt("x=%d y=%s z=%.17g u=%" PRIu64, -3, "ab", 0.1, UINT64_MAX) ==
			 ref_hash_str("x=-3 y=ab z=0.10000000000000001 u=18446744073709551615"),
		 "bw_hash_fmt = hash of the formatted string, written by hand");
	TU_CHECK(bw_hash_fmt("%s", "") == ref_hash_str(""), "bw_hash_fmt of an empty result");
	TU_CHECK(bw_hash_fmt("100%%") == ref_hash_str("100%"), "bw_hash_fmt: %%%% is one %%");
	/* the longest formatted string hash.c's buffer holds whole: 1023 bytes */
	static char want[1024];
	memset(want, 'k', 1023);
	want[1023] = 0;
	TU_CHECK(bw_hash_fmt("%s%s", "kkk", want + 3) == ref_hash_str(want), "bw_hash_fmt of 1023 formatted bytes");
}

static void test_seed32(void)
{
	/* both halves folded by xor, hand-computed */
	TU_CHECK(bw_seed32(0x0123456789abcdefULL) == 0x88888888UL, "seed32 0x0123456789abcdef = 0x01234567 ^ 0x89abcdef");
	TU_CHECK(bw_seed32(0x00000000ffffffffULL) == 0xffffffffUL, "seed32 of the low half alone");
	TU_CHECK(bw_seed32(0xffffffff00000000ULL) == 0xffffffffUL, "seed32 of the high half alone");
	TU_CHECK(bw_seed32(0x1200000000000034ULL) == 0x12000034UL, "seed32 0x1200000000000034");
	/* never 0, even where the halves cancel */
	TU_CHECK(bw_seed32(0) != 0, "seed32(0) is not 0");
	TU_CHECK(bw_seed32(0xdeadbeefdeadbeefULL) != 0, "seed32 of equal halves is not 0");
	int bad = 0;
	uint64_t st = 42;
	for (int i = 0; i < 100000; i++) {
		unsigned long s = bw_seed32(ref_splitmix_next(&st));
		bad += s == 0 || s > 0xffffffffUL;
	}
	TU_CHECK(bad == 0, "seed32 of 100000 hashes: %d zero or wider than 32 bits", bad);
}

/* The documented canonical strings (instance.h / dynamics.h, spec.h), written
 * out by hand: what a catalog made before any change was keyed with. */
static void test_documented_strings(void)
{
	/* spec.h's example task */
	const char *canon = "bw-task/1 algo=gd design=rademacher wstar=signs d=20 n=10 kappa=2 sweep_seed=0 seed=1 "
			    "alpha=3 eta=auto steps=1000 time=0 eps=0.10000000000000001 tol=1e-10";
	struct bw_spec s;
	bw_error_clear();
	int rc = bw_spec_load_string("t.cfg", "d = 20; n = 10; kappa = 2; seeds = [1]; alpha = 3.0; steps = 1000;"
						 "algorithm = \"gd\";",
				     &s);
	TU_CHECK(rc == BW_OK && s.ntasks == 1, "the example spec loads: %s", bw_error_message());
	if (rc == BW_OK && s.ntasks == 1) {
		char buf[BW_TASK_CANONICAL_MAX];
		TU_CHECK(bw_task_canonical(&s.tasks[0], buf, sizeof buf) == BW_OK && !strcmp(buf, canon),
			 "spec.h's example canonical string\n  got  '%s'\n  want '%s'", buf, canon);
		TU_CHECK(s.tasks[0].key == ref_hash_str(canon), "task key = hash of spec.h's example string");
		char hex[17];
		snprintf(hex, sizeof hex, "%016" PRIx64, ref_hash_str(canon));
		TU_CHECK(!strcmp(s.tasks[0].key_hex, hex), "key_hex %s, want %s", s.tasks[0].key_hex, hex);
		/* pinned: this key is in catalogs already made */
		TU_CHECK(!strcmp(s.tasks[0].key_hex, "a3c7cac4987bbeb5"), "the example's key %s, pinned a3c7cac4987bbeb5",
			 s.tasks[0].key_hex);
		bw_spec_release(&s);
	}
	/* instance and noise seeds: instance.c and dynamics.c document these strings */
	struct bw_instance_spec is = {.design = BW_DESIGN_GAUSSIAN, .wstar = BW_WSTAR_SIGNS, .d = 100, .n = 30,
				      .kappa = 4, .sweep_seed = 12345678901ULL, .seed_index = 7};
	uint64_t iseed = bw_instance_seed(&is);
	TU_CHECK(iseed == ref_hash_str("bw-instance/1 seed=12345678901 design=gaussian d=100 kappa=4 wstar=signs index=7"),
		 "instance seed = hash of its documented string");
	TU_CHECK(iseed == 0x7d3cfcf064e4ae7bULL, "instance seed %016" PRIx64 ", pinned 7d3cfcf064e4ae7b", iseed);
	char ns[128];
	snprintf(ns, sizeof ns, "bw-noise/1 instance=%" PRIu64 " algo=label_noise_sgd", iseed);
	TU_CHECK(bw_noise_seed(iseed, BW_LABEL_NOISE_SGD) == ref_hash_str(ns), "noise seed = hash of '%s'", ns);
	TU_CHECK(bw_noise_seed(iseed, BW_LABEL_NOISE_SGD) == 0x758e26d35232eb83ULL, "noise seed pinned 758e26d35232eb83");
	TU_CHECK(bw_noise_seed(0, BW_SGD) == ref_hash_str("bw-noise/1 instance=0 algo=sgd") &&
			 bw_noise_seed(0, BW_SGD) == 0x61a2a23c0e916734ULL,
		 "noise seed of instance 0, pinned 61a2a23c0e916734");
}

int main(void)
{
	test_reference();
	test_mix64();
	test_hash_bytes();
	test_hash_fmt();
	test_seed32();
	test_documented_strings();
	return tu_summary("test_hash");
}
