/* spec.c - job specs: parse a libconfig file, validate every setting with
 * file:line, expand the grid per algorithm into tasks with stable keys, drop
 * impossible points, dedupe and order by estimated cost.  The format is
 * documented at the top of jobs/smoke.cfg and in `biasweep plan --help`;
 * the contract (keys, costs, ownership) in spec.h. */
#include "biasweep/spec.h"
#include "biasweep/search.h"

#include "biasweep/error.h"
#include "biasweep/hash.h"
#include "biasweep/suggest.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the settings a spec knows -------------------------------------------- */

enum axis_id {
	AX_DESIGN, AX_WSTAR, AX_D, AX_N, AX_KAPPA, AX_SEEDS, AX_ALPHA, AX_ETA, AX_SIGMA, AX_BATCH,
	AX_EPS, AX_TOL, AX_PROJECT, AX_STEPS, AX_TIME, AX_COUNT
};

enum vkind { V_INT, V_REAL, V_DESIGN, V_WSTAR, V_BOOL };

#define USES_PROJECT 8 /* beside BW_USES_*: only label_noise_sgd reads 'project' */
#define MAX_RANGE_COUNT 100000
#define MAX_SEED_COUNT 1000000
#define MAX_STEPS BW_SPEC_MAX_STEPS

static const struct axis_def {
	const char *name;
	enum vkind kind;
	unsigned uses; /* what an algorithm must read to take it (BW_USES_*, USES_PROJECT); 0: all */
	double min;    /* values >= min, or > min when strict */
	int strict;
	double max;
} axis_defs[AX_COUNT] = {
	[AX_DESIGN] = {"design", V_DESIGN, 0, 0, 0, 1},
	[AX_WSTAR] = {"wstar", V_WSTAR, 0, 0, 0, 1},
	[AX_D] = {"d", V_INT, 0, 1, 0, 1e9},
	[AX_N] = {"n", V_INT, 0, 1, 0, 1e9},
	[AX_KAPPA] = {"kappa", V_INT, 0, 1, 0, 1e9},
	[AX_SEEDS] = {"seeds", V_INT, 0, 0, 0, 4294967295.0},
	[AX_ALPHA] = {"alpha", V_REAL, 0, 0, 1, HUGE_VAL},
	[AX_ETA] = {"eta", V_REAL, BW_USES_ETA, 0, 1, HUGE_VAL},
	[AX_SIGMA] = {"sigma", V_REAL, BW_USES_SIGMA, 0, 1, HUGE_VAL},
	[AX_BATCH] = {"batch", V_INT, BW_USES_BATCH, 1, 0, 1e9},
	[AX_EPS] = {"eps", V_REAL, 0, 0, 1, HUGE_VAL},
	[AX_TOL] = {"tol", V_REAL, 0, 0, 1, HUGE_VAL},
	[AX_PROJECT] = {"project", V_BOOL, USES_PROJECT, 0, 0, 1},
	[AX_STEPS] = {"steps", V_INT, 0, 1, 0, MAX_STEPS},
	[AX_TIME] = {"time", V_REAL, 0, 0, 1, HUGE_VAL},
};

static const char *const top_only[] = {"name", "seed", "algorithm", "algorithms"};
#define NTOP_ONLY (sizeof top_only / sizeof top_only[0])
#define MAX_N_OVER_D "max_n_over_d" /* a filter (not an axis): drop points with n > ratio * d */

/* Budgets when a spec sets none for an algorithm (the same as run-one's). */
static const struct {
	double steps, time;
} default_budget[BW_ALGO_COUNT] = {
	[BW_GD] = {1e6, 0}, [BW_LABEL_NOISE_SGD] = {0, 5.0}, [BW_SGD] = {1e7, 0}, [BW_RIEMANNIAN_FLOW] = {0, 50.0},
};

static unsigned algo_reads(enum bw_algo a)
{
	return bw_dynamics_table[a].uses | (a == BW_LABEL_NOISE_SGD ? USES_PROJECT : 0u);
}

/* ---- parsed, not yet expanded ---------------------------------------------- */

struct val {
	double x;                         /* the value; enum index for names, 0/1 for booleans */
	int formula;                      /* budgets: x = scale * eta^eta_power * d^d_power */
	double scale, eta_power, d_power;
	unsigned line;
};

struct axis {
	struct val *v;
	size_t len;
	unsigned line;
	int set;
	int search;              /* n only: adaptive search over [lo, hi] (v holds hi) */
	long lo, hi, resolution;
};

struct level {
	struct axis ax[AX_COUNT];
	double max_n_over_d; /* 0: no such filter */
	int max_n_set;
	unsigned line;
	int present;
};

struct parse {
	const char *path;
	struct level top, algo[BW_ALGO_COUNT];
	int selected[BW_ALGO_COUNT];
	int have_selection;
	char *name;
	unsigned name_line;
	uint64_t sweep_seed;
};

static int fail(const struct parse *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const struct parse *p, unsigned line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line)
		return RAISE(BW_EINVAL, "%s:%u: %s", p->path, line, msg);
	return RAISE(BW_EINVAL, "%s: %s", p->path, msg);
}

static unsigned line_of(const config_setting_t *s) { return config_setting_source_line(s); }

/* ---- "did you mean" ---------------------------------------------------------- */

/* " (did you mean 'kappa'?)" for the nearest candidate within 2 edits, else
 * " (expected one of: a, b, c)". */
