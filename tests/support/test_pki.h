/* A throwaway PKI generated at test time: a CA, an unrelated CA, and a server certificate
 * for localhost / 127.0.0.1 / ::1 signed by the first, all written to temp PEM files. */
#ifndef IGGY_TEST_PKI_H
#define IGGY_TEST_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct test_pki {
    EVP_PKEY *ca_key, *other_ca_key, *srv_key;
    X509 *ca, *other_ca, *srv_cert;
    char ca_path[64];       /* the CA that signed srv_cert */
    char other_ca_path[64]; /* a CA that did not */
    char cert_path[64];     /* srv_cert */
    char key_path[64];      /* srv_key */
} test_pki_t;

void test_pki_create(test_pki_t *p);
void test_pki_destroy(test_pki_t *p);

#endif
