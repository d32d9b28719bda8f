/* format.c - the shortest text of a double that reads back, a quoted
 * string (format.h). */
#include "biasweep/format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void bw_format_real(char *buf, size_t len, double x)
{
	if (x == floor(x) && fabs(x) < 1e15) { /* integral: no exponent (10, not 1e+01) */
		snprintf(buf, len, "%.0f", x);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

void bw_put_quoted(FILE *f, const char *s, char q)
{
	fputc(q, f);
	for (; *s; s++) {
		if (*s == q)
			fputc(q, f);
		fputc(*s, f);
	}
	fputc(q, f);
}
