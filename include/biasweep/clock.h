/* clock.h - a monotonic clock for wall-time measurements.
 *
 * bw_now_s is CLOCK_MONOTONIC in seconds: differences of two calls are
 * elapsed wall time, unaffected by changes of the system clock.  Its origin
 * is arbitrary; never store it.
 */
#ifndef BIASWEEP_CLOCK_H
#define BIASWEEP_CLOCK_H

double bw_now_s(void);

#endif
