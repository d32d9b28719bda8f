/* suggest.h - "did you mean": the nearest of some names to a misspelt one
 * (spec settings and names, command-line options). */
#ifndef BIASWEEP_SUGGEST_H
#define BIASWEEP_SUGGEST_H
#include <stddef.h>

/* Levenshtein distance (insertions, deletions, substitutions); (size_t)-1
 * when either string is longer than 63 bytes. */
size_t bw_edit_distance(const char *a, const char *b);

/* The index of the candidate nearest to word (the first on a tie) when it is
 * within 2 edits and fewer edits than word has bytes; -1 otherwise. */
int bw_suggest(const char *word, const char *const *cands, size_t n);

#endif
