/* testutil.h - tiny check macros for the C test programs (GSL test style):
 * each check prints one line on failure; tu_summary() prints the totals and
 * returns the exit status (0 when every check passed). */
#ifndef BIASWEEP_TESTUTIL_H
#define BIASWEEP_TESTUTIL_H

#include <math.h>
#include <stdio.h>

static int tu_pass, tu_fail;

#define TU_CHECK(cond, ...)                                                 \
	do {                                                                \
		if (cond) {                                                 \
			tu_pass++;                                          \
		} else {                                                    \
			tu_fail++;                                          \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);         \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
		}                                                           \
	} while (0)

/* |got - want| <= rel * max(|want|, floor) */
#define TU_REL(got, want, rel, what)                                                            \
	do {                                                                                    \
		double tu_g = (got), tu_w = (want);                                             \
		double tu_scale = fabs(tu_w) > 1e-12 ? fabs(tu_w) : 1e-12;                     \
		TU_CHECK(fabs(tu_g - tu_w) <= (rel)*tu_scale, "%s: got %.10g want %.10g (rel %.3g > %.3g)", \
			 what, tu_g, tu_w, fabs(tu_g - tu_w) / tu_scale, (double)(rel));      \
	} while (0)

static inline int tu_summary(const char *name)
{
	printf("%s: %d checks passed, %d failed\n", name, tu_pass, tu_fail);
	return tu_fail ? 1 : 0;
}

#endif