static void suggest(char *buf, size_t len, const char *word, const char *const *cands, size_t n)
{
	int bi = bw_suggest(word, cands, n);
	if (bi >= 0) {
		snprintf(buf, len, " (did you mean '%s'?)", cands[bi]);
		return;
	}
	size_t off = (size_t)snprintf(buf, len, " (expected one of:");
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s %s", i ? "," : "", cands[i]);
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

/* The settings of a group: the axes, the filter, then the top-level-only ones. */
#define NGROUP_KEYS (AX_COUNT + 1)
#define NTOP_KEYS (NGROUP_KEYS + NTOP_ONLY)
static const char *const *setting_names(void)
{
	static const char *names[NTOP_KEYS];
	for (int i = 0; i < AX_COUNT; i++)
		names[i] = axis_defs[i].name;
	names[AX_COUNT] = MAX_N_OVER_D;
	for (size_t i = 0; i < NTOP_ONLY; i++)
		names[NGROUP_KEYS + i] = top_only[i];
	return names;
}


/* ---- scalars ------------------------------------------------------------------- */

static int is_number(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static double number(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		return config_setting_get_float(s);
	return (double)config_setting_get_int64(s);
}

static int parse_max_n(const struct parse *p, const config_setting_t *s, struct level *lv)
{
	if (!is_number(s) || !isfinite(number(s)))
		return fail(p, line_of(s), "'%s' must be a number", MAX_N_OVER_D);
	if (!(number(s) > 0))
		return fail(p, line_of(s), "'%s' must be > 0", MAX_N_OVER_D);
	lv->max_n_over_d = number(s);
	lv->max_n_set = 1;
	return BW_OK;
}

static const char *kind_phrase(enum vkind k)
{
	switch (k) {
	case V_INT: return "an integer";
	case V_REAL: return "a number";
	case V_DESIGN: return "a design name ('rademacher' or 'gaussian')";
	case V_WSTAR: return "'signs' or 'gaussian'";
	default: return "true or false";
	}
}

/* 1 when x is within the axis' limits, else 0 and the rule in why ("must be >= 1"). */
static int value_ok(const struct axis_def *def, double x, char *why, size_t len)
{
	if (def->strict ? !(x > def->min) : !(x >= def->min)) {
		snprintf(why, len, "must be %s %g", def->strict ? ">" : ">=", def->min);
		return 0;
	}
	if (x > def->max) {
		snprintf(why, len, "must be <= %.17g", def->max);
		return 0;
	}
	return 1;
}

static int check_range(const struct parse *p, enum axis_id id, double x, unsigned line)
{
	const struct axis_def *def = &axis_defs[id];
	char why[64];
	if (def->kind != V_INT && def->kind != V_REAL)
		return BW_OK;
	if (!value_ok(def, x, why, sizeof why))
		return fail(p, line, "'%s' %s", def->name, why);
	return BW_OK;
}

static int parse_name(const struct parse *p, const config_setting_t *s, const char *what, const char *const *names,
		      size_t n, double *out)
{
	const char *str = config_setting_get_string(s);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(str, names[i])) {
			*out = (double)i;
			return BW_OK;
		}
	char sug[256];
	suggest(sug, sizeof sug, str, names, n);
	return fail(p, line_of(s), "unknown %s '%s'%s", what, str, sug);
}

static int parse_scalar(const struct parse *p, enum axis_id id, const config_setting_t *s, struct val *out,
			const char *where)
{
	const struct axis_def *def = &axis_defs[id];
	out->line = line_of(s);
	out->formula = 0;
	switch (def->kind) {
	case V_INT:
	case V_REAL:
		if (!is_number(s))
			return fail(p, out->line, "'%s'%s must be %s", def->name, where, kind_phrase(def->kind));
		out->x = number(s);
		if (!isfinite(out->x))
			return fail(p, out->line, "'%s' must be finite", def->name);
		if (def->kind == V_INT && out->x != floor(out->x))
			return fail(p, out->line, "'%s' must be an integer (got %g)", def->name, out->x);
		return check_range(p, id, out->x, out->line);
	case V_DESIGN:
	case V_WSTAR: {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return fail(p, out->line, "'%s'%s must be %s", def->name, where, kind_phrase(def->kind));
		const char *names[2];
		for (int i = 0; i < 2; i++)
			names[i] = def->kind == V_DESIGN ? bw_design_name((enum bw_design)i) : bw_wstar_name((enum bw_wstar)i);
		return parse_name(p, s, def->kind == V_DESIGN ? "design" : "wstar", names, 2, &out->x);
	}
	default:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail(p, out->line, "'%s'%s must be true or false", def->name, where);
		out->x = config_setting_get_bool(s) ? 1 : 0;
		return BW_OK;
	}
}

/* ---- the sweep's name ------------------------------------------------------------ */

/* The next code point of valid UTF-8 at *s (advanced), or -1: a stray or
 * missing continuation byte, an overlong form, a surrogate, beyond U+10FFFF. */
static long utf8_next(const unsigned char **s)
{
	const unsigned char *c = *s;
	static const long least[4] = {0, 0x80, 0x800, 0x10000};
	int more = c[0] < 0x80 ? 0 : (c[0] & 0xe0) == 0xc0 ? 1 : (c[0] & 0xf0) == 0xe0 ? 2 : (c[0] & 0xf8) == 0xf0 ? 3 : -1;
	if (more < 0)
		return -1;
	long cp = more ? c[0] & (0x3f >> more) : c[0];
	for (int i = 1; i <= more; i++) {
		if ((c[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (c[i] & 0x3f);
	}
	if (cp < least[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*s = c + more + 1;
	return cp;
}

/* The name names files and a directory (<catalog>-<name>-<run>.h5,
 * results/shards/<name>/): 1..BW_SPEC_NAME_MAX bytes of UTF-8, not "." or
 * "..", no '/', no control characters (C0, DEL, C1), no bidirectional
 * controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) that would show
 * a listing of the files in another order than their bytes.  1 when s is
 * such a name, else 0 and why. */
static int name_ok(const char *s, char *why, size_t len)
{
	size_t n = strlen(s);
	if (n == 0 || n > BW_SPEC_NAME_MAX) {
		snprintf(why, len, "1 to %d bytes (it has %zu)", BW_SPEC_NAME_MAX, n);
		return 0;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		snprintf(why, len, "not '.' or '..'");
		return 0;
	}
	for (const unsigned char *c = (const unsigned char *)s; *c;) {
		long cp = utf8_next(&c);
		if (cp < 0) {
			snprintf(why, len, "it must be valid UTF-8");
			return 0;
		}
		if (cp == '/' || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			snprintf(why, len, "no '/' or control characters");
			return 0;
		}
		if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(why, len, "no bidirectional controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)");
			return 0;
		}
	}
	return 1;
}

/* ---- ranges and budget formulas ------------------------------------------------- */

static int parse_pair(const struct parse *p, const config_setting_t *s, const char *axis, double *lo, double *hi)
{
	const char *which = config_setting_name(s);
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(p, line_of(s), "'%s' of '%s' must be [lo, hi]", which, axis);
	if (config_setting_length(s) != 2)
		return fail(p, line_of(s), "'%s' of '%s' must be [lo, hi] (2 numbers, got %d)", which, axis,
			    config_setting_length(s));
	for (int i = 0; i < 2; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (!is_number(e) || !isfinite(number(e)))
			return fail(p, line_of(e), "'%s' of '%s' must be [lo, hi] with finite numbers", which, axis);
	}
	*lo = number(config_setting_get_elem(s, 0));
	*hi = number(config_setting_get_elem(s, 1));
	if (*lo > *hi)
		return fail(p, line_of(s), "'%s' of '%s' needs lo <= hi (got [%g, %g])", which, axis, *lo, *hi);
	if (!strcmp(which, "log") && !(*lo > 0))
		return fail(p, line_of(s), "log ranges need lo > 0 ('%s' of '%s' starts at %g)", which, axis, *lo);
	return BW_OK;
}

static int parse_range(const struct parse *p, enum axis_id id, const config_setting_t *s, struct axis *ax)
{
	static const char *const keys[] = {"lin", "log", "count"};
	const struct axis_def *def = &axis_defs[id];
	unsigned line = line_of(s);
	if (def->kind != V_INT && def->kind != V_REAL)
		return fail(p, line, "'%s' takes no range: give %s or a list", def->name, kind_phrase(def->kind));
	const config_setting_t *lin = NULL, *lg = NULL, *cnt = NULL;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *k = config_setting_name(e);
		if (!strcmp(k, "lin"))
			lin = e;
		else if (!strcmp(k, "log"))
			lg = e;
		else if (!strcmp(k, "count"))
			cnt = e;
		else {
			char sug[256];
			suggest(sug, sizeof sug, k, keys, 3);
			return fail(p, line_of(e), "unknown setting '%s' in the range of '%s'%s", k, def->name, sug);
		}
	}
	if (lin && lg)
		return fail(p, line, "the range of '%s' takes 'lin' or 'log', not both", def->name);
	if (!lin && !lg)
		return fail(p, line, "the range of '%s' needs 'lin = [lo, hi];' or 'log = [lo, hi];'", def->name);
	if (!cnt)
		return fail(p, line, "the range of '%s' needs 'count'", def->name);
	if (!is_number(cnt) || number(cnt) != floor(number(cnt)))
		return fail(p, line_of(cnt), "'count' must be an integer");
	double count = number(cnt);
	if (count < 1)
		return fail(p, line_of(cnt), "'count' must be >= 1");
	if (count > MAX_RANGE_COUNT)
		return fail(p, line_of(cnt), "'count' must be <= %d", MAX_RANGE_COUNT);
	double lo = 0, hi = 0;
	CHECK(parse_pair(p, lin ? lin : lg, def->name, &lo, &hi));
	size_t k = (size_t)count;
	ax->v = calloc(k, sizeof *ax->v);
	if (!ax->v)
		return RAISE(BW_ENOMEM, "out of memory for a range of %zu values", k);
	ax->len = 0;
	/* The first formulas give the values every existing spec (and task key) has;
	 * where they would overflow (hi - lo or hi / lo beyond the doubles), the
	 * whole range takes the second, which stays finite: log ranges then
	 * interpolate the logarithms.  Both are nondecreasing in i. */
	double m = (double)(k - 1);
	int spread = lin ? !isfinite((hi - lo) * m) : !isfinite(hi / lo);
	double llo = lin ? 0 : log(lo), lhi = lin ? 0 : log(hi);
	for (size_t i = 0; i < k; i++) {
		double x;
		if (i == 0)
			x = lo;
		else if (i == k - 1)
			x = hi;
		else if (lin)
			x = spread ? lo + (hi - lo) / m * (double)i : lo + (hi - lo) * (double)i / m;
		else
			x = spread ? exp(llo + (lhi - llo) * (double)i / m) : lo * exp(log(hi / lo) * (double)i / m);
		if (def->kind == V_INT)
			x = round(x);
		if (ax->len && ax->v[ax->len - 1].x == x)
			continue; /* integer axes: rounding made a duplicate */
		CHECK(check_range(p, id, x, line));
		ax->v[ax->len].x = x;
		ax->v[ax->len].line = line;
		ax->len++;
	}
	return BW_OK;
}

static int parse_formula(const struct parse *p, enum axis_id id, const config_setting_t *s, struct val *out)
{
	static const char *const keys[] = {"scale", "eta_power", "d_power", "lin", "log", "count"};
	const char *axis = axis_defs[id].name;
	out->line = line_of(s);
	out->formula = 1;
	out->scale = 1.0;
	out->eta_power = out->d_power = 0.0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *k = config_setting_name(e);
		double *dst = !strcmp(k, "scale") ? &out->scale : !strcmp(k, "eta_power") ? &out->eta_power
							   : !strcmp(k, "d_power")  ? &out->d_power
										    : NULL;
		if (!dst) {
			char sug[256];
			suggest(sug, sizeof sug, k, keys, 3);
			return fail(p, line_of(e), "unknown setting '%s' in the budget formula of '%s'%s", k, axis, sug);
		}
		if (!is_number(e) || !isfinite(number(e)))
			return fail(p, line_of(e), "'%s' in the budget formula of '%s' must be a number", k, axis);
		*dst = number(e);
	}
	if (!(out->scale > 0))
		return fail(p, out->line, "'scale' in the budget formula of '%s' must be > 0", axis);
	return BW_OK;
}

static int is_range_group(const config_setting_t *s)
{
	return config_setting_get_member(s, "lin") || config_setting_get_member(s, "log") ||
	       config_setting_get_member(s, "count");
}

/* n = { search = [lo, hi]; resolution = r; }: an adaptive n-search (search.h) */
static int parse_search(const struct parse *p, const config_setting_t *s, struct axis *ax)
{
	static const char *const keys[] = {"search", "resolution"};
	const config_setting_t *rng = NULL, *res = NULL;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *k = config_setting_name(e);
		if (!strcmp(k, "search"))
			rng = e;
		else if (!strcmp(k, "resolution"))
			res = e;
		else {
			char sug[256];
			suggest(sug, sizeof sug, k, keys, 2);
			return fail(p, line_of(e), "unknown setting '%s' in the search of 'n'%s", k, sug);
		}
	}
	double lo = 0, hi = 0, r = 1;
	CHECK(parse_pair(p, rng, "n", &lo, &hi));
	if (lo != floor(lo) || hi != floor(hi) || lo < 1)
		return fail(p, line_of(rng), "the search of 'n' needs integers lo >= 1 (got [%g, %g])", lo, hi);
	if (hi > 1e9)
		return fail(p, line_of(rng), "the search of 'n' must stay <= 1e9");
	if (res) {
		if (!is_number(res) || number(res) != floor(number(res)) || number(res) < 1 || number(res) > 1e9)
			return fail(p, line_of(res), "'resolution' of the search of 'n' must be an integer in [1, 1e9]");
		r = number(res);
	}
	if (!(ax->v = calloc(1, sizeof *ax->v)))
		return RAISE(BW_ENOMEM, "out of memory");
	ax->len = 1;
	ax->v[0].x = hi;
	ax->v[0].line = ax->line;
	ax->search = 1;
	ax->lo = (long)lo;
	ax->hi = (long)hi;
	ax->resolution = (long)r;
	return BW_OK;
}

/* ---- one axis: scalar, list or range ------------------------------------------ */

static int parse_axis(const struct parse *p, enum axis_id id, const config_setting_t *s, struct axis *ax)
{
	const struct axis_def *def = &axis_defs[id];
	int budget = id == AX_STEPS || id == AX_TIME;
	free(ax->v);
	memset(ax, 0, sizeof *ax);
	ax->line = line_of(s);
	ax->set = 1;
	if (config_setting_is_group(s) && config_setting_get_member(s, "search")) {
		if (id != AX_N)
			return fail(p, ax->line, "only 'n' can be searched ('%s' takes a value, a list or a range)",
				    def->name);
		return parse_search(p, s, ax);
	}
	if (config_setting_is_group(s)) {
		if (budget && !is_range_group(s)) {
			if (!(ax->v = calloc(1, sizeof *ax->v)))
				return RAISE(BW_ENOMEM, "out of memory");
			ax->len = 1;
			return parse_formula(p, id, s, ax->v);
		}
		return parse_range(p, id, s, ax);
	}
	if (config_setting_is_array(s) || config_setting_is_list(s)) {
		int len = config_setting_length(s);
		if (len == 0)
			return fail(p, ax->line, "'%s' is an empty list", def->name);
		if (!(ax->v = calloc((size_t)len, sizeof *ax->v)))
			return RAISE(BW_ENOMEM, "out of memory");
		ax->len = (size_t)len;
		for (int i = 0; i < len; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			if (budget && config_setting_is_group(e) && !is_range_group(e))
				CHECK(parse_formula(p, id, e, &ax->v[i]));
			else if (config_setting_is_aggregate(e))
				return fail(p, line_of(e), "the list of '%s' must hold single values, not groups or lists",
					    def->name);
			else
				CHECK(parse_scalar(p, id, e, &ax->v[i], " (a list element)"));
		}
		return BW_OK;
	}
	if (id == AX_SEEDS && is_number(s)) { /* a count: indices 0 .. count-1 */
		double c = number(s);
		if (c != floor(c) || !isfinite(c))
			return fail(p, ax->line, "'seeds' must be a count, a list of indices or a range");
		if (c < 1)
			return fail(p, ax->line, "'seeds' (a count) must be >= 1");
		if (c > MAX_SEED_COUNT)
			return fail(p, ax->line, "'seeds' (a count) must be <= %d", MAX_SEED_COUNT);
		if (!(ax->v = calloc((size_t)c, sizeof *ax->v)))
			return RAISE(BW_ENOMEM, "out of memory");
		ax->len = (size_t)c;
		for (size_t i = 0; i < ax->len; i++) {
			ax->v[i].x = (double)i;
			ax->v[i].line = ax->line;
		}
		return BW_OK;
	}
	if (!(ax->v = calloc(1, sizeof *ax->v)))
		return RAISE(BW_ENOMEM, "out of memory");
	ax->len = 1;
	return parse_scalar(p, id, s, ax->v, "");
}

static int find_axis(const char *name)
{
	for (int i = 0; i < AX_COUNT; i++)
		if (!strcmp(name, axis_defs[i].name))
			return i;
	return -1;
}

int bw_spec_value_ok(const char *axis, double x, char *why, size_t len)
{
	int id = find_axis(axis);
	if (id < 0 || (axis_defs[id].kind != V_INT && axis_defs[id].kind != V_REAL)) {
		snprintf(why, len, "is not a numeric axis of a spec");
		return 0;
	}
	return value_ok(&axis_defs[id], x, why, len);
}

static int is_top_only(const char *name)
{
	for (size_t i = 0; i < NTOP_ONLY; i++)
		if (!strcmp(name, top_only[i]))
			return 1;
	return 0;
}

/* "gd, label_noise_sgd and sgd" */
static void readers(unsigned uses, char *buf, size_t len)
{
	size_t off = 0, n = 0, k = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		n += (algo_reads((enum bw_algo)a) & uses) != 0;
	buf[0] = 0;
	for (int a = 0; a < BW_ALGO_COUNT && off < len; a++) {
		if (!(algo_reads((enum bw_algo)a) & uses))
			continue;
		k++;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", k == 1 ? "" : k == n ? " and " : ", ",
					bw_algo_name((enum bw_algo)a));
	}
}

static int parse_algo_group(struct parse *p, enum bw_algo a, const config_setting_t *g)
{
	struct level *lv = &p->algo[a];
	lv->present = 1;
	lv->line = line_of(g);
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(e);
		int id = find_axis(k);
		if (id < 0 && !strcmp(k, MAX_N_OVER_D)) {
			CHECK(parse_max_n(p, e, lv));
			continue;
		}
		if (id < 0) {
			if (is_top_only(k))
				return fail(p, line_of(e), "'%s' is only allowed at the top level, not in algorithms.%s", k,
					    bw_algo_name(a));
			char sug[512];
			suggest(sug, sizeof sug, k, setting_names(), NGROUP_KEYS);
			return fail(p, line_of(e), "unknown setting '%s' in algorithms.%s%s", k, bw_algo_name(a), sug);
		}
		unsigned uses = axis_defs[id].uses;
		if (uses && !(algo_reads(a) & uses)) {
			char who[128];
			readers(uses, who, sizeof who);
			return fail(p, line_of(e), "%s does not read '%s' (only %s do%s)", bw_algo_name(a), k, who,
				    strchr(who, ' ') ? "" : "es");
		}
		CHECK(parse_axis(p, (enum axis_id)id, e, &lv->ax[id]));
	}
	return BW_OK;
}

