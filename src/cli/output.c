/* output.c - bw_table as table, CSV or JSON, and run-one's outcome as JSON (see output.h). */
#include "biasweep/output.h"

#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const bw_format_names[] = {"table", "csv", "json", NULL};

void bw_format_real(char *buf, size_t len, double x)
{
	if (x == floor(x) && fabs(x) < 1e15) { /* integral: no exponent (10, not 1e+01) */
		snprintf(buf, len, "%.0f", x);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

/* Text of a value for table/CSV (NULL -> null_text). */
static const char *value_text(const struct bw_value *v, char *buf, size_t len, int table, const char *null_text)
{
	switch (v->type) {
	case BW_VAL_INT:
		snprintf(buf, len, "%" PRId64, v->i);
		return buf;
	case BW_VAL_REAL:
		if (table)
			snprintf(buf, len, "%.6g", v->r);
		else
			bw_format_real(buf, len, v->r);
		return buf;
	case BW_VAL_TEXT:
		if (!v->s)
			return "";
		if (table) { /* one line per row: control characters as '?' (long ones cut to fit buf) */
			const unsigned char *c = (const unsigned char *)v->s;
			while (*c && !iscntrl(*c))
				c++;
			if (!*c)
				return v->s;
			size_t i = 0;
			for (c = (const unsigned char *)v->s; *c && i + 1 < len; c++)
				buf[i++] = iscntrl(*c) ? '?' : (char)*c;
			buf[i] = 0;
			return buf;
		}
		return v->s;
	default:
		return null_text;
	}
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void print_table(FILE *f, const struct bw_table *t)
{
	char buf[512];
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof *w);
	int *num = calloc(t->ncols ? t->ncols : 1, sizeof *num);
	if (!w || !num) {
		free(w);
		free(num);
		return;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->cols[c]);
		num[c] = 1;
		for (size_t r = 0; r < t->nrows; r++) {
			const struct bw_value *v = &t->v[r * t->ncols + c];
			size_t n = strlen(value_text(v, buf, sizeof buf, 1, "-"));
			if (n > w[c])
				w[c] = n;
			if (v->type == BW_VAL_TEXT)
				num[c] = 0;
		}
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (c + 1 == t->ncols && !num[c])
			fprintf(f, "%s%s\n", c ? "  " : "", t->cols[c]); /* no trailing blanks */
		else
			fprintf(f, "%s%*s%s", c ? "  " : "", num[c] ? (int)w[c] : -(int)w[c], t->cols[c],
				c + 1 == t->ncols ? "\n" : "");
	}
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = value_text(&t->v[r * t->ncols + c], buf, sizeof buf, 1, "-");
			if (c + 1 == t->ncols && !num[c])
				fprintf(f, "%s%s\n", c ? "  " : "", s); /* no trailing blanks */
			else
				fprintf(f, "%s%*s%s", c ? "  " : "", num[c] ? (int)w[c] : -(int)w[c], s,
					c + 1 == t->ncols ? "\n" : "");
		}
	free(w);
	free(num);
}

static void print_csv(FILE *f, const struct bw_table *t)
{
	char buf[64];
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', f);
		csv_field(f, t->cols[c]);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			csv_field(f, value_text(&t->v[r * t->ncols + c], buf, sizeof buf, 0, ""));
		}
		fputc('\n', f);
	}
}

static void print_json(FILE *f, const struct bw_table *t)
{
	char buf[64];
	fputc('[', f);
	for (size_t r = 0; r < t->nrows; r++) {
		fputs(r ? ",\n{" : "\n{", f);
		for (size_t c = 0; c < t->ncols; c++) {
			const struct bw_value *v = &t->v[r * t->ncols + c];
			if (c)
				fputc(',', f);
			json_string(f, t->cols[c]);
			fputc(':', f);
			if (v->type == BW_VAL_TEXT)
				json_string(f, v->s ? v->s : "");
			else
				fputs(value_text(v, buf, sizeof buf, 0, "null"), f);
		}
		fputc('}', f);
	}
	fputs(t->nrows ? "\n]\n" : "]\n", f);
}

