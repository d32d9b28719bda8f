/* parse.h - a spec parsed and not yet expanded (internal to src/sweep).
 *
 * spec.c reads the file and hands libconfig's tree to spec_parse_top
 * (parse.c), which checks every setting with file:line into a struct parse;
 * spec_expand (grid.c) expands the selected algorithms into tasks and
 * searches.  Every error is BW_EINVAL through spec_fail: "PATH:LINE: msg",
 * or "PATH: msg" where there is no line.
 */
#ifndef BIASWEEP_SWEEP_PARSE_H
#define BIASWEEP_SWEEP_PARSE_H

#include "biasweep/spec.h"

#include <libconfig.h>

/* ---- the settings a spec knows ---- */

enum axis_id {
	AX_DESIGN, AX_WSTAR, AX_D, AX_N, AX_KAPPA, AX_SEEDS, AX_NOISE_SEEDS, AX_ALPHA, AX_ETA, AX_ETA_SCALE, AX_SIGMA, AX_BATCH,
	AX_EPS, AX_TOL, AX_PROJECT, AX_CHECKPOINTS, AX_SCHEDULE, AX_STEPS, AX_TIME, AX_COUNT
};

enum vkind { V_INT, V_REAL, V_DESIGN, V_WSTAR, V_BOOL, V_SCHEDULE };

#define MAX_STEPS BW_SPEC_MAX_STEPS

struct axis_def {
	const char *name;
	enum vkind kind;
	unsigned uses; /* what an algorithm must read to take it (BW_USES_*); 0: all */
	double min;    /* values >= min, or > min when strict */
	int strict;
	double max;
};

extern const struct axis_def spec_axes[AX_COUNT];

/* ---- parsed, not yet expanded ---- */

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
	const char *const *sets; /* the --set overrides (override.c), nsets of them */
	size_t nsets;
};

/* Lines at or above SPEC_LINE_OVERRIDE are settings of override k = line -
 * SPEC_LINE_OVERRIDE: spec_fail says "--set TEXT: msg" for them. */
#define SPEC_LINE_OVERRIDE 0x40000000u
#define SPEC_MAX_OVERRIDES 64

/* override.c: each "PATH=VALUE" of sets (VALUE in the spec's syntax) replaces
 * or adds the setting PATH (a.b.c: groups added on the way) in cfg. */
int spec_apply_overrides(config_t *cfg, const char *const *sets, size_t nsets);
/* override.c: cfg as spec text (a first comment line naming path and the
 * overrides), into *out (malloc'd); it loads to the same settings. */
int spec_effective_text(const config_t *cfg, const char *path, const char *const *sets, size_t nsets, char **out);

/* Records BW_EINVAL "PATH:LINE: <message>" (no line when line is 0; "--set
 * TEXT: <message>" for an override's line) and returns it. */
int spec_fail(const struct parse *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* parse.c: the top-level settings and the algorithm groups into p. */
int spec_parse_top(struct parse *p, const config_setting_t *root);
void spec_parse_release(struct parse *p);

/* spec.c: 1 when s can be the sweep's name (spec.h, struct bw_spec .name), else 0 and why. */
int spec_name_ok(const char *s, char *why, size_t len);

/* grid.c: the tasks and searches of the selected algorithms, each checked
 * (instance, automatic steps), deduped by key and ordered by cost, into out
 * (tasks, searches, dropped, per_algo*, total_cost, max_instance_bytes). */
int spec_expand(const struct parse *p, struct bw_spec *out);

#endif
