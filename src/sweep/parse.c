/* parse.c - the settings of a spec (libconfig), each checked with
 * file:line: scalars, lists, ranges, budget formulas, n-searches, the
 * per-algorithm groups and the top level (parse.h).  The format is
 * documented at the top of jobs/smoke.cfg and in `biasweep plan --help`. */
#include "parse.h"

#include "biasweep/error.h"
#include "biasweep/suggest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGE_COUNT 100000
#define MAX_SEED_COUNT 1000000

const struct axis_def spec_axes[AX_COUNT] = {
	[AX_DESIGN] = {"design", V_DESIGN, 0, 0, 0, 1},
	[AX_WSTAR] = {"wstar", V_WSTAR, 0, 0, 0, 1},
	[AX_D] = {"d", V_INT, 0, 1, 0, 1e9},
	[AX_N] = {"n", V_INT, 0, 1, 0, 1e9},
	[AX_KAPPA] = {"kappa", V_INT, 0, 1, 0, 1e9},
	[AX_SEEDS] = {"seeds", V_INT, 0, 0, 0, 4294967295.0},
	[AX_NOISE_SEEDS] = {"noise_seeds", V_INT, BW_USES_NOISE, 0, 0, 4294967295.0},
	[AX_ALPHA] = {"alpha", V_REAL, 0, 0, 1, HUGE_VAL},
	[AX_ETA] = {"eta", V_REAL, BW_USES_ETA, 0, 1, HUGE_VAL},
	[AX_ETA_SCALE] = {"eta_scale", V_REAL, BW_USES_ETA, 0, 1, 1e6},
	[AX_SIGMA] = {"sigma", V_REAL, BW_USES_SIGMA, 0, 1, HUGE_VAL},
	[AX_BATCH] = {"batch", V_INT, BW_USES_BATCH, 1, 0, 1e9},
	[AX_EPS] = {"eps", V_REAL, 0, 0, 1, HUGE_VAL},
	[AX_TOL] = {"tol", V_REAL, 0, 0, 1, HUGE_VAL},
	[AX_PROJECT] = {"project", V_BOOL, BW_USES_PROJECT, 0, 0, 1},
	[AX_CHECKPOINTS] = {"checkpoints", V_INT, 0, 1, 0, BW_CHECKPOINTS_MAX},
	[AX_SCHEDULE] = {"schedule", V_SCHEDULE, BW_USES_SCHEDULE, 0, 0, BW_SCHEDULE_COUNT - 1},
	[AX_STEPS] = {"steps", V_INT, 0, 1, 0, MAX_STEPS},
	[AX_TIME] = {"time", V_REAL, 0, 0, 1, HUGE_VAL},
};

static const char *const top_only[] = {"name", "seed", "algorithm", "algorithms"};
#define NTOP_ONLY (sizeof top_only / sizeof top_only[0])
#define MAX_N_OVER_D "max_n_over_d" /* a filter (not an axis): drop points with n > ratio * d */

int spec_fail(const struct parse *p, unsigned line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line >= SPEC_LINE_OVERRIDE && line - SPEC_LINE_OVERRIDE < p->nsets)
		return RAISE(BW_EINVAL, "--set %s: %s", p->sets[line - SPEC_LINE_OVERRIDE], msg);
	if (line)
		return RAISE(BW_EINVAL, "%s:%u: %s", p->path, line, msg);
	return RAISE(BW_EINVAL, "%s: %s", p->path, msg);
}

static unsigned line_of(const config_setting_t *s) { return config_setting_source_line(s); }

/* ---- "did you mean" ---------------------------------------------------------- */

/* " (did you mean 'kappa'?)" for the candidate meant (suggest.h), else
 * " (expected one of: a, b, c)". */
