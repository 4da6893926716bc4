/* Setting the thread-local error detail. */
#ifndef IGGY_ERROR_INTERNAL_H
#define IGGY_ERROR_INTERNAL_H

#include <stdint.h>

#include <iggy/error.h>

#if defined(__GNUC__)
#define IGGY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IGGY_PRINTF(a, b)
#endif

/** Set the calling thread's error detail and return err (for `return iggy_fail(...)`). */
iggy_err_t iggy_fail(iggy_err_t err, const char *fmt, ...) IGGY_PRINTF(2, 3);
/** Copy the calling thread's error detail into errstr (when given) and return err: the
 *  failure path of the *_new() calls that report a readable reason. */
iggy_err_t iggy_fail_errstr(iggy_err_t err, char *errstr, size_t errstr_size);

/** A status or result code read from the wire (what names where): the server error when the
 * code is in the server's table, else IGGY_ERR__UNKNOWN_STATUS with the raw value in the
 * detail. Never IGGY_OK: call it for non-zero codes. Sets the detail. */
iggy_err_t iggy_err_from_wire(uint32_t code, const char *what);

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
