/* emit.h - inside the figures module (figures.h): what the emitters share.
 *   output.c      the in-memory files, their commit, the gnuplot runner;
 *   common.c      text and number formatting, the script preamble, styles
 *                 (from the dynamics table), series labels;
 *   nstar.c       what nstar-d and nstar-klnd share: cells, fits, blocks;
 *   runs.c        what trajectory and wojtowytsch share: the runs on one instance;
 *   nstar_d.c, nstar_klnd.c, phase.c, trajectory.c, pesme.c, wojtowytsch.c   the figures.
 * The numbers come from the analysis layer (analysis.h), as in curve. */
#ifndef BIASWEEP_FIGURES_EMIT_H
#define BIASWEEP_FIGURES_EMIT_H

#include "biasweep/analysis.h"
#include "biasweep/figures.h"
#include "biasweep/query.h"
#include "biasweep/table.h"
#include "biasweep/dynamics.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_SERIES 32
#define MAX_PANELS 32
#define MAX_RUNS 16

/* A new in-memory file BASE SUFFIX of the figure (the first one opened is
 * the script); *name (may be NULL) gets its basename (output.c). */
int figure_open(struct bw_figure *o, const char *suffix, FILE **f, const char **name);

/* ---- text ---------------------------------------------------------------------------- */

void gp_str(FILE *f, const char *s);                  /* a gnuplot single-quoted string ('' inside) */
void enh_cat(char *buf, size_t len, const char *s);   /* appends s with _ ^ { } @ & ~ \ escaped */
void cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void put_real(FILE *f, double x);                     /* " x" (shortest round trip) or " NaN" */
void put_gpnum(FILE *f, double x);                    /* x as a gnuplot real, NaN for none */
/* Catalog text in a comment or label: control characters as '?' (a newline
 * would end the gnuplot command); a data-file word: blanks, quotes and '#' too. */
void put_comment_text(FILE *f, const char *s);
void sanitize(char *s); /* in place */
void put_word(FILE *f, const char *s, const char *sep); /* sep, then s as one word */

/* ---- the script ---------------------------------------------------------------------- */

void put_provenance(FILE *f, const struct bw_figure_args *a, const char *image);
void put_preamble(FILE *f, const struct bw_figure *o, const struct bw_figure_args *a, int width, int height,
		  const char *what);
void put_log_tics(FILE *f, const char *axis, double lo, double hi);
void put_title(FILE *f, const char *cmd, const char *text, const char *common);
void layout(size_t n, int *rows, int *cols);
/* The invisible -1 works around gnuplot 5.4 failing on a plot of keyentries only. */
void legend_plot(FILE *f);
/* Colour and point type of an algorithm's variant-th series (its row of
 * the dynamics table, dynamics.h); returns the point size. */
double style_of(const char *algorithm, int variant, const char **color, int *pt);

/* ---- cells and series ----------------------------------------------------------------- */

struct series {
	const struct bw_qcell *key; /* its first cell */
	int variant;                /* index among the series of its algorithm */
	char label[200];            /* enhanced text */
	char plain[200];            /* for comments */
};

struct seriesset {
	size_t n;
	struct series s[MAX_SERIES];
	struct bw_series_set g; /* g.of_cell: the series of each cell */
};

/* The finished cells matching the filters (BW_EINVAL when none) and their
 * series (BW_EINVAL beyond MAX_SERIES); even on failure the caller releases
 * both (bw_qcells_release, bw_series_release(&ss->g)). */
int plot_cells(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, struct bw_qcells *cells,
	       struct seriesset *ss);
/* "rademacher design, signs w*, ε = 0.1" for what all cells share. */
void common_text(const struct bw_qcells *cells, char *buf, size_t len);
/* Fields 1-10 of a data row: algorithm design wstar d kappa alpha eta sigma batch eps. */
void put_cell_fields(FILE *f, const struct bw_qcell *c);
void put_series_style(FILE *f, const struct series *s);

/* ---- nstar-d and nstar-klnd (nstar.c) ---------------------------------------------------- */

/* What a block of cells needs drawn besides its points. */
enum { BLK_BARS = 1, BLK_OPEN = 2, BLK_ABOVE = 4, BLK_POINTS = 8, BLK_BELOW = 16 };

