/**
 * @file iggy.h
 * @brief libiggy: the native C client for Apache Iggy (binary protocol 0.11.0).
 *
 * Include this one header. Conventions used across the API:
 * - Every fallible call returns ::iggy_err_t (negative: client side, positive: server
 *   code, 0: success) and sets a thread-local detail string (iggy_last_error_detail()).
 * - Ownership: `*_new` creates and the caller destroys with the matching `*_destroy`;
 *   inputs are borrowed for the duration of a call; results are one library-allocated
 *   block each, released with iggy_result_destroy(); never free() library memory.
 * - Results never point into transport buffers: every RPC copies what it returns out of
 *   a pooled buffer and hands the buffer straight back to the pool.
 */
#ifndef IGGY_IGGY_H
#define IGGY_IGGY_H

#include <iggy/alloc.h>
#include <iggy/client.h>
#include <iggy/commands.h>
#include <iggy/compression.h>
#include <iggy/conf.h>
#include <iggy/consumer.h>
#include <iggy/error.h>
#include <iggy/export.h>
#include <iggy/log.h>
#include <iggy/messages.h>
#include <iggy/producer.h>
#include <iggy/stats.h>
#include <iggy/types.h>
#include <iggy/version.h>

IGGY_BEGIN_DECLS

/**
 * @brief The library version at run time, e.g. "0.1.0".
 * @returns A static string.
 * @threadsafe yes
 */
IGGY_EXTERN const char *iggy_version_str(void);

/**
 * @brief The library version at run time as IGGY_VERSION_NUM (0xMMmmpp00).
 * @returns the packed version; compare with IGGY_VERSION_NUM to detect a header/library
 *          mismatch.
 * @threadsafe yes
 */
IGGY_EXTERN int iggy_version_num(void);

IGGY_END_DECLS

#endif
