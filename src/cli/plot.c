/* plot.c - `biasweep plot KIND`: figures of the catalog through gnuplot.
 *
 * The figures module (figures.h, src/figures/) renders each kind in memory,
 * with the numbers of `biasweep curve`; this file parses the options,
 * dispatches to the kind's emitter, commits the files, runs gnuplot and says
 * what it wrote.  For -o DIR/NAME.png (or .svg) the files beside the image are
 *   NAME.gp       the gnuplot script (reads its data from its own directory,
 *                 so `gnuplot DIR/NAME.gp` redraws the figure after an edit);
 *   NAME.dat      the data: whitespace columns, a header comment naming them,
 *                 gnuplot blocks (two blank lines) each headed by a comment;
 *   NAME-dt.dat   the Donoho-Tanner curve (nstar-d, phase);
 *   NAME-fit.dat  the line fits (nstar-d, nstar-klnd);
 *   NAME-rate.dat the rate and the lemma's constants per run (wojtowytsch).
 * Bad input writes nothing. */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/figures.h"
#include "biasweep/opts.h"
#include "biasweep/query.h"
#include "biasweep/suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char summary[] =
	"Draw a figure of the catalog with gnuplot.  KIND is one of\n"
	"  nstar-d     n* against d (log-log), one panel per kappa, one line per algorithm (and alpha, ...),\n"
	"              with the bootstrap 95% interval, the least-squares fit n* = a kappa ln d + b over the\n"
	"              label_noise_sgd and riemannian_flow cells, the Donoho-Tanner n50(d, kappa) and n = d;\n"
	"  nstar-klnd  n* against kappa ln d, one panel per algorithm, with its fitted line (as curve --fit),\n"
	"              the Donoho-Tanner n50 of each cell and, where in range, n = d;\n"
	"  phase       the success rate over (n/d, kappa/n), one panel per algorithm (and alpha, ...), with the\n"
	"              Donoho-Tanner curve (kappa/n against n50/d, parametrised by kappa/d);\n"
	"  trajectory  R = tr Hessian and the test error against the simulated time t of label_noise_sgd and\n"
	"              riemannian_flow on one instance (pick it with --where d=.. --where kappa=.. --where n=..\n"
	"              --where seed=..), read from the trajectory files the catalog points at;\n"
	"  pesme       n* against the step as a multiple of its automatic value eta/eta_auto, one panel per\n"
	"              (d, kappa), one line per algorithm (and alpha, ...) over its eta, a dynamics run at one\n"
	"              step (gd) as a horizontal reference with its n* written above it, the Donoho-Tanner n50\n"
	"              (the l1 limit) and the share of runs that diverged (jobs/pesme.cfg);\n"
	"  wojtowytsch the loss L (log axis) of the sgd runs on one instance against steps x eta (pick it with\n"
	"              --where as for trajectory), and the fitted rate -d ln L/dk (loss_rate) against eta with\n"
	"              Wojtowytsch's lemma's rate and its first-order term Lambda eta, estimated at each run's\n"
	"              end (docs/model.md, \"Loss-scaled noise\"; jobs/wojtowytsch.cfg).\n"
	"Beside FILE.png (or FILE.svg) it writes the gnuplot script FILE.gp and the data FILE.dat (and\n"
	"FILE-dt.dat, FILE-fit.dat, FILE-rate.dat): edit FILE.gp and run `gnuplot FILE.gp` to restyle.";

static const char epilog[] =
	"The numbers are those of biasweep curve (n* interpolated at the 50% crossing, seeds imputed from their\n"
	"thresholds, the 2000-resample seed bootstrap; fits by least squares over the cells with an\n"
	"interpolated n*).  Error bars are drawn where the interval is finite; a dashed line up to the largest n\n"
	"tried marks an interval open above, a triangle at the largest n a cell whose n* is above it.\n"
	"nstar-d draws the series side by side (3% apart in d) over a light band n = d; nstar-klnd draws a\n"
	"fit only where R^2 >= 0.6; trajectory draws R(w*) of the sparse solution for reference.\n"
	"--where   as in biasweep query (COLUMN OP VALUE on the view 'results'; repeatable, ANDed).\n"
	"-o FILE   the image: FILE.png (pngcairo) or FILE.svg; its directory must exist.\n"
	"Needs gnuplot (Debian: gnuplot-nox) on PATH.\n"
	"examples:\n"
	"  biasweep plot nstar-d -o results/figures/nstar-d.png\n"
	"  biasweep plot trajectory --where d=128 --where kappa=4 -o traj.svg\n"
	"      (more than one instance matches: it names one the catalog holds, e.g. --where n=19 --where seed=0)\n"
	"exit status: 0 ok, 2 bad input (kind, flags, -o, --where, nothing matches; nothing is written),\n"
	"1 other errors (gnuplot missing or failing, a file that cannot be read or written).\n";

