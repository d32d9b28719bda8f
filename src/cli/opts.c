/* opts.c - table-driven option parsing and help (see opts.h). */
#include "biasweep/opts.h"

#include "biasweep/error.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
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


static struct bw_option *find(struct bw_option *opts, const char *name, size_t len)
{
	for (struct bw_option *o = opts; o->type != BW_OPT_END; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

int bw_opts_parse(struct bw_option *opts, int argc, char **argv, char **pos, int *npos, int maxpos)
{
	*npos = 0;
	int only_pos = 0;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (*npos >= maxpos)
				return RAISE(BW_EINVAL, "unexpected argument '%s'", a);
			pos[(*npos)++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return BW_OPTS_HELP;
		if (a[1] != '-')
			return RAISE(BW_EINVAL, "unknown option '%s' (options are long: --name)", a);
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct bw_option *o = find(opts, name, len);
		if (!o)
			return RAISE(BW_EINVAL, "unknown option '--%.*s' (see --help)", (int)len, name);
		/* only list options repeat; a second --d 20 must not silently win over --d 10 */
		if (o->seen && o->type != BW_OPT_LIST)
			return RAISE(BW_EINVAL, "option --%s given twice", o->name);
		const char *val = NULL;
		if (o->type == BW_OPT_FLAG) {
			if (eq)
				return RAISE(BW_EINVAL, "--%s takes no value", o->name);
			*(int *)o->value = 1;
			o->seen = 1;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return RAISE(BW_EINVAL, "--%s needs a value", o->name);
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
		o->seen = 1;
	}
	return BW_OK;
}

void bw_opts_usage(FILE *f, const char *usage, const char *summary, const struct bw_option *opts,
		   const char *epilog)
{
	fprintf(f, "usage: %s\n\n%s\n\noptions:\n", usage, summary);
	for (const struct bw_option *o = opts; o->type != BW_OPT_END; o++) {
		char head[64];
		snprintf(head, sizeof head, "--%s%s%s", o->name, o->argh ? " " : "", o->argh ? o->argh : "");
		fprintf(f, "  %-22s %s\n", head, o->help);
	}
	fprintf(f, "  %-22s %s\n", "-h, --help", "show this help and exit");
	if (epilog)
		fprintf(f, "\n%s", epilog);
}
