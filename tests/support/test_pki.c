#include "test_pki.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    ck_assert_ptr_nonnull(ex);
    ck_assert_int_eq(X509_add_ext(x, ex, -1), 1);
    X509_EXTENSION_free(ex);
}

/* A v3 certificate for key; self-signed CA when issuer is NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       const char *san)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *name;
    X509V3_CTX v3;
    ck_assert_ptr_nonnull(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &v3, NID_subject_key_identifier, "hash");
    if (!issuer) {
        add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, &v3, NID_basic_constraints, "CA:FALSE");
        add_ext(x, &v3, NID_key_usage, "critical,digitalSignature");
        add_ext(x, &v3, NID_ext_key_usage, "serverAuth");
        add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
        add_ext(x, &v3, NID_subject_alt_name, san);
    }
    ck_assert_int_gt(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()), 0);
    return x;
}

static FILE *temp_file(char *path, size_t cap)
{
    FILE *f;
    int fd;
    snprintf(path, cap, "/tmp/iggy_test_pki_XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

static void write_pem(X509 *x, char *path, size_t cap)
{
    FILE *f = temp_file(path, cap);
    ck_assert_int_eq(PEM_write_X509(f, x), 1);
    fclose(f);
}

void test_pki_create(test_pki_t *p)
{
    FILE *f;
    p->ca_key = EVP_EC_gen("P-256");
    p->other_ca_key = EVP_EC_gen("P-256");
    p->srv_key = EVP_EC_gen("P-256");
    ck_assert(p->ca_key && p->other_ca_key && p->srv_key);
    p->ca = make_cert(p->ca_key, "iggy test CA", NULL, NULL, NULL);
    p->other_ca = make_cert(p->other_ca_key, "iggy other CA", NULL, NULL, NULL);
    p->srv_cert =
        make_cert(p->srv_key, "localhost", p->ca, p->ca_key, "DNS:localhost,IP:127.0.0.1,IP:::1");
    write_pem(p->ca, p->ca_path, sizeof p->ca_path);
    write_pem(p->other_ca, p->other_ca_path, sizeof p->other_ca_path);
    write_pem(p->srv_cert, p->cert_path, sizeof p->cert_path);
    f = temp_file(p->key_path, sizeof p->key_path);
    ck_assert_int_eq(PEM_write_PrivateKey(f, p->srv_key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
}

void test_pki_destroy(test_pki_t *p)
{
    unlink(p->ca_path);
    unlink(p->other_ca_path);
    unlink(p->cert_path);
    unlink(p->key_path);
    X509_free(p->ca);
    X509_free(p->other_ca);
    X509_free(p->srv_cert);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->other_ca_key);
    EVP_PKEY_free(p->srv_key);
}
