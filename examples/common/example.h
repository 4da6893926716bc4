/* What every example shares: where the server is, and how an error is reported.
 *
 * An example talks to the server named by its first argument, else by an environment
 * variable (IGGY_ADDR for most), else to a mock server it starts in its own process
 * (include/iggy/mock.h; root user iggy/iggy), so it runs anywhere without a server. */
#ifndef IGGY_EXAMPLE_H
#define IGGY_EXAMPLE_H

#include <iggy/iggy.h>
#include <iggy/mock.h>

typedef struct example_server {
    iggy_mock_t *mock; /* the embedded mock, or NULL when an address was given */
    char addr[256];    /* "host:port" */
} example_server_t;

/* Find or start the server: argv[1] if given, else $env_var, else an embedded mock (served
 * over TLS with tls_cert and tls_key when they are not NULL). Prints which one. Returns 0, or
 * 1 after printing why not. */
int example_server_start(example_server_t *s, int argc, char **argv, const char *env_var,
                         const char *tls_cert, const char *tls_key);

/* The whole main() of an example: find or start the server (example_server_start with
 * IGGY_ADDR, no TLS), run it, stop the server. Returns run's result, or 1. */
int example_main(int argc, char **argv, int (*run)(const example_server_t *srv));

/* Stop the embedded mock, if one was started. */
void example_server_stop(example_server_t *s);

/* A new conf for the server with the root user's credentials (auto-login), or NULL after
 * printing why. The caller destroys it with iggy_conf_destroy(). */
iggy_conf_t *example_conf(const example_server_t *s);

/* 0 for IGGY_OK; otherwise print what failed, the code's name and text and the thread's error
 * detail (iggy_last_error_detail()), and return 1. */
int example_check(iggy_err_t err, const char *what);

/* Write a throwaway self-signed certificate for "localhost" and 127.0.0.1 and its private key
 * (PEM) into dir as cert.pem and key.pem; cert_path and key_path receive their paths. Returns 0,
 * or 1 after printing why not. */
int example_make_tls_cert(const char *dir, char *cert_path, char *key_path, size_t path_size);

#endif
