/* test_suggest.c - "did you mean" (suggest.h) against answers written here by
 * hand: Levenshtein distances counted on paper, and the name a person who
 * typed the word meant (a typo within 2 edits, another case, a prefix). */
#include "biasweep/suggest.h"
#include "testutil.h"

#include <string.h>

static const char *const commands[] = {"run", "run-one", "plan", "status", "query", "curve", "dt", "plot", "merge",
				       "bench"};
static const char *const algos[] = {"gd", "label_noise_sgd", "sgd", "riemannian_flow"};
static const char *const columns[] = {"key", "algorithm", "design", "wstar", "d", "n", "kappa", "alpha", "eta",
				      "alpha_inf", "alpha_inf_pred"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void want(const char *word, const char *const *c, size_t n, const char *meant)
{
	int k = bw_suggest(word, c, n);
	const char *got = k >= 0 ? c[k] : "(none)";
	TU_CHECK(!strcmp(got, meant ? meant : "(none)"), "'%s': got %s, want %s", word, got, meant ? meant : "(none)");
}

int main(void)
{
	/* distances: kitten/sitting 3 (two substitutions, one insertion) */
	TU_CHECK(bw_edit_distance("kitten", "sitting") == 3, "kitten/sitting");
	TU_CHECK(bw_edit_distance("", "abc") == 3 && bw_edit_distance("abc", "abc") == 0, "empty, equal");
	TU_CHECK(bw_edit_distance("stats", "status") == 1, "stats/status");

	want("stats", commands, N(commands), "status");      /* one insertion */
	want("run_one", commands, N(commands), "run-one");   /* one substitution */
	want("qeury", commands, N(commands), "query");       /* a transposition = 2 edits */
	want("xyzzy", commands, N(commands), NULL);          /* nothing near */
	want("GD", algos, N(algos), "gd");                   /* case */
	want("SGD", algos, N(algos), "sgd");
	want("label_noise", algos, N(algos), "label_noise_sgd"); /* a prefix, 4 edits away */
	want("Riemannian", algos, N(algos), "riemannian_flow");  /* a prefix, in another case */
	want("newton", algos, N(algos), NULL);
	want("flow", algos, N(algos), NULL);                 /* a suffix is not a prefix */
	want("algo", columns, N(columns), "algorithm");      /* 5 edits, a prefix */
	want("alpha_in", columns, N(columns), "alpha_inf");  /* 1 edit beats the longer prefix */
	want("alpha_i", columns, N(columns), "alpha_inf");   /* the shortest of two prefixes (2 edits too) */
	want("Kappa", columns, N(columns), "kappa");
	want("dd", columns, N(columns), "d");                /* 1 edit, fewer than its 2 bytes */
	want("q", columns, N(columns), NULL);                /* 1 edit is all of a 1-byte word */
	want("al", columns, N(columns), NULL);               /* a prefix of 2 bytes says too little */

	char buf[64];
	TU_CHECK(!strcmp(bw_suggest_hint(buf, sizeof buf, "stats", commands, N(commands)), " (did you mean 'status'?)"),
		 "hint: '%s'", buf);
	TU_CHECK(!strcmp(bw_suggest_hint(buf, sizeof buf, "xyzzy", commands, N(commands)), ""), "no hint: '%s'", buf);
	return tu_summary("test_suggest");
}
