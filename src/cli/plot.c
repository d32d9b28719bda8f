/* plot.c - `biasweep plot KIND`: figures of the catalog through gnuplot.
 *
 * The numbers come from the read-only query layer (query.h) and from
 * nstar.c / dt.c exactly as `biasweep curve` computes them; this file only
 * parses, calls, writes the files and spawns gnuplot.  For -o DIR/NAME.png
 * (or .svg) it writes, beside the image,
 *   NAME.gp       the gnuplot script (reads its data from its own directory,
 *                 so `gnuplot DIR/NAME.gp` redraws the figure after an edit);
 *   NAME.dat      the data: whitespace columns, a header comment naming them,
 *                 gnuplot blocks (two blank lines) each headed by a comment;
 *   NAME-dt.dat   the Donoho-Tanner curve (nstar-d, phase);
 *   NAME-fit.dat  the line fits (nstar-d, nstar-klnd);
 * and runs `gnuplot NAME.gp` (posix_spawnp, an argv array, no shell).
 * Everything is computed and rendered in memory first: bad input writes
 * nothing.  User strings reach the script only as sanitized comments and as
 * file names inside single-quoted gnuplot strings (control characters are
 * refused in -o). */
#include "biasweep/cli.h"
#include "biasweep/dt.h"
#include "biasweep/error.h"
#include "biasweep/nstar.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"
#include "biasweep/trajfile.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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
	"              --where seed=..), read from the trajectory files the catalog points at.\n"
	"Beside FILE.png (or FILE.svg) it writes the gnuplot script FILE.gp and the data FILE.dat (and\n"
	"FILE-dt.dat, FILE-fit.dat): edit FILE.gp and run `gnuplot FILE.gp` to restyle.";

static const char epilog[] =
	"The numbers are those of biasweep curve (n* interpolated at the 50% crossing, seeds imputed from their\n"
	"thresholds, the 2000-resample seed bootstrap; fits by least squares over the cells with an\n"
	"interpolated n*).  Error bars are drawn where the interval is finite; an arrow up to the largest n\n"
	"tried marks an interval open above, a triangle at the largest n a cell whose n* is above it.\n"
	"--where   as in biasweep query (COLUMN OP VALUE on the view 'results'; repeatable, ANDed).\n"
	"-o FILE   the image: FILE.png (pngcairo) or FILE.svg; its directory must exist.\n"
	"Needs gnuplot (Debian: gnuplot-nox) on PATH.\n"
	"examples:\n"
	"  biasweep plot nstar-d -o results/figures/nstar-d.png\n"
	"  biasweep plot trajectory --where d=128 --where kappa=4 --where n=32 --where seed=0 -o traj.svg\n"
	"exit status: 0 ok, 2 bad input (kind, flags, -o, --where, nothing matches; nothing is written),\n"
	"1 other errors (gnuplot missing or failing, a file that cannot be read or written).\n";

#define MAX_FILES 4
#define MAX_SERIES 32
#define MAX_PANELS 32
#define MAX_RUNS 16

/* ---- output files ----------------------------------------------------------------- */

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

static void out_release(struct plotout *o)
{
	for (size_t i = 0; i < o->nfiles; i++) {
		if (o->file[i].f)
			fclose(o->file[i].f);
		free(o->file[i].buf);
		free(o->file[i].path);
	}
	free(o->base);
	memset(o, 0, sizeof *o);
}

static int out_init(struct plotout *o, const char *image)
{
	memset(o, 0, sizeof *o);
	if (!image || !*image)
		return RAISE(BW_EINVAL, "-o FILE.png or -o FILE.svg is required");
	size_t len = strlen(image);
	for (size_t i = 0; i < len; i++)
		if (iscntrl((unsigned char)image[i]))
			return RAISE(BW_EINVAL, "-o: the file name has a control character");
	if (len < 4 || (strcasecmp(image + len - 4, ".png") && strcasecmp(image + len - 4, ".svg")))
		return RAISE(BW_EINVAL, "-o: '%.200s' does not end in .png or .svg", image);
	o->svg = !strcasecmp(image + len - 4, ".svg");
	o->image = image;
	if (!(o->base = strndup(image, len - 4)))
		return RAISE(BW_ENOMEM, "out of memory");
	const char *slash = strrchr(o->base, '/');
	o->name = slash ? slash + 1 : o->base;
	if (!*o->name)
		return RAISE(BW_EINVAL, "-o: '%.200s' has no file name before the extension", image);
	/* the directory must exist and be writable */
	char *dir = slash ? strndup(o->base, (size_t)(slash - o->base) + 1) : strdup(".");
	if (!dir)
		return RAISE(BW_ENOMEM, "out of memory");
	struct stat st;
	int rc = BW_OK;
	if (stat(dir, &st) != 0)
		rc = RAISE(BW_EINVAL, "-o: cannot write into '%.200s': %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = RAISE(BW_EINVAL, "-o: '%.200s' is not a directory", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = RAISE(BW_EINVAL, "-o: cannot write into '%.200s': %s", dir, strerror(errno));
	else if (stat(image, &st) == 0 && S_ISDIR(st.st_mode))
		rc = RAISE(BW_EINVAL, "-o: '%.200s' is a directory", image);
	free(dir);
	return rc;
}

/* A new in-memory file BASE SUFFIX; *name (may be NULL) gets its basename. */
static int out_open(struct plotout *o, const char *suffix, FILE **f, const char **name)
{
	if (o->nfiles == MAX_FILES)
		return RAISE(BW_EINTERNAL, "too many output files");
	struct outfile *of = &o->file[o->nfiles];
	size_t n = strlen(o->base) + strlen(suffix) + 1;
	if (!(of->path = malloc(n)))
		return RAISE(BW_ENOMEM, "out of memory");
	snprintf(of->path, n, "%s%s", o->base, suffix);
	if (!(of->f = open_memstream(&of->buf, &of->len))) {
		free(of->path);
		of->path = NULL;
		return RAISE(BW_ENOMEM, "out of memory");
	}
	o->nfiles++;
	*f = of->f;
	if (name) {
		const char *s = strrchr(of->path, '/');
		*name = s ? s + 1 : of->path;
	}
	return BW_OK;
}

/* Writes every file (the data first, the script, file[0], last); on any
 * failure removes what it wrote. */
static int out_commit(struct plotout *o)
{
	for (size_t i = 0; i < o->nfiles; i++) {
		int bad = ferror(o->file[i].f);
		if (fclose(o->file[i].f) != 0 || bad) {
			o->file[i].f = NULL;
			return RAISE(BW_ENOMEM, "out of memory rendering %s", o->file[i].path);
		}
		o->file[i].f = NULL;
	}
	for (size_t k = 0; k < o->nfiles; k++) {
		size_t i = (k + 1) % o->nfiles; /* script last */
		struct outfile *of = &o->file[i];
		FILE *f = fopen(of->path, "wb");
		int ok = f && fwrite(of->buf, 1, of->len, f) == of->len;
		int err = errno;
		if (f && fclose(f) != 0 && ok) {
			ok = 0;
			err = errno;
		}
		if (!ok) {
			for (size_t j = 0; j <= k; j++)
				unlink(o->file[(j + 1) % o->nfiles].path);
			return RAISE(BW_EIO, "cannot write '%s': %s", of->path, strerror(err));
		}
	}
	return BW_OK;
}

static int run_gnuplot(const struct plotout *o)
{
	const char *script = o->file[0].path;
	size_t n = strlen(script) + 3;
	char *arg = malloc(n);
	if (!arg)
		return RAISE(BW_ENOMEM, "out of memory");
	/* never an argument gnuplot could take for an option */
	snprintf(arg, n, "%s%s", script[0] == '/' ? "" : "./", script);
	char *argv[] = {"gnuplot", arg, NULL};
	unlink(o->image); /* so a stale image cannot pass for a new one */
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	free(arg);
	if (rc == ENOENT)
		return RAISE(BW_EIO, "gnuplot not found on PATH (install gnuplot, e.g. gnuplot-nox); the script '%s' and "
				     "its data are written",
			     script);
	if (rc != 0)
		return RAISE(BW_EIO, "cannot start gnuplot: %s", strerror(rc));
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return RAISE(BW_EIO, "waiting for gnuplot: %s", strerror(errno));
	if (WIFSIGNALED(st))
		return RAISE(BW_EIO, "gnuplot was killed by signal %d on '%s'", WTERMSIG(st), script);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(o->image);
		return RAISE(BW_EIO, "gnuplot failed (exit status %d) on '%s'", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
			     script);
	}
	struct stat sb;
	if (stat(o->image, &sb) != 0 || sb.st_size == 0)
		return RAISE(BW_EIO, "gnuplot ran '%s' but wrote no image '%s'", script, o->image);
	return BW_OK;
}

/* ---- text helpers ------------------------------------------------------------------- */

/* A gnuplot single-quoted string (quotes doubled; no escapes inside). */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* Appends s to buf escaped for gnuplot's enhanced text (literal _ ^ { } @ & ~). */
static void enh_cat(char *buf, size_t len, const char *s)
{
	size_t k = strlen(buf);
	for (; *s && k + 3 < len; s++) {
		if (strchr("_^{}@&~\\", *s))
			buf[k++] = '\\';
		buf[k++] = iscntrl((unsigned char)*s) ? '?' : *s;
	}
	buf[k] = 0;
}

