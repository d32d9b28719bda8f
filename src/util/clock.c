/* clock.c - the monotonic clock of clock.h. */
#include "biasweep/clock.h"

#include <time.h>

double bw_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
