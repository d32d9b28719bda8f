/* test_override.c - `--set` overrides (bw_spec_load_string_with): the spec
 * with overrides expands to the same tasks (keys) as the same spec written
 * out by hand with those values; the effective text (spec->text) loads back
 * to the same tasks; a group path (algorithms.sgd.batch) and a new group;
 * errors name the override and leave nothing allocated. */
#include "biasweep/error.h"
#include "biasweep/spec.h"
#include "testutil.h"

#include <string.h>

static const char base[] =
	"# a small spec\n"
	"d = [20];\nn = [10, 14];\nkappa = 2;\nseeds = 2;\nalpha = 0.5;\n"
	"algorithms = {\n  gd = { steps = 100; };\n  sgd = { batch = 2; steps = 100; };\n};\n";

/* the same as base with d = [20, 30], seeds = 3 and sgd's batch 4, alpha 0.25, written by hand */
static const char by_hand[] =
	"d = [20, 30];\nn = [10, 14];\nkappa = 2;\nseeds = 3;\nalpha = 0.25;\n"
	"algorithms = {\n  gd = { steps = 100; };\n  sgd = { batch = 4; steps = 100; };\n};\n";

static int same_tasks(const char *what, const struct bw_spec *a, const struct bw_spec *b)
{
	TU_CHECK(a->ntasks == b->ntasks, "%s: %zu tasks, want %zu", what, a->ntasks, b->ntasks);
	if (a->ntasks != b->ntasks)
		return 0;
	int same = 1;
	for (size_t i = 0; i < a->ntasks; i++)
		same &= !strcmp(a->tasks[i].key_hex, b->tasks[i].key_hex);
	TU_CHECK(same, "%s: the task keys differ", what);
	return same;
}

static void test_same_as_by_hand(void)
{
	const char *sets[] = {"d=[20,30]", "seeds = 3", "alpha=0.25", "algorithms.sgd.batch=4"};
	struct bw_spec o, h, back;
	int rc = bw_spec_load_string_with("t.cfg", base, sets, 4, &o);
	TU_CHECK(rc == BW_OK, "overrides: %s", bw_error_message());
	rc |= bw_spec_load_string("t.cfg", by_hand, &h);
	TU_CHECK(rc == BW_OK, "by hand: %s", bw_error_message());
	if (rc != BW_OK)
		return;
	TU_CHECK(h.ntasks == 2 * 2 * 3 * 2, "by hand: %zu tasks, want 24 (2 d x 2 n x 3 seeds x gd, sgd)", h.ntasks);
	same_tasks("overrides vs by hand", &o, &h);
	TU_CHECK(strstr(o.text, "--set d=[20,30] --set seeds = 3") != NULL, "the effective text names the overrides:\n%s",
		 o.text);
	TU_CHECK(o.text_hash != h.text_hash || strcmp(o.text, h.text), "effective text");
	/* the effective text is a spec of its own with the same tasks */
	rc = bw_spec_load_string("t.cfg", o.text, &back);
	TU_CHECK(rc == BW_OK, "the effective text does not load: %s\n%s", bw_error_message(), o.text);
	if (rc == BW_OK) {
		same_tasks("effective text vs overrides", &back, &o);
		bw_spec_release(&back);
	}
	bw_spec_release(&o);
	bw_spec_release(&h);

	/* without overrides the text is the file's, byte for byte */
	rc = bw_spec_load_string_with("t.cfg", base, NULL, 0, &o);
	TU_CHECK(rc == BW_OK && !strcmp(o.text, base), "no overrides: the text is not the file's");
	if (rc == BW_OK)
		bw_spec_release(&o);
}

/* a group that the file lacks is added; floats that need 17 digits survive the effective text */
static void test_new_group(void)
{
	const char *sets[] = {"algorithms.riemannian_flow = { time = 0.30000000000000004; }"};
	struct bw_spec o, back;
	int rc = bw_spec_load_string_with("t.cfg", base, sets, 1, &o);
	TU_CHECK(rc == BW_OK, "new group: %s", bw_error_message());
	if (rc != BW_OK)
		return;
	TU_CHECK(o.per_algo[BW_RIEMANNIAN_FLOW] == 2 * 2, "new group: %zu flow tasks, want 4", o.per_algo[BW_RIEMANNIAN_FLOW]);
	rc = bw_spec_load_string("t.cfg", o.text, &back);
	TU_CHECK(rc == BW_OK, "effective text: %s\n%s", bw_error_message(), o.text);
	if (rc == BW_OK) {
		same_tasks("new group, effective text", &back, &o);
		bw_spec_release(&back);
	}
	bw_spec_release(&o);
}

static void expect_error(const char *set, const char *msg_want)
{
	struct bw_spec s;
	bw_error_clear();
	int rc = bw_spec_load_string_with("t.cfg", base, &set, 1, &s);
	const char *msg = bw_error_message();
	TU_CHECK(rc == BW_EINVAL, "--set %s: rc %d, want BW_EINVAL", set, rc);
	TU_CHECK(!strcmp(msg, msg_want), "--set %s:\n  got  '%s'\n  want '%s'", set, msg, msg_want);
	TU_CHECK(s.ntasks == 0 && s.tasks == NULL && s.text == NULL, "--set %s: a failed load left something", set);
}

static void test_errors(void)
{
	expect_error("d=[0]", "--set d=[0]: 'd' must be >= 1");
	expect_error("algorithms.sgd.batch=0", "--set algorithms.sgd.batch=0: 'batch' must be >= 1");
	expect_error("kapa=2", "--set kapa=2: unknown setting 'kapa' (did you mean 'kappa'?)");
	expect_error("d", "--set d: expected KEY=VALUE (e.g. d=[64,128], algorithms.sgd.batch=8)");
	expect_error("d.x=1", "--set d.x=1: 'd' is not a group, so it has no settings to set");
	expect_error("d=1; n=2", "--set d=1; n=2: the value must be one value, a list [..] or a group {..}, not "
				 "several settings");
	/* an error of the file itself still names the file's line */
	struct bw_spec s;
	const char *set = "seeds=2";
	int rc = bw_spec_load_string_with("t.cfg", "d = [0];\nn = 4;\nkappa = 1;\nalgorithm = \"gd\";\n", &set, 1, &s);
	TU_CHECK(rc == BW_EINVAL && !strcmp(bw_error_message(), "t.cfg:1: 'd' must be >= 1"), "file error: '%s'",
		 bw_error_message());
}

int main(void)
{
	test_same_as_by_hand();
	test_new_group();
	test_errors();
	return tu_summary("test_override");
}