static void suggest(char *buf, size_t len, const char *word, const char *const *cands, size_t n)
{
	if (*bw_suggest_hint(buf, len, word, cands, n))
		return;
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
		names[i] = spec_axes[i].name;
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
		return spec_fail(p, line_of(s), "'%s' must be a number", MAX_N_OVER_D);
	if (!(number(s) > 0))
		return spec_fail(p, line_of(s), "'%s' must be > 0", MAX_N_OVER_D);
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
	case V_SCHEDULE: return "a schedule name ('constant' or 'sharpness')";
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
	const struct axis_def *def = &spec_axes[id];
	char why[64];
	if (def->kind != V_INT && def->kind != V_REAL)
		return BW_OK;
	if (!value_ok(def, x, why, sizeof why))
		return spec_fail(p, line, "'%s' %s", def->name, why);
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
	return spec_fail(p, line_of(s), "unknown %s '%s'%s", what, str, sug);
}

static int parse_scalar(const struct parse *p, enum axis_id id, const config_setting_t *s, struct val *out,
			const char *where)
{
	const struct axis_def *def = &spec_axes[id];
	out->line = line_of(s);
	out->formula = 0;
	switch (def->kind) {
	case V_INT:
	case V_REAL:
		if (!is_number(s))
			return spec_fail(p, out->line, "'%s'%s must be %s", def->name, where, kind_phrase(def->kind));
		out->x = number(s);
		if (!isfinite(out->x))
			return spec_fail(p, out->line, "'%s' must be finite", def->name);
		if (def->kind == V_INT && out->x != floor(out->x))
			return spec_fail(p, out->line, "'%s' must be an integer (got %g)", def->name, out->x);
		return check_range(p, id, out->x, out->line);
	case V_DESIGN:
	case V_WSTAR: {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return spec_fail(p, out->line, "'%s'%s must be %s", def->name, where, kind_phrase(def->kind));
		const char *names[2];
		for (int i = 0; i < 2; i++)
			names[i] = def->kind == V_DESIGN ? bw_design_name((enum bw_design)i) : bw_wstar_name((enum bw_wstar)i);
		return parse_name(p, s, def->kind == V_DESIGN ? "design" : "wstar", names, 2, &out->x);
	}
	case V_SCHEDULE: {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return spec_fail(p, out->line, "'%s'%s must be %s", def->name, where, kind_phrase(def->kind));
		const char *names[BW_SCHEDULE_COUNT];
		for (int i = 0; i < BW_SCHEDULE_COUNT; i++)
			names[i] = bw_schedule_name((enum bw_schedule)i);
		return parse_name(p, s, "schedule", names, BW_SCHEDULE_COUNT, &out->x);
	}
	default:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return spec_fail(p, out->line, "'%s'%s must be true or false", def->name, where);
		out->x = config_setting_get_bool(s) ? 1 : 0;
		return BW_OK;
	}
}

/* ---- ranges and budget formulas ------------------------------------------------- */

static int parse_pair(const struct parse *p, const config_setting_t *s, const char *axis, double *lo, double *hi)
{
	const char *which = config_setting_name(s);
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return spec_fail(p, line_of(s), "'%s' of '%s' must be [lo, hi]", which, axis);
	if (config_setting_length(s) != 2)
		return spec_fail(p, line_of(s), "'%s' of '%s' must be [lo, hi] (2 numbers, got %d)", which, axis,
			    config_setting_length(s));
	for (int i = 0; i < 2; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (!is_number(e) || !isfinite(number(e)))
			return spec_fail(p, line_of(e), "'%s' of '%s' must be [lo, hi] with finite numbers", which, axis);
	}
	*lo = number(config_setting_get_elem(s, 0));
	*hi = number(config_setting_get_elem(s, 1));
	if (*lo > *hi)
		return spec_fail(p, line_of(s), "'%s' of '%s' needs lo <= hi (got [%g, %g])", which, axis, *lo, *hi);
	if (!strcmp(which, "log") && !(*lo > 0))
		return spec_fail(p, line_of(s), "log ranges need lo > 0 ('%s' of '%s' starts at %g)", which, axis, *lo);
	return BW_OK;
}

/* The members of the group s named keys[0..n) into m[0..n) (NULL where
 * absent); any other member fails: "unknown setting 'K' in the WHAT of 'NAME'". */
