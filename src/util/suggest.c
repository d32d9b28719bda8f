/* suggest.c - edit distance and the nearest candidate (see suggest.h). */
#include "biasweep/suggest.h"

#include <string.h>

size_t bw_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return (size_t)-1;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

int bw_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t best = (size_t)-1, bi = 0;
	for (size_t i = 0; i < n; i++) {
		size_t dist = bw_edit_distance(word, cands[i]);
		if (dist < best) {
			best = dist;
			bi = i;
		}
	}
	return n && best <= 2 && best < strlen(word) ? (int)bi : -1;
}
