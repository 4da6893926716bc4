/* TLS (OpenSSL, TLS 1.2+) transport over a connected non-blocking socket. */
#ifndef IGGY_TLS_H
#define IGGY_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "net/iggy_transport.h"

typedef struct iggy_tls_opts {
    /* PEM file of trusted CAs; NULL = OpenSSL's default verify paths. */
    const char *ca_file;
    /* Host name or IP literal ([v6] accepted): SNI (names only) and the identity checked
     * against the certificate. Required when verify is true. */
    const char *server_name;
    /* false accepts any certificate (testing only). */
    bool verify;
} iggy_tls_opts_t;

/* Trust settings shared by every connection of a client, built once (CA file loaded once). */
typedef struct iggy_tls_ctx iggy_tls_ctx_t;

/* A client context for o's ca_file and verify (server_name is per connection).
 * IGGY_ERR__TRANSPORT when the CA file cannot be loaded, IGGY_ERR__NO_MEMORY. */
iggy_err_t iggy_tls_ctx_new(const iggy_tls_opts_t *o, iggy_tls_ctx_t **out);
/* Release a context; connections made from it keep what they need. NULL is a no-op. */
void iggy_tls_ctx_free(iggy_tls_ctx_t *ctx);

/* Handshake over fd with ctx's trust settings, checking server_name (host name or IP
 * literal, [v6] accepted; required when ctx verifies), before deadline_ms, and wrap it. The
 * transport owns fd from now on, even on failure. IGGY_ERR__TLS_VERIFY when the certificate
 * or the name does not verify (retrying cannot help); otherwise as iggy_tls_transport_new. */
iggy_err_t iggy_tls_transport_new_ctx(int fd, const iggy_tls_ctx_t *ctx, const char *server_name,
                                      int64_t deadline_ms, iggy_transport_t *out);

/* Handshake over fd before deadline_ms (absolute monotonic ms, 0 = none) and wrap it.
 * The transport owns fd from now on, even on failure (then fd is closed).
 * IGGY_ERR__TLS_VERIFY for certificate or name verification failures (the detail carries
 * the X509 verify error), IGGY_ERR__TRANSPORT for other handshake and CA-loading failures,
 * IGGY_ERR__TIMED_OUT at the deadline,
 * IGGY_ERR__INVALID_ARG when verify is on without a server_name.
 * Separate transports may be used from separate threads at the same time. */
iggy_err_t iggy_tls_transport_new(int fd, const iggy_tls_opts_t *o, int64_t deadline_ms,
                                  iggy_transport_t *out);

#endif
