/**
 * @file conf.h
 * @brief Client configuration: string properties validated against one table.
 *
 * A conf is a plain value object: create it, set properties, pass it to iggy_client_new()
 * (which copies it), destroy it. Property names, types, ranges and defaults are listed by
 * iggy_conf_dump() and in docs/CONFIGURATION.md.
 */
#ifndef IGGY_CONF_H
#define IGGY_CONF_H

#include <stddef.h>

#include <iggy/error.h>
#include <iggy/export.h>
#include <iggy/log.h>

IGGY_BEGIN_DECLS

/* iggy_conf_t, the opaque configuration object, is declared in log.h. */

/**
 * @brief Create a configuration with every property at its default.
 * @param out receives the new configuration.
 * @returns IGGY_OK, or IGGY_ERR__NO_MEMORY (then *out is NULL).
 * @remark The caller owns the conf and destroys it with iggy_conf_destroy().
 * @threadsafe yes (a conf itself is single-threaded)
 */
IGGY_EXTERN iggy_err_t iggy_conf_new(iggy_conf_t **out);

/**
 * @brief Destroy a configuration; NULL is a no-op.
 * @param conf the configuration, or NULL.
 * @threadsafe no (the conf must not be in use by another thread)
 */
IGGY_EXTERN void iggy_conf_destroy(iggy_conf_t *conf);

/**
 * @brief Copy a configuration (properties and callbacks).
 * @param conf the configuration to copy.
 * @param out receives the copy.
 * @returns IGGY_OK or IGGY_ERR__NO_MEMORY.
 * @remark The caller owns the copy.
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_conf_dup(const iggy_conf_t *conf, iggy_conf_t **out);

/**
 * @brief Set a property from its string form. The value is validated and copied.
 * @param conf the configuration.
 * @param name the property name (docs/CONFIGURATION.md).
 * @param value the value as text, e.g. "true", "500", "zstd".
 * @param errstr receives a readable reason on failure (may be NULL).
 * @param errstr_size size of @p errstr in bytes.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG for an unknown name or an invalid value (the
 *          property keeps its previous value).
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_conf_set(iggy_conf_t *conf, const char *name, const char *value,
                                     char *errstr, size_t errstr_size);

/**
 * @brief Read a property's current value as a string.
 * @param conf the configuration.
 * @param name the property name.
 * @param dest buffer for the NUL-terminated value. Secrets read back as "***".
 * @param dest_size the size of @p dest on input; the size needed (including the NUL) on
 *        output.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG for an unknown name; IGGY_ERR__MSG_TOO_LARGE
 *          when dest is too small (then *dest_size holds the size needed).
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_conf_get(const iggy_conf_t *conf, const char *name, char *dest,
                                     size_t *dest_size);

/**
 * @brief Apply a connection string in the Rust SDK grammar:
 *        `iggy://user:pass@host:port?opt=v&...`, `iggy+tcp://...`, or `iggy://TOKEN@host:port`.
 *        Sets bootstrap.servers, credentials (or personal.access.token), and maps the TCP
 *        options tls, tls_domain, tls_ca_file, reconnection_retries, reconnection_interval,
 *        reestablish_after, heartbeat_interval and nodelay.
 * @param conf the configuration.
 * @param str the connection string.
 * @param errstr receives a readable reason on failure (may be NULL).
 * @param errstr_size size of @p errstr in bytes.
 * @returns IGGY_OK or IGGY_ERR_INVALID_CONNECTION_STRING (8000) with the reason in errstr.
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_conf_set_connection_string(iggy_conf_t *conf, const char *str,
                                                       char *errstr, size_t errstr_size);

/**
 * @brief Describe every property: name, type, range, default and description, one per
 *        line, as "name=value  # description". Secrets print as "***".
 * @param conf the configuration whose values are shown.
 * @returns A string the caller frees with iggy_free(), or NULL on allocation failure.
 * @threadsafe no
 */
IGGY_EXTERN char *iggy_conf_dump(const iggy_conf_t *conf);

IGGY_END_DECLS

#endif
