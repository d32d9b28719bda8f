/* filter.c - the column names and the filter language of query (contract
 * in include/biasweep/query.h): "col op value" parsed against the schema's
 * columns, and its WHERE clause with the values bound. */
#include "biasweep/catalog.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/result.h"
#include "biasweep/suggest.h"
#include "query_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- columns ------------------------------------------------------------------- */

static int find_column(const struct bw_query *q, const char *name, size_t len, size_t *idx)
{
	for (size_t i = 0; i < q->ncols; i++)
		if (strlen(q->col[i]) == len && !strncasecmp(q->col[i], name, len)) {
			*idx = i;
			return 1;
		}
	return 0;
}

static int unknown_column(const struct bw_query *q, const char *name, size_t len)
{
	char buf[96], given[MAX_NAME + 32];
	struct sbuf list = {0};
	for (size_t i = 0; i < q->ncols; i++) {
		if (i)
			bw_qi_sb_add(&list, ", ");
		bw_qi_sb_add(&list, q->col[i]);
	}
	snprintf(given, sizeof given, "%.*s", (int)(len < MAX_NAME + 16 ? len : MAX_NAME + 16), name);
	char hint[MAX_NAME + 32];
	int rc;
	if (*bw_suggest_hint(hint, sizeof hint, given, (const char *const *)q->col, q->ncols))
		rc = RAISE(BW_EINVAL, "unknown column '%s'%s", bw_qi_shown(given, buf, sizeof buf), hint);
	else
		rc = RAISE(BW_EINVAL, "unknown column '%s' (columns: %s)", bw_qi_shown(given, buf, sizeof buf),
			   list.p ? list.p : "");
	free(list.p);
	return rc;
}

int bw_query_resolve_columns(const struct bw_query *q, const char *list, size_t *idx, size_t max, size_t *n)
{
	char buf[96];
	*n = 0;
	if (!list)
		return RAISE(BW_EINVAL, "no column list");
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (a == b)
			return RAISE(BW_EINVAL, "empty column name in '%s'", bw_qi_shown(list, buf, sizeof buf));
		size_t k;
		if (!find_column(q, a, (size_t)(b - a), &k))
			return unknown_column(q, a, (size_t)(b - a));
		for (size_t j = 0; j < *n; j++)
			if (idx[j] == k)
				return RAISE(BW_EINVAL, "column '%s' given twice", q->col[k]);
		if (*n == max)
			return RAISE(BW_EINVAL, "more than %zu columns in '%s'", max, bw_qi_shown(list, buf, sizeof buf));
		idx[(*n)++] = k;
		if (!comma)
			break;
		p = comma + 1;
	}
	return BW_OK;
}

/* ---- filters ------------------------------------------------------------------- */

static const struct {
	const char *text;
	enum bw_qop op;
} op_table[] = {
	{"<=", BW_QOP_LE}, {">=", BW_QOP_GE}, {"!=", BW_QOP_NE}, {"<>", BW_QOP_NE},
	{"==", BW_QOP_EQ}, {"=", BW_QOP_EQ},  {"<", BW_QOP_LT},  {">", BW_QOP_GT},
};
static const char *const op_sql[] = {"=", "!=", "<", "<=", ">", ">="};

/* The closed sets of names of the categorical columns. */
static int categorical(const char *col, const char **names, size_t *n)
{
	*n = 0;
	if (!strcmp(col, "algorithm"))
		for (int i = 0; i < BW_ALGO_COUNT; i++)
			names[(*n)++] = bw_algo_name((enum bw_algo)i);
	else if (!strcmp(col, "design"))
		for (int i = 0; i <= BW_DESIGN_GAUSSIAN; i++)
			names[(*n)++] = bw_design_name((enum bw_design)i);
	else if (!strcmp(col, "wstar"))
		for (int i = 0; i <= BW_WSTAR_GAUSSIAN; i++)
			names[(*n)++] = bw_wstar_name((enum bw_wstar)i);
	else if (!strcmp(col, "status"))
		for (int i = 0; i <= BW_RUN_FAILED; i++)
			names[(*n)++] = bw_run_status_name((enum bw_run_status)i);
	else if (!strcmp(col, "eta_mode")) {
		names[(*n)++] = BW_ETA_MODE_GIVEN;
		names[(*n)++] = BW_ETA_MODE_SCALED;
		names[(*n)++] = BW_ETA_MODE_AUTOMATIC;
	}
	return *n > 0;
}

