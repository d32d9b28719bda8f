/* output.h - printing a bw_table (query.h) as an aligned table, CSV or JSON.
 * CLI layer only (the library never prints).
 *
 * table: a header line and one line per row, columns separated by two
 *        spaces, numbers right-aligned, text left-aligned, NULL as "-",
 *        reals with %.6g.
 * csv:   a header line, then one line per row ("\n" line ends); a field with
 *        a comma, a double quote, CR or LF is quoted with "..." and inner
 *        quotes doubled (RFC 4180); NULL is an empty field.
 * json:  one array of objects, one object per row, keys in column order;
 *        NULL (and NaN) as null; strings escaped per RFC 8259.
 * csv and json print reals with the fewest digits (at most 17) that read
 * back to the same double.
 */
#ifndef BIASWEEP_OUTPUT_H
#define BIASWEEP_OUTPUT_H

#include "biasweep/format.h" /* bw_format_real */
#include "biasweep/query.h"

#include <stdio.h>

enum bw_format { BW_FMT_TABLE = 0, BW_FMT_CSV, BW_FMT_JSON };

/* "table", "csv" or "json"; BW_EINVAL otherwise ("--format: 'x' is not table, csv or json"). */
int bw_format_parse(const char *s, enum bw_format *out);

/* BW_EIO when writing fails. */
int bw_table_print(FILE *f, const struct bw_table *t, enum bw_format fmt);

#endif
