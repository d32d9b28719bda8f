/* suggest.h - "did you mean": the name of some names meant by a misspelt one. */
#ifndef BIASWEEP_SUGGEST_H
#define BIASWEEP_SUGGEST_H
#include <stddef.h>

/* Levenshtein distance (insertions, deletions, substitutions); (size_t)-1
 * when either string is longer than 63 bytes. */
size_t bw_edit_distance(const char *a, const char *b);

/* The index of the candidate meant by word, case ignored: the nearest (the
 * first on a tie) when it is within 2 edits and fewer edits than word has
 * bytes ("stats" -> "status", "GD" -> "gd"); else the shortest candidate that
 * word of 3 or more bytes begins ("label_noise" -> "label_noise_sgd", "algo"
 * -> "algorithm"); -1 when none.  Of equally near ones, the first that word
 * begins, else the first. */
int bw_suggest(const char *word, const char *const *cands, size_t n);

/* " (did you mean 'NAME'?)" for bw_suggest's candidate, or "" when none, in
 * buf (cut to len - 1 bytes); returns buf.  Every place that reads a name
 * from the user (commands, options, spec settings and names, algorithms,
 * designs, w* names, columns, values, plot kinds) says it the same way. */
const char *bw_suggest_hint(char *buf, size_t len, const char *word, const char *const *cands, size_t n);

#endif