static int parse_algo_name(const struct parse *p, const config_setting_t *s, const char *str, enum bw_algo *out)
{
	const char *names[BW_ALGO_COUNT];
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		names[a] = bw_algo_name((enum bw_algo)a);
		if (!strcmp(str, names[a])) {
			*out = (enum bw_algo)a;
			return BW_OK;
		}
	}
	char sug[256];
	suggest(sug, sizeof sug, str, names, BW_ALGO_COUNT);
	return fail(p, line_of(s), "unknown algorithm '%s'%s", str, sug);
}

static int parse_top(struct parse *p, const config_setting_t *root)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *e = config_setting_get_elem(root, (unsigned)i);
		const char *k = config_setting_name(e);
		unsigned line = line_of(e);
		int id = find_axis(k);
		if (id >= 0) {
			CHECK(parse_axis(p, (enum axis_id)id, e, &p->top.ax[id]));
		} else if (!strcmp(k, MAX_N_OVER_D)) {
			CHECK(parse_max_n(p, e, &p->top));
		} else if (!strcmp(k, "name")) {
			if (config_setting_type(e) != CONFIG_TYPE_STRING)
				return fail(p, line, "'name' must be a string");
			const char *s = config_setting_get_string(e);
			if (!*s)
				return fail(p, line, "'name' must not be empty");
			char why[128];
			if (!name_ok(s, why, sizeof why))
				return fail(p, line, "'name' cannot name a directory or file (it names the trajectory "
					    "files): %s", why);
			if (!(p->name = strdup(s)))
				return RAISE(BW_ENOMEM, "out of memory");
			p->name_line = line;
		} else if (!strcmp(k, "seed")) {
			double x = is_number(e) ? number(e) : NAN;
			if (!isfinite(x) || x != floor(x))
				return fail(p, line, "'seed' (the sweep seed) must be an integer");
			if (x < 0)
				return fail(p, line, "'seed' (the sweep seed) must be >= 0");
			if (x >= 18446744073709551616.0) /* 2^64: a float beyond it has no uint64 value */
				return fail(p, line, "'seed' (the sweep seed) must be < 2^64");
			p->sweep_seed = config_setting_type(e) == CONFIG_TYPE_FLOAT ? (uint64_t)x
										    : (uint64_t)config_setting_get_int64(e);
		} else if (!strcmp(k, "algorithm")) {
			p->have_selection = 1;
			enum bw_algo a;
			if (config_setting_type(e) == CONFIG_TYPE_STRING) {
				CHECK(parse_algo_name(p, e, config_setting_get_string(e), &a));
				p->selected[a] = 1;
				continue;
			}
			if (!config_setting_is_array(e) && !config_setting_is_list(e))
				return fail(p, line, "'algorithm' must be a name or a list of names");
			if (config_setting_length(e) == 0)
				return fail(p, line, "'algorithm' is an empty list");
			for (int j = 0; j < config_setting_length(e); j++) {
				const config_setting_t *x = config_setting_get_elem(e, (unsigned)j);
				if (config_setting_type(x) != CONFIG_TYPE_STRING)
					return fail(p, line_of(x), "'algorithm' must be a name or a list of names");
				CHECK(parse_algo_name(p, x, config_setting_get_string(x), &a));
				p->selected[a] = 1;
			}
		} else if (!strcmp(k, "algorithms")) {
			if (!config_setting_is_group(e))
				return fail(p, line, "'algorithms' must be a group: algorithms = { gd = { ... }; ... };");
			for (int j = 0; j < config_setting_length(e); j++) {
				const config_setting_t *g = config_setting_get_elem(e, (unsigned)j);
				enum bw_algo a;
				CHECK(parse_algo_name(p, g, config_setting_name(g), &a));
				if (!config_setting_is_group(g))
					return fail(p, line_of(g), "'algorithms.%s' must be a group { ... }", bw_algo_name(a));
				CHECK(parse_algo_group(p, a, g));
			}
		} else {
			char sug[512];
			suggest(sug, sizeof sug, k, setting_names(), NTOP_KEYS);
			return fail(p, line, "unknown setting '%s'%s", k, sug);
		}
	}
	return BW_OK;
}

