/* suggest.c - edit distance and the nearest candidate (see suggest.h). */
#include "biasweep/suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* s in lower case into buf (64 bytes); 0 when it does not fit */
static int lower(const char *s, char *buf)
{
	size_t n = strlen(s);
	if (n > 63)
		return 0;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	return 1;
}

int bw_suggest(const char *word, const char *const *cands, size_t n)
{
	char w[64], c[64];
	if (!lower(word, w))
		return -1;
	size_t best = (size_t)-1, bi = 0, wl = strlen(w);
	int prefix = -1, bi_begins = 0;
	for (size_t i = 0; i < n; i++) {
		if (!lower(cands[i], c))
			continue;
		size_t dist = bw_edit_distance(w, c);
		int begins = wl >= 3 && !strncmp(c, w, wl);
		/* the nearest; on a tie, one that word begins ("alpha_i": alpha_inf, not alpha) */
		if (dist < best || (dist == best && begins && !bi_begins)) {
			best = dist;
			bi = i;
			bi_begins = begins;
		}
		if (begins && (prefix < 0 || strlen(cands[i]) < strlen(cands[prefix])))
			prefix = (int)i;
	}
	if (n && best <= 2 && best < wl)
		return (int)bi;
	return prefix;
}

const char *bw_suggest_hint(char *buf, size_t len, const char *word, const char *const *cands, size_t n)
{
	int k = bw_suggest(word, cands, n);
	if (len)
		buf[0] = 0;
	if (k >= 0 && len)
		snprintf(buf, len, " (did you mean '%s'?)", cands[k]);
	return buf;
}
