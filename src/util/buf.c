/* buf.c - the growable buffer of buf.h: doubling from 8 KiB, one sticky
 * failure flag. */
#include "biasweep/buf.h"
#include "biasweep/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bw_buf_init(struct bw_buf *b) { memset(b, 0, sizeof *b); }

void bw_buf_release(struct bw_buf *b)
{
	free(b->p);
	bw_buf_init(b);
}

/* room for `more` bytes and the NUL after them */
static int reserve(struct bw_buf *b, size_t more)
{
	if (b->failed)
		return BW_ENOMEM;
	if (more < b->cap - b->len && b->p)
		return BW_OK;
	size_t cap = b->cap ? b->cap : 8192;
	while (cap - b->len <= more) {
		if (cap > ((size_t)-1) / 2) {
			b->failed = 1;
			return RAISE(BW_ENOMEM, "buffer of %zu bytes too large", b->len);
		}
		cap *= 2;
	}
	char *q = realloc(b->p, cap);
	if (!q) {
		b->failed = 1;
		return RAISE(BW_ENOMEM, "out of memory (a buffer of %zu bytes)", cap);
	}
	b->p = q;
	b->cap = cap;
	return BW_OK;
}

int bw_buf_append(struct bw_buf *b, const void *data, size_t len)
{
	CHECK(reserve(b, len));
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = 0;
	return BW_OK;
}

int bw_buf_putc(struct bw_buf *b, char c) { return bw_buf_append(b, &c, 1); }

int bw_buf_printf(struct bw_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k < 0)
		return RAISE(BW_EINTERNAL, "bad format '%s'", fmt);
	CHECK(reserve(b, (size_t)k));
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)k + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)k;
	return BW_OK;
}

int bw_array_grow(void *pv, size_t *cap, size_t len, size_t size, size_t first, const char *what)
{
	if (len < *cap)
		return BW_OK;
	size_t n = *cap ? 2 * *cap : first;
	void *v = n > *cap && n <= ((size_t)-1) / size ? realloc(*(void **)pv, n * size) : NULL;
	if (!v)
		return RAISE(BW_ENOMEM, "out of memory for %zu %s", n, what);
	*(void **)pv = v;
	*cap = n;
	return BW_OK;
}

void bw_free_each(void *const *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i]);
}