static void parse_release(struct parse *p)
{
	for (int i = 0; i < AX_COUNT; i++) {
		free(p->top.ax[i].v);
		for (int a = 0; a < BW_ALGO_COUNT; a++)
			free(p->algo[a].ax[i].v);
	}
	free(p->name);
	memset(p, 0, sizeof *p);
}

/* ---- expansion ------------------------------------------------------------------- */

struct task_vec {
	struct bw_task *v;
	size_t len, cap;
};

static int push(struct task_vec *tv, const struct bw_task *t)
{
	if (tv->len == tv->cap) {
		size_t cap = tv->cap ? 2 * tv->cap : 256;
		struct bw_task *v = realloc(tv->v, cap * sizeof *v);
		if (!v)
			return RAISE(BW_ENOMEM, "out of memory for %zu tasks", cap);
		tv->v = v;
		tv->cap = cap;
	}
	tv->v[tv->len++] = *t;
	return BW_OK;
}

/* scale * eta^eta_power * d^d_power; steps round up (after shaving 1e-12
 * relative so that 2 * (1e-3)^-2 is 2000000, not 2000001). */
static int resolve_budget(const struct parse *p, enum axis_id id, const struct val *v, const struct bw_task *t,
			  double *out)
{
	if (!v->formula) {
		*out = v->x;
		return BW_OK;
	}
	double eta = t->run.eta > 0 ? t->run.eta : bw_eta_auto(&t->run, &t->inst);
	double x = v->scale * pow(eta, v->eta_power) * pow((double)t->inst.d, v->d_power);
	if (id == AX_STEPS)
		x = fmax(1.0, ceil(x * (1 - 1e-12)));
	if (!isfinite(x) || !(x > 0) || (id == AX_STEPS && x > MAX_STEPS))
		return fail(p, v->line, "the budget formula of '%s' gives %g for %s d=%zu eta=%g (must be in (0, %g])",
			    axis_defs[id].name, x, bw_algo_name(t->run.algo), t->inst.d, eta,
			    id == AX_STEPS ? MAX_STEPS : HUGE_VAL);
	*out = x;
	return BW_OK;
}

