/* figures.h - the figures of `biasweep plot`: gnuplot scripts and their
 * data, from the catalog's cells (query.h) with the numbers of analysis.h
 * (as `biasweep curve` computes them).  Writes files and runs gnuplot;
 * never prints, never exits; errors through error.h.
 *
 * A figure is made in memory first: bw_figure_init checks the image name
 * (BW_EINVAL: no .png/.svg, a control character, a directory that is missing
 * or not writable), an emitter renders the files (BW_EINVAL for --where
 * conditions it cannot draw or that match nothing; nothing is written yet),
 * bw_figure_commit writes them all (the data first, the script last; on a
 * failure it removes what it wrote: BW_EIO), and bw_figure_gnuplot runs
 * `gnuplot SCRIPT` (PATH searched, no shell) and fails with BW_EIO unless the
 * image appeared.  For the image DIR/NAME.png (or .svg) the files are, beside
 * it, file[0] the script NAME.gp (it reads its data from its own directory),
 * then NAME.dat and, for some kinds, NAME-fit.dat, NAME-dt.dat or NAME-rate.dat.  Catalog
 * text reaches a script only as sanitized comments and labels, the image's
 * name only inside single-quoted gnuplot strings.  How each dynamics is drawn
 * (colour, points, which are on the trajectory figure) comes from its row of
 * the dynamics table (dynamics.h).  bw_figure_release frees a figure,
 * whatever its state (also after a failed bw_figure_init).
 */
#ifndef BIASWEEP_FIGURES_H
#define BIASWEEP_FIGURES_H

#include "biasweep/query.h"

#include <stddef.h>
#include <stdio.h>

#define BW_FIGURE_MAX_FILES 4

struct bw_figure_file {
	char *path; /* DIR/NAME SUFFIX */
	char *buf;  /* the content (an open_memstream until committed) */
	size_t len;
	FILE *f;
};

struct bw_figure {
	int svg;
	const char *image;  /* as given (not copied) */
	char *base;         /* image without its extension */
	const char *name;   /* basename of base */
	size_t nfiles;
	struct bw_figure_file file[BW_FIGURE_MAX_FILES];
};

/* What a figure is drawn from, for the provenance line of every file. */
struct bw_figure_args {
	const char *kind, *catalog;
	const char *const *where; /* the --where conditions as given */
	size_t nwhere;
};

int bw_figure_init(struct bw_figure *fig, const char *image);
void bw_figure_release(struct bw_figure *fig);
int bw_figure_commit(struct bw_figure *fig);
int bw_figure_gnuplot(const struct bw_figure *fig);

/* The emitters: one per kind, rendering into fig (after bw_figure_init)
 * from the finished tasks matching filt[0..nf). */
typedef int bw_figure_emitter(struct bw_query *q, const struct bw_qfilter *filt, size_t nf,
			      const struct bw_figure_args *a, struct bw_figure *fig);
bw_figure_emitter bw_figure_nstar_d;    /* n* against d, a panel per kappa */
bw_figure_emitter bw_figure_nstar_klnd; /* n* against kappa ln d, a panel per algorithm */
bw_figure_emitter bw_figure_phase;      /* the success rate over (n/d, kappa/n) */
bw_figure_emitter bw_figure_trajectory; /* R and the test error against t on one instance */
bw_figure_emitter bw_figure_pesme;      /* n* against eta / eta_auto, with the diverged share */
bw_figure_emitter bw_figure_wojtowytsch; /* ln L against steps and the rate of ln L against eta */

#endif