/* Whether a number read from a (with errno cleared before) ended at end with
 * only white space after it, and in range. */
static int whole(const char *a, const char *end)
{
	while (isspace((unsigned char)*end))
		end++;
	return end != a && !*end && errno != ERANGE;
}

static int parse_number(const char *s, int sweep_seed, struct bw_value *v)
{
	char *end;
	const char *a = s;
	while (isspace((unsigned char)*a))
		a++;
	if (!*a || strpbrk(a, "xX")) /* no hexadecimal (strtod would take 0x10) */
		return 0;
	errno = 0;
	int64_t i = (int64_t)strtoll(a, &end, 10);
	int is_int = whole(a, end);
	if (!is_int && sweep_seed && *a != '-') { /* stored as the uint64's two's complement */
		errno = 0;
		i = (int64_t)strtoull(a, &end, 10);
		is_int = whole(a, end);
	}
	if (is_int) {
		v->type = BW_VAL_INT;
		v->i = i;
		return 1;
	}
	errno = 0;
	double x = strtod(a, &end);
	if (!whole(a, end) || !isfinite(x))
		return 0;
	v->type = BW_VAL_REAL;
	v->r = x;
	return 1;
}

int bw_query_parse_filter(const struct bw_query *q, const char *expr, struct bw_qfilter *out)
{
	char buf[96], vbuf[96];
	const char *p = expr, *name, *val;
	size_t len, k;
	memset(out, 0, sizeof *out);
	if (!expr)
		return RAISE(BW_EINVAL, "no filter");
	while (isspace((unsigned char)*p))
		p++;
	name = p;
	if (isalpha((unsigned char)*p) || *p == '_')
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
	len = (size_t)(p - name);
	while (isspace((unsigned char)*p))
		p++;
	size_t o = 0, nops = sizeof op_table / sizeof op_table[0];
	while (o < nops && strncmp(p, op_table[o].text, strlen(op_table[o].text)))
		o++;
	if (!len || o == nops)
		return RAISE(BW_EINVAL, "'%s' is not COLUMN=VALUE (operators: = != < <= > >=)",
			     bw_qi_shown(expr, buf, sizeof buf));
	val = p + strlen(op_table[o].text);
	if (!find_column(q, name, len, &k))
		return unknown_column(q, name, len);
	out->column = k;
	out->op = op_table[o].op;
	const char *col = q->col[k];

	/* NULL tests */
	const char *a = val;
	while (isspace((unsigned char)*a))
		a++;
	if (!strncasecmp(a, "null", 4)) {
		const char *z = a + 4;
		while (isspace((unsigned char)*z))
			z++;
		if (!*z) {
			if (out->op != BW_QOP_EQ && out->op != BW_QOP_NE)
				return RAISE(BW_EINVAL, "'%s': NULL takes = or != only", bw_qi_shown(expr, buf, sizeof buf));
			out->value.type = BW_VAL_NULL;
			return BW_OK;
		}
	}

	const char *names[8];
	size_t nnames;
	if (q->kind[k] != KIND_TEXT) {
		if (!parse_number(val, !strcmp(col, "sweep_seed"), &out->value))
			return RAISE(BW_EINVAL, "'%s': '%s' is not a number (column %s is %s)",
				     bw_qi_shown(expr, buf, sizeof buf), bw_qi_shown(val, vbuf, sizeof vbuf), col,
				     q->kind[k] == KIND_INTEGER ? "INTEGER" : "REAL");
		return BW_OK;
	}
	if (categorical(col, names, &nnames)) {
		if (out->op != BW_QOP_EQ && out->op != BW_QOP_NE)
			return RAISE(BW_EINVAL, "'%s': column %s takes = or != only", bw_qi_shown(expr, buf, sizeof buf), col);
		size_t i = 0, vlen;
		const char *v0 = val;
		while (isspace((unsigned char)*v0))
			v0++;
		vlen = strlen(v0);
		while (vlen && isspace((unsigned char)v0[vlen - 1]))
			vlen--;
		while (i < nnames && (strlen(names[i]) != vlen || strncmp(v0, names[i], vlen)))
			i++;
		if (i == nnames) {
			char word[64], hint[96];
			snprintf(word, sizeof word, "%.*s", (int)(vlen < 63 ? vlen : 63), v0);
			if (*bw_suggest_hint(hint, sizeof hint, word, names, nnames))
				return RAISE(BW_EINVAL, "'%s': unknown %s '%s'%s", bw_qi_shown(expr, buf, sizeof buf), col,
					     bw_qi_shown(val, vbuf, sizeof vbuf), hint);
			struct sbuf l = {0};
			for (size_t j = 0; j < nnames; j++) {
				bw_qi_sb_add(&l, j ? ", " : "");
				bw_qi_sb_add(&l, names[j]);
			}
			int rc = RAISE(BW_EINVAL, "'%s': unknown %s '%s' (%s)", bw_qi_shown(expr, buf, sizeof buf), col,
				       bw_qi_shown(val, vbuf, sizeof vbuf), l.p ? l.p : "");
			free(l.p);
			return rc;
		}
		out->value.type = BW_VAL_TEXT;
		out->value.s = (char *)names[i]; /* the canonical (static) name */
		return BW_OK;
	}
	out->value.type = BW_VAL_TEXT;
	out->value.s = (char *)val;
	return BW_OK;
}