struct search_vec {
	struct bw_search *v;
	size_t len, cap;
};

static int push_search(struct search_vec *sv, const struct bw_search *x)
{
	if (sv->len == sv->cap) {
		size_t cap = sv->cap ? 2 * sv->cap : 64;
		struct bw_search *v = realloc(sv->v, cap * sizeof *v);
		if (!v)
			return RAISE(BW_ENOMEM, "out of memory for %zu searches", cap);
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->len++] = *x;
	return BW_OK;
}

void bw_search_probe(const struct bw_search *s, long n, struct bw_task *out)
{
	*out = s->base;
	out->inst.n = (size_t)n;
	bw_task_set_key(out);
	out->cost = bw_task_cost(out);
}

/* A search's base task sits at n = hi; clip [lo, hi] to the constraints. */
static int make_search(const struct axis *an, const struct bw_task *t, double max_n_over_d, unsigned reads,
		       struct bw_search *out)
{
	long lo = an->lo, hi = an->hi;
	if (lo < (long)t->inst.kappa)
		lo = (long)t->inst.kappa;
	if ((reads & BW_USES_BATCH) && lo < t->run.batch)
		lo = t->run.batch;
	if (max_n_over_d > 0 && (double)hi > max_n_over_d * (double)t->inst.d)
		hi = (long)floor(max_n_over_d * (double)t->inst.d);
	if (t->inst.kappa > t->inst.d || lo > hi)
		return 0;
	memset(out, 0, sizeof *out);
	out->lo = lo;
	out->hi = hi;
	out->resolution = an->resolution;
	out->max_probes = bw_bisect_max_probes(lo, hi, an->resolution);
	out->base = *t;
	out->base.inst.n = (size_t)hi;
	bw_task_set_key(&out->base);
	out->base.cost = bw_task_cost(&out->base);
	struct bw_task probe;
	bw_search_probe(out, lo, &probe);
	out->cost = out->base.cost + (out->max_probes > 1 ? probe.cost : 0);
	if (out->max_probes > 2) {
		bw_search_probe(out, lo + (hi - lo) / 2, &probe);
		out->cost += (double)(out->max_probes - 2) * probe.cost;
	}
	return 1;
}

/* A planned task must be runnable: its instance passes bw_instance_spec_check
 * (n*d at most 4e9 entries), else the spec is refused here, not each task at
 * run time. */
static int check_instance(const struct parse *p, const struct bw_task *t, unsigned line)
{
	if (bw_instance_spec_check(&t->inst) == BW_OK)
		return BW_OK;
	char why[256];
	snprintf(why, sizeof why, "%s", bw_error_message());
	bw_error_clear();
	return fail(p, line, "%s d=%zu n=%zu: %s", bw_algo_name(t->run.algo), t->inst.d, t->inst.n, why);
}

/* A task whose automatic step underflows to 0 (alpha so large that alpha^2
 * overflows) would not move: its own step where eta is left out, and gd's,
 * which the projection of label_noise_sgd and the start of the flow use. */
static int check_auto_step(const struct parse *p, const struct bw_task *t, unsigned line)
{
	const struct bw_run_params *r = &t->run;
	struct bw_run_params g;
	bw_run_params_default(&g, BW_GD);
	g.alpha = r->alpha;
	int own = (algo_reads(r->algo) & BW_USES_ETA) && !(r->eta > 0) && !(bw_eta_auto(r, &t->inst) > 0);
	int uses_gd = r->algo == BW_RIEMANNIAN_FLOW || (r->algo == BW_LABEL_NOISE_SGD && r->project);
	if (own || (uses_gd && !(bw_eta_auto(&g, &t->inst) > 0)))
		return fail(p, line, "'alpha' = %g is too large for %s d=%zu n=%zu: %s automatic step underflows to 0",
			    r->alpha, bw_algo_name(r->algo), t->inst.d, t->inst.n, own ? "its" : "gd's");
	return BW_OK;
}