/* ---- the command ------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	bw_figure_emitter *emit;
} kinds[] = {{"nstar-d", bw_figure_nstar_d},
	     {"nstar-klnd", bw_figure_nstar_klnd},
	     {"phase", bw_figure_phase},
	     {"trajectory", bw_figure_trajectory},
	     {"pesme", bw_figure_pesme},
	     {"wojtowytsch", bw_figure_wojtowytsch}};

int cmd_plot(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite", *output = NULL;
	struct bw_opt_list where = {0};
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT("where", BW_OPT_LIST, &where, "COND", "COLUMN OP VALUE filter, repeatable (as in query)"),
		BW_OPT("output", BW_OPT_STRING, &output, "FILE", "the image, FILE.png or FILE.svg", .flags = BW_OPT_REQUIRED,
		 .short_name = 'o', .missing = "-o FILE.png or -o FILE.svg is required"),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "plot", .args = "nstar-d|nstar-klnd|phase|trajectory|pesme|wojtowytsch", .minpos = 1, .maxpos = 1,
				 .pos_missing = "which plot? nstar-d, nstar-klnd, phase, trajectory, pesme or wojtowytsch (see --help)",
				 .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	char **pos = argv;
	size_t kind = 0, nkinds = sizeof kinds / sizeof kinds[0];
	while (kind < nkinds && strcmp(pos[0], kinds[kind].name))
		kind++;
	if (kind == nkinds) {
		char buf[48];
		size_t i = 0;
		for (; pos[0][i] && i < 40; i++)
			buf[i] = iscntrl((unsigned char)pos[0][i]) ? '?' : pos[0][i];
		buf[i] = 0;
		const char *names[sizeof kinds / sizeof kinds[0]];
		for (size_t k = 0; k < nkinds; k++)
			names[k] = kinds[k].name;
		char hint[160];
		if (!*bw_suggest_hint(hint, sizeof hint, pos[0], names, nkinds)) { /* the kinds, from the table */
			size_t off = (size_t)snprintf(hint, sizeof hint, " (");
			for (size_t k = 0; k < nkinds && off < sizeof hint; k++)
				off += (size_t)snprintf(hint + off, sizeof hint - off, "%s%s", k ? ", " : "", names[k]);
			if (off < sizeof hint)
				snprintf(hint + off, sizeof hint - off, ")");
		}
		return RAISE(BW_EINVAL, "unknown plot '%s%s'%s", buf, pos[0][i] ? "..." : "", hint);
	}

	struct bw_figure o;
	if ((rc = bw_figure_init(&o, output)) != BW_OK) {
		bw_figure_release(&o);
		return rc;
	}
	struct bw_query *q;
	if ((rc = bw_query_open(catalog, &q)) != BW_OK) {
		bw_figure_release(&o);
		return rc;
	}
	struct bw_qfilter f[sizeof where.items / sizeof where.items[0]];
	for (int i = 0; i < where.len && rc == BW_OK; i++)
		if ((rc = bw_query_parse_filter(q, where.items[i], &f[i])) != BW_OK)
			bw_error_context(rc, "--where");
	struct bw_figure_args pa = {kinds[kind].name, catalog, where.items, (size_t)where.len};
	if (rc == BW_OK)
		rc = kinds[kind].emit(q, f, (size_t)where.len, &pa, &o);
	bw_query_close(q);
	if (rc == BW_OK)
		rc = bw_figure_commit(&o);
	if (rc == BW_OK)
		rc = bw_figure_gnuplot(&o);
	if (rc == BW_OK) {
		printf("wrote %s (script %s, data", o.image, o.file[0].path);
		for (size_t i = 1; i < o.nfiles; i++)
			printf(" %s", o.file[i].path);
		printf(")\n");
		if (fflush(stdout))
			rc = RAISE(BW_EIO, "writing the output failed");
	}
	bw_figure_release(&o);
	return rc;
}
