/* table.h - a table of named columns of typed values (NULL, integer, real,
 * text): what the queries return and the CLI prints. */
#ifndef BIASWEEP_TABLE_H
#define BIASWEEP_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum bw_value_type { BW_VAL_NULL = 0, BW_VAL_INT, BW_VAL_REAL, BW_VAL_TEXT };

struct bw_value {
	enum bw_value_type type;
	int64_t i;
	double r;  /* a non-finite real is stored as NULL */
	char *s;   /* owned */
};

struct bw_table {
	size_t ncols, nrows, cap;
	char **cols;          /* owned names */
	struct bw_value *v;   /* nrows * ncols, row-major */
};

int bw_table_init(struct bw_table *t, size_t ncols, const char *const *names);
/* Appends a row of NULLs; *row gets its index. */
int bw_table_add_row(struct bw_table *t, size_t *row);
struct bw_value *bw_table_at(struct bw_table *t, size_t row, size_t col);
void bw_table_set_int(struct bw_table *t, size_t row, size_t col, int64_t x);
void bw_table_set_real(struct bw_table *t, size_t row, size_t col, double x); /* NaN/Inf -> NULL */
int bw_table_set_text(struct bw_table *t, size_t row, size_t col, const char *s); /* NULL s -> NULL */
void bw_table_release(struct bw_table *t);

#endif
