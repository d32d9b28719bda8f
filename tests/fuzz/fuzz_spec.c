/* fuzz_spec.c - libFuzzer harness for the spec parser and validator
 * (bw_spec_load_string, src/sweep/spec.c).
 *
 * The input is the text of a spec.  A spec is either refused (BW_EINVAL with
 * a message naming the spec, BW_ENOMEM) or it loads, and then it must keep
 * the promises of spec.h; any other outcome aborts, and so does anything
 * AddressSanitizer or UndefinedBehaviorSanitizer sees.  Built two ways: by
 * tests/fuzz/build.sh with clang -fsanitize=fuzzer,address,undefined (the
 * fuzzer), and by meson with replay.c as a plain program that feeds it the
 * seed corpus and tests/fuzz/regressions/spec (the regression test). */
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/spec.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)                                                        \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz_spec: invariant broken: " __VA_ARGS__); \
			fprintf(stderr, "\n");                                    \
			abort();                                                  \
		}                                                                 \
	} while (0)

static void check_task(const struct bw_task *t)
{
	char canon[BW_TASK_CANONICAL_MAX];
	REQUIRE(t->inst.d >= 1 && t->inst.n >= 1 && t->inst.kappa >= 1, "sizes >= 1");
	REQUIRE(t->inst.kappa <= t->inst.d && t->inst.kappa <= t->inst.n, "kappa <= d, n");
	REQUIRE(t->run.algo >= 0 && t->run.algo < BW_ALGO_COUNT, "algorithm in range");
	REQUIRE(t->run.alpha > 0 && isfinite(t->run.alpha), "alpha > 0");
	REQUIRE(t->run.eps > 0 && t->run.tol > 0, "eps, tol > 0");
	REQUIRE(t->run.max_steps >= 0 && t->run.max_time >= 0, "budgets >= 0");
	REQUIRE(bw_task_canonical(t, canon, sizeof canon) == BW_OK, "canonical string fits");
	struct bw_task copy = *t;
	bw_task_set_key(&copy);
	REQUIRE(copy.key == t->key && !strcmp(copy.key_hex, t->key_hex), "key is the hash of the canonical string");
	/* a planned task must be runnable: its instance passes the instance checks */
	bw_error_clear();
	REQUIRE(bw_instance_spec_check(&t->inst) == BW_OK, "task d=%zu n=%zu kappa=%zu refused at run time: %s",
		t->inst.d, t->inst.n, t->inst.kappa, bw_error_message());
	(void)bw_task_bytes(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct bw_spec spec;
	bw_error_clear();
	int rc = bw_spec_load_string("fuzz.cfg", text, &spec);
	if (rc != BW_OK) {
		REQUIRE(rc == BW_EINVAL || rc == BW_ENOMEM, "a refusal is BW_EINVAL or BW_ENOMEM (got %d: %s)", rc,
			bw_error_message());
		REQUIRE(bw_error_message()[0], "a refusal has a message");
		if (rc == BW_EINVAL)
			REQUIRE(!strncmp(bw_error_message(), "fuzz.cfg", 8), "the message names the spec: '%s'",
				bw_error_message());
		REQUIRE(!spec.tasks && !spec.searches && !spec.ntasks, "a refusal leaves nothing to free");
		free(text);
		return 0;
	}
	/* a spec whose every grid point is dropped loads with no work (plan shows "tasks 0") */
	REQUIRE(spec.ntasks <= BW_SPEC_MAX_TASKS, "at most BW_SPEC_MAX_TASKS tasks");
	REQUIRE(spec.name && spec.name[0] && spec.path && spec.text, "name, path and text are set");
	for (const char *c = spec.name; *c; c++) /* the name names files: DIR/NAME-RUN.h5 */
		REQUIRE(*c != '/' && (unsigned char)*c >= 0x20, "the name '%s' is a plain file name", spec.name);
	REQUIRE(strlen(spec.name) <= BW_SPEC_NAME_MAX && strcmp(spec.name, ".") && strcmp(spec.name, ".."),
		"the name '%s' is a file name of at most %d bytes", spec.name, BW_SPEC_NAME_MAX);
	size_t per = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		per += spec.per_algo[a];
	REQUIRE(per == spec.ntasks, "per_algo sums to ntasks");
	/* every task's invariants on small grids; a strided sample of 20000 on large ones (a grid of a
	 * million tasks is legal, and checking each would take the fuzzer's whole time) */
	size_t stride = spec.ntasks > 20000 ? spec.ntasks / 20000 : 1;
	for (size_t i = 0; i < spec.ntasks; i++) {
		if (i % stride == 0 || i + 1 == spec.ntasks)
			check_task(&spec.tasks[i]);
		if (i) { /* descending cost, ties by key, keys unique */
			const struct bw_task *a = &spec.tasks[i - 1], *b = &spec.tasks[i];
			REQUIRE(a->key != b->key, "keys are unique");
			REQUIRE(a->cost > b->cost || (a->cost == b->cost && a->key < b->key) || isnan(a->cost) ||
					isnan(b->cost),
				"tasks ordered by descending cost, then key");
		}
	}
	size_t sstride = spec.nsearch > 20000 ? spec.nsearch / 20000 : 1;
	for (size_t i = 0; i < spec.nsearch; i += sstride) {
		const struct bw_search *s = &spec.searches[i];
		REQUIRE(s->lo >= 1 && s->lo <= s->hi && s->resolution >= 1, "search bounds");
		REQUIRE(s->max_probes >= 1, "a search has a probe");
		REQUIRE(s->base.inst.n == (size_t)s->hi, "the base probe sits at hi");
		check_task(&s->base);
		struct bw_task probe;
		bw_search_probe(s, s->lo, &probe);
		check_task(&probe);
	}
	/* the admission of plan and run: refused with a message naming the spec, or every
	 * cost and their sum finite (plan prints no NaN, no Inf) */
	struct bw_admit_opts ao = {1e18, "results/catalog.sqlite"};
	struct bw_admission adm;
	bw_error_clear();
	rc = bw_spec_admit(&spec, &ao, &adm);
	if (rc != BW_OK) {
		REQUIRE(rc == BW_EINVAL && !strncmp(bw_error_message(), "fuzz.cfg", 8), "an admission refusal names the "
			"spec (got %d: '%s')", rc, bw_error_message());
	} else {
		REQUIRE(isfinite(spec.total_cost), "an admitted spec has a finite cost (%g)", spec.total_cost);
		REQUIRE(!adm.largest || (double)adm.bytes <= 1e18, "the largest task fits the limit");
	}
	bw_spec_release(&spec);
	free(text);
	return 0;
}
