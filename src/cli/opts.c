/* opts.c - table-driven option parsing, validation and help (see opts.h). */
#include "biasweep/opts.h"

#include "biasweep/error.h"
#include "biasweep/suggest.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int bw_parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(x))
		return BW_EINVAL;
	*out = x;
	return BW_OK;
}

int bw_parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(s, &end, 10);
	if (end == s || *end || errno == ERANGE) {
		/* accept integral values written like 1e6 */
		double dx;
		if (bw_parse_double(s, &dx) || dx != floor(dx) || fabs(dx) > 9e18)
			return BW_EINVAL;
		x = (long)dx;
	}
	*out = x;
	return BW_OK;
}

/* "8GiB", "8G", "512MiB", "512M", "1e9", "1.5 GiB" (K, M, G, T binary; KB, MB, GB, TB decimal). */
static int parse_bytes(const char *s, double *out)
{
	char num[64];
	size_t i = 0;
	while (s[i] && (isdigit((unsigned char)s[i]) || strchr(".eE+-", s[i])) && i + 1 < sizeof num) {
		/* an 'e' is part of the number only when a digit or sign follows */
		if ((s[i] == 'e' || s[i] == 'E') && !(isdigit((unsigned char)s[i + 1]) || s[i + 1] == '+' || s[i + 1] == '-'))
			break;
		num[i] = s[i];
		i++;
	}
	num[i] = 0;
	double x;
	if (!i || bw_parse_double(num, &x) != BW_OK)
		return BW_EINVAL;
	const char *u = s + i;
	while (*u == ' ')
		u++;
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{"", 1},	   {"b", 1},	      {"k", 1024.0},	{"kib", 1024.0},    {"m", 1048576.0},
		{"mib", 1048576.0}, {"g", 1073741824.0}, {"gib", 1073741824.0}, {"t", 1099511627776.0},
		{"tib", 1099511627776.0}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	};
	for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
		if (!strcasecmp(u, units[k].suffix)) {
			*out = x * units[k].mult;
			return *out > 0 && isfinite(*out) ? BW_OK : BW_EINVAL;
		}
	return BW_EINVAL;
}

#define MAXOPTS 64 /* options a table may have for the synopsis and the suggestions */

/* appends to the string in buf (cut to len - 1 bytes) */
__attribute__((format(printf, 3, 4))) static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	if (off + 1 < len)
		vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* item i of n of a list: "a", ", b", " or c" (last joins the final one) */
static void join(char *buf, size_t len, size_t i, size_t n, const char *sep, const char *last, const char *item)
{
	cat(buf, len, "%s%s", i == 0 ? "" : i + 1 == n ? last : sep, item);
}

static size_t count_choices(const char *const *c)
{
	size_t n = 0;
	while (c[n])
		n++;
	return n;
}

static int parse_choice(const struct bw_option *o, const char *val)
{
	size_t n = count_choices(o->choices);
	for (size_t k = 0; k < n; k++)
		if (!strcmp(val, o->choices[k])) {
			*(int *)o->value = (int)k;
			return BW_OK;
		}
	char shown[48], list[256] = "";
	size_t i = 0;
	for (; val[i] && i < 40; i++) /* one line, not too long */
		shown[i] = iscntrl((unsigned char)val[i]) ? '?' : val[i];
	shown[i] = 0;
	for (size_t k = 0; k < n; k++)
		join(list, sizeof list, k, n, ", ", " or ", o->choices[k]);
	char hint[96];
	bw_suggest_hint(hint, sizeof hint, val, o->choices, n);
	return RAISE(BW_EINVAL, "--%s: '%s%s' is not %s%s", o->name, shown, val[i] ? "..." : "", list, hint);
}

static int set_value(struct bw_option *o, const char *val)
{
	switch (o->type) {
	case BW_OPT_STRING:
		*(const char **)o->value = val;
		break;
	case BW_OPT_DOUBLE:
		if (bw_parse_double(val, (double *)o->value))
			return RAISE(BW_EINVAL, "--%s: '%s' is not a number", o->name, val);
		break;
	case BW_OPT_LONG:
		if (bw_parse_long(val, (long *)o->value))
			return RAISE(BW_EINVAL, "--%s: '%s' is not an integer", o->name, val);
		break;
	case BW_OPT_BYTES:
		if (parse_bytes(val, (double *)o->value))
			return RAISE(BW_EINVAL, "--%s: '%s' is not a size (bytes, or 512MiB, 8GiB, ...)", o->name, val);
		break;
	case BW_OPT_CHOICE:
		return parse_choice(o, val);
	case BW_OPT_LIST: {
		struct bw_opt_list *l = o->value;
		if (l->len >= (int)(sizeof l->items / sizeof l->items[0]))
			return RAISE(BW_EINVAL, "--%s given too many times", o->name);
		l->items[l->len++] = val;
		break;
	}
	default:
		break;
	}
	return BW_OK;
}

