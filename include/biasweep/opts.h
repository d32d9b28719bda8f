/* opts.h - one option table drives parsing and --help for every subcommand
 * (the shape of git's parse-options).  CLI layer only.
 *
 * bw_opts_parse returns BW_OK, BW_EINVAL (message set: "--eta: 'abc' is not a
 * number"), or BW_OPTS_HELP when --help/-h was given.  Positional arguments
 * are collected in order into pos[0..*npos) (pointers into argv).  An option
 * given twice is refused ("option --d given twice") unless its type is
 * BW_OPT_LIST, the one repeatable kind (documented "repeatable" in --help).
 */
#ifndef BIASWEEP_OPTS_H
#define BIASWEEP_OPTS_H

#include <stdio.h>

/* BW_OPT_BYTES: a size into a double, > 0: bytes or 512MiB, 8GiB, 2G, 1.5e9 (K, M, G, T binary;
 * KB, MB, GB, TB decimal; case ignored). */
enum bw_opt_type { BW_OPT_END = 0, BW_OPT_STRING, BW_OPT_DOUBLE, BW_OPT_LONG, BW_OPT_FLAG, BW_OPT_LIST, BW_OPT_BYTES };

#define BW_OPTS_HELP 100

struct bw_option {
	const char *name;     /* long name without "--" */
	enum bw_opt_type type;
	void *value;          /* const char **, double * (also BYTES), long *, int *, or struct bw_opt_list * */
	const char *argh;     /* placeholder in help ("D"), NULL for flags */
	const char *help;
	int seen;             /* set by the parser */
};

struct bw_opt_list {    /* repeatable string option */
	const char *items[64];
	int len;
};

int bw_opts_parse(struct bw_option *opts, int argc, char **argv, char **pos, int *npos, int maxpos);
void bw_opts_usage(FILE *f, const char *usage, const char *summary, const struct bw_option *opts,
		   const char *epilog);
/* Strict number parsing shared by the CLI: the whole string, finite. */
int bw_parse_double(const char *s, double *out);
int bw_parse_long(const char *s, long *out);

#endif
