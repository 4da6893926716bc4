/* Human-readable sizes and durations, parsed and printed the way iggy-bench does (byte_unit,
 * humantime and human_repr in the Rust tool), so arguments, logs and report strings match. */
#ifndef IGGY_C_BENCH_HUMANIZE_H
#define IGGY_C_BENCH_HUMANIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "1000", "10MB" (decimal), "1GiB" (binary), "1.5 kb"; "0", "none", "unlimited" are 0. */
bool hz_parse_size(const char *s, uint64_t *out);

/* humantime: "10ms", "1s", "2m", "1h 30m"; "0", "none", "disabled", "unlimited" are 0. The
 * input is lowercased first, as IggyDuration does. */
bool hz_parse_duration_us(const char *s, uint64_t *out_us);

/* Like hz_parse_duration_us without lowercasing (IggyExpiry: "M" is a month). */
bool hz_parse_duration_us_exact(const char *s, uint64_t *out_us);

/* IggyByteSize's Display: "999 B", "50.00 KB", "1.05 MB". */
void hz_byte_size(uint64_t bytes, char *buf, size_t cap);

/* human_repr's count: "300B", "16.4kB" with unit "B"; "100", "1.2k" with unit "". */
void hz_count(uint64_t v, const char *unit, char *buf, size_t cap);

/* humantime's format_duration: "0s", "10ms", "1m 30s". */
void hz_duration(uint64_t us, char *buf, size_t cap);

#endif