/* the option called name[0..len), or when len is 0 the one with the short name c */
static struct bw_option *find(struct bw_option *opts, const char *name, size_t len, char c)
{
	for (struct bw_option *o = opts; o->type != BW_OPT_END; o++)
		if (len ? strlen(o->name) == len && !strncmp(o->name, name, len) : c && o->short_name == c)
			return o;
	return NULL;
}

/* "unknown option '--kapa' (did you mean --kappa?)", or "(see --help)" */
static int unknown(const struct bw_option *opts, const char *name, size_t len)
{
	const char *names[MAXOPTS + 1];
	char word[64];
	size_t n = 0;
	for (const struct bw_option *o = opts; o->type != BW_OPT_END && n < MAXOPTS; o++)
		names[n++] = o->name;
	names[n++] = "help";
	int k = -1;
	if (len < sizeof word) {
		memcpy(word, name, len);
		word[len] = 0;
		k = bw_suggest(word, names, n);
	}
	if (k >= 0)
		return RAISE(BW_EINVAL, "unknown option '--%.*s' (did you mean --%s?)", (int)len, name, names[k]);
	return RAISE(BW_EINVAL, "unknown option '--%.*s' (see --help)", (int)len, name);
}

/* options into their targets, positional arguments to the front of argv */
static int parse_args(struct bw_cli_cmd *cmd, int argc, char **argv, int *npos)
{
	int only_pos = 0;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (cmd->maxpos >= 0 && *npos >= cmd->maxpos)
				return RAISE(BW_EINVAL, "unexpected argument '%s'", a);
			argv[(*npos)++] = a; /* *npos <= i: argv[i..] is still unread */
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return BW_OPTS_HELP;
		struct bw_option *o;
		const char *eq = NULL;
		if (a[1] != '-') {
			if (!(o = a[2] ? NULL : find(cmd->opts, NULL, 0, a[1])))
				return RAISE(BW_EINVAL, "unknown option '%s' (options are long: --name)", a);
		} else {
			const char *name = a + 2;
			eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (!len || !(o = find(cmd->opts, name, len, 0)))
				return unknown(cmd->opts, name, len);
		}
		/* only list options repeat; a second --d 20 must not silently win over --d 10 */
		if (o->seen && o->type != BW_OPT_LIST)
			return RAISE(BW_EINVAL, "option --%s given twice", o->name);
		if (o->type == BW_OPT_FLAG) {
			if (eq)
				return RAISE(BW_EINVAL, "--%s takes no value", o->name);
			*(int *)o->value = 1;
		} else if (eq) {
			CHECK(set_value(o, eq + 1));
		} else if (i + 1 < argc) {
			CHECK(set_value(o, argv[++i]));
		} else {
			return RAISE(BW_EINVAL, "--%s needs a value", o->name);
		}
		o->seen = 1;
	}
	return BW_OK;
}

/* the rules of the table: required options, exclusive groups */
static int check_rules(const struct bw_cli_cmd *cmd)
{
	for (const struct bw_option *o = cmd->opts; o->type != BW_OPT_END; o++)
		if ((o->flags & BW_OPT_REQUIRED) && !o->seen)
			return o->missing ? RAISE(BW_EINVAL, "%s", o->missing) : RAISE(BW_EINVAL, "--%s is required", o->name);
	for (int g = 0; g < BW_CLI_GROUPS; g++) {
		size_t members = 0, given = 0;
		for (const struct bw_option *o = cmd->opts; o->type != BW_OPT_END; o++)
			if (o->excl & 1u << g) {
				members++;
				given += o->seen != 0;
			}
		if (given < 2)
			continue;
		if (cmd->excl_msg[g])
			return RAISE(BW_EINVAL, "%s", cmd->excl_msg[g]);
		char msg[512] = "", name[80];
		size_t k = 0;
		for (const struct bw_option *o = cmd->opts; o->type != BW_OPT_END; o++)
			if (o->excl & 1u << g) {
				snprintf(name, sizeof name, "--%s", o->name);
				join(msg, sizeof msg, k++, members, ", ", " and ", name);
			}
		return RAISE(BW_EINVAL, "%s exclude each other", msg);
	}
	return BW_OK;
}

