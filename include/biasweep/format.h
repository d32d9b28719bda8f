/* format.h - numbers as text, for every writer of tables, data files and
 * scripts (output.h, figures.h).
 *
 * bw_format_real: the shortest text of a finite double that strtod reads
 * back to the same value (at most 17 significant digits, %g style), and an
 * integral value below 1e15 without exponent or point ("10", not "1e+01");
 * buf needs at least 32 bytes.
 * bw_put_quoted writes s between two q, each q inside doubled (a CSV field
 * in "...", a gnuplot string in '...').
 */
#ifndef BIASWEEP_FORMAT_H
#define BIASWEEP_FORMAT_H
#include <stddef.h>
#include <stdio.h>

void bw_format_real(char *buf, size_t len, double x);
void bw_put_quoted(FILE *f, const char *s, char q);

#endif
