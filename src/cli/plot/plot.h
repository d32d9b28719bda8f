/* plot.h - inside `biasweep plot` (src/cli/plot.c dispatches): one emitter
 * per figure kind, each writing its script and data into in-memory files
 * (struct plotout) that cmd_plot commits and hands to gnuplot.
 *   common.c      the output files, the gnuplot runner, text and number
 *                 formatting, the script preamble, styles, series labels;
 *   nstar.c       what nstar-d and nstar-klnd share: cells, fits, blocks;
 *   nstar_d.c, nstar_klnd.c, phase.c, trajectory.c   the figures.
 * The numbers come from the analysis layer (analysis.h), as in curve. */
#ifndef BIASWEEP_CLI_PLOT_H
#define BIASWEEP_CLI_PLOT_H

#include "biasweep/analysis.h"
#include "biasweep/opts.h"
#include "biasweep/query.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_FILES 4
#define MAX_SERIES 32
#define MAX_PANELS 32
#define MAX_RUNS 16

/* ---- output files (common.c) ------------------------------------------------------- */

struct outfile {
	char *path;
	char *buf;
	size_t len;
	FILE *f;
};

struct plotout {
	int svg;
	const char *image;  /* as given */
	char *base;         /* image without its extension */
	const char *name;   /* basename of base */
	size_t nfiles;
	struct outfile file[MAX_FILES];
};

/* Checks -o (BW_EINVAL: no .png/.svg, a control character, a directory
 * that is missing or not writable); release even when it fails. */
int out_init(struct plotout *o, const char *image);
void out_release(struct plotout *o);
/* A new in-memory file BASE SUFFIX (the first one opened is the script);
 * *name (may be NULL) gets its basename. */
int out_open(struct plotout *o, const char *suffix, FILE **f, const char **name);
/* Writes every file (the data first, the script last); on any failure
 * removes what it wrote. */
int out_commit(struct plotout *o);
/* gnuplot SCRIPT (posix_spawnp, no shell); BW_EIO unless it wrote the image. */
int run_gnuplot(const struct plotout *o);

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

struct plotargs {
	const char *kind, *catalog;
	struct bw_opt_list *where;
};

void put_provenance(FILE *f, const struct plotargs *a, const char *image);
void put_preamble(FILE *f, const struct plotout *o, const struct plotargs *a, int width, int height,
		  const char *what);
void put_log_tics(FILE *f, const char *axis, double lo, double hi);
void put_title(FILE *f, const char *cmd, const char *text, const char *common);
void layout(size_t n, int *rows, int *cols);
/* The invisible -1 works around gnuplot 5.4 failing on a plot of keyentries only. */
void legend_plot(FILE *f);
/* Colour and point type of an algorithm's variant-th series; returns the point size. */
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
int nstar_prepare(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct plotargs *a,
		  struct plotout *o, int klnd, struct nstar_plot *P);
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
/* The blocks of a panel at x = column xc: bars, arrows and triangles, then
 * the points (with lines when lines). */
void plot_panel_blocks(FILE *f, int *first, const struct nstar_plot *P, size_t panel, int xc, int lines);
/* The legend's plot: every series, then the interval marks drawn. */
void legend_keys(FILE *f, const struct nstar_plot *P, int lines);

/* ---- the figures ------------------------------------------------------------------------ */

/* Each renders its files into o (nothing is written yet); BW_EINVAL for
 * --where conditions it cannot draw. */
typedef int plot_emitter(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct plotargs *a,
			 struct plotout *o);
plot_emitter plot_nstar_d, plot_nstar_klnd, plot_phase, plot_trajectory;

#endif