static void cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t k = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	if (k < len)
		vsnprintf(buf + k, len - k, fmt, ap);
	va_end(ap);
}

/* One data field: a real in the shortest text that reads back (as curve's CSV), NaN for none. */
static void put_real(FILE *f, double x)
{
	char b[48];
	if (!isfinite(x)) {
		fputs(" NaN", f);
		return;
	}
	bw_format_real(b, sizeof b, x);
	fprintf(f, " %s", b);
}

static void put_gpnum(FILE *f, double x)
{
	char b[48];
	if (!isfinite(x)) {
		fputs("NaN", f);
		return;
	}
	bw_format_real(b, sizeof b, x);
	fputs(b, f);
	if (!strpbrk(b, ".eE")) /* a real, not an integer, for gnuplot's arithmetic */
		fputs(".0", f);
}

/* A comment line's text: control characters as '?'. */
static void put_comment_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(iscntrl((unsigned char)*s) ? '?' : *s, f);
}

/* Text from the catalog inside a label or comment of the script: control
 * characters as '?' (a newline would end the gnuplot command). */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
}

/* A text field of a data file: one word (blanks, control characters, quotes
 * and the comment character as '?'). */
static void put_word(FILE *f, const char *s, const char *sep)
{
	fputs(sep, f);
	if (!*s)
		fputc('?', f);
	for (; *s; s++)
		fputc(iscntrl((unsigned char)*s) || isspace((unsigned char)*s) || strchr("\"'#", *s) ? '?' : *s, f);
}

/* ---- the command line recorded in the script ----------------------------------------- */

struct plotargs {
	const char *kind, *catalog;
	struct bw_opt_list *where;
};

static void put_provenance(FILE *f, const struct plotargs *a, const char *image)
{
	fputs("# written by: biasweep plot ", f);
	put_comment_text(f, a->kind);
	fputs(" --catalog '", f);
	put_comment_text(f, a->catalog);
	fputs("'", f);
	for (int i = 0; i < a->where->len; i++) {
		fputs(" --where '", f);
		put_comment_text(f, a->where->items[i]);
		fputs("'", f);
	}
	fputs(" -o '", f);
	put_comment_text(f, image);
	fputs("'\n", f);
}

/* Script preamble: encoding, the script's directory, the terminal and output. */
static void put_preamble(FILE *f, const struct plotout *o, const struct plotargs *a, int width, int height,
			 const char *what)
{
	fprintf(f, "# %s.gp - %s\n", o->name, what);
	put_provenance(f, a, o->image);
	fputs("# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)\n\n",
	      f);
	fputs("set encoding utf8\n", f);
	fputs("here = ''   # this script's directory, from its path (ARG0)\n", f);
	fputs("if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { "
	      "if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }\n",
	      f);
	if (o->svg)
		fprintf(f, "set terminal svg size %d,%d enhanced font 'Sans,12' background rgb 'white'\n", width,
			height);
	else
		fprintf(f, "set terminal pngcairo size %d,%d enhanced font 'Sans,12'\n", width, height);
	fputs("set output here.", f);
	const char *s = strrchr(o->image, '/');
	gp_str(f, s ? s + 1 : o->image);
	fputs("\nset datafile missing 'NaN'\nset style line 100 lc rgb '#bbbbbb' lw 1\nset grid lt 1 lw 0.8 lc rgb '#e6e6e6'\nset border lw 1.2\n", f);
}

/* 1-2-5 tics over [lo, hi] on a log axis (gnuplot's own are only the decades). */
static void put_log_tics(FILE *f, const char *axis, double lo, double hi)
{
	char tics[512] = "";
	int nt = 0;
	if (!(lo > 0) || !(hi > lo))
		return;
	for (double dec = pow(10, floor(log10(lo))); dec <= hi && nt < 40; dec *= 10)
		for (int m = 0; m < 3; m++) {
			double v = dec * (m == 0 ? 1 : m == 1 ? 2 : 5);
			if (v >= lo && v <= hi)
				cat(tics, sizeof tics, "%s%g", nt++ ? ", " : "", v);
		}
	if (nt >= 2)
		fprintf(f, "set %stics (%s)\n", axis, tics);
}

/* "CMD title 'TEXT  (COMMON)' font ',15'", the text through gp_str. */
static void put_title(FILE *f, const char *cmd, const char *text, const char *common)
{
	char t[400];
	snprintf(t, sizeof t, "%s%s%s%s", text, common[0] ? "  (" : "", common, common[0] ? ")" : "");
	fprintf(f, "%s title ", cmd);
	gp_str(f, t);
	fputs(" font ',15'\n", f);
}

static void layout(size_t n, int *rows, int *cols)
{
	*cols = n <= 3 ? (int)n : n == 4 ? 2 : 3;
	if (*cols < 1)
		*cols = 1;
	*rows = (int)((n + (size_t)*cols - 1) / (size_t)*cols);
}

/* ---- styles --------------------------------------------------------------------------- */

/* Colour, point types and size per algorithm (the flow's large open square
 * keeps label-noise SGD's triangle visible where both coincide). */
static const struct {
	const char *name, *color;
	int pt[2];
	double ps;
} algo_style[] = {
	{"gd", "#1f77b4", {7, 6}, 1.3},
	{"sgd", "#ff7f0e", {13, 12}, 1.1},
	{"label_noise_sgd", "#d62728", {9, 8}, 1.2},
	{"riemannian_flow", "#2ca02c", {4, 5}, 2.0},
};

/* Returns the point size. */
static double style_of(const char *algorithm, int variant, const char **color, int *pt)
{
	for (size_t i = 0; i < sizeof algo_style / sizeof algo_style[0]; i++)
		if (!strcmp(algo_style[i].name, algorithm)) {
			*color = algo_style[i].color;
			*pt = algo_style[i].pt[variant % 2];
			return algo_style[i].ps;
		}
	*color = "#7f7f7f";
	*pt = variant % 2 ? 1 : 2;
	return 1.2;
}

/* ---- cells and series ---------------------------------------------------------------------- */

