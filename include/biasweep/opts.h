/* opts.h - one table per command drives parsing, validation and --help (the
 * shape of git's parse-options).  CLI layer only.
 *
 * A command is a struct bw_cli_cmd: its name, its positional arguments (as
 * they read in the synopsis, and how many), summary and epilog, and a table
 * of options ending with {0}.  Each option has a long name (--name, exactly
 * what scripts use), optionally a short one (-o), a type and a target, a
 * metavar and a help line, and rules: BW_OPT_REQUIRED, and exclusive groups
 * (`excl`, one bit per group id: at most one option of a group may be given;
 * an option may be in several groups).  BW_OPT_LIST is the one repeatable
 * kind; any other option given twice is refused ("option --d given twice").
 *
 * bw_cli_parse accepts --name VALUE, --name=VALUE, -c VALUE for a short
 * name, and -- (the rest is positional).  It returns
 *   BW_OPTS_HELP  --help or -h: the help was printed on stdout;
 *   BW_EINVAL     with one message: a malformed value ("--eta: 'abc' is not a
 *                 number"), an unknown option ("unknown option '--kapa' (did
 *                 you mean --kappa?)"), too many or too few positional
 *                 arguments (pos_missing), a required option missing
 *                 (`missing`, or "--d is required"), two options of one
 *                 group ("--a and --b exclude each other", or the group's
 *                 excl_msg);
 *   BW_OK         the positional arguments moved to argv[0..*npos), in order
 *                 (argv is permuted in place; option values point into it).
 * The checks run in that order (required options and groups in table order).
 *
 * The help is "usage: SYNOPSIS", the summary, one line per option and the
 * epilog.  The synopsis is generated: "biasweep NAME ARGS" then each option
 * in table order, required ones bare, others in [ ], the members of a group
 * as [--a | --b], lists as [--where COND ...], choices as table|csv|json;
 * with more than BW_CLI_BRIEF optional options only the required ones and
 * "[options]".  A table has at most 64 options.
 */
#ifndef BIASWEEP_OPTS_H
#define BIASWEEP_OPTS_H

#include <stddef.h>
#include <stdio.h>

/* BW_OPT_BYTES: a size into a double, > 0: bytes or 512MiB, 8GiB, 2G, 1.5e9 (K, M, G, T binary;
 * KB, MB, GB, TB decimal; case ignored).  BW_OPT_CHOICE: one of `choices` (NULL-ended) into an
 * int, its index ("--format: 'x' is not table, csv or json"). */
enum bw_opt_type { BW_OPT_END = 0, BW_OPT_STRING, BW_OPT_DOUBLE, BW_OPT_LONG, BW_OPT_FLAG, BW_OPT_LIST, BW_OPT_BYTES,
		   BW_OPT_CHOICE };

enum { BW_OPT_REQUIRED = 1 };

#define BW_OPTS_HELP 100
#define BW_CLI_BRIEF 8
#define BW_CLI_GROUPS 8 /* group ids are the bits 1 << 0 .. 1 << 7 */

struct bw_option {
	const char *name;     /* long name without "--" */
	enum bw_opt_type type;
	void *value;          /* const char **, double * (also BYTES), long *, int * (also CHOICE),
				 or struct bw_opt_list * */
	const char *argh;     /* placeholder in help ("D"), NULL for flags */
	const char *help;
	unsigned flags;       /* BW_OPT_REQUIRED */
	unsigned excl;        /* the exclusive groups it belongs to (bits) */
	char short_name;      /* 'o' for -o; 0 none */
	const char *missing;  /* the message when a required option is missing; NULL: "--NAME is required" */
	const char *const *choices; /* BW_OPT_CHOICE */
	int seen;             /* set by the parser */
};

/* One entry of a table: BW_OPT("d", BW_OPT_LONG, &d, "D", "dimension", .flags = BW_OPT_REQUIRED). */
#define BW_OPT(name_, type_, value_, argh_, help_, ...) \
	{.name = (name_), .type = (type_), .value = (value_), .argh = (argh_), .help = (help_), __VA_ARGS__}

struct bw_opt_list {    /* repeatable string option */
	const char *items[64];
	int len;
};

/* plan's and run's --set: overrides of the spec's settings (bw_spec_load_with, spec.h) */
#define BW_OPT_SET(list) \
	BW_OPT("set", BW_OPT_LIST, (list), "KEY=VALUE", \
	       "override a setting of SPEC, repeatable: d=[64,128], seeds=8, algorithms.sgd.batch=8 " \
	       "(VALUE in the spec's syntax, checked as the file is)")

struct bw_cli_cmd {
	const char *name;      /* "run-one" */
	const char *args;      /* the positional part of the synopsis ("SPEC"); NULL none */
	int minpos, maxpos;    /* how many positional arguments; maxpos < 0: any number */
	const char *pos_missing; /* the message when there are fewer than minpos */
	const char *summary, *epilog;
	struct bw_option *opts;
	const char *excl_msg[BW_CLI_GROUPS]; /* per group bit; NULL: "--a and --b exclude each other" */
};

int bw_cli_parse(struct bw_cli_cmd *cmd, int argc, char **argv, int *npos);
void bw_cli_usage(FILE *f, const struct bw_cli_cmd *cmd);
/* The generated synopsis (without "usage: ") into buf, cut to len - 1 bytes. */
void bw_cli_synopsis(const struct bw_cli_cmd *cmd, char *buf, size_t len);
/* The option whose target is `value` (NULL when none has it), and whether it was given. */
const struct bw_option *bw_opt_find(const struct bw_option *opts, const void *value);
int bw_opt_given(const struct bw_option *opts, const void *value);

/* Strict number parsing shared by the CLI: the whole string, finite. */
int bw_parse_double(const char *s, double *out);
int bw_parse_long(const char *s, long *out);

#endif
