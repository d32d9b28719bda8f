/* output.h - printing a bw_table (query.h) as an aligned table, CSV or JSON.
 * CLI layer only (the library never prints).
 *
 * table: a header line and one line per row, columns separated by two
 *        spaces, numbers right-aligned, text left-aligned, NULL as "-",
 *        reals with %.6g.
 * csv:   a header line, then one line per row ("\n" line ends); a field with
 *        a comma, a double quote, CR or LF is quoted with "..." and inner
 *        quotes doubled (RFC 4180); NULL is an empty field.
 * json:  one array of objects, one object per row (a line each), keys in
 *        column order; NULL (and NaN) as null; written by the JSON writer
 *        (json.h): strings escaped per RFC 8259, bytes that are not UTF-8 as
 *        U+FFFD.  The text is built in memory, then written.
 * csv and json print reals with the fewest digits (at most 17) that read
 * back to the same double.
 */
#ifndef BIASWEEP_OUTPUT_H
#define BIASWEEP_OUTPUT_H

#include "biasweep/dynamics.h"
#include "biasweep/format.h" /* bw_format_real */
#include "biasweep/instance.h"
#include "biasweep/json.h"
#include "biasweep/query.h"

#include <stdio.h>

enum bw_format { BW_FMT_TABLE = 0, BW_FMT_CSV, BW_FMT_JSON };

/* "table", "csv", "json", NULL: the names of enum bw_format, in its order */
extern const char *const bw_format_names[];
/* the --format option of a command's table (opts.h), into an int holding an enum bw_format */
#define BW_OPT_FORMAT(target) \
	BW_OPT("format", BW_OPT_CHOICE, (target), "F", "table | csv | json (default table)", .choices = bw_format_names)

/* BW_EIO when writing fails. */
int bw_table_print(FILE *f, const struct bw_table *t, enum bw_format fmt);

/* run-one's outcome as one JSON object on one line (the JSON writer, json.h): the instance, the
 * parameters, every outcome field (non-finite numbers as null, %.17g otherwise), the message and
 * the trajectory as columns.
 * BW_EIO when writing fails. */
int bw_outcome_print_json(FILE *f, const struct bw_instance *inst, const struct bw_run_params *p,
			  const struct bw_outcome *o);

/* The first ncols values of row r of t as key: value pairs of the open object (as json prints them). */
void bw_json_table_row(struct bw_json *j, const struct bw_table *t, size_t r, size_t ncols);

/* The writer's text (bw_json_finish) onto f, then the writer released; its error, or BW_EIO. */
int bw_json_print(FILE *f, struct bw_json *j);

#endif
