/* fuzz_opts.c - libFuzzer harness for command-line parsing (bw_cli_parse,
 * src/cli/opts.c) with run-one's option table plus a repeatable option (as
 * query's --where), a choice (as --format), a short name (as plot's -o), a
 * required option, an exclusive group and one positional argument (as run's
 * SPEC).
 *
 * The input is an argument vector, one argument per line ('\n' separates;
 * the last line needs no newline).  bw_cli_parse must return BW_OK,
 * BW_EINVAL with a message, or BW_OPTS_HELP; on BW_OK every option seen
 * holds a parsed value (numbers finite, integers that the text spells, a
 * choice in range), the required option was given, at most one of the group,
 * positional arguments are the input's own strings, and the help text
 * prints.  The strict number parsers are fed every argument too.  Built like
 * fuzz_spec.c (tests/fuzz/build.sh; meson's replay test). */
#include "biasweep/error.h"
#include "biasweep/opts.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond, ...)                                                        \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz_opts: invariant broken: " __VA_ARGS__); \
			fprintf(stderr, "\n");                                    \
			abort();                                                  \
		}                                                                 \
	} while (0)

#define MAXARGS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[MAXARGS + 1];
	int argc = 0;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (char *p = buf; argc < MAXARGS;) {
		argv[argc++] = p;
		char *nl = memchr(p, '\n', (size_t)(buf + size - p));
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	argv[argc] = NULL;

	const char *algo = NULL, *design = "rademacher", *save = NULL, *output = NULL;
	long d = 0, n = 0, seed = 0, steps = 0;
	double alpha = 0, eta = 0, time = 0;
	int json = 0, no_project = 0, fmt = 0;
	struct bw_opt_list where = {0};
	static const char *const formats[] = {"table", "csv", "json", NULL};
	struct bw_option opts[] = {
		BW_OPT("algo", BW_OPT_STRING, &algo, "NAME", "gd | label_noise_sgd | sgd | riemannian_flow",
		       .flags = BW_OPT_REQUIRED),
		BW_OPT("design", BW_OPT_STRING, &design, "NAME", "rademacher | gaussian"),
		BW_OPT("d", BW_OPT_LONG, &d, "D", "dimension"),
		BW_OPT("n", BW_OPT_LONG, &n, "N", "samples"),
		BW_OPT("seed", BW_OPT_LONG, &seed, "I", "seed index"),
		BW_OPT("steps", BW_OPT_LONG, &steps, "K", "step budget", .excl = 1),
		BW_OPT("alpha", BW_OPT_DOUBLE, &alpha, "A", "initialization scale"),
		BW_OPT("eta", BW_OPT_DOUBLE, &eta, "E", "step size"),
		BW_OPT("time", BW_OPT_DOUBLE, &time, "T", "simulated-time budget", .excl = 1),
		BW_OPT("no-project", BW_OPT_FLAG, &no_project, NULL, "raw final iterate"),
		BW_OPT("json", BW_OPT_FLAG, &json, NULL, "one JSON object"),
		BW_OPT("save", BW_OPT_STRING, &save, "FILE.h5", "write HDF5"),
		BW_OPT("where", BW_OPT_LIST, &where, "COL=VALUE", "filter (repeatable)"),
		BW_OPT("format", BW_OPT_CHOICE, &fmt, "F", "table | csv | json", .choices = formats),
		BW_OPT("output", BW_OPT_STRING, &output, "FILE", "the image", .short_name = 'o'),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "fuzz", .args = "SPEC", .minpos = 0, .maxpos = 1, .summary = "summary",
				 .epilog = "epilog\n", .opts = opts};
	char *orig[MAXARGS + 1];
	memcpy(orig, argv, sizeof orig);
	int npos = -1;
	bw_error_clear();
	int rc = bw_cli_parse(&cmd, argc, argv, &npos);
	REQUIRE(rc == BW_OK || rc == BW_EINVAL || rc == BW_OPTS_HELP, "status %d", rc);
	REQUIRE(npos >= 0 && npos <= 1, "npos %d within [0, maxpos]", npos);
	if (rc == BW_EINVAL)
		REQUIRE(bw_error_message()[0], "a refusal has a message");
	if (rc == BW_OK) {
		for (int i = 0; i < npos; i++) {
			int inside = 0;
			for (int j = 0; j < argc; j++)
				inside |= argv[i] == orig[j];
			REQUIRE(inside, "positional argument %d is one of the input's", i);
		}
		REQUIRE(algo != NULL, "the required option was given");
		REQUIRE(!(bw_opt_given(opts, &steps) && bw_opt_given(opts, &time)), "at most one of the group");
		REQUIRE(fmt >= 0 && fmt < 3, "choice in range");
		REQUIRE(isfinite(alpha) && isfinite(eta) && isfinite(time), "doubles are finite");
		REQUIRE(where.len >= 0 && where.len <= 64, "list length");
		for (int i = 0; i < where.len; i++)
			REQUIRE(where.items[i] != NULL, "list items set");
	}
	memcpy(argv, orig, sizeof orig); /* the number parsers see the input as it came */
	for (int i = 0; i < argc; i++) {
		double x;
		long l;
		if (bw_parse_double(argv[i], &x) == BW_OK)
			REQUIRE(isfinite(x), "bw_parse_double('%s') is finite", argv[i]);
		if (bw_parse_long(argv[i], &l) == BW_OK && bw_parse_double(argv[i], &x) == BW_OK)
			REQUIRE(fabs((double)l - x) <= fabs(x) * 1e-15 + 0.5, "bw_parse_long('%s') = %ld is the number %g",
				argv[i], l, x);
	}
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		bw_cli_usage(devnull, &cmd);
		fclose(devnull);
	}
	free(buf);
	return 0;
}
