/* json.c - the JSON writer of json.h: escaping, commas, nesting checks. */
#include "biasweep/json.h"
#include "biasweep/error.h"

#include <math.h>
#include <string.h>

void bw_json_init(struct bw_json *j, int digits, int flags)
{
	memset(j, 0, sizeof *j);
	j->digits = digits > 0 ? digits : 17;
	j->flags = flags;
	j->first = 1;
}

void bw_json_release(struct bw_json *j) { bw_buf_release(&j->out); }

static int fail(struct bw_json *j, int rc)
{
	if (j->rc == BW_OK)
		j->rc = rc;
	return j->rc;
}

/* The length of the valid UTF-8 sequence at s, or 0 and in *bad how many
 * bytes make its longest invalid prefix (replaced by one U+FFFD). */
static size_t utf8_seq(const unsigned char *s, size_t *bad)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (size_t i = 1; i < n; i++, lo = 0x80, hi = 0xBF)
		if (s[i] < lo || s[i] > hi) { /* the NUL ends it too */
			*bad = i;
			return 0;
		}
	return n;
}

static void put_string(struct bw_buf *b, const char *s)
{
	bw_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n, bad = 0;
		switch (*p) {
		case '"': bw_buf_append(b, "\\\"", 2); p++; continue;
		case '\\': bw_buf_append(b, "\\\\", 2); p++; continue;
		case '\n': bw_buf_append(b, "\\n", 2); p++; continue;
		case '\r': bw_buf_append(b, "\\r", 2); p++; continue;
		case '\t': bw_buf_append(b, "\\t", 2); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			bw_buf_printf(b, "\\u%04x", *p);
			p++;
		} else if (*p < 0x80) {
			bw_buf_putc(b, (char)*p);
			p++;
		} else if ((n = utf8_seq(p, &bad)) > 0) {
			bw_buf_append(b, p, n);
			p += n;
		} else {
			bw_buf_append(b, "\\ufffd", 6);
			p += bad;
		}
	}
	bw_buf_putc(b, '"');
}

/* The comma and key before a value; checks that the key fits the place. */
static int begin_value(struct bw_json *j, const char *key)
{
	if (j->rc != BW_OK)
		return j->rc;
	int in_object = j->depth > 0 && j->open[j->depth - 1] == '{';
	if (j->depth == 0 && j->done)
		return fail(j, RAISE(BW_EINTERNAL, "json: a second value at the top level"));
	if (in_object != (key != NULL))
		return fail(j, RAISE(BW_EINTERNAL, "json: %s '%s' %s", key ? "key" : "value without a key",
				     key ? key : "", in_object ? "in an object" : "outside an object"));
	if (!j->first)
		bw_buf_putc(&j->out, ',');
	if ((j->flags & BW_JSON_ROWS) && j->depth == 1 && j->open[0] == '[')
		bw_buf_putc(&j->out, '\n');
	j->first = 0;
	if (key) {
		put_string(&j->out, key);
		bw_buf_putc(&j->out, ':');
	}
	if (j->depth == 0)
		j->done = 1;
	return j->out.failed ? fail(j, BW_ENOMEM) : BW_OK;
}

static int end_value(struct bw_json *j) { return j->out.failed ? fail(j, BW_ENOMEM) : j->rc; }

static int open_container(struct bw_json *j, const char *key, char c)
{
	CHECK(begin_value(j, key));
	if (j->depth == BW_JSON_MAXDEPTH)
		return fail(j, RAISE(BW_EINTERNAL, "json: nested deeper than %d", BW_JSON_MAXDEPTH));
	j->open[j->depth++] = c;
	j->first = 1;
	bw_buf_putc(&j->out, c);
	return end_value(j);
}

int bw_json_object(struct bw_json *j, const char *key) { return open_container(j, key, '{'); }
int bw_json_array(struct bw_json *j, const char *key) { return open_container(j, key, '['); }

int bw_json_end(struct bw_json *j)
{
	if (j->rc != BW_OK)
		return j->rc;
	if (j->depth == 0)
		return fail(j, RAISE(BW_EINTERNAL, "json: end without an open object or array"));
	char c = j->open[--j->depth];
	if ((j->flags & BW_JSON_ROWS) && j->depth == 0 && c == '[' && !j->first)
		bw_buf_putc(&j->out, '\n');
	bw_buf_putc(&j->out, c == '{' ? '}' : ']');
	j->first = 0;
	return end_value(j);
}

int bw_json_number(struct bw_json *j, const char *key, double x)
{
	CHECK(begin_value(j, key));
	if (isfinite(x))
		bw_buf_printf(&j->out, "%.*g", j->digits, x);
	else
		bw_buf_append(&j->out, "null", 4);
	return end_value(j);
}

int bw_json_int(struct bw_json *j, const char *key, long long x)
{
	CHECK(begin_value(j, key));
	bw_buf_printf(&j->out, "%lld", x);
	return end_value(j);
}

int bw_json_uint(struct bw_json *j, const char *key, unsigned long long x)
{
	CHECK(begin_value(j, key));
	bw_buf_printf(&j->out, "%llu", x);
	return end_value(j);
}

int bw_json_raw(struct bw_json *j, const char *key, const char *text)
{
	CHECK(begin_value(j, key));
	bw_buf_append(&j->out, text, strlen(text));
	return end_value(j);
}

int bw_json_bool(struct bw_json *j, const char *key, int x) { return bw_json_raw(j, key, x ? "true" : "false"); }
int bw_json_null(struct bw_json *j, const char *key) { return bw_json_raw(j, key, "null"); }

int bw_json_string(struct bw_json *j, const char *key, const char *s)
{
	if (!s)
		return bw_json_null(j, key);
	CHECK(begin_value(j, key));
	put_string(&j->out, s);
	return end_value(j);
}

int bw_json_finish(struct bw_json *j)
{
	if (j->rc != BW_OK)
		return j->rc;
	if (j->depth > 0 || !j->done)
		return fail(j, RAISE(BW_EINTERNAL, "json: %s", j->depth ? "an object or array left open" : "no value"));
	bw_buf_putc(&j->out, '\n');
	return end_value(j);
}
