/* buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Zero-initialize (or bw_buf_init), append, read p[0..len), then
 * bw_buf_release (the buffer owns p).  An append that cannot grow the buffer
 * leaves it as it was, sets `failed` (sticky: later appends do nothing) and
 * returns BW_ENOMEM through RAISE; so a writer may append without checking
 * and test `failed` (or the last return) once at the end.  Also: growable
 * arrays (bw_array_grow) and freeing a struct's arrays at once (BW_FREE_ALL).
 */
#ifndef BIASWEEP_BUF_H
#define BIASWEEP_BUF_H
#include <stddef.h>

struct bw_buf {
	char *p;         /* NULL until the first append */
	size_t len, cap; /* p[len] == 0 once p is set */
	int failed;
};

void bw_buf_init(struct bw_buf *b);
void bw_buf_release(struct bw_buf *b);
int bw_buf_append(struct bw_buf *b, const void *data, size_t len);
int bw_buf_putc(struct bw_buf *b, char c);
int bw_buf_printf(struct bw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Room in the array *pv (of *cap elements of `size` bytes) for element
 * index `len`: doubles *cap (from `first`) when len == *cap.  BW_ENOMEM
 * (naming `what`) leaves the array as it was. */
int bw_array_grow(void *pv, size_t *cap, size_t len, size_t size, size_t first, const char *what);

/* free() each of the n pointers p[0..n) (any may be NULL); BW_FREE_ALL(a, b, c)
 * frees a, b and c, for the release functions of structs that own arrays. */
void bw_free_each(void *const *p, size_t n);
#define BW_FREE_ALL(...) \
	bw_free_each((void *const[]){__VA_ARGS__}, sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

#endif