static int expand_algo(const struct parse *p, enum bw_algo a, struct task_vec *tv, struct search_vec *sv,
		       size_t *dropped, double *planned)
{
	const struct level *lv = &p->algo[a];
	unsigned reads = algo_reads(a);
	struct bw_run_params def;
	bw_run_params_default(&def, a);
	struct val dv[AX_COUNT] = {0};
	dv[AX_DESIGN].x = BW_DESIGN_RADEMACHER;
	dv[AX_WSTAR].x = BW_WSTAR_SIGNS;
	dv[AX_SEEDS].x = 0;
	dv[AX_ALPHA].x = def.alpha;
	dv[AX_ETA].x = 0; /* auto */
	dv[AX_SIGMA].x = def.sigma;
	dv[AX_BATCH].x = (double)def.batch;
	dv[AX_EPS].x = def.eps;
	dv[AX_TOL].x = def.tol;
	dv[AX_PROJECT].x = def.project;
	dv[AX_STEPS].x = default_budget[a].steps;
	dv[AX_TIME].x = default_budget[a].time;
	struct axis ax[AX_COUNT];
	for (int i = 0; i < AX_COUNT; i++)
		ax[i] = (struct axis){.v = &dv[i], .len = 1};

	for (int i = 0; i < AX_STEPS; i++) {
		unsigned uses = axis_defs[i].uses;
		if (uses && !(reads & uses))
			continue; /* not read: one default value, top-level lists ignored */
		if (lv->ax[i].set)
			ax[i] = lv->ax[i];
		else if (p->top.ax[i].set)
			ax[i] = p->top.ax[i];
		else if (i == AX_D || i == AX_N || i == AX_KAPPA)
			return fail(p, lv->present ? lv->line : 0, "'%s' is not set for %s (set it at the top level%s)",
				    axis_defs[i].name, bw_algo_name(a), lv->present ? " or in this group" : "");
	}
	/* steps and time form one budget: the level that sets either decides both */
	const struct level *bl = lv->ax[AX_STEPS].set || lv->ax[AX_TIME].set		  ? lv
				 : p->top.ax[AX_STEPS].set || p->top.ax[AX_TIME].set ? &p->top
											     : NULL;
	if (bl) {
		dv[AX_STEPS].x = dv[AX_TIME].x = 0;
		for (int i = AX_STEPS; i <= AX_TIME; i++) {
			if (bl->ax[i].set)
				ax[i] = bl->ax[i];
			if (!(reads & BW_USES_ETA))
				for (size_t j = 0; j < ax[i].len; j++)
					if (ax[i].v[j].formula && ax[i].v[j].eta_power != 0)
						return fail(p, ax[i].v[j].line,
							    "%s has no step size for the 'eta_power' of this '%s' "
							    "(give it its own budget in algorithms.%s)",
							    bw_algo_name(a), axis_defs[i].name, bw_algo_name(a));
		}
	}

	double points = 1;
	for (int i = 0; i < AX_COUNT; i++)
		points *= (double)ax[i].len;
	if (points > BW_SPEC_MAX_POINTS)
		return fail(p, 0, "the grid of %s has %.0f points, more than %.0f", bw_algo_name(a), points,
			    (double)BW_SPEC_MAX_POINTS);

	double max_n_over_d = lv->max_n_set ? lv->max_n_over_d : p->top.max_n_over_d;

	/* count the surviving points before building any task */
	double others = points / ((double)ax[AX_D].len * (double)ax[AX_N].len * (double)ax[AX_KAPPA].len *
				  (double)ax[AX_BATCH].len);
	for (size_t i = 0; i < ax[AX_D].len; i++)
		for (size_t j = 0; j < ax[AX_N].len; j++)
			for (size_t k = 0; k < ax[AX_KAPPA].len; k++)
				for (size_t b = 0; b < ax[AX_BATCH].len; b++) {
					double d = ax[AX_D].v[i].x, n = ax[AX_N].v[j].x, kappa = ax[AX_KAPPA].v[k].x;
					if (kappa <= d && kappa <= n && (max_n_over_d == 0 || n <= max_n_over_d * d) &&
					    (!(reads & BW_USES_BATCH) || ax[AX_BATCH].v[b].x <= n))
						*planned += others;
				}
	if (*planned > BW_SPEC_MAX_TASKS)
		return fail(p, 0, "the grid has more than %d tasks (%.0f counting up to %s)", BW_SPEC_MAX_TASKS,
			    *planned, bw_algo_name(a));

	size_t idx[AX_COUNT] = {0};
	for (;;) {
#define V(i) (ax[i].v[idx[i]].x)
		struct bw_task t;
		memset(&t, 0, sizeof t);
		t.inst.design = (enum bw_design)V(AX_DESIGN);
		t.inst.wstar = (enum bw_wstar)V(AX_WSTAR);
		t.inst.d = (size_t)V(AX_D);
		t.inst.n = (size_t)V(AX_N);
		t.inst.kappa = (size_t)V(AX_KAPPA);
		t.inst.sweep_seed = p->sweep_seed;
		t.inst.seed_index = (uint32_t)V(AX_SEEDS);
		t.run = def;
		t.run.alpha = V(AX_ALPHA);
		t.run.eta = V(AX_ETA);
		t.run.sigma = V(AX_SIGMA);
		t.run.batch = (long)V(AX_BATCH);
		t.run.eps = V(AX_EPS);
		t.run.tol = V(AX_TOL);
		t.run.project = (int)V(AX_PROJECT);
		if (ax[AX_N].search) {
			double steps, time;
			CHECK(resolve_budget(p, AX_STEPS, &ax[AX_STEPS].v[idx[AX_STEPS]], &t, &steps));
			CHECK(resolve_budget(p, AX_TIME, &ax[AX_TIME].v[idx[AX_TIME]], &t, &time));
			t.run.max_steps = (long)steps;
			t.run.max_time = time;
			t.run.noise_seed = bw_noise_seed(bw_instance_seed(&t.inst), a);
			struct bw_search srch;
			if (make_search(&ax[AX_N], &t, max_n_over_d, reads, &srch)) {
				CHECK(check_instance(p, &srch.base, ax[AX_N].line));
				CHECK(check_auto_step(p, &srch.base, ax[AX_ALPHA].v[idx[AX_ALPHA]].line));
				CHECK(push_search(sv, &srch));
			} else {
				(*dropped)++;
			}
		} else if (t.inst.kappa > t.inst.d || t.inst.kappa > t.inst.n ||
		    (max_n_over_d > 0 && (double)t.inst.n > max_n_over_d * (double)t.inst.d) ||
		    ((reads & BW_USES_BATCH) && (size_t)t.run.batch > t.inst.n)) {
			(*dropped)++;
		} else {
			double steps, time;
			CHECK(resolve_budget(p, AX_STEPS, &ax[AX_STEPS].v[idx[AX_STEPS]], &t, &steps));
			CHECK(resolve_budget(p, AX_TIME, &ax[AX_TIME].v[idx[AX_TIME]], &t, &time));
			t.run.max_steps = (long)steps;
			t.run.max_time = time;
			t.run.noise_seed = bw_noise_seed(bw_instance_seed(&t.inst), a);
			CHECK(check_instance(p, &t, ax[AX_N].v[idx[AX_N]].line));
			CHECK(check_auto_step(p, &t, ax[AX_ALPHA].v[idx[AX_ALPHA]].line));
			bw_task_set_key(&t);
			t.cost = bw_task_cost(&t);
			CHECK(push(tv, &t));
		}
#undef V
		int i = AX_COUNT - 1;
		while (i >= 0 && ++idx[i] == ax[i].len)
			idx[i--] = 0;
		if (i < 0)
			break;
	}
	return BW_OK;
}

static int cmp_key(const void *x, const void *y)
{
	const struct bw_task *a = x, *b = y;
	return (a->key > b->key) - (a->key < b->key);
}

static int cmp_search_key(const void *x, const void *y)
{
	const struct bw_search *a = x, *b = y;
	return (a->base.key > b->base.key) - (a->base.key < b->base.key);
}

static int cmp_search_cost(const void *x, const void *y)
{
	const struct bw_search *a = x, *b = y;
	if (a->cost != b->cost)
		return a->cost < b->cost ? 1 : -1;
	return (a->base.key > b->base.key) - (a->base.key < b->base.key);
}

static int cmp_cost(const void *x, const void *y)
{
	const struct bw_task *a = x, *b = y;
	if (a->cost != b->cost)
		return a->cost < b->cost ? 1 : -1;
	return (a->key > b->key) - (a->key < b->key);
}

static char *basename_without_cfg(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t len = strlen(b);
	if (len > 4 && !strcmp(b + len - 4, ".cfg"))
		len -= 4;
	return strndup(b, len);
}

static int load(struct parse *p, const char *text, struct bw_spec *out)
{
	/* the spec's text is stored with the results, so it must be all of it */
	unsigned lineno = 1;
	for (const char *c = text; *c; c++) {
		if (c == text || c[-1] == '\n') {
			const char *q = c + strspn(c, " \t");
			if (!strncmp(q, "@include", 8))
				return fail(p, lineno, "@include is not supported: a spec is one self-contained file");
		}
		lineno += *c == '\n';
	}
	config_t cfg;
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		const char *why = config_error_text(&cfg);
		int rc = fail(p, (unsigned)config_error_line(&cfg), "%s%s", why,
			      strstr(why, "mismatched element type") ? " (numbers in [ ] need one type: [1.0, 2.5], "
								       "or use a list ( ... ))"
								     : "");
		config_destroy(&cfg);
		return rc;
	}
	int rc = parse_top(p, config_root_setting(&cfg));
	config_destroy(&cfg);
	CHECK(rc);

	if (!p->have_selection)
		for (int a = 0; a < BW_ALGO_COUNT; a++)
			p->selected[a] = p->algo[a].present;
	int any = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		any |= p->selected[a];
	if (!any)
		return fail(p, 0, "no algorithm to run: set 'algorithm = [...]' or an 'algorithms' group");

	struct task_vec tv = {0};
	struct search_vec sv = {0};
	size_t dropped = 0;
	double planned = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++) {
		if (!p->selected[a])
			continue;
		rc = expand_algo(p, (enum bw_algo)a, &tv, &sv, &dropped, &planned);
		if (rc) {
			free(tv.v);
			free(sv.v);
			return rc;
		}
	}
	if (sv.len) {
		qsort(sv.v, sv.len, sizeof *sv.v, cmp_search_key);
		size_t k = 1;
		for (size_t i = 1; i < sv.len; i++)
			if (sv.v[i].base.key != sv.v[k - 1].base.key)
				sv.v[k++] = sv.v[i];
		sv.len = k;
		qsort(sv.v, sv.len, sizeof *sv.v, cmp_search_cost);
	}
	out->searches = sv.v;
	out->nsearch = sv.len;
	for (size_t i = 0; i < sv.len; i++) {
		const struct bw_search *x = &sv.v[i];
		out->per_algo_search[x->base.run.algo]++;
		out->total_cost += x->cost;
		size_t b = bw_instance_bytes(x->base.inst.design, x->base.inst.n, x->base.inst.d);
		if (b > out->max_instance_bytes)
			out->max_instance_bytes = b;
	}
	if (tv.len) {
		qsort(tv.v, tv.len, sizeof *tv.v, cmp_key);
		size_t k = 1;
		for (size_t i = 1; i < tv.len; i++)
			if (tv.v[i].key != tv.v[k - 1].key)
				tv.v[k++] = tv.v[i];
		tv.len = k;
		qsort(tv.v, tv.len, sizeof *tv.v, cmp_cost);
	}
	out->tasks = tv.v;
	out->ntasks = tv.len;
	out->dropped = dropped;
	out->sweep_seed = p->sweep_seed;
	for (size_t i = 0; i < tv.len; i++) {
		const struct bw_task *t = &tv.v[i];
		out->per_algo[t->run.algo]++;
		out->total_cost += t->cost;
		size_t b = bw_instance_bytes(t->inst.design, t->inst.n, t->inst.d);
		if (b > out->max_instance_bytes)
			out->max_instance_bytes = b;
	}
	return BW_OK;
}

