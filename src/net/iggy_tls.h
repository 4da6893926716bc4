/* TLS (OpenSSL, TLS 1.2+) transport over a connected non-blocking socket. */
#ifndef IGGY_TLS_H
#define IGGY_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "client/iggy_transport.h"

typedef struct iggy_tls_opts {
    /* PEM file of trusted CAs; NULL = OpenSSL's default verify paths. */
    const char *ca_file;
    /* Host name or IP literal ([v6] accepted): SNI (names only) and the identity checked
     * against the certificate. Required when verify is true. */
    const char *server_name;
    /* false accepts any certificate (testing only). */
    bool verify;
} iggy_tls_opts_t;

/* Handshake over fd before deadline_ms (absolute monotonic ms, 0 = none) and wrap it.
 * The transport owns fd from now on, even on failure (then fd is closed).
 * IGGY_ERR__TRANSPORT for handshake/verification/CA-loading failures (the detail carries
 * OpenSSL's reason and the X509 verify error), IGGY_ERR__TIMED_OUT at the deadline,
 * IGGY_ERR__INVALID_ARG when verify is on without a server_name.
 * Separate transports may be used from separate threads at the same time. */
iggy_err_t iggy_tls_transport_new(int fd, const iggy_tls_opts_t *o, int64_t deadline_ms,
                                  iggy_transport_t *out);

#endif
