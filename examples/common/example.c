/* The examples' shared helpers (example.h). */
#include "example.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

int example_server_start(example_server_t *s, int argc, char **argv, const char *env_var,
                         const char *tls_cert, const char *tls_key)
{
    const char *addr = argc > 1 ? argv[1] : getenv(env_var);
    iggy_mock_opts_t opts;
    iggy_err_t err;

    memset(s, 0, sizeof *s);
    if (addr && *addr) {
        snprintf(s->addr, sizeof s->addr, "%s", addr);
        printf("server: %s\n", s->addr);
        return 0;
    }
    /* No server named: start the mock in this process, on an ephemeral loopback port. */
    memset(&opts, 0, sizeof opts);
    opts.tls_cert_file = tls_cert;
    opts.tls_key_file = tls_key;
    err = iggy_mock_new(&opts, &s->mock);
    if (err != IGGY_OK)
        return example_check(err, "start the embedded mock server");
    snprintf(s->addr, sizeof s->addr, "%s", iggy_mock_address(s->mock, 0));
    printf("server: embedded mock%s\n", tls_cert ? " (TLS)" : "");
    return 0;
}

void example_server_stop(example_server_t *s)
{
    iggy_mock_destroy(s->mock);
    s->mock = NULL;
}

iggy_conf_t *example_conf(const example_server_t *s)
{
    char url[512], err[256];
    iggy_conf_t *conf;

    if (example_check(iggy_conf_new(&conf), "conf"))
        return NULL;
    /* The connection string sets bootstrap.servers, username and password. */
    snprintf(url, sizeof url, "iggy://iggy:iggy@%s", s->addr);
    if (iggy_conf_set_connection_string(conf, url, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "connection string: %s\n", err);
        iggy_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

int example_check(iggy_err_t err, const char *what)
{
    if (err == IGGY_OK)
        return 0;
    fprintf(stderr, "%s: %s (%s, %d): %s\n", what, iggy_err2str(err), iggy_err2name(err), (int)err,
            iggy_last_error_detail());
    return 1;
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ex;
    int ok;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ex)
        return 0;
    ok = X509_add_ext(x, ex, -1);
    X509_EXTENSION_free(ex);
    return ok;
}

int example_make_tls_cert(const char *dir, char *cert_path, char *key_path, size_t path_size)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    FILE *f = NULL;
    int ok = key && x;

    snprintf(cert_path, path_size, "%s/cert.pem", dir);
    snprintf(key_path, path_size, "%s/key.pem", dir);
    if (ok) {
        /* Valid from an hour ago for a day; it is its own issuer, so the client trusts it
         * directly as its CA file. */
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 86400);
        X509_set_pubkey(x, key);
        name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                                   -1, 0);
        X509_set_issuer_name(x, name);
        ok = add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
             add_ext(x, NID_ext_key_usage, "serverAuth") && X509_sign(x, key, EVP_sha256()) > 0;
    }
    if (ok && (f = fopen(cert_path, "w")) != NULL) {
        ok = PEM_write_X509(f, x) == 1;
        ok = fclose(f) == 0 && ok;
    } else {
        ok = 0;
    }
    if (ok && (f = fopen(key_path, "w")) != NULL) {
        ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
        ok = fclose(f) == 0 && ok;
    } else {
        ok = 0;
    }
    X509_free(x);
    EVP_PKEY_free(key);
    if (!ok)
        fprintf(stderr, "cannot write a self-signed certificate into %s\n", dir);
    return ok ? 0 : 1;
}

int example_main(int argc, char **argv, int (*run)(const example_server_t *srv))
{
    example_server_t srv;
    int rc;
    if (example_server_start(&srv, argc, argv, "IGGY_ADDR", NULL, NULL))
        return 1;
    rc = run(&srv);
    example_server_stop(&srv);
    return rc;
}
