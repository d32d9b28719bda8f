/* fuzz_opts.c - libFuzzer harness for command-line parsing (bw_opts_parse,
 * src/cli/opts.c) with run-one's option table plus a repeatable option (as
 * query's --where) and one positional argument (as run's SPEC).
 *
 * The input is an argument vector, one argument per line ('\n' separates;
 * the last line needs no newline).  bw_opts_parse must return BW_OK,
 * BW_EINVAL with a message, or BW_OPTS_HELP; on BW_OK every option seen
 * holds a parsed value (numbers finite, integers that the text spells),
 * positional arguments point into argv, and the help text prints.  The
 * strict number parsers are fed every argument too.  Built like fuzz_spec.c
 * (tests/fuzz/build.sh; meson's replay test). */
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

	const char *algo = NULL, *design = "rademacher", *save = NULL;
	long d = 0, n = 0, seed = 0, steps = 0;
	double alpha = 0, eta = 0, time = 0;
	int json = 0, no_project = 0;
	struct bw_opt_list where = {0};
	struct bw_option opts[] = {
		{"algo", BW_OPT_STRING, &algo, "NAME", "gd | label_noise_sgd | sgd | riemannian_flow", 0},
		{"design", BW_OPT_STRING, &design, "NAME", "rademacher | gaussian", 0},
		{"d", BW_OPT_LONG, &d, "D", "dimension", 0},
		{"n", BW_OPT_LONG, &n, "N", "samples", 0},
		{"seed", BW_OPT_LONG, &seed, "I", "seed index", 0},
		{"steps", BW_OPT_LONG, &steps, "K", "step budget", 0},
		{"alpha", BW_OPT_DOUBLE, &alpha, "A", "initialization scale", 0},
		{"eta", BW_OPT_DOUBLE, &eta, "E", "step size", 0},
		{"time", BW_OPT_DOUBLE, &time, "T", "simulated-time budget", 0},
		{"no-project", BW_OPT_FLAG, &no_project, NULL, "raw final iterate", 0},
		{"json", BW_OPT_FLAG, &json, NULL, "one JSON object", 0},
		{"save", BW_OPT_STRING, &save, "FILE.h5", "write HDF5", 0},
		{"where", BW_OPT_LIST, &where, "COL=VALUE", "filter (repeatable)", 0},
		{0},
	};
	char *pos[1];
	int npos = -1;
	bw_error_clear();
	int rc = bw_opts_parse(opts, argc, argv, pos, &npos, 1);
	REQUIRE(rc == BW_OK || rc == BW_EINVAL || rc == BW_OPTS_HELP, "status %d", rc);
	REQUIRE(npos >= 0 && npos <= 1, "npos %d within [0, maxpos]", npos);
	if (rc == BW_EINVAL)
		REQUIRE(bw_error_message()[0], "a refusal has a message");
	if (rc == BW_OK) {
		for (int i = 0; i < npos; i++) {
			int inside = 0;
			for (int j = 0; j < argc; j++)
				inside |= pos[i] == argv[j];
			REQUIRE(inside, "positional argument %d points into argv", i);
		}
		REQUIRE(isfinite(alpha) && isfinite(eta) && isfinite(time), "doubles are finite");
		REQUIRE(where.len >= 0 && where.len <= 64, "list length");
		for (int i = 0; i < where.len; i++)
			REQUIRE(where.items[i] != NULL, "list items set");
	}
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
		bw_opts_usage(devnull, "fuzz [options]", "summary", opts, "epilog\n");
		fclose(devnull);
	}
	free(buf);
	return 0;
}
