/* common.c - what every figure uses: text and number formatting for
 * scripts and data files, the script preamble, the styles of the dynamics
 * (their rows of the dynamics table), series labels (contract in emit.h).
 * User strings reach a script only as sanitized comments and as file names
 * inside single-quoted gnuplot strings (control characters are refused in
 * the image name). */
#include "emit.h"

#include "biasweep/error.h"
#include "biasweep/format.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- text helpers ------------------------------------------------------------------- */

void gp_str(FILE *f, const char *s) { bw_put_quoted(f, s, '\''); }

void enh_cat(char *buf, size_t len, const char *s)
{
	size_t k = strlen(buf);
	for (; *s && k + 3 < len; s++) {
		if (strchr("_^{}@&~\\", *s))
			buf[k++] = '\\';
		buf[k++] = iscntrl((unsigned char)*s) ? '?' : *s;
	}
	buf[k] = 0;
}

void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t k = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	if (k < len)
		vsnprintf(buf + k, len - k, fmt, ap);
	va_end(ap);
}

/* x in the shortest text that reads back (as curve's CSV), NaN for none;
 * gp: as a gnuplot real ("2.0", not the integer "2", for its arithmetic). */
static void put_num(FILE *f, double x, int gp)
{
	char b[48];
	if (!isfinite(x)) {
		fputs("NaN", f);
		return;
	}
	bw_format_real(b, sizeof b, x);
	fputs(b, f);
	if (gp && !strpbrk(b, ".eE"))
		fputs(".0", f);
}

void put_real(FILE *f, double x)
{
	fputc(' ', f);
	put_num(f, x, 0);
}

void put_gpnum(FILE *f, double x) { put_num(f, x, 1); }

void put_comment_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(iscntrl((unsigned char)*s) ? '?' : *s, f);
}

void sanitize(char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
}

void put_word(FILE *f, const char *s, const char *sep)
{
	fputs(sep, f);
	if (!*s)
		fputc('?', f);
	for (; *s; s++)
		fputc(iscntrl((unsigned char)*s) || isspace((unsigned char)*s) || strchr("\"'#", *s) ? '?' : *s, f);
}

/* ---- the script ------------------------------------------------------------------------ */

void put_provenance(FILE *f, const struct bw_figure_args *a, const char *image)
{
	fputs("# written by: biasweep plot ", f);
	put_comment_text(f, a->kind);
	fputs(" --catalog '", f);
	put_comment_text(f, a->catalog);
	fputs("'", f);
	for (size_t i = 0; i < a->nwhere; i++) {
		fputs(" --where '", f);
		put_comment_text(f, a->where[i]);
		fputs("'", f);
	}
	fputs(" -o '", f);
	put_comment_text(f, image);
	fputs("'\n", f);
}

