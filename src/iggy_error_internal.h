/* Setting the thread-local error detail. */
#ifndef IGGY_ERROR_INTERNAL_H
#define IGGY_ERROR_INTERNAL_H

#include <iggy/error.h>

#if defined(__GNUC__)
#define IGGY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IGGY_PRINTF(a, b)
#endif

/** Set the calling thread's error detail and return err (for `return iggy_fail(...)`). */
iggy_err_t iggy_fail(iggy_err_t err, const char *fmt, ...) IGGY_PRINTF(2, 3);

/** Clear the calling thread's error detail. */
void iggy_detail_clear(void);

/** Evaluate an iggy_err_t expression and return it from the caller when it fails. */
#define IGGY_TRY(expr)                                                                             \
    do {                                                                                           \
        iggy_err_t try_err_ = (expr);                                                              \
        if (try_err_ != IGGY_OK)                                                                   \
            return try_err_;                                                                       \
    } while (0)

#endif