static void jnum(FILE *f, const char *k, double x, int last)
{
	if (isfinite(x))
		fprintf(f, "\"%s\":%.17g%s", k, x, last ? "" : ",");
	else
		fprintf(f, "\"%s\":null%s", k, last ? "" : ",");
}

int bw_outcome_print_json(FILE *f, const struct bw_instance *inst, const struct bw_run_params *p,
			  const struct bw_outcome *o)
{
	fprintf(f, "{\"algorithm\":\"%s\",\"design\":\"%s\",\"wstar\":\"%s\",\"d\":%zu,\"n\":%zu,\"kappa\":%zu,"
	       "\"seed\":%u,\"sweep_seed\":%llu,",
	       bw_algo_name(p->algo), bw_design_name(inst->spec.design), bw_wstar_name(inst->spec.wstar), inst->d,
	       inst->n, inst->spec.kappa, inst->spec.seed_index, (unsigned long long)inst->spec.sweep_seed);
	jnum(f, "alpha", p->alpha, 0);
	jnum(f, "eta", o->eta_used, 0);
	jnum(f, "sigma", p->sigma, 0);
	fprintf(f, "\"batch\":%ld,", p->batch);
	jnum(f, "eps", p->eps, 0);
	fprintf(f, "\"status\":\"%s\",", bw_run_status_name(o->status));
	jnum(f, "train_loss", o->train_loss, 0);
	jnum(f, "test_error", o->test_error, 0);
	jnum(f, "R", o->R, 0);
	jnum(f, "l1", o->l1, 0);
	fprintf(f, "\"support_recovered\":%s,\"success\":%s,\"steps\":%ld,", o->support_recovered ? "true" : "false",
	       o->success ? "true" : "false", o->steps);
	jnum(f, "t", o->t, 0);
	jnum(f, "wall_s", o->wall_s, 0);
	jnum(f, "steps_per_s", o->wall_s > 0 ? (double)o->steps / o->wall_s : NAN, 0);
	jnum(f, "loss_rate", o->loss_rate, 0);
	jnum(f, "alpha_inf", o->alpha_inf, 0);
	jnum(f, "alpha_inf_pred", o->alpha_inf_pred, 0);
	jnum(f, "int_loss_dt", o->int_loss_dt, 0);
	fprintf(f, "\"message\":\"%s\",\"trajectory\":{", o->message);
	const char *cols[] = {"step", "t", "loss", "test_error", "R"};
	for (int c = 0; c < 5; c++) {
		fprintf(f, "%s\"%s\":[", c ? "," : "", cols[c]);
		for (size_t i = 0; i < o->ntraj; i++) {
			const struct bw_checkpoint *k = &o->traj[i];
			double x = c == 1 ? k->t : c == 2 ? k->loss : c == 3 ? k->test_error : k->R;
			if (c == 0)
				fprintf(f, "%s%ld", i ? "," : "", k->step);
			else if (isfinite(x))
				fprintf(f, "%s%.17g", i ? "," : "", x);
			else
				fprintf(f, "%snull", i ? "," : "");
		}
		fprintf(f, "]");
	}
	fprintf(f, "}}\n");
	if (fflush(f) != 0 || ferror(f))
		return RAISE(BW_EIO, "writing the output failed");
	return BW_OK;
}

int bw_table_print(FILE *f, const struct bw_table *t, enum bw_format fmt)
{
	switch (fmt) {
	case BW_FMT_CSV:
		print_csv(f, t);
		break;
	case BW_FMT_JSON:
		print_json(f, t);
		break;
	default:
		print_table(f, t);
		break;
	}
	if (fflush(f) != 0 || ferror(f))
		return RAISE(BW_EIO, "writing the output failed");
	return BW_OK;
}