struct nstar_plot {
	struct bw_qcells cells;
	struct seriesset ss;
	struct bw_cell_stat *r;
	int64_t dmin, dmax; /* over the cells */
	size_t npanels;
	int64_t panel_val[MAX_PANELS]; /* nstar-d: kappa of each panel */
	const char *algos[MAX_SERIES]; /* nstar-klnd: algorithm of each panel */
	size_t nalgos;
	struct bw_line_fit pooled, per_algo[MAX_SERIES];
	size_t nblocks, *block_series, *block_panel;
	int *block_flag, flags; /* flags: all blocks ORed */
	char common[160];
	FILE *gp;
	const char *datname, *fitname;
};

/* The cells, their n* and series, the fits file and the data file of
 * either figure (klnd: panels per algorithm, else per kappa); *P is
 * released by nstar_release even on failure. */
int nstar_prepare(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct bw_figure_args *a,
		  struct bw_figure *o, int klnd, struct nstar_plot *P);
void nstar_release(struct nstar_plot *P);
size_t distinct(int64_t *v, size_t n); /* sorts v and keeps each value once; returns the count */

/* A grid of panels with a legend column on the right, in pixels. */
struct grid {
	int rows, cols, pw, ph, lw, th; /* panel width, height; legend width; title height */
};

static inline int grid_w(const struct grid *g) { return g->cols * g->pw + g->lw; }
static inline int grid_h(const struct grid *g) { return g->rows * g->ph + g->th; }
void grid_panel(FILE *f, const struct grid *g, size_t i);
/* The legend column: an empty plot whose key lists the styles (keyentry);
 * the caller adds labels and then the plot (legend_plot) and its entries. */
void grid_legend(FILE *f, const struct grid *g);
void plot_sep(FILE *f, int *first);
/* The blocks of a panel at x = column xc, series k of n shifted by the
 * factor spread^(k - (n-1)/2) (1: none): bars, dashed open intervals and
 * triangles, then the points (with lines when lines). */
void plot_panel_blocks(FILE *f, int *first, const struct nstar_plot *P, size_t panel, int xc, double spread,
		       int lines);
/* The legend's plot: every series, then the interval marks drawn. */
void legend_keys(FILE *f, const struct nstar_plot *P, int lines);

/* ---- runs on one instance (runs.c) ------------------------------------------------------ */

/* A table cell as a real (NaN for NULL or text), an integer (-1 for none), text ("" for none). */
double tv_real(struct bw_table *t, size_t row, size_t col);
int64_t tv_int(struct bw_table *t, size_t row, size_t col);
const char *tv_text(struct bw_table *t, size_t row, size_t col);

/* The columns read_runs always reads, in this order; a caller's own follow from RC_COUNT. */
enum {
	RC_ALGO, RC_DESIGN, RC_WSTAR, RC_D, RC_KAPPA, RC_N, RC_SEED, RC_SWEEP_SEED, RC_ALPHA, RC_ETA,
	RC_SIGMA, RC_EPS, RC_STATUS, RC_ERR, RC_FILE, RC_ROW, RC_KEY, RC_COUNT
};
extern const char *const run_cols[RC_COUNT];

struct runs {
	struct bw_table t;                /* one row per run */
	struct bw_checkpoint *ck[MAX_RUNS]; /* BW_TRAJ_MAXCK each */
	int count[MAX_RUNS];
	double *w[MAX_RUNS];              /* the final w (d each), when asked for */
};

/* The finished runs matching the user's filters of the dynamics with
 * keep(row) (what: their names, for the message when none match), which
 * must be on one instance (sweep_seed, design, wstar, d, kappa, n, seed) and
 * at most MAX_RUNS, with their trajectories (and final w when want_w) read
 * and checked to be theirs; the table has run_cols, then colnames[0..ncols).
 * BW_EINVAL (one line) otherwise.  *R is released by runs_release, also
 * on failure. */
int read_runs(struct bw_query *q, const struct bw_qfilter *user, size_t nuser, int (*keep)(const struct bw_dynamics *),
	      const char *what, const char *const *colnames, size_t ncols, int want_w, struct runs *R);
void runs_release(struct runs *R);

#endif