/* " WHERE 1 AND "col" op ? ..." */
void bw_qi_sb_where(struct sbuf *b, const struct bw_query *q, const struct bw_qfilter *f, size_t nf)
{
	bw_qi_sb_add(b, " WHERE 1");
	for (size_t i = 0; i < nf; i++) {
		bw_qi_sb_add(b, " AND ");
		bw_qi_sb_ident(b, q->col[f[i].column]);
		if (f[i].value.type == BW_VAL_NULL)
			bw_qi_sb_add(b, f[i].op == BW_QOP_EQ ? " IS NULL" : " IS NOT NULL");
		else {
			bw_qi_sb_add(b, " ");
			bw_qi_sb_add(b, op_sql[f[i].op]);
			bw_qi_sb_add(b, " ?");
		}
	}
}

int bw_qi_bind_filters(const struct bw_query *q, sqlite3_stmt *s, const struct bw_qfilter *f, size_t nf,
			int *next)
{
	for (size_t i = 0; i < nf; i++) {
		int rc = SQLITE_OK;
		if (f[i].column >= q->ncols)
			return RAISE(BW_EINTERNAL, "filter on column %zu of %zu", f[i].column, q->ncols);
		switch (f[i].value.type) {
		case BW_VAL_NULL:
			continue;
		case BW_VAL_INT:
			rc = sqlite3_bind_int64(s, (*next)++, f[i].value.i);
			break;
		case BW_VAL_REAL:
			rc = sqlite3_bind_double(s, (*next)++, f[i].value.r);
			break;
		case BW_VAL_TEXT:
			rc = sqlite3_bind_text(s, (*next)++, f[i].value.s ? f[i].value.s : "", -1, SQLITE_TRANSIENT);
			break;
		}
		if (rc != SQLITE_OK)
			return bw_qi_store_error(q, "binding a filter value");
	}
	return BW_OK;
}