int bw_spec_load_string(const char *path, const char *text, struct bw_spec *out)
{
	memset(out, 0, sizeof *out);
	struct parse p;
	memset(&p, 0, sizeof p);
	p.path = path;
	int rc = load(&p, text, out);
	if (rc == BW_OK) {
		out->path = strdup(path);
		out->name = p.name ? strdup(p.name) : basename_without_cfg(path);
		out->name_line = p.name_line;
		out->text = strdup(text);
		out->text_hash = bw_hash_str(text);
		if (!out->path || !out->name || !out->text)
			rc = RAISE(BW_ENOMEM, "out of memory");
	}
	char why[128];
	if (rc == BW_OK && !p.name && !name_ok(out->name, why, sizeof why))
		rc = fail(&p, 0, "the file name (without .cfg) is the spec's name and cannot name the trajectory files: %s "
			  "(set name = \"...\";)", why);
	parse_release(&p);
	if (rc != BW_OK)
		bw_spec_release(out);
	return rc;
}

int bw_spec_load(const char *path, struct bw_spec *out)
{
	memset(out, 0, sizeof *out);
	/* O_NONBLOCK: opening a FIFO does not wait for a writer; only a regular
	 * file of bounded size is read (not /dev/zero, a FIFO or a directory) */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return RAISE(BW_EINVAL, "cannot open spec '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return RAISE(BW_EIO, "cannot read spec '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return RAISE(BW_EINVAL, "cannot open spec '%s': %s", path,
			     S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file (a device, FIFO or socket)");
	}
	if (st.st_size > BW_SPEC_FILE_MAX) {
		close(fd);
		return RAISE(BW_EINVAL, "spec '%s' is %lld bytes, more than a spec may have (%ld MiB)", path,
			     (long long)st.st_size, BW_SPEC_FILE_MAX >> 20);
	}
	/* read to the end, which may differ from st_size when the file changes meanwhile */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *text = malloc(cap + 1);
	int rc = text ? BW_OK : RAISE(BW_ENOMEM, "out of memory reading '%s'", path);
	while (rc == BW_OK) {
		if (len == cap) {
			cap = cap * 2 > (size_t)BW_SPEC_FILE_MAX + 1 ? (size_t)BW_SPEC_FILE_MAX + 1 : cap * 2;
			char *t = len < cap ? realloc(text, cap + 1) : NULL;
			if (!t) {
				rc = len < cap ? RAISE(BW_ENOMEM, "out of memory reading '%s'", path)
					       : RAISE(BW_EINVAL, "spec '%s' is more than a spec may have (%ld MiB)", path,
						       BW_SPEC_FILE_MAX >> 20);
				break;
			}
			text = t;
		}
		ssize_t got = read(fd, text + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = RAISE(BW_EIO, "cannot read spec '%s': %s", path, strerror(errno));
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (rc == BW_OK) {
		text[len] = 0;
		if (strlen(text) != len)
			rc = RAISE(BW_EINVAL, "%s: the spec holds a NUL byte (not a text file?)", path);
	}
	if (rc == BW_OK)
		rc = bw_spec_load_string(path, text, out);
	free(text);
	return rc;
}

void bw_spec_release(struct bw_spec *spec)
{
	free(spec->path);
	free(spec->name);
	free(spec->text);
	free(spec->tasks);
	free(spec->searches);
	memset(spec, 0, sizeof *spec);
}

/* ---- one task: key, cost, memory ---------------------------------------------- */

int bw_task_canonical(const struct bw_task *t, char *buf, size_t len)
{
	const struct bw_run_params *r = &t->run;
	unsigned reads = algo_reads(r->algo);
	char eta[40] = "", sigma[40] = "", batch[32] = "", project[16] = "";
	if (reads & BW_USES_ETA) {
		if (r->eta > 0)
			snprintf(eta, sizeof eta, " eta=%.17g", r->eta);
		else
			snprintf(eta, sizeof eta, " eta=auto");
	}
	if (reads & BW_USES_SIGMA)
		snprintf(sigma, sizeof sigma, " sigma=%.17g", r->sigma);
	if (reads & BW_USES_BATCH)
		snprintf(batch, sizeof batch, " batch=%ld", r->batch);
	if (reads & USES_PROJECT)
		snprintf(project, sizeof project, " project=%d", r->project ? 1 : 0);
	int n = snprintf(buf, len,
			 "bw-task/1 algo=%s design=%s wstar=%s d=%zu n=%zu kappa=%zu sweep_seed=%" PRIu64
			 " seed=%" PRIu32 " alpha=%.17g%s%s%s steps=%ld time=%.17g eps=%.17g tol=%.17g%s",
			 bw_algo_name(r->algo), bw_design_name(t->inst.design), bw_wstar_name(t->inst.wstar), t->inst.d,
			 t->inst.n, t->inst.kappa, t->inst.sweep_seed, t->inst.seed_index, r->alpha, eta, sigma, batch,
			 r->max_steps, r->max_time, r->eps, r->tol, project);
	if (n < 0 || (size_t)n >= len)
		return RAISE(BW_EINVAL, "canonical string of a task needs %d bytes, buffer has %zu", n, len);
	return BW_OK;
}

void bw_task_set_key(struct bw_task *t)
{
	char buf[BW_TASK_CANONICAL_MAX];
	bw_task_canonical(t, buf, sizeof buf); /* always fits: at most ~420 bytes */
	t->key = bw_hash_str(buf);
	snprintf(t->key_hex, sizeof t->key_hex, "%016" PRIx64, t->key);
}

/* Steps to reach relative loss tol for gd (and, in expectation, sgd) with step
 * eta: ln(1/tol) / (eta * lambda_lo), with the curvature of the interpolating
 * directions lambda_lo ~ (16/n) max(alpha^2, 1) max((sqrt d - sqrt n)^2, 1). */
static double descent_steps(double eta, double tol, double alpha, double n, double d)
{
	double gap = sqrt(d) - sqrt(n);
	double lo = 16.0 / n * fmax(alpha * alpha, 1.0) * fmax(gap * gap, 1.0);
	return ceil(log(1.0 / tol) / (eta * lo));
}

/* The budget in steps (0 = none) when a step advances the clock by dt. */
static double budget_steps(const struct bw_run_params *r, double dt)
{
	double s = HUGE_VAL;
	if (r->max_steps > 0)
		s = (double)r->max_steps;
	if (r->max_time > 0 && dt > 0)
		s = fmin(s, ceil(r->max_time / dt));
	return s;
}

#define FLOW_STEP_GUESS 0.05 /* the flow's typical adaptive step h in flow time */
#define FLOW_EXTRA_STEPS 100  /* start-up, step rejections, the final retractions */

double bw_task_cost(const struct bw_task *t)
{
	const struct bw_run_params *r = &t->run;
	double n = (double)t->inst.n, d = (double)t->inst.d;
	double eta = r->eta > 0 ? r->eta : bw_eta_auto(r, &t->inst);
	struct bw_run_params g;
	bw_run_params_default(&g, BW_GD);
	g.alpha = r->alpha;
	double gd_eta = bw_eta_auto(&g, &t->inst);
	double to_manifold = descent_steps(gd_eta, 1e-10, r->alpha, n, d) * 2 * n * d;
	switch (r->algo) {
	case BW_GD: {
		double s = fmin(budget_steps(r, eta), descent_steps(eta, r->tol, r->alpha, n, d));
		return fmax(s, 1) * 2 * n * d;
	}
	case BW_SGD: {
		double s = fmin(budget_steps(r, eta), descent_steps(eta, r->tol, r->alpha, n, d));
		return fmax(s, 1) * (double)r->batch * d;
	}
	case BW_LABEL_NOISE_SGD: {
		double s = budget_steps(r, eta * eta * r->sigma * r->sigma / 2);
		if (!isfinite(s))
			s = ceil(5.0 / (eta * eta * r->sigma * r->sigma / 2));
		return s * d + (r->project ? to_manifold : 0);
	}
	default: {
		double T = r->max_time > 0 ? r->max_time : 50.0;
		double s = ceil(T / FLOW_STEP_GUESS) + FLOW_EXTRA_STEPS;
		if (r->max_steps > 0)
			s = fmin(s, (double)r->max_steps);
		return s * (n * n * d + n * n * n) + to_manifold;
	}
	}
}

size_t bw_task_bytes(const struct bw_task *t)
{
	size_t n = t->inst.n, d = t->inst.d, B = (size_t)(t->run.batch > 0 ? t->run.batch : 1);
	size_t traj = 256 * sizeof(struct bw_checkpoint); /* ~10 checkpoints per decade of steps */
	size_t b = bw_instance_bytes(t->inst.design, n, d) + traj + 3 * d * sizeof(double); /* outcome u, v, w */
	switch (t->run.algo) {
	case BW_GD:
		return b + (n + d) * sizeof(double);
	case BW_SGD:
	case BW_LABEL_NOISE_SGD:
		return b + (n + d + 3 * B) * sizeof(double) + (n + 2 * B) * sizeof(size_t);
	default: /* J J^T and its Cholesky factor (n x n each), Z D (n x d), a dozen vectors */
		return b + (2 * n * n + n * d + 12 * (n + d)) * sizeof(double);
	}
}

/* ---- admission: what plan, run and run-one accept --------------------------------- */

void bw_format_bytes(double b, char *buf, size_t len)
{
	const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int i = 0;
	while (b >= 1024 && i < 5) {
		b /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

double bw_memory_limit_default(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (cores < 1)
		cores = 1;
	return pages > 0 && page > 0 ? (double)pages * (double)page / (double)cores : HUGE_VAL;
}

/* path: the spec's, or NULL; which: "the largest task" or "the task" */
static int memory_fits(const char *path, const char *which, const struct bw_task *t, size_t bytes, double limit,
		       int given)
{
	if (!((double)bytes > limit))
		return BW_OK;
	char b1[32], b2[32];
	bw_format_bytes((double)bytes, b1, sizeof b1);
	bw_format_bytes(limit, b2, sizeof b2);
	return RAISE(BW_EINVAL, "%s%s%s (%s d=%zu n=%zu) needs %s, more than the memory limit per rank %s%s",
		     path ? path : "", path ? ": " : "", which, bw_algo_name(t->run.algo), t->inst.d, t->inst.n, b1, b2,
		     given ? "" : " (physical memory / cores; --memory-limit overrides)");
}

int bw_task_admit(const struct bw_task *t, double memory_limit)
{
	CHECK(bw_instance_spec_check(&t->inst));
	int given = memory_limit > 0;
	return memory_fits(NULL, "the task", t, bw_task_bytes(t), given ? memory_limit : bw_memory_limit_default(), given);
}

static int cost_finite(const struct bw_spec *spec, const struct bw_task *t, double cost)
{
	if (isfinite(cost))
		return BW_OK;
	const struct bw_run_params *r = &t->run;
	double eta = r->eta > 0 ? r->eta : bw_eta_auto(r, &t->inst);
	return RAISE(BW_EINVAL,
		     "%s: the task %s (%s d=%zu n=%zu alpha=%g eta=%g%s) has no finite cost estimate: a step that "
		     "underflows to 0 or a budget beyond any number of steps (change alpha, eta or the budget)",
		     spec->path, t->key_hex, bw_algo_name(r->algo), t->inst.d, t->inst.n, r->alpha, eta,
		     r->eta > 0 ? "" : " automatic");
}

/* The catalog's sidecars and the run's trajectory files must fit NAME_MAX
 * and PATH_MAX: the longest run id (19 digits) and shard index (10). */
static int names_fit(const struct bw_spec *spec, const char *catalog)
{
	const char *base = strrchr(catalog, '/');
	base = base ? base + 1 : catalog;
	size_t bl = strlen(base), dirl = (size_t)(base - catalog);
	size_t side = bl + strlen("-journal");
	size_t traj = bl + 1 + strlen(spec->name) + 1 + 19 + strlen("-shard") + 10 + strlen(".h5");
	char at[64] = "";
	if (spec->name_line)
		snprintf(at, sizeof at, ":%u", spec->name_line);
	if (side > NAME_MAX)
		return RAISE(BW_EINVAL, "the catalog's file name '%s' is %zu bytes: with '-journal' it passes the %d bytes "
			     "a file name may have", base, bl, NAME_MAX);
	if (traj > NAME_MAX)
		return RAISE(BW_EINVAL, "%s%s: the trajectory files '<catalog>-<name>-<run>-shard<i>.h5' of catalog '%s' "
			     "would have names of up to %zu bytes, more than the %d a file name may have: shorten "
			     "'name' (%zu bytes) or the catalog's file name", spec->path, at, base, traj, NAME_MAX,
			     strlen(spec->name));
	if (dirl + (traj > side ? traj : side) >= PATH_MAX)
		return RAISE(BW_EINVAL, "the catalog's path '%s' is too long: its trajectory files' paths would pass the "
			     "%d bytes a path may have", catalog, PATH_MAX);
	return BW_OK;
}

int bw_spec_admit(const struct bw_spec *spec, const struct bw_admit_opts *o, struct bw_admission *out)
{
	struct bw_admission a = {0};
	int given = o && o->memory_limit > 0;
	a.memory_limit = given ? o->memory_limit : bw_memory_limit_default();
	for (size_t i = 0; i < spec->ntasks; i++) {
		const struct bw_task *t = &spec->tasks[i];
		CHECK(cost_finite(spec, t, t->cost));
		size_t b = bw_task_bytes(t);
		if (b > a.bytes) {
			a.bytes = b;
			a.largest = t;
		}
	}
	for (size_t i = 0; i < spec->nsearch; i++) { /* a search's largest probe is its base (n = hi) */
		const struct bw_search *x = &spec->searches[i];
		CHECK(cost_finite(spec, &x->base, x->cost));
		size_t b = bw_task_bytes(&x->base);
		if (b > a.bytes) {
			a.bytes = b;
			a.largest = &x->base;
		}
	}
	if (!isfinite(spec->total_cost))
		return RAISE(BW_EINVAL, "%s: the estimated cost of the grid overflows (more than %g coordinate-updates): "
			     "split the spec", spec->path, DBL_MAX);
	if (a.largest)
		CHECK(memory_fits(spec->path, "the largest task", a.largest, a.bytes, a.memory_limit, given));
	if (o && o->catalog)
		CHECK(names_fit(spec, o->catalog));
	if (out)
		*out = a;
	return BW_OK;
}
