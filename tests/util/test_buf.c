/* test_buf.c - the growable buffer and array of buf.h against plain
 * expectations written here: contents after appends (compared with a
 * snprintf of the same text), NUL termination, doubling from `first`, and a
 * failed growth leaving the array as it was. */
#include "biasweep/buf.h"
#include "biasweep/error.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_buf(void)
{
	struct bw_buf b;
	bw_buf_init(&b);
	char want[20000];
	size_t off = 0;
	for (int i = 0; i < 2000; i++) {
		TU_CHECK(bw_buf_printf(&b, "%d,", i) == BW_OK, "printf %d", i);
		off += (size_t)snprintf(want + off, sizeof want - off, "%d,", i);
	}
	TU_CHECK(bw_buf_putc(&b, 'x') == BW_OK && bw_buf_append(&b, "yz", 2) == BW_OK, "putc, append");
	off += (size_t)snprintf(want + off, sizeof want - off, "xyz");
	TU_CHECK(b.len == off && !memcmp(b.p, want, off) && b.p[b.len] == 0, "contents (%zu bytes, want %zu)", b.len,
		 off);
	TU_CHECK(b.cap > b.len && !b.failed, "capacity above length, not failed");
	bw_buf_release(&b);
	TU_CHECK(!b.p && !b.len && !b.cap, "released");
}

static void test_array(void)
{
	long *v = NULL;
	size_t cap = 0, len = 0, caps[8], ncaps = 0;
	for (long i = 0; i < 100; i++) {
		size_t before = cap;
		TU_CHECK(bw_array_grow(&v, &cap, len, sizeof *v, 4, "longs") == BW_OK, "grow at %zu", len);
		if (cap != before && ncaps < 8)
			caps[ncaps++] = cap;
		v[len++] = i * i;
	}
	int ok = 1;
	for (long i = 0; i < 100; i++)
		ok &= v[i] == i * i;
	TU_CHECK(ok, "values kept across growth");
	TU_CHECK(ncaps == 6 && caps[0] == 4 && caps[1] == 8 && caps[2] == 16 && caps[5] == 128,
		 "capacities 4, 8, 16, 32, 64, 128 (got %zu steps, last %zu)", ncaps, cap);
	size_t c0 = cap;
	TU_CHECK(bw_array_grow(&v, &cap, 5, sizeof *v, 4, "longs") == BW_OK && cap == c0, "no growth below capacity");
	/* an impossible size: refused, array and capacity unchanged */
	size_t big = ((size_t)-1) / 2 + 1;
	long *keep = v;
	TU_CHECK(bw_array_grow(&v, &big, big, sizeof *v, 4, "longs") == BW_ENOMEM, "overflow refused");
	TU_CHECK(v == keep && big == ((size_t)-1) / 2 + 1, "array left as it was");
	TU_CHECK(strstr(bw_error_message(), "longs") != NULL, "message names what: %s", bw_error_message());
	bw_error_clear();
	free(v);
}

int main(void)
{
	test_buf();
	test_array();
	return tu_summary("test_buf");
}