/* Script preamble: encoding, the script's directory, the terminal and output. */
void put_preamble(FILE *f, const struct bw_figure *o, const struct bw_figure_args *a, int width, int height,
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
void put_log_tics(FILE *f, const char *axis, double lo, double hi)
{
	char tics[512] = "";
	int nt = 0;
	if (!(lo > 0) || !(hi > lo))
		return;
	/* 1-2-5 per decade; on an x axis of more than three decades the labels
	 * would touch in a panel of the usual width, so only the powers of 10 */
	int per = axis[0] == 'x' && log10(hi / lo) > 3 ? 1 : 3;
	for (double dec = pow(10, floor(log10(lo))); dec <= hi && nt < 40; dec *= 10)
		for (int m = 0; m < per; m++) {
			double v = dec * (m == 0 ? 1 : m == 1 ? 2 : 5);
			if (v >= lo && v <= hi)
				cat(tics, sizeof tics, "%s%g", nt++ ? ", " : "", v);
		}
	if (nt >= 2)
		fprintf(f, "set %stics (%s)\n", axis, tics);
}

/* "CMD title 'TEXT  (COMMON)' font ',15'", the text through gp_str. */
void put_title(FILE *f, const char *cmd, const char *text, const char *common)
{
	char t[400];
	snprintf(t, sizeof t, "%s%s%s%s", text, common[0] ? "  (" : "", common, common[0] ? ")" : "");
	fprintf(f, "%s title ", cmd);
	gp_str(f, t);
	fputs(" font ',15'\n", f);
}

void layout(size_t n, int *rows, int *cols)
{
	*cols = n <= 3 ? (int)n : n == 4 ? 2 : 3;
	if (*cols < 1)
		*cols = 1;
	*rows = (int)((n + (size_t)*cols - 1) / (size_t)*cols);
}

/* ---- styles --------------------------------------------------------------------------- */

/* An unknown algorithm (a catalog may hold any name) is drawn in grey. */
double style_of(const char *algorithm, int variant, const char **color, int *pt)
{
	const struct bw_dynamics *dy = bw_dynamics_named(algorithm);
	if (dy) {
		*color = dy->plot_color;
		*pt = dy->plot_pt[variant % 2];
		return dy->plot_ps;
	}
	*color = "#7f7f7f";
	*pt = variant % 2 ? 1 : 2;
	return 1.2;
}

void put_series_style(FILE *f, const struct series *s)
{
	const char *color;
	int pt;
	double ps = style_of(s->key->algorithm, s->variant, &color, &pt);
	fprintf(f, "lc rgb '%s' pt %d ps %.2g lw 1.8 dt %d", color, pt, ps, s->variant % 5 + 1);
}

void legend_plot(FILE *f) { fputs("plot -1 with lines notitle", f); }

/* ---- cells and series ---------------------------------------------------------------------- */

/* " α=0.5" in the label (zero, when not NULL, for 0), " alpha=0.5" (or
 * " alpha=none") in the plain text. */
static void label_param(struct series *s, const char *sym, const char *name, double x, const char *zero)
{
	if (zero && x == 0)
		cat(s->label, sizeof s->label, " %s=%s", sym, zero);
	else
		cat(s->label, sizeof s->label, " %s=%g", sym, x);
	if (isnan(x))
		cat(s->plain, sizeof s->plain, " %s=none", name);
	else
		cat(s->plain, sizeof s->plain, " %s=%g", name, x);
}

/* Labels: the algorithm, then the parameters that differ between its series. */
static void label_series(struct series *s, const struct bw_series *g)
{
	const struct bw_qcell *a = g->key;
	char *l = s->label, *p = s->plain;
	size_t ll = sizeof s->label, pl = sizeof s->plain;
	s->key = a;
	s->variant = (int)g->variant;
	enh_cat(l, ll, a->algorithm);
	cat(p, pl, "%s", a->algorithm);
	if (g->differs & BW_SERIES_DESIGN) {
		cat(l, ll, " ");
		enh_cat(l, ll, a->design);
		cat(p, pl, " design=%s", a->design);
	}
	if (g->differs & BW_SERIES_WSTAR) {
		cat(l, ll, " w^*=");
		enh_cat(l, ll, a->wstar);
		cat(p, pl, " wstar=%s", a->wstar);
	}
	if (g->differs & BW_SERIES_ALPHA)
		label_param(s, "α", "alpha", a->alpha, NULL);
	if ((g->differs & BW_SERIES_ETA) && a->eta_scale > 0)
		label_param(s, "η/η_{auto}", "eta_scale", a->eta_scale, NULL);
	else if (g->differs & BW_SERIES_ETA)
		label_param(s, "η", "eta", a->eta, "auto"); /* eta 0: the automatic step */
	if (g->differs & BW_SERIES_SCHEDULE) {
		cat(s->label, sizeof s->label, " %s", a->schedule[0] ? a->schedule : "constant");
		cat(s->plain, sizeof s->plain, " schedule=%s", a->schedule[0] ? a->schedule : "constant");
	}
	if (g->differs & BW_SERIES_SIGMA)
		label_param(s, "σ", "sigma", a->sigma, NULL);
	if (g->differs & BW_SERIES_BATCH) {
		cat(l, ll, " B=%" PRId64, a->batch);
		cat(p, pl, " batch=%" PRId64, a->batch);
	}
	if (g->differs & BW_SERIES_EPS)
		label_param(s, "ε", "eps", a->eps, NULL);
	sanitize(l); /* the catalog's names reach the script */
	sanitize(p);
}

int plot_cells(struct bw_query *q, const struct bw_qfilter *filt, size_t nf, struct bw_qcells *cells,
	       struct seriesset *ss)
{
	memset(ss, 0, sizeof *ss);
	CHECK(bw_query_cells(q, filt, nf, cells));
	if (cells->n == 0)
		return RAISE(BW_EINVAL, "no finished tasks match the --where conditions");
	CHECK(bw_series_group(cells, &ss->g));
	if (ss->g.n > MAX_SERIES)
		return RAISE(BW_EINVAL, "more than %d series (algorithm, alpha, eta, ... combinations) to draw: narrow them "
					"with --where",
			     MAX_SERIES);
	ss->n = ss->g.n;
	for (size_t k = 0; k < ss->n; k++)
		label_series(&ss->s[k], &ss->g.s[k]);
	return BW_OK;
}

void common_text(const struct bw_qcells *cells, char *buf, size_t len)
{
	unsigned differ = bw_cells_differ(cells);
	buf[0] = 0;
	if (!cells->n)
		return;
	if (!(differ & BW_SERIES_DESIGN)) {
		enh_cat(buf, len, cells->cell[0].design);
		cat(buf, len, " design");
	}
	if (!(differ & BW_SERIES_WSTAR)) {
		cat(buf, len, "%s", buf[0] ? ", " : "");
		enh_cat(buf, len, cells->cell[0].wstar);
		cat(buf, len, " w^*");
	}
	if (!(differ & BW_SERIES_EPS) && !isnan(cells->cell[0].eps))
		cat(buf, len, "%sε = %g", buf[0] ? ", " : "", cells->cell[0].eps);
}

void put_cell_fields(FILE *f, const struct bw_qcell *c)
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
}
