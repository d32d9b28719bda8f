/* output.c - bw_table as table, CSV or JSON, and run-one's outcome as JSON (see output.h). */
#include "biasweep/output.h"

#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/json.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const bw_format_names[] = {"table", "csv", "json", NULL};

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
	bw_put_quoted(f, s, '"');
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
	for (size_t r = 0; r <= t->nrows; r++) /* the header, then the rows */
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r ? value_text(&t->v[(r - 1) * t->ncols + c], buf, sizeof buf, 1, "-") : t->cols[c];
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

int bw_json_print(FILE *f, struct bw_json *j)
{
	int rc = bw_json_finish(j);
	if (rc == BW_OK && (fwrite(j->out.p, 1, j->out.len, f) != j->out.len || fflush(f) != 0 || ferror(f)))
		rc = RAISE(BW_EIO, "writing the output failed");
	bw_json_release(j);
	return rc;
}

void bw_json_table_row(struct bw_json *j, const struct bw_table *t, size_t r, size_t ncols)
{
	char buf[64];
	for (size_t c = 0; c < ncols && c < t->ncols; c++) {
		const struct bw_value *v = &t->v[r * t->ncols + c];
		if (v->type == BW_VAL_TEXT)
			bw_json_string(j, t->cols[c], v->s ? v->s : "");
		else if (v->type == BW_VAL_INT)
			bw_json_int(j, t->cols[c], v->i);
		else if (v->type == BW_VAL_REAL && isfinite(v->r))
			bw_json_raw(j, t->cols[c], value_text(v, buf, sizeof buf, 0, "null"));
		else
			bw_json_null(j, t->cols[c]);
	}
}

static int print_json(FILE *f, const struct bw_table *t)
{
	struct bw_json j;
	bw_json_init(&j, 17, BW_JSON_ROWS);
	bw_json_array(&j, NULL);
	for (size_t r = 0; r < t->nrows; r++) {
		bw_json_object(&j, NULL);
		bw_json_table_row(&j, t, r, t->ncols);
		bw_json_end(&j);
	}
	bw_json_end(&j);
	return bw_json_print(f, &j);
}

int bw_outcome_print_json(FILE *f, const struct bw_instance *inst, const struct bw_run_params *p,
			  const struct bw_outcome *o)
{
	struct bw_json j;
	bw_json_init(&j, 17, 0);
	bw_json_object(&j, NULL);
	bw_json_string(&j, "algorithm", bw_algo_name(p->algo));
	bw_json_string(&j, "design", bw_design_name(inst->spec.design));
	bw_json_string(&j, "wstar", bw_wstar_name(inst->spec.wstar));
	bw_json_uint(&j, "d", inst->d);
	bw_json_uint(&j, "n", inst->n);
	bw_json_uint(&j, "kappa", inst->spec.kappa);
	bw_json_uint(&j, "seed", inst->spec.seed_index);
	bw_json_uint(&j, "sweep_seed", inst->spec.sweep_seed);
	/* the parameters the dynamics reads; null for those it does not */
	const struct bw_dynamics *dy = bw_dynamics_table[p->algo];
	bw_json_number(&j, "alpha", p->alpha);
	bw_json_number(&j, "eta", dy->uses & BW_USES_ETA ? o->eta_used : NAN);
	bw_json_number(&j, "sigma", dy->uses & BW_USES_SIGMA ? p->sigma : NAN);
	if (dy->uses & BW_USES_BATCH)
		bw_json_int(&j, "batch", p->batch);
	else
		bw_json_null(&j, "batch");
	if (dy->uses & BW_USES_SCHEDULE)
		bw_json_string(&j, "schedule", bw_schedule_name(p->schedule));
	else
		bw_json_null(&j, "schedule");
	bw_json_number(&j, "eps", p->eps);
	if (!(dy->uses & BW_USES_ETA) && dy->descent) { /* a start Phi(x0) by a descent at its step */
		bw_json_object(&j, "start");
		bw_json_string(&j, "descent", dy->descent->name);
		bw_json_number(&j, "eta", o->eta_used);
		bw_json_end(&j);
	}
	/* whose value each field is: the projection Phi of the last iterate, or the iterates' */
	bw_json_bool(&j, "projected", o->projected);
	bw_json_object(&j, "values_of");
	static const char *const scored[] = {"train_loss", "test_error", "R", "l1", "support_recovered", "success"};
	for (size_t k = 0; k < sizeof scored / sizeof scored[0]; k++)
		bw_json_string(&j, scored[k], o->projected ? "projection" : "last_iterate");
	bw_json_string(&j, "steps", "last_iterate");
	bw_json_string(&j, "t", "last_iterate");
	bw_json_string(&j, "trajectory", "iterates");
	bw_json_end(&j);
	bw_json_string(&j, "status", bw_run_status_name(o->status));
	bw_json_number(&j, "train_loss", o->train_loss);
	bw_json_number(&j, "test_error", o->test_error);
	bw_json_number(&j, "R", o->R);
	bw_json_number(&j, "l1", o->l1);
	bw_json_bool(&j, "support_recovered", o->support_recovered);
	bw_json_bool(&j, "success", o->success);
	bw_json_int(&j, "steps", o->steps);
	bw_json_number(&j, "t", o->t);
	bw_json_number(&j, "wall_s", o->wall_s);
	bw_json_number(&j, "steps_per_s", o->wall_s > 0 ? (double)o->steps / o->wall_s : NAN);
	bw_json_number(&j, "loss_rate", o->loss_rate);
	bw_json_number(&j, "alpha_inf", o->alpha_inf);
	bw_json_number(&j, "alpha_inf_pred", o->alpha_inf_pred);
	bw_json_number(&j, "int_loss_dt", o->int_loss_dt);
	bw_json_int(&j, "stop_checks", o->stop_checks);
	bw_json_string(&j, "message", o->message);
	bw_json_object(&j, "trajectory");
	bw_json_array(&j, "step");
	for (size_t i = 0; i < o->ntraj; i++)
		bw_json_int(&j, NULL, o->traj[i].step);
	bw_json_end(&j);
	static const char *const cols[] = {"t", "loss", "test_error", "R"};
	for (int c = 0; c < 4; c++) {
		bw_json_array(&j, cols[c]);
		for (size_t i = 0; i < o->ntraj; i++) {
			const struct bw_checkpoint *k = &o->traj[i];
			bw_json_number(&j, NULL, c == 0 ? k->t : c == 1 ? k->loss : c == 2 ? k->test_error : k->R);
		}
		bw_json_end(&j);
	}
	bw_json_end(&j);
	bw_json_end(&j);
	return bw_json_print(f, &j);
}

int bw_table_print(FILE *f, const struct bw_table *t, enum bw_format fmt)
{
	switch (fmt) {
	case BW_FMT_CSV:
		print_csv(f, t);
		break;
	case BW_FMT_JSON:
		return print_json(f, t);
	default:
		print_table(f, t);
		break;
	}
	if (fflush(f) != 0 || ferror(f))
		return RAISE(BW_EIO, "writing the output failed");
	return BW_OK;
}
