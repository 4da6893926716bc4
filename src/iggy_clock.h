/* Clocks shared by every layer. */
#ifndef IGGY_CLOCK_H
#define IGGY_CLOCK_H

#include <stdint.h>

/* Monotonic clock in milliseconds (deadlines). */
int64_t iggy_now_ms(void);
/* Monotonic clock in microseconds (durations). */
int64_t iggy_mono_us(void);
/* Wall clock in microseconds since the Unix epoch. */
uint64_t iggy_now_us(void);

#endif