int bw_cli_parse(struct bw_cli_cmd *cmd, int argc, char **argv, int *npos)
{
	*npos = 0;
	int rc = parse_args(cmd, argc, argv, npos);
	if (rc == BW_OPTS_HELP)
		bw_cli_usage(stdout, cmd);
	if (rc != BW_OK)
		return rc;
	if (*npos < cmd->minpos)
		return RAISE(BW_EINVAL, "%s", cmd->pos_missing ? cmd->pos_missing : "missing arguments (see --help)");
	return check_rules(cmd);
}

/* "-o FILE", "--format table|csv|json", "--quiet" */
static void synopsis_head(char *buf, size_t len, const struct bw_option *o)
{
	if (o->short_name)
		cat(buf, len, "-%c", o->short_name);
	else
		cat(buf, len, "--%s", o->name);
	if (o->type == BW_OPT_CHOICE) {
		size_t n = count_choices(o->choices);
		cat(buf, len, " ");
		for (size_t k = 0; k < n; k++)
			join(buf, len, k, n, "|", "|", o->choices[k]);
	} else if (o->argh) {
		cat(buf, len, " %s", o->argh);
	}
}

void bw_cli_synopsis(const struct bw_cli_cmd *cmd, char *buf, size_t len)
{
	const struct bw_option *opts = cmd->opts;
	unsigned char done[MAXOPTS] = {0};
	size_t n = 0, optional = 0;
	for (; opts[n].type != BW_OPT_END && n < MAXOPTS; n++)
		optional += !(opts[n].flags & BW_OPT_REQUIRED);
	buf[0] = 0;
	cat(buf, len, "biasweep %s%s%s", cmd->name, cmd->args ? " " : "", cmd->args ? cmd->args : "");
	for (size_t i = 0; i < n; i++) {
		const struct bw_option *o = &opts[i];
		if (done[i] || (!(o->flags & BW_OPT_REQUIRED) && optional > BW_CLI_BRIEF))
			continue;
		cat(buf, len, " ");
		if (o->flags & BW_OPT_REQUIRED) {
			synopsis_head(buf, len, o);
			continue;
		}
		cat(buf, len, "[");
		synopsis_head(buf, len, o);
		unsigned g = o->excl & -o->excl; /* the lowest group: its optional members together */
		for (size_t j = i + 1; g && j < n; j++)
			if (!done[j] && (opts[j].excl & g) && !(opts[j].flags & BW_OPT_REQUIRED)) {
				cat(buf, len, " | ");
				synopsis_head(buf, len, &opts[j]);
				done[j] = 1;
			}
		cat(buf, len, "%s]", o->type == BW_OPT_LIST ? " ..." : "");
	}
	if (optional > BW_CLI_BRIEF)
		cat(buf, len, " [options]");
}

void bw_cli_usage(FILE *f, const struct bw_cli_cmd *cmd)
{
	char syn[2048];
	bw_cli_synopsis(cmd, syn, sizeof syn);
	fprintf(f, "usage: %s\n\n%s\n\noptions:\n", syn, cmd->summary);
	for (const struct bw_option *o = cmd->opts; o->type != BW_OPT_END; o++) {
		char head[80] = "";
		if (o->short_name)
			cat(head, sizeof head, "-%c, ", o->short_name);
		cat(head, sizeof head, "--%s%s%s", o->name, o->argh ? " " : "", o->argh ? o->argh : "");
		fprintf(f, "  %-22s %s\n", head, o->help);
	}
	fprintf(f, "  %-22s %s\n", "-h, --help", "show this help and exit");
	if (cmd->epilog)
		fprintf(f, "\n%s", cmd->epilog);
}

const struct bw_option *bw_opt_find(const struct bw_option *opts, const void *value)
{
	for (const struct bw_option *o = opts; o->type != BW_OPT_END; o++)
		if (o->value == value)
			return o;
	return NULL;
}

int bw_opt_given(const struct bw_option *opts, const void *value)
{
	const struct bw_option *o = bw_opt_find(opts, value);
	return o && o->seen;
}