static int members(const struct parse *p, const config_setting_t *s, const char *const *keys, size_t n,
		   const config_setting_t **m, const char *what, const char *name)
{
	for (size_t j = 0; j < n; j++)
		m[j] = NULL;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *k = config_setting_name(e);
		size_t j = 0;
		while (j < n && strcmp(k, keys[j]))
			j++;
		if (j == n) {
			char sug[256];
			suggest(sug, sizeof sug, k, keys, n);
			return spec_fail(p, line_of(e), "unknown setting '%s' in the %s of '%s'%s", k, what, name, sug);
		}
		m[j] = e;
	}
	return BW_OK;
}

static int parse_range(const struct parse *p, enum axis_id id, const config_setting_t *s, struct axis *ax)
{
	/* n may also be searched (parse_search): its keys are candidates too */
	static const char *const keys[] = {"lin", "log", "count", "search", "resolution"};
	const struct axis_def *def = &spec_axes[id];
	unsigned line = line_of(s);
	size_t nkeys = id == AX_N ? 5 : 3;
	if (def->kind != V_INT && def->kind != V_REAL)
		return spec_fail(p, line, "'%s' takes no range: give %s or a list", def->name, kind_phrase(def->kind));
	const config_setting_t *got[5];
	CHECK(members(p, s, keys, nkeys, got, "range", def->name));
	const config_setting_t *lin = got[0], *lg = got[1], *cnt = got[2], *res = nkeys == 5 ? got[4] : NULL;
	if (nkeys == 5 && got[3])
		return spec_fail(p, line_of(got[3]), "'search' and a range ('lin'/'log') are exclusive in '%s'", def->name);
	if (res)
		return spec_fail(p, line_of(res), "'resolution' belongs to a search: n = { search = [lo, hi]; "
						  "resolution = r; }");
	if (lin && lg)
		return spec_fail(p, line, "the range of '%s' takes 'lin' or 'log', not both", def->name);
	if (!lin && !lg)
		return spec_fail(p, line, "the range of '%s' needs 'lin = [lo, hi];' or 'log = [lo, hi];'%s", def->name,
				 id == AX_N ? " (or a search: 'search = [lo, hi];')" : "");
	if (!cnt)
		return spec_fail(p, line, "the range of '%s' needs 'count'", def->name);
	if (!is_number(cnt) || number(cnt) != floor(number(cnt)))
		return spec_fail(p, line_of(cnt), "'count' must be an integer");
	double count = number(cnt);
	if (count < 1)
		return spec_fail(p, line_of(cnt), "'count' must be >= 1");
	if (count > MAX_RANGE_COUNT)
		return spec_fail(p, line_of(cnt), "'count' must be <= %d", MAX_RANGE_COUNT);
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
	const char *axis = spec_axes[id].name;
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
			return spec_fail(p, line_of(e), "unknown setting '%s' in the budget formula of '%s'%s", k, axis, sug);
		}
		if (!is_number(e) || !isfinite(number(e)))
			return spec_fail(p, line_of(e), "'%s' in the budget formula of '%s' must be a number", k, axis);
		*dst = number(e);
	}
	if (!(out->scale > 0))
		return spec_fail(p, out->line, "'scale' in the budget formula of '%s' must be > 0", axis);
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
	const config_setting_t *got[2];
	CHECK(members(p, s, keys, 2, got, "search", "n"));
	const config_setting_t *rng = got[0], *res = got[1];
	double lo = 0, hi = 0, r = 1;
	CHECK(parse_pair(p, rng, "n", &lo, &hi));
	if (lo != floor(lo) || hi != floor(hi) || lo < 1)
		return spec_fail(p, line_of(rng), "the search of 'n' needs integers lo >= 1 (got [%g, %g])", lo, hi);
	if (hi > 1e9)
		return spec_fail(p, line_of(rng), "the search of 'n' must stay <= 1e9");
	if (res) {
		if (!is_number(res) || number(res) != floor(number(res)) || number(res) < 1 || number(res) > 1e9)
			return spec_fail(p, line_of(res), "'resolution' of the search of 'n' must be an integer in [1, 1e9]");
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
	const struct axis_def *def = &spec_axes[id];
	int budget = id == AX_STEPS || id == AX_TIME;
	free(ax->v);
	memset(ax, 0, sizeof *ax);
	ax->line = line_of(s);
	ax->set = 1;
	if (config_setting_is_group(s) && config_setting_get_member(s, "search")) {
		if (id != AX_N)
			return spec_fail(p, ax->line, "only 'n' can be searched ('%s' takes a value, a list or a range)",
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
			return spec_fail(p, ax->line, "'%s' is an empty list", def->name);
		if (!(ax->v = calloc((size_t)len, sizeof *ax->v)))
			return RAISE(BW_ENOMEM, "out of memory");
		ax->len = (size_t)len;
		for (int i = 0; i < len; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			if (budget && config_setting_is_group(e) && !is_range_group(e))
				CHECK(parse_formula(p, id, e, &ax->v[i]));
			else if (config_setting_is_aggregate(e))
				return spec_fail(p, line_of(e), "the list of '%s' must hold single values, not groups or lists",
					    def->name);
			else
				CHECK(parse_scalar(p, id, e, &ax->v[i], " (a list element)"));
		}
		return BW_OK;
	}
	if ((id == AX_SEEDS || id == AX_NOISE_SEEDS) && is_number(s)) { /* a count: indices 0 .. count-1 */
		double c = number(s);
		if (c != floor(c) || !isfinite(c))
			return spec_fail(p, ax->line, "'%s' must be a count, a list of indices or a range", def->name);
		if (c < 1)
			return spec_fail(p, ax->line, "'%s' (a count) must be >= 1", def->name);
		if (c > MAX_SEED_COUNT)
			return spec_fail(p, ax->line, "'%s' (a count) must be <= %d", def->name, MAX_SEED_COUNT);
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
		if (!strcmp(name, spec_axes[i].name))
			return i;
	return -1;
}

int bw_spec_value_ok(const char *axis, double x, char *why, size_t len)
{
	int id = find_axis(axis);
	if (id < 0 || (spec_axes[id].kind != V_INT && spec_axes[id].kind != V_REAL)) {
		snprintf(why, len, "is not a numeric axis of a spec");
		return 0;
	}
	return value_ok(&spec_axes[id], x, why, len);
}

int bw_spec_reads(enum bw_algo algo, const char *axis, char *why, size_t len)
{
	int id = find_axis(axis);
	unsigned uses = id >= 0 ? spec_axes[id].uses : 0;
	if (!uses || (bw_dynamics_table[algo]->uses & uses))
		return 1;
	char who[192];
	bw_dynamics_list(uses, ", ", " and ", who, sizeof who); /* "gd, label_noise_sgd and sgd" */
	snprintf(why, len, "%s does not read '%s' (only %s do%s)", bw_algo_name(algo), axis, who,
		 strchr(who, ' ') ? "" : "es");
	return 0;
}

static int is_top_only(const char *name)
{
	for (size_t i = 0; i < NTOP_ONLY; i++)
		if (!strcmp(name, top_only[i]))
			return 1;
	return 0;
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
				return spec_fail(p, line_of(e), "'%s' is only allowed at the top level, not in algorithms.%s", k,
					    bw_algo_name(a));
			char sug[512];
			suggest(sug, sizeof sug, k, setting_names(), NGROUP_KEYS);
			return spec_fail(p, line_of(e), "unknown setting '%s' in algorithms.%s%s", k, bw_algo_name(a), sug);
		}
		char why[256];
		if (!bw_spec_reads(a, k, why, sizeof why))
			return spec_fail(p, line_of(e), "%s", why);
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
	return spec_fail(p, line_of(s), "unknown algorithm '%s'%s", str, sug);
}

/* 'eta' and 'eta_scale' in one level (the top, or one group): refused at the later line. */
static int exclusive_eta(const struct parse *p, const struct level *lv)
{
	const struct axis *e = &lv->ax[AX_ETA], *s = &lv->ax[AX_ETA_SCALE];
	if (!e->set || !s->set)
		return BW_OK;
	return spec_fail(p, e->line > s->line ? e->line : s->line,
			 "'eta' (line %u) and 'eta_scale' (line %u) exclude each other: give the step or its multiple "
			 "of the automatic step, not both", e->line, s->line);
}

int spec_parse_top(struct parse *p, const config_setting_t *root)
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
				return spec_fail(p, line, "'name' must be a string");
			const char *s = config_setting_get_string(e);
			if (!*s)
				return spec_fail(p, line, "'name' must not be empty");
			char why[128];
			if (!spec_name_ok(s, why, sizeof why))
				return spec_fail(p, line, "'name' cannot name a directory or file (it names the trajectory "
					    "files): %s", why);
			if (!(p->name = strdup(s)))
				return RAISE(BW_ENOMEM, "out of memory");
			p->name_line = line;
		} else if (!strcmp(k, "seed")) {
			double x = is_number(e) ? number(e) : NAN;
			if (!isfinite(x) || x != floor(x))
				return spec_fail(p, line, "'seed' (the sweep seed) must be an integer");
			if (x < 0)
				return spec_fail(p, line, "'seed' (the sweep seed) must be >= 0");
			if (x >= 18446744073709551616.0) /* 2^64: a float beyond it has no uint64 value */
				return spec_fail(p, line, "'seed' (the sweep seed) must be < 2^64");
			p->sweep_seed = config_setting_type(e) == CONFIG_TYPE_FLOAT ? (uint64_t)x
										    : (uint64_t)config_setting_get_int64(e);
		} else if (!strcmp(k, "algorithm")) {
			p->have_selection = 1;
			enum bw_algo a = 0;
			if (config_setting_type(e) == CONFIG_TYPE_STRING) {
				CHECK(parse_algo_name(p, e, config_setting_get_string(e), &a));
				p->selected[a] = 1;
				continue;
			}
			if (!config_setting_is_array(e) && !config_setting_is_list(e))
				return spec_fail(p, line, "'algorithm' must be a name or a list of names");
			if (config_setting_length(e) == 0)
				return spec_fail(p, line, "'algorithm' is an empty list");
			for (int j = 0; j < config_setting_length(e); j++) {
				const config_setting_t *x = config_setting_get_elem(e, (unsigned)j);
				if (config_setting_type(x) != CONFIG_TYPE_STRING)
					return spec_fail(p, line_of(x), "'algorithm' must be a name or a list of names");
				CHECK(parse_algo_name(p, x, config_setting_get_string(x), &a));
				p->selected[a] = 1;
			}
		} else if (!strcmp(k, "algorithms")) {
			if (!config_setting_is_group(e))
				return spec_fail(p, line, "'algorithms' must be a group: algorithms = { gd = { ... }; ... };");
			for (int j = 0; j < config_setting_length(e); j++) {
				const config_setting_t *g = config_setting_get_elem(e, (unsigned)j);
				enum bw_algo a = 0;
				CHECK(parse_algo_name(p, g, config_setting_name(g), &a));
				if (!config_setting_is_group(g))
					return spec_fail(p, line_of(g), "'algorithms.%s' must be a group { ... }", bw_algo_name(a));
				CHECK(parse_algo_group(p, a, g));
			}
		} else {
			char sug[512];
			suggest(sug, sizeof sug, k, setting_names(), NTOP_KEYS);
			return spec_fail(p, line, "unknown setting '%s'%s", k, sug);
		}
	}
	CHECK(exclusive_eta(p, &p->top));
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		CHECK(exclusive_eta(p, &p->algo[a]));
	return BW_OK;
}

void spec_parse_release(struct parse *p)
{
	for (int i = 0; i < AX_COUNT; i++) {
		free(p->top.ax[i].v);
		for (int a = 0; a < BW_ALGO_COUNT; a++)
			free(p->algo[a].ax[i].v);
	}
	free(p->name);
	memset(p, 0, sizeof *p);
}