static int same_real(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static int same_series(const struct bw_qcell *a, const struct bw_qcell *b)
{
	return !strcmp(a->algorithm, b->algorithm) && !strcmp(a->design, b->design) && !strcmp(a->wstar, b->wstar) &&
	       same_real(a->alpha, b->alpha) && same_real(a->eta, b->eta) && same_real(a->sigma, b->sigma) &&
	       a->batch == b->batch && same_real(a->eps, b->eps);
}

struct series {
	const struct bw_qcell *key; /* its first cell */
	int variant;                /* index among the series of its algorithm */
	char label[200];            /* enhanced text */
	char plain[200];            /* for comments */
};

struct seriesset {
	size_t n;
	struct series s[MAX_SERIES];
	size_t *of_cell; /* series index of each cell */
};

static void param_text(char *buf, size_t len, const char *name, double x)
{
	if (isnan(x))
		cat(buf, len, " %s=none", name);
	else
		cat(buf, len, " %s=%g", name, x);
}

static int build_series(const struct bw_qcells *cells, struct seriesset *ss)
{
	memset(ss, 0, sizeof *ss);
	if (!(ss->of_cell = calloc(cells->n ? cells->n : 1, sizeof *ss->of_cell)))
		return RAISE(BW_ENOMEM, "out of memory");
	for (size_t i = 0; i < cells->n; i++) {
		size_t k = 0;
		while (k < ss->n && !same_series(ss->s[k].key, &cells->cell[i]))
			k++;
		if (k == ss->n) {
			if (ss->n == MAX_SERIES)
				return RAISE(BW_EINVAL, "more than %d series (algorithm, alpha, eta, ... combinations) "
							"to draw: narrow them with --where",
					     MAX_SERIES);
			ss->s[ss->n].key = &cells->cell[i];
			ss->n++;
		}
		ss->of_cell[i] = k;
	}
	/* labels: the algorithm, then the parameters that differ between its series */
	for (size_t k = 0; k < ss->n; k++) {
		const struct bw_qcell *a = ss->s[k].key;
		int dif[7] = {0};
		for (size_t j = 0; j < ss->n; j++) {
			const struct bw_qcell *b = ss->s[j].key;
			if (strcmp(a->algorithm, b->algorithm))
				continue;
			if (j < k)
				ss->s[k].variant++;
			dif[0] |= !!strcmp(a->design, b->design);
			dif[1] |= !!strcmp(a->wstar, b->wstar);
			dif[2] |= !same_real(a->alpha, b->alpha);
			dif[3] |= !same_real(a->eta, b->eta);
			dif[4] |= !same_real(a->sigma, b->sigma);
			dif[5] |= a->batch != b->batch;
			dif[6] |= !same_real(a->eps, b->eps);
		}
		char *l = ss->s[k].label, *p = ss->s[k].plain;
		size_t ll = sizeof ss->s[k].label, pl = sizeof ss->s[k].plain;
		enh_cat(l, ll, a->algorithm);
		cat(p, pl, "%s", a->algorithm);
		if (dif[0]) {
			cat(l, ll, " ");
			enh_cat(l, ll, a->design);
			cat(p, pl, " design=%s", a->design);
		}
		if (dif[1]) {
			cat(l, ll, " w^*=");
			enh_cat(l, ll, a->wstar);
			cat(p, pl, " wstar=%s", a->wstar);
		}
		if (dif[2]) {
			cat(l, ll, " α=%g", a->alpha);
			param_text(p, pl, "alpha", a->alpha);
		}
		if (dif[3]) {
			if (a->eta == 0)
				cat(l, ll, " η=auto");
			else
				cat(l, ll, " η=%g", a->eta);
			param_text(p, pl, "eta", a->eta);
		}
		if (dif[4]) {
			cat(l, ll, " σ=%g", a->sigma);
			param_text(p, pl, "sigma", a->sigma);
		}
		if (dif[5]) {
			cat(l, ll, " B=%" PRId64, a->batch);
			cat(p, pl, " batch=%" PRId64, a->batch);
		}
		if (dif[6]) {
			cat(l, ll, " ε=%g", a->eps);
			param_text(p, pl, "eps", a->eps);
		}
		sanitize(l); /* the catalog's names reach the script */
		sanitize(p);
	}
	return BW_OK;
}

/* "rademacher design, signs w*, ε = 0.1" for what all cells share. */
static void common_text(const struct bw_qcells *cells, char *buf, size_t len)
{
	int design = 1, wstar = 1, eps = 1;
	buf[0] = 0;
	for (size_t i = 1; i < cells->n; i++) {
		design &= !strcmp(cells->cell[i].design, cells->cell[0].design);
		wstar &= !strcmp(cells->cell[i].wstar, cells->cell[0].wstar);
		eps &= same_real(cells->cell[i].eps, cells->cell[0].eps);
	}
	if (!cells->n)
		return;
	if (design) {
		enh_cat(buf, len, cells->cell[0].design);
		cat(buf, len, " design");
	}
	if (wstar) {
		cat(buf, len, "%s", buf[0] ? ", " : "");
		enh_cat(buf, len, cells->cell[0].wstar);
		cat(buf, len, " w^*");
	}
	if (eps && !isnan(cells->cell[0].eps))
		cat(buf, len, "%sε = %g", buf[0] ? ", " : "", cells->cell[0].eps);
}

struct cellres {
	double nstar, lo, hi, n50, klnd, nmin, nmax;
	int censor;
	size_t seeds;
};

static double n50_of(const struct bw_qcell *c)
{
	if (c->d >= 1 && c->kappa >= 0 && c->kappa <= c->d)
		return (double)c->d * bw_dt_psi((double)c->kappa / (double)c->d, NULL);
	return NAN;
}

/* n* and its interval per cell, as `biasweep curve` computes them. */
static int estimate_cells(const struct bw_qcells *cells, struct cellres **out)
{
	struct cellres *r = calloc(cells->n ? cells->n : 1, sizeof *r);
	if (!r)
		return RAISE(BW_ENOMEM, "out of memory");
	for (size_t i = 0; i < cells->n; i++) {
		const struct bw_qcell *c = &cells->cell[i];
		struct bw_nstar e;
		struct bw_nstar_opts o = {.resamples = 0, .level = 0, .rng_seed = 0, .impute = 1};
		int rc = bw_nstar_estimate(c->obs, c->nobs, &o, &e);
		if (rc != BW_OK) {
			free(r);
			return rc;
		}
		r[i].nstar = e.nstar;
		r[i].lo = e.lo;
		r[i].hi = e.hi;
		r[i].censor = e.censor;
		r[i].seeds = e.nseeds;
		r[i].nmin = e.points[0].n;
		r[i].nmax = e.points[e.npoints - 1].n;
		r[i].n50 = n50_of(c);
		r[i].klnd = (double)c->kappa * log((double)c->d);
		bw_nstar_release(&e);
	}
	*out = r;
	return BW_OK;
}

/* Least squares of n* against kappa ln d (or d) over the cells chosen by
 * want[] with an interpolated n* (as curve --fit). */
static int fit_cells(const struct bw_qcells *cells, const struct cellres *r, const int *want, int against_d,
		     struct bw_line_fit *fit)
{
	size_t n = cells->n ? cells->n : 1, k = 0;
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	int rc;
	if (!x || !y)
		rc = RAISE(BW_ENOMEM, "out of memory");
	else {
		for (size_t i = 0; i < cells->n; i++) {
			if (!want[i] || r[i].censor != BW_NSTAR_INSIDE)
				continue;
			x[k] = against_d ? (double)cells->cell[i].d : r[i].klnd;
			y[k] = r[i].nstar;
			k++;
		}
		rc = bw_fit_line(x, y, k, fit);
	}
	free(x);
	free(y);
	return rc;
}

static const char cell_columns[] =
	"# columns: 1 algorithm  2 design  3 wstar  4 d  5 kappa  6 alpha  7 eta  8 sigma  9 batch  10 eps\n"
	"#          11 kappa_ln_d  12 nstar  13 nstar_lo  14 nstar_hi  15 n_min  16 n_max  17 n50_dt  18 seeds\n"
	"#          19 censor (0 interpolated, 1 n* <= n_min, 2 n* > n_max)\n"
	"# nstar, nstar_lo, nstar_hi, n50_dt as in `biasweep curve` (NaN: none; eta 0: automatic step)\n";

static void put_cell_row(FILE *f, const struct bw_qcell *c, const struct cellres *r)
{
	put_word(f, c->algorithm, "");
	put_word(f, c->design, " ");
	put_word(f, c->wstar, " ");
	fprintf(f, " %" PRId64 " %" PRId64, c->d, c->kappa);
	put_real(f, c->alpha);
	put_real(f, c->eta);
	put_real(f, c->sigma);
	put_real(f, c->batch > 0 ? (double)c->batch : NAN);
	put_real(f, c->eps);
	put_real(f, r->klnd);
	put_real(f, r->nstar);
	put_real(f, r->lo);
	put_real(f, r->hi);
	put_real(f, r->nmin);
	put_real(f, r->nmax);
	put_real(f, r->n50);
	fprintf(f, " %zu %d\n", r->seeds, r->censor);
}

static void put_cell_header(FILE *f, const char *name, const struct plotargs *a, const struct plotout *o,
			    const char *blocks)
{
	fprintf(f, "# %s - n* per cell, %s\n", name, blocks);
	put_provenance(f, a, o->image);
	fputs(cell_columns, f);
}

/* The fits file: per algorithm (as curve --fit) and the pooled flow + label-noise fit. */
static int put_fits(FILE *f, const struct bw_qcells *cells, const struct cellres *r, const struct plotargs *a,
		    const struct plotout *o, struct bw_line_fit *pooled, struct bw_line_fit *per_algo,
		    const char **algos, size_t *nalgos)
{
	int *want = calloc(cells->n ? cells->n : 1, sizeof *want);
	if (!want)
		return RAISE(BW_ENOMEM, "out of memory");
	*nalgos = 0;
	for (size_t i = 0; i < cells->n; i++)
		if (!*nalgos || strcmp(algos[*nalgos - 1], cells->cell[i].algorithm))
			algos[(*nalgos)++] = cells->cell[i].algorithm; /* cells come ordered by algorithm */
	fprintf(f, "# %s-fit.dat - least squares n* = slope x + intercept over the cells with an interpolated n*\n",
		o->name);
	put_provenance(f, a, o->image);
	fputs("# per algorithm as `biasweep curve --fit` (x = kappa ln d, and x = d); the group\n"
	      "# label_noise_sgd+riemannian_flow pools both (the kappa ln d curve of the figures)\n"
	      "# columns: 1 group  2 against  3 cells  4 slope  5 intercept  6 r2  7 slope_se\n",
	      f);
	int rc = BW_OK;
	for (size_t g = 0; g <= *nalgos && rc == BW_OK; g++) {
		const char *group = g < *nalgos ? algos[g] : "label_noise_sgd+riemannian_flow";
		for (size_t i = 0; i < cells->n; i++)
			want[i] = g < *nalgos ? !strcmp(cells->cell[i].algorithm, algos[g])
					      : !strcmp(cells->cell[i].algorithm, "label_noise_sgd") ||
							!strcmp(cells->cell[i].algorithm, "riemannian_flow");
		for (int against_d = 0; against_d < 2 && rc == BW_OK; against_d++) {
			struct bw_line_fit fit;
			if (g == *nalgos && against_d)
				break;
			if ((rc = fit_cells(cells, r, want, against_d, &fit)) != BW_OK)
				break;
			if (g == *nalgos) {
				int any = 0;
				for (size_t i = 0; i < cells->n; i++)
					any |= want[i];
				*pooled = fit;
				if (!any)
					break;
			} else if (!against_d)
				per_algo[g] = fit;
			put_word(f, group, "");
			fprintf(f, " %s %zu", against_d ? "d" : "kappa_ln_d", fit.npoints);
			put_real(f, fit.slope);
			put_real(f, fit.intercept);
			put_real(f, fit.r2);
			put_real(f, fit.slope_se);
			fputc('\n', f);
		}
	}
	free(want);
	return rc;
}

static void put_series_style(FILE *f, const struct series *s)
{
	const char *color;
	int pt;
	double ps = style_of(s->key->algorithm, s->variant, &color, &pt);
	fprintf(f, "lc rgb '%s' pt %d ps %.2g lw 1.8 dt %d", color, pt, ps, s->variant % 5 + 1);
}

/* ---- nstar-d and nstar-klnd ------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static size_t distinct(int64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_i64);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* What a block of cells needs drawn besides its points. */
enum { BLK_BARS = 1, BLK_OPEN = 2, BLK_ABOVE = 4, BLK_POINTS = 8, BLK_BELOW = 16 };

static int block_flags(const struct cellres *r)
{
	return (isfinite(r->lo) && isfinite(r->hi) ? BLK_BARS : 0) | (isfinite(r->lo) && !isfinite(r->hi) ? BLK_OPEN : 0) |
	       (r->censor == BW_NSTAR_ABOVE_MAX ? BLK_ABOVE : 0) | (isfinite(r->nstar) ? BLK_POINTS : 0) |
	       (r->censor == BW_NSTAR_AT_MIN ? BLK_BELOW : 0);
}

static void plot_sep(FILE *f, int *first)
{
	fputs(*first ? "" : ", \\\n  ", f);
	*first = 0;
}

/* One block of cells at x = column xc: error bars where finite, an arrow up
 * to n_max where the interval is open above, a triangle at n_max for n*
 * above it (points = 0); then, in a second pass so that no bar hides another
 * series' point, the points (with lines for nstar-d). */
static void plot_block(FILE *f, int *first, int xc, const struct series *s, size_t block, int flags, int lines,
		       int points)
{
	const char *color;
	int pt;
	style_of(s->key->algorithm, s->variant, &color, &pt);
	if (points) {
		if (!(flags & BLK_POINTS)) /* nothing to draw (gnuplot would warn) */
			return;
		plot_sep(f, first);
		fprintf(f, "dat index %zu using %d:12 with %s ", block, xc, lines ? "linespoints" : "points");
		put_series_style(f, s);
		fputs(" notitle", f);
		return;
	}
	if (flags & BLK_BARS) {
		plot_sep(f, first);
		fprintf(f, "dat index %zu using %d:12:13:14 with yerrorbars lc rgb '%s' lw 1.2 ps 0 notitle", block, xc,
			color);
	}
	if (flags & BLK_OPEN) {
		plot_sep(f, first);
		fprintf(f,
			"dat index %zu using %d:((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors "
			"head filled size screen 0.008,25 lc rgb '%s' lw 1.2 notitle",
			block, xc, color);
	}
	if (flags & BLK_ABOVE) {
		plot_sep(f, first);
		fprintf(f,
			"dat index %zu using %d:(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '%s' "
			"notitle",
			block, xc, color);
	}
	if (flags & BLK_BELOW) {
		plot_sep(f, first);
		fprintf(f, "dat index %zu using %d:($19 == 1 ? $12 : NaN) with points pt 10 ps 2.4 lc rgb '%s' notitle",
			block, xc, color);
	}
}

/* A grid of panels with a legend column on the right, in pixels. */
struct grid {
	int rows, cols, pw, ph, lw, th; /* panel width, height; legend width; title height */
};

static int grid_w(const struct grid *g) { return g->cols * g->pw + g->lw; }
static int grid_h(const struct grid *g) { return g->rows * g->ph + g->th; }

static void grid_panel(FILE *f, const struct grid *g, size_t i)
{
	int r = (int)i / g->cols, c = (int)i % g->cols;
	double W = grid_w(g), H = grid_h(g);
	fprintf(f, "set origin %.4f,%.4f\nset size %.4f,%.4f\n", c * g->pw / W, (g->rows - 1 - r) * g->ph / H,
		g->pw / W, g->ph / H);
}

/* The legend column: an empty plot whose key lists the styles (keyentry);
 * the caller adds labels and then the plot (legend_plot) and its entries. */
static void grid_legend(FILE *f, const struct grid *g)
{
	double W = grid_w(g), H = grid_h(g);
	fprintf(f,
		"\n# ---- legend (for every panel)\nset origin %.4f,0\nset size %.4f,%.4f\n"
		"unset border\nunset tics\nunset xlabel\nunset ylabel\nunset title\nunset grid\nunset logscale\n"
		"unset label\nset xrange [0:1]\nset yrange [0:1]\n"
		"set key inside center center vertical Left reverse nobox font ',11' spacing 1.35 samplen 3\n",
		g->cols * g->pw / W, g->lw / W, g->rows * g->ph / H);
}

/* The invisible -1 works around gnuplot 5.4 failing on a plot of keyentries only. */
static void legend_plot(FILE *f) { fputs("plot -1 with lines notitle", f); }

static void key_series(FILE *f, const struct series *s, int lines)
{
	fprintf(f, ", \\\n  keyentry with %s ", lines ? "linespoints" : "points");
	put_series_style(f, s);
	fputs(" title ", f);
	gp_str(f, s->label);
}

struct nstar_plot {
	const struct bw_qcells *cells;
	const struct cellres *r;
	const struct seriesset *ss;
	size_t npanels;
	int64_t panel_val[MAX_PANELS]; /* nstar-d: kappa of each panel */
	const char *algos[MAX_SERIES]; /* nstar-klnd: algorithm of each panel */
	size_t nalgos;
	struct bw_line_fit pooled, per_algo[MAX_SERIES];
	size_t nblocks, *block_series, *block_panel;
	int *block_flag, flags; /* flags: all blocks ORed */
	char common[160];
};

static void key_intervals(FILE *f, int flags)
{
	if (flags & BLK_BARS)
		fputs(", \\\n  keyentry with yerrorbars lc rgb '#555555' lw 1.2 ps 0 title '95% bootstrap interval (seeds)'", f);
	if (flags & BLK_OPEN)
		fputs(", \\\n  keyentry with vectors head filled size screen 0.008,25 lc rgb '#555555' lw 1.2 "
		      "title 'interval open above (to largest n)'",
		      f);
	if (flags & BLK_ABOVE)
		fputs(", \\\n  keyentry with points pt 8 ps 2 lc rgb '#555555' title 'n^* above the largest n tried'", f);
	if (flags & BLK_BELOW)
		fputs(", \\\n  keyentry with points pt 10 ps 2.4 lc rgb '#555555' title 'n^* at or below the smallest n "
		      "tried'",
		      f);
}

static void script_nstar_d(FILE *gp, const struct nstar_plot *P, const struct plotout *o, const struct plotargs *a,
			   const char *datname, const char *dtname, const char *fitname)
{
	const struct bw_qcells *cells = P->cells;
	struct grid g = {0, 0, 560, 470, 380, 50};
	layout(P->npanels, &g.rows, &g.cols);
	put_preamble(gp, o, a, grid_w(&g), grid_h(&g), "n* against d per kappa");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\ndtdat = here.", gp);
	gp_str(gp, dtname);
	fprintf(gp, "\n# the fits are in %s\n", fitname);

	/* one x and y range for every panel */
	int64_t dmin = cells->cell[0].d, dmax = cells->cell[0].d, kmin = cells->cell[0].kappa;
	double ymin = INFINITY, ymax = 0;
	for (size_t i = 0; i < cells->n; i++) {
		const struct cellres *r = &P->r[i];
		dmin = cells->cell[i].d < dmin ? cells->cell[i].d : dmin;
		dmax = cells->cell[i].d > dmax ? cells->cell[i].d : dmax;
		kmin = cells->cell[i].kappa < kmin ? cells->cell[i].kappa : kmin;
		double v[] = {r->nstar, r->lo, r->hi, r->n50, r->censor == BW_NSTAR_ABOVE_MAX ? r->nmax : NAN};
		for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
			if (isfinite(v[k]) && v[k] > 0) {
				ymin = fmin(ymin, v[k]);
				ymax = fmax(ymax, v[k]);
			}
	}
	double n50lo = NAN;
	if (bw_dt_n50(fmax((double)dmin / 1.3, (double)kmin), (double)kmin, &n50lo) != BW_OK)
		bw_error_clear();
	if (isfinite(n50lo) && n50lo > 0)
		ymin = fmin(ymin, n50lo);
	ymax = fmax(ymax, (double)dmax * 1.3); /* the line n = d */
	if (!isfinite(ymin))
		ymin = 1;
	fputs("\n# the least-squares fit n* = a kappa ln d + b over the label_noise_sgd and riemannian_flow cells\n", gp);
	fprintf(gp, "# with an interpolated n* (%zu cells), R^2 = ", P->pooled.npoints);
	put_gpnum(gp, P->pooled.r2);
	fputs("\na = ", gp);
	put_gpnum(gp, P->pooled.slope);
	fputs("\nb = ", gp);
	put_gpnum(gp, P->pooled.intercept);
	fputs("\n\n", gp);
	put_title(gp, "set multiplot", "Sample complexity n^* against d", P->common);
	fputs("set logscale xy\nset xrange [", gp);
	put_gpnum(gp, (double)dmin / 1.3);
	fputs(":", gp);
	put_gpnum(gp, (double)dmax * 1.3);
	fputs("]\nset yrange [", gp);
	put_gpnum(gp, ymin / 1.25);
	fputs(":", gp);
	put_gpnum(gp, ymax * 1.25);
	fputs("]\n", gp);
	int64_t *dv = malloc(cells->n * sizeof *dv);
	if (dv) { /* the d of the cells as tics (without them, gnuplot's default) */
		for (size_t i = 0; i < cells->n; i++)
			dv[i] = cells->cell[i].d;
		size_t nd = distinct(dv, cells->n);
		fputs("set xtics (", gp);
		for (size_t i = 0; i < nd; i++)
			fprintf(gp, "%s%" PRId64, i ? ", " : "", dv[i]);
		fputs(")\n", gp);
		free(dv);
	}
	put_log_tics(gp, "y", ymin / 1.25, ymax * 1.25);
	fputs("set mxtics 1\nset format y '%g'\nset xlabel 'dimension d'\n"
	      "set ylabel 'n^*  (samples for 50% success)'\nunset key\nset samples 200\n",
	      gp);
	int fit = isfinite(P->pooled.slope) && isfinite(P->pooled.intercept);
	for (size_t p = 0; p < P->npanels; p++) {
		fprintf(gp, "\n# ---- panel: kappa = %" PRId64 "\n", P->panel_val[p]);
		grid_panel(gp, &g, p);
		fprintf(gp, "set title 'κ = %" PRId64 "'\nkappa = %" PRId64 ".0\nplot ", P->panel_val[p], P->panel_val[p]);
		int first = 1;
		for (int pass = 0; pass < 2; pass++)
			for (size_t b = 0; b < P->nblocks; b++)
				if (P->block_panel[b] == p)
					plot_block(gp, &first, 4, &P->ss->s[P->block_series[b]], b, P->block_flag[b], 1, pass);
		if (fit) {
			plot_sep(gp, &first);
			fputs("a*kappa*log(x) + b with lines lc rgb 'black' dt 2 lw 1.8 notitle", gp);
		}
		plot_sep(gp, &first);
		fprintf(gp, "dtdat index %zu using 1:3 with lines lc rgb '#8c564b' lw 2.5 notitle", p);
		plot_sep(gp, &first);
		fputs("x with lines lc rgb '#9467bd' dt 3 lw 2 notitle\n", gp);
	}
	grid_legend(gp, &g);
	if (fit) {
		char t[160];
		snprintf(t, sizeof t, "fit over %zu flow and label-noise cells:", P->pooled.npoints);
		fputs("set label 1 ", gp);
		gp_str(gp, t);
		fputs(" at graph 0.05, graph 0.09 left font ',10'\n", gp);
		snprintf(t, sizeof t, "a = %.3g, b = %.3g, R^2 = %.2f", P->pooled.slope, P->pooled.intercept, P->pooled.r2);
		fputs("set label 2 ", gp);
		gp_str(gp, t);
		fputs(" at graph 0.05, graph 0.03 left font ',10'\n", gp);
	}
	legend_plot(gp);
	for (size_t s = 0; s < P->ss->n; s++)
		key_series(gp, &P->ss->s[s], 1);
	key_intervals(gp, P->flags);
	if (fit)
		fputs(", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.8 title 'fit a κ ln d + b (flow, label noise)'",
		      gp);
	fputs(", \\\n  keyentry with lines lc rgb '#8c564b' lw 2.5 title 'Donoho–Tanner n_{50}(d, κ)'"
	      ", \\\n  keyentry with lines lc rgb '#9467bd' dt 3 lw 2 title 'n = d'\n",
	      gp);
	fputs("\nunset multiplot\nset output\n", gp);
}

static void script_nstar_klnd(FILE *gp, const struct nstar_plot *P, const struct plotout *o,
			      const struct plotargs *a, const char *datname, const char *fitname)
{
	const struct bw_qcells *cells = P->cells;
	const struct cellres *r = P->r;
	struct grid g = {0, 0, 500, 420, 340, 50};
	layout(P->npanels, &g.rows, &g.cols);
	put_preamble(gp, o, a, grid_w(&g), grid_h(&g), "n* against kappa ln d per algorithm");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fprintf(gp, "\n# the fits (per algorithm, as biasweep curve --fit) are in %s\n", fitname);
	fputs("\n", gp);
	put_title(gp, "set multiplot", "n^* against κ ln d", P->common);
	double xmax = 0;
	for (size_t i = 0; i < cells->n; i++)
		xmax = fmax(xmax, r[i].klnd);
	fputs("set xrange [0:", gp);
	put_gpnum(gp, ceil(xmax * 1.08));
	fputs("]\nset xlabel 'κ ln d'\nset ylabel 'n^*  (samples for 50% success)'\nunset key\n", gp);
	int any_d = 0;
	for (size_t p = 0; p < P->npanels; p++) {
		double ymax = 0;
		int64_t dmin = INT64_MAX;
		for (size_t i = 0; i < cells->n; i++) {
			if (strcmp(cells->cell[i].algorithm, P->algos[p]))
				continue;
			ymax = fmax(ymax, isfinite(r[i].nstar) ? r[i].nstar : r[i].nmax);
			ymax = isfinite(r[i].hi) ? fmax(ymax, r[i].hi) : ymax;
			ymax = isfinite(r[i].n50) ? fmax(ymax, r[i].n50) : ymax;
			dmin = cells->cell[i].d < dmin ? cells->cell[i].d : dmin;
		}
		double dlim = ymax * 1.2; /* n = d shown up to here */
		ymax = ceil(ymax * 1.2);
		char t[200] = "";
		enh_cat(t, sizeof t, P->algos[p]);
		const struct bw_line_fit *fit = &P->per_algo[p];
		int has_fit = isfinite(fit->slope) && isfinite(fit->intercept);
		if (has_fit)
			cat(t, sizeof t, ":  fit n^* = %.3g κ ln d %s %.3g,  R^2 = %.2f", fit->slope,
			    fit->intercept < 0 ? "−" : "+", fabs(fit->intercept), fit->r2);
		fputs("\n# ---- panel: ", gp);
		put_comment_text(gp, P->algos[p]);
		fputc('\n', gp);
		grid_panel(gp, &g, p);
		fputs("set title ", gp);
		gp_str(gp, t);
		fprintf(gp, "\nslope%zu = ", p);
		put_gpnum(gp, fit->slope);
		fprintf(gp, "\nintercept%zu = ", p);
		put_gpnum(gp, fit->intercept);
		fputs("\nset yrange [0:", gp);
		put_gpnum(gp, ymax);
		fputs("]\nplot ", gp);
		int first = 1;
		for (int pass = 0; pass < 2; pass++)
			for (size_t b = 0; b < P->nblocks; b++)
				if (P->block_panel[b] == p)
					plot_block(gp, &first, 11, &P->ss->s[P->block_series[b]], b, P->block_flag[b], 0, pass);
		if (has_fit) {
			plot_sep(gp, &first);
			fprintf(gp, "slope%zu*x + intercept%zu with lines lc rgb 'black' dt 2 lw 1.8 notitle", p, p);
		}
		for (size_t b = 0; b < P->nblocks; b++)
			if (P->block_panel[b] == p) {
				plot_sep(gp, &first);
				fprintf(gp, "dat index %zu using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' "
					    "notitle",
					b);
				if ((double)dmin <= dlim) {
					plot_sep(gp, &first);
					fprintf(gp,
						"dat index %zu using 11:($4 <= %g ? $4 : NaN) with points pt 1 ps 1.6 "
						"lw 2 lc rgb '#9467bd' notitle",
						b, dlim);
					any_d = 1;
				}
			}
		fputc('\n', gp);
	}
	grid_legend(gp, &g);
	legend_plot(gp);
	for (size_t s = 0; s < P->ss->n; s++)
		key_series(gp, &P->ss->s[s], 0);
	key_intervals(gp, P->flags);
	int any_fit = 0;
	for (size_t p = 0; p < P->npanels; p++)
		any_fit |= isfinite(P->per_algo[p].slope) && isfinite(P->per_algo[p].intercept);
	if (any_fit)
		fputs(", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.8 title 'least-squares fit (per algorithm)'", gp);
	fputs(", \\\n  keyentry with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' title 'Donoho–Tanner n_{50} of the cell'", gp);
	if (any_d)
		fputs(", \\\n  keyentry with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' title 'n = d of the cell (where in range)'",
		      gp);
	fputs("\n\nunset multiplot\nset output\n", gp);
}

static int plot_nstar(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct plotargs *a,
		      struct plotout *o, int klnd)
{
	struct bw_qcells cells = {0};
	struct seriesset ss = {0};
	struct cellres *r = NULL;
	struct nstar_plot P;
	size_t *order = NULL;
	memset(&P, 0, sizeof P);
	int rc = bw_query_cells(q, filt, nf, &cells);
	if (rc == BW_OK && cells.n == 0)
		rc = RAISE(BW_EINVAL, "no finished tasks match the --where conditions");
	if (rc == BW_OK)
		rc = build_series(&cells, &ss);
	if (rc == BW_OK)
		rc = estimate_cells(&cells, &r);
	if (rc != BW_OK)
		goto done;
	P.cells = &cells;
	P.r = r;
	P.ss = &ss;

	FILE *gp, *dat, *fitf, *dtf = NULL;
	const char *datname, *fitname, *dtname = NULL;
	if ((rc = out_open(o, ".gp", &gp, NULL)) != BW_OK || (rc = out_open(o, ".dat", &dat, &datname)) != BW_OK ||
	    (rc = out_open(o, "-fit.dat", &fitf, &fitname)) != BW_OK ||
	    (!klnd && (rc = out_open(o, "-dt.dat", &dtf, &dtname)) != BW_OK))
		goto done;

	P.pooled = (struct bw_line_fit){.slope = NAN, .intercept = NAN, .r2 = NAN, .slope_se = NAN};
	for (size_t i = 0; i < MAX_SERIES; i++)
		P.per_algo[i] = P.pooled;
	if ((rc = put_fits(fitf, &cells, r, a, o, &P.pooled, P.per_algo, P.algos, &P.nalgos)) != BW_OK)
		goto done;
	common_text(&cells, P.common, sizeof P.common);

	/* panels: one per algorithm (nstar-klnd) or per kappa (nstar-d) */
	if (klnd)
		P.npanels = P.nalgos;
	else {
		int64_t *k = malloc(cells.n * sizeof *k);
		if (!k) {
			rc = RAISE(BW_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < cells.n; i++)
			k[i] = cells.cell[i].kappa;
		P.npanels = distinct(k, cells.n);
		if (P.npanels <= MAX_PANELS)
			memcpy(P.panel_val, k, P.npanels * sizeof *k);
		free(k);
	}
	if (P.npanels > MAX_PANELS) {
		rc = RAISE(BW_EINVAL, "more than %d panels (values of kappa): narrow them with --where", MAX_PANELS);
		goto done;
	}

	/* the data: blocks per (kappa, series) for nstar-d, per series for nstar-klnd */
	size_t maxblocks = ss.n * P.npanels + 1;
	P.block_series = malloc(maxblocks * sizeof *P.block_series);
	P.block_panel = malloc(maxblocks * sizeof *P.block_panel);
	P.block_flag = calloc(maxblocks, sizeof *P.block_flag);
	order = malloc(cells.n * sizeof *order);
	if (!P.block_series || !P.block_panel || !P.block_flag || !order) {
		rc = RAISE(BW_ENOMEM, "out of memory");
		goto done;
	}
	put_cell_header(dat, datname, a, o,
			klnd ? "one block per series (algorithm and parameters), ordered by kappa ln d"
			     : "one block per (kappa, series), ordered by d");
	for (size_t p = 0; p < P.npanels; p++)
		for (size_t s = 0; s < ss.n; s++) {
			size_t m = 0;
			if (klnd && strcmp(ss.s[s].key->algorithm, P.algos[p]))
				continue;
			for (size_t i = 0; i < cells.n; i++)
				if (ss.of_cell[i] == s && (klnd || cells.cell[i].kappa == P.panel_val[p]))
					order[m++] = i;
			if (!m)
				continue;
			/* by kappa ln d (nstar-klnd; cells come by d, then kappa) */
			for (size_t x = 1; klnd && x < m; x++)
				for (size_t y = x; y > 0 && r[order[y]].klnd < r[order[y - 1]].klnd; y--) {
					size_t t = order[y];
					order[y] = order[y - 1];
					order[y - 1] = t;
				}
			fprintf(dat, "%s# block %zu: %s", P.nblocks ? "\n\n" : "\n", P.nblocks, ss.s[s].plain);
			if (!klnd)
				fprintf(dat, ", kappa=%" PRId64, P.panel_val[p]);
			fputc('\n', dat);
			for (size_t j = 0; j < m; j++) {
				put_cell_row(dat, &cells.cell[order[j]], &r[order[j]]);
				P.block_flag[P.nblocks] |= block_flags(&r[order[j]]);
			}
			P.flags |= P.block_flag[P.nblocks];
			P.block_series[P.nblocks] = s;
			P.block_panel[P.nblocks] = p;
			P.nblocks++;
		}

	if (!klnd) {
		/* the Donoho-Tanner n50(d, kappa) over the d range, per kappa */
		int64_t dmin = cells.cell[0].d, dmax = cells.cell[0].d;
		for (size_t i = 0; i < cells.n; i++) {
			dmin = cells.cell[i].d < dmin ? cells.cell[i].d : dmin;
			dmax = cells.cell[i].d > dmax ? cells.cell[i].d : dmax;
		}
		double x0 = (double)dmin / 1.3, x1 = (double)dmax * 1.3;
		fprintf(dtf, "# %s - the Donoho-Tanner 50%% curve n50 = d psi(kappa/d) (biasweep dt), one block per "
			     "kappa\n",
			dtname);
		put_provenance(dtf, a, o->image);
		fputs("# columns: 1 d  2 kappa  3 n50\n", dtf);
		for (size_t p = 0; p < P.npanels; p++) {
			fprintf(dtf, "%s# block %zu: kappa=%" PRId64 "\n", p ? "\n\n" : "\n", p, P.panel_val[p]);
			double lo = fmax(x0, (double)P.panel_val[p]);
			for (int j = 0; j <= 80; j++) {
				double d = lo * pow(x1 / lo, j / 80.0), n50 = NAN;
				if (bw_dt_n50(d, (double)P.panel_val[p], &n50) != BW_OK)
					bw_error_clear();
				fprintf(dtf, "%.6g %" PRId64 " %.6g\n", d, P.panel_val[p], n50);
			}
		}
		script_nstar_d(gp, &P, o, a, datname, dtname, fitname);
	} else
		script_nstar_klnd(gp, &P, o, a, datname, fitname);
done:
	free(order);
	free(P.block_series);
	free(P.block_panel);
	free(P.block_flag);
	free(r);
	free(ss.of_cell);
	bw_qcells_release(&cells);
	return rc;
}

/* ---- phase ------------------------------------------------------------------------------------ */

static int plot_phase(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, const struct plotargs *a,
		      struct plotout *o)
{
	struct bw_qcells cells = {0};
	struct seriesset ss = {0};
	int rc = bw_query_cells(q, filt, nf, &cells);
	if (rc == BW_OK && cells.n == 0)
		rc = RAISE(BW_EINVAL, "no finished tasks match the --where conditions");
	if (rc == BW_OK)
		rc = build_series(&cells, &ss);
	FILE *gp, *dat, *dtf;
	const char *datname, *dtname;
	if (rc != BW_OK || (rc = out_open(o, ".gp", &gp, NULL)) != BW_OK ||
	    (rc = out_open(o, ".dat", &dat, &datname)) != BW_OK || (rc = out_open(o, "-dt.dat", &dtf, &dtname)) != BW_OK)
		goto done;

	fprintf(dat, "# %s - the success rate at each n per cell, one block per series (algorithm and parameters)\n",
		datname);
	put_provenance(dat, a, o->image);
	fputs("# rates as `biasweep curve --points` (each seed's missing n imputed from its threshold)\n"
	      "# columns: 1 algorithm  2 design  3 wstar  4 d  5 kappa  6 alpha  7 eta  8 sigma  9 batch  10 eps\n"
	      "#          11 n  12 n_over_d  13 kappa_over_n  14 tasks  15 successes  16 rate\n",
	      dat);
	double xmin = 1, ymin = 1;
	for (size_t s = 0; s < ss.n && rc == BW_OK; s++) {
		fprintf(dat, "%s# block %zu: %s\n", s ? "\n\n" : "\n", s, ss.s[s].plain);
		/* larger d first, so the sparser grids of small d stay visible on top */
		for (size_t ii = cells.n; ii-- > 0 && rc == BW_OK;) {
			if (ss.of_cell[ii] != s)
				continue;
			const struct bw_qcell *c = &cells.cell[ii];
			struct bw_nstar e;
			struct bw_nstar_opts op = {.resamples = 1, .level = 0, .rng_seed = 0, .impute = 1};
			if ((rc = bw_nstar_estimate(c->obs, c->nobs, &op, &e)) != BW_OK)
				break;
			for (size_t j = 0; j < e.npoints; j++) {
				const struct bw_nstar_point *pt = &e.points[j];
				double delta = pt->n / (double)c->d, rho = (double)c->kappa / pt->n;
				xmin = fmin(xmin, delta);
				ymin = fmin(ymin, rho);
				put_word(dat, c->algorithm, "");
				put_word(dat, c->design, " ");
				put_word(dat, c->wstar, " ");
				fprintf(dat, " %" PRId64 " %" PRId64, c->d, c->kappa);
				put_real(dat, c->alpha);
				put_real(dat, c->eta);
				put_real(dat, c->sigma);
				put_real(dat, c->batch > 0 ? (double)c->batch : NAN);
				put_real(dat, c->eps);
				put_real(dat, pt->n);
				put_real(dat, delta);
				put_real(dat, rho);
				fprintf(dat, " %zu %zu", pt->tasks, pt->successes);
				put_real(dat, pt->rate);
				fputc('\n', dat);
			}
			bw_nstar_release(&e);
		}
	}
	if (rc != BW_OK)
		goto done;

	/* the Donoho-Tanner curve: delta = psi(tau), rho = tau / psi(tau), tau = kappa/d */
	fprintf(dtf, "# %s - the Donoho-Tanner 50%% curve in the (n/d, kappa/n) plane, parametrised by tau = kappa/d:\n"
		     "# n50/d = psi(tau), kappa/n50 = tau/psi(tau) (biasweep dt)\n",
		dtname);
	put_provenance(dtf, a, o->image);
	fputs("# columns: 1 tau  2 n50_over_d  3 kappa_over_n50\n", dtf);
	for (int j = 0; j <= 200; j++) {
		double tau = pow(10, -5 + 5 * j / 200.0), psi = bw_dt_psi(tau, NULL);
		fprintf(dtf, "%.6g %.6g %.6g\n", tau, psi, tau / psi);
	}

	int rows, cols;
	layout(ss.n, &rows, &cols);
	char common[160];
	common_text(&cells, common, sizeof common);
	put_preamble(gp, o, a, 490 * cols, 440 * rows, "the success rate over (n/d, kappa/n) per algorithm");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\ndtdat = here.", gp);
	gp_str(gp, dtname);
	fputs("\n\n", gp);
	char lay[64];
	snprintf(lay, sizeof lay, "set multiplot layout %d,%d", rows, cols);
	put_title(gp, lay, "Success rate over (n/d, κ/n)", common);
	fputs("set logscale xy\nset xrange [", gp);
	put_gpnum(gp, xmin / 1.4);
	fputs(":1.4]\nset yrange [", gp);
	put_gpnum(gp, ymin / 1.4);
	fputs(":1.4]\n", gp);
	put_log_tics(gp, "x", xmin / 1.4, 1.4);
	put_log_tics(gp, "y", ymin / 1.4, 1.4);
	fputs("set format x '%g'\nset format y '%g'\n"
	      "set xlabel 'n/d  (undersampling δ)'\nset ylabel 'κ/n  (sparsity ρ)'\n"
	      "set cbrange [0:1]\nset cbtics 0.25\nset cblabel 'success rate'\n"
	      "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n"
	      "set key bottom left font ',10' opaque box ls 100\n",
	      gp);
	for (size_t s = 0; s < ss.n; s++) {
		fprintf(gp, "\n# ---- panel: %s\nset title ", ss.s[s].plain);
		gp_str(gp, ss.s[s].label);
		fprintf(gp,
			"\nplot dat index %zu using 12:13:16 with points pt 5 ps 1.8 lc palette notitle, \\\n"
			"  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50%% curve'\n",
			s);
	}
	fputs("\nunset multiplot\nset output\n", gp);
done:
	free(ss.of_cell);
	bw_qcells_release(&cells);
	return rc;
}

/* ---- trajectory -------------------------------------------------------------------------------- */

static const char *const traj_cols[] = {"algorithm", "design", "wstar",	    "d",	"kappa",    "n",
					"seed",	     "sweep_seed", "alpha", "eta_used", "sigma",    "eps",
					"status",    "test_error", "R",	    "t",	"traj_file", "traj_row",
					"key"};
enum {
	TC_ALGO, TC_DESIGN, TC_WSTAR, TC_D, TC_KAPPA, TC_N, TC_SEED, TC_SWEEP_SEED, TC_ALPHA, TC_ETA,
	TC_SIGMA, TC_EPS, TC_STATUS, TC_ERR, TC_R, TC_T, TC_FILE, TC_ROW, TC_KEY, TC_COUNT
};

static double tv_real(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_REAL ? v->r : v->type == BW_VAL_INT ? (double)v->i : NAN;
}

static int64_t tv_int(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_INT ? v->i : v->type == BW_VAL_REAL ? (int64_t)v->r : -1;
}

static const char *tv_text(struct bw_table *t, size_t row, size_t col)
{
	const struct bw_value *v = bw_table_at(t, row, col);
	return v->type == BW_VAL_TEXT && v->s ? v->s : "";
}

/* Colour by algorithm, dashes by its runs' order. */
static void put_run_style(FILE *f, struct bw_table *t, size_t r)
{
	const char *color;
	int pt;
	size_t variant = 0;
	for (size_t j = 0; j < r; j++)
		variant += !strcmp(tv_text(t, j, TC_ALGO), tv_text(t, r, TC_ALGO));
	style_of(tv_text(t, r, TC_ALGO), (int)variant, &color, &pt);
	fprintf(f, "lc rgb '%s' pt %d ps 0.9 pi 4 lw 2 dt %zu", color, pt, variant % 5 + 1);
}

static int plot_trajectory(struct bw_query *q, const struct bw_qfilter *user, size_t nuser, const struct plotargs *a,
			   struct plotout *o)
{
	struct bw_qfilter filt[66];
	size_t nf = 0, cols[TC_COUNT], ncols;
	struct bw_table t = {0};
	struct bw_checkpoint *ck[MAX_RUNS] = {0};
	int count[MAX_RUNS] = {0};
	char list[400] = "";
	for (size_t i = 0; i < TC_COUNT; i++)
		cat(list, sizeof list, "%s%s", i ? "," : "", traj_cols[i]);
	memcpy(filt, user, nuser * sizeof *user);
	nf = nuser;
	int rc = bw_query_parse_filter(q, "algorithm != gd", &filt[nf++]);
	if (rc == BW_OK)
		rc = bw_query_parse_filter(q, "algorithm != sgd", &filt[nf++]);
	if (rc == BW_OK)
		rc = bw_query_resolve_columns(q, list, cols, TC_COUNT, &ncols);
	if (rc == BW_OK)
		rc = bw_query_rows(q, filt, nf, cols, ncols, 0, &t);
	if (rc != BW_OK)
		goto done;
	if (t.nrows == 0) {
		rc = RAISE(BW_EINVAL, "no finished label_noise_sgd or riemannian_flow task matches the --where conditions");
		goto done;
	}
	/* one instance: (sweep_seed, design, wstar, d, kappa, n, seed) */
	static const size_t inst[] = {TC_SWEEP_SEED, TC_DESIGN, TC_WSTAR, TC_D, TC_KAPPA, TC_N, TC_SEED};
	int varies[7] = {0}, any = 0;
	for (size_t r = 1; r < t.nrows; r++)
		for (size_t k = 0; k < 7; k++) {
			const struct bw_value *x = bw_table_at(&t, 0, inst[k]), *y = bw_table_at(&t, r, inst[k]);
			int same = x->type == y->type &&
				   (x->type == BW_VAL_TEXT ? !strcmp(x->s, y->s) : x->type != BW_VAL_INT || x->i == y->i);
			if (!same)
				varies[k] = any = 1;
		}
	if (any) {
		char v[160] = "";
		for (size_t k = 0; k < 7; k++)
			if (varies[k])
				cat(v, sizeof v, "%s%s", v[0] ? ", " : "", traj_cols[inst[k]]);
		rc = RAISE(BW_EINVAL, "the --where conditions match %zu runs on more than one instance (%s differ): pick "
				      "one, e.g. --where d=128 --where kappa=4 --where n=32 --where seed=0",
			   t.nrows, v);
		goto done;
	}
	if (t.nrows > MAX_RUNS) {
		rc = RAISE(BW_EINVAL, "the --where conditions match %zu runs (at most %d): narrow them", t.nrows, MAX_RUNS);
		goto done;
	}
	/* read the trajectories, each checked to be the task's own (bw_query_trajectory) */
	for (size_t r = 0; r < t.nrows && rc == BW_OK; r++) {
		if (!*tv_text(&t, r, TC_FILE) || tv_int(&t, r, TC_ROW) < 0) {
			rc = RAISE(BW_EINVAL, "the %s run matched has no trajectory recorded (traj_file is NULL)",
				   tv_text(&t, r, TC_ALGO));
			break;
		}
		if (!(ck[r] = calloc(BW_TRAJ_MAXCK, sizeof *ck[r]))) {
			rc = RAISE(BW_ENOMEM, "out of memory");
			break;
		}
		rc = bw_query_trajectory(q, tv_text(&t, r, TC_KEY), ck[r], &count[r], NULL, 0);
	}
	if (rc != BW_OK)
		goto done;

	FILE *gp, *dat;
	const char *datname;
	if ((rc = out_open(o, ".gp", &gp, NULL)) != BW_OK || (rc = out_open(o, ".dat", &dat, &datname)) != BW_OK)
		goto done;
	fprintf(dat, "# %s - trajectories on one instance, one block per run, at log-spaced checkpoints\n", datname);
	put_provenance(dat, a, o->image);
	fputs("# t: simulated time (the flow's time; label_noise_sgd t = k eta^2 sigma^2 / 2)\n"
	      "# columns: 1 step  2 t  3 train_loss  4 test_error  5 R\n",
	      dat);
	char label[MAX_RUNS][200];
	for (size_t r = 0; r < t.nrows; r++) {
		const char *algo = tv_text(&t, r, TC_ALGO);
		fprintf(dat, "%s# block %zu: ", r ? "\n\n" : "\n", r);
		put_comment_text(dat, algo);
		fprintf(dat, " alpha=%g", tv_real(&t, r, TC_ALPHA));
		label[r][0] = 0;
		enh_cat(label[r], sizeof label[r], algo);
		cat(label[r], sizeof label[r], " (α=%g", tv_real(&t, r, TC_ALPHA));
		if (!strcmp(algo, "label_noise_sgd")) {
			fprintf(dat, " sigma=%g eta_used=%g", tv_real(&t, r, TC_SIGMA), tv_real(&t, r, TC_ETA));
			cat(label[r], sizeof label[r], ", σ=%g, η=%.2g", tv_real(&t, r, TC_SIGMA), tv_real(&t, r, TC_ETA));
		}
		cat(label[r], sizeof label[r], "): ");
		enh_cat(label[r], sizeof label[r], tv_text(&t, r, TC_STATUS));
		cat(label[r], sizeof label[r], ", final test error %.2g%s", tv_real(&t, r, TC_ERR),
		    strcmp(algo, "label_noise_sgd") ? "" : " (after the projection Φ)");
		sanitize(label[r]);
		fputs(" status=", dat);
		put_comment_text(dat, tv_text(&t, r, TC_STATUS));
		fprintf(dat, " test_error=%g file=", tv_real(&t, r, TC_ERR));
		put_comment_text(dat, tv_text(&t, r, TC_FILE));
		fprintf(dat, " row=%" PRId64 "\n", tv_int(&t, r, TC_ROW));
		for (int i = 0; i < count[r]; i++) {
			fprintf(dat, "%ld", ck[r][i].step);
			put_real(dat, ck[r][i].t);
			put_real(dat, ck[r][i].loss);
			put_real(dat, ck[r][i].test_error);
			put_real(dat, ck[r][i].R);
			fputc('\n', dat);
		}
	}

	char title[240] = "One instance: d = ";
	cat(title, sizeof title, "%" PRId64 ", κ = %" PRId64 ", n = %" PRId64 ", seed %" PRId64 " (", tv_int(&t, 0, TC_D),
	    tv_int(&t, 0, TC_KAPPA), tv_int(&t, 0, TC_N), tv_int(&t, 0, TC_SEED));
	enh_cat(title, sizeof title, tv_text(&t, 0, TC_DESIGN));
	cat(title, sizeof title, " design, ");
	enh_cat(title, sizeof title, tv_text(&t, 0, TC_WSTAR));
	cat(title, sizeof title, " w^*)");
	/* two panels side by side, the legend in a strip below them */
	int pw = 620, ph = 470, th = 50, lh = 40 + 22 * (int)(t.nrows + 1), W = 2 * pw, H = ph + th + lh;
	put_preamble(gp, o, a, W, H, "trajectories of label_noise_sgd and riemannian_flow on one instance");
	fputs("dat = here.", gp);
	gp_str(gp, datname);
	fputs("\neps = ", gp);
	put_gpnum(gp, tv_real(&t, 0, TC_EPS));
	fputs("\n\nset multiplot title ", gp);
	gp_str(gp, title);
	fputs(" font ',15'\nset logscale xy\nset format x '10^{%L}'\nunset key\n"
	      "set xlabel 'simulated time t  (flow time; label-noise SGD: t = kη^2σ^2/2)'\n",
	      gp);
	for (int panel = 0; panel < 2; panel++) {
		fprintf(gp, "\n# ---- panel: %s\nset origin %.4f,%.4f\nset size %.4f,%.4f\n", panel ? "test error" : "R",
			panel ? 0.5 : 0.0, (double)lh / H, 0.5, (double)ph / H);
		if (panel) {
			/* a range that shows the success threshold eps too */
			double lo = tv_real(&t, 0, TC_EPS), hi = lo;
			for (size_t r = 0; r < t.nrows; r++)
				for (int i = 0; i < count[r]; i++)
					if (isfinite(ck[r][i].test_error) && ck[r][i].test_error > 0) {
						lo = fmin(lo, ck[r][i].test_error);
						hi = fmax(hi, ck[r][i].test_error);
					}
			fputs("set title 'test error'\nset ylabel '||w − w^*|| / ||w^*||'\nset format y '10^{%L}'\n", gp);
			if (isfinite(lo) && lo > 0) {
				fputs("set yrange [", gp);
				put_gpnum(gp, pow(10, floor(log10(lo / 1.5))));
				fputs(":", gp);
				put_gpnum(gp, pow(10, ceil(log10(hi * 1.5))));
				fputs("]\n", gp);
			}
		}
		else
			fputs("set title 'implicit regulariser R = tr ∇^2L'\nset ylabel 'R(w)'\nset format y '%g'\n", gp);
		fputs("plot ", gp);
		for (size_t r = 0; r < t.nrows; r++) {
			fprintf(gp, "%sdat index %zu using 2:%d with linespoints ", r ? ", \\\n  " : "", r, panel ? 4 : 5);
			put_run_style(gp, &t, r);
			fputs(" notitle", gp);
		}
		if (panel)
			fputs(", \\\n  eps with lines lc rgb 'black' dt 2 lw 1.5 notitle", gp);
		fputc('\n', gp);
	}
	fprintf(gp,
		"\n# ---- legend\nset origin 0,0\nset size 1,%.4f\nunset border\nunset tics\nunset xlabel\n"
		"unset ylabel\nunset title\nunset grid\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
		"set key inside center center vertical Left reverse nobox font ',11' spacing 1.3 samplen 4\n",
		(double)lh / H);
	legend_plot(gp);
	for (size_t r = 0; r < t.nrows; r++) {
		fputs(", \\\n  keyentry with linespoints ", gp);
		put_run_style(gp, &t, r);
		fputs(" title ", gp);
		gp_str(gp, label[r]);
	}
	fputs(", \\\n  keyentry with lines lc rgb 'black' dt 2 lw 1.5 title sprintf('ε = %g: success threshold of the "
	      "test error', eps)\n",
	      gp);
	fputs("\nunset multiplot\nset output\n", gp);
done:
	for (size_t r = 0; r < MAX_RUNS; r++)
		free(ck[r]);
	bw_table_release(&t);
	return rc;
}

/* ---- the command ------------------------------------------------------------------------------- */

static const char *const kinds[] = {"nstar-d", "nstar-klnd", "phase", "trajectory"};

int cmd_plot(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite", *output = NULL;
	struct bw_opt_list where = {0};
	struct bw_option opts[] = {
		{"catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)", 0},
		{"where", BW_OPT_LIST, &where, "COND", "COLUMN OP VALUE filter, repeatable (as in query)", 0},
		{"output", BW_OPT_STRING, &output, "FILE", "the image, FILE.png or FILE.svg (also -o FILE)", 0},
		{0},
	};
	/* -o is --output (the option table is long-only) */
	char **args = calloc((size_t)argc + 1, sizeof *args);
	if (!args)
		return RAISE(BW_ENOMEM, "out of memory");
	for (int i = 0; i < argc; i++) {
		args[i] = argv[i];
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-o"))
			args[i] = "--output";
	}
	for (int i = 0; i < argc; i++)
		if (!args[i])
			args[i] = argv[i];
	char *pos[2];
	int npos, rc = bw_opts_parse(opts, argc, args, pos, &npos, 1);
	free(args);
	if (rc == BW_OPTS_HELP) {
		bw_opts_usage(stdout,
			      "biasweep plot nstar-d|nstar-klnd|phase|trajectory [--catalog FILE] [--where COND ...] "
			      "-o FILE.png|FILE.svg",
			      summary, opts, epilog);
		return rc;
	}
	CHECK(rc);
	if (npos != 1)
		return RAISE(BW_EINVAL, "which plot? nstar-d, nstar-klnd, phase or trajectory (see --help)");
	size_t kind = 0, nkinds = sizeof kinds / sizeof kinds[0];
	while (kind < nkinds && strcmp(pos[0], kinds[kind]))
		kind++;
	if (kind == nkinds) {
		char buf[48];
		size_t i = 0;
		for (; pos[0][i] && i < 40; i++)
			buf[i] = iscntrl((unsigned char)pos[0][i]) ? '?' : pos[0][i];
		buf[i] = 0;
		return RAISE(BW_EINVAL, "unknown plot '%s%s' (nstar-d, nstar-klnd, phase, trajectory)", buf,
			     pos[0][i] ? "..." : "");
	}
	if (!output)
		return RAISE(BW_EINVAL, "-o FILE.png or -o FILE.svg is required");

	struct plotout o;
	if ((rc = out_init(&o, output)) != BW_OK) {
		out_release(&o);
		return rc;
	}
	struct bw_query *q;
	if ((rc = bw_query_open(catalog, &q)) != BW_OK) {
		out_release(&o);
		return rc;
	}
	struct bw_qfilter f[sizeof where.items / sizeof where.items[0]];
	for (int i = 0; i < where.len && rc == BW_OK; i++)
		if ((rc = bw_query_parse_filter(q, where.items[i], &f[i])) != BW_OK)
			bw_error_context(rc, "--where");
	struct plotargs pa = {kinds[kind], catalog, &where};
	if (rc == BW_OK) {
		if (kind <= 1)
			rc = plot_nstar(q, f, (size_t)where.len, &pa, &o, kind == 1);
		else if (kind == 2)
			rc = plot_phase(q, f, (size_t)where.len, &pa, &o);
		else
			rc = plot_trajectory(q, f, (size_t)where.len, &pa, &o);
	}
	bw_query_close(q);
	if (rc == BW_OK)
		rc = out_commit(&o);
	if (rc == BW_OK)
		rc = run_gnuplot(&o);
	if (rc == BW_OK) {
		printf("wrote %s (script %s, data", o.image, o.file[0].path);
		for (size_t i = 1; i < o.nfiles; i++)
			printf(" %s", o.file[i].path);
		printf(")\n");
		if (fflush(stdout))
			rc = RAISE(BW_EIO, "writing the output failed");
	}
	out_release(&o);
	return rc;
}
