/* humantime durations ("7 days", "5s", "1h 30m", "500ms"), the grammar of the Rust SDK's
 * connection strings and of the server's topic options. Shared by the conf and the mock. */
#ifndef IGGY_HUMANTIME_H
#define IGGY_HUMANTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse p[0..n) into nanoseconds: one or more "<integer><unit>" parts, blanks between them
 * allowed; a fraction of zeros ("1.0s") is accepted, any other fraction is not. False for
 * an empty string, a missing or unknown unit, or a total above limit_ns. */
bool iggy_humantime_ns(const uint8_t *p, size_t n, uint64_t limit_ns, uint64_t *out_ns);

#endif
