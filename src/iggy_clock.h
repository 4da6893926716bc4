/* Clocks shared by every layer. */
#ifndef IGGY_CLOCK_H
#define IGGY_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic clock in milliseconds (deadlines). */
int64_t iggy_now_ms(void);
/* Monotonic clock in microseconds (durations). */
int64_t iggy_mono_us(void);
/* Wall clock in microseconds since the Unix epoch. */
uint64_t iggy_now_us(void);
/* The monotonic time mono_us (an iggy_mono_us() value) as the absolute timespec that
 * pthread_cond_timedwait takes on a condition set to CLOCK_MONOTONIC. */
struct timespec iggy_mono_timespec_us(int64_t mono_us);

#endif
