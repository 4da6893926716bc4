/* iggy-mock-server: run libiggy's built-in mock Iggy server (include/iggy/mock.h) until
 * SIGINT or SIGTERM. For tests and demos only. */
#include <iggy/mock.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: iggy-mock-server [--listen HOST:PORT] [--nodes N]\n"
               "                        [--username U --password P]\n"
               "                        [--tls-cert FILE --tls-key FILE]\n"
               "  --listen    address of node 0 (default 127.0.0.1:8090; port 0 = ephemeral);\n"
               "              node i listens on PORT+i\n"
               "  --nodes     cluster nodes sharing one state, 1..8 (default 1; node 0 leads)\n"
               "  --username  root user (default iggy)\n"
               "  --password  root password (default iggy)\n"
               "  --tls-cert  PEM certificate chain: serve TLS (needs --tls-key)\n"
               "  --tls-key   PEM private key\n");
}

static int bad(const char *what, const char *why)
{
    fprintf(stderr, "iggy-mock-server: %s: %s\n", what, why);
    usage(stderr);
    return 2;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    *out = strtoul(s, &end, 10);
    return errno || *end || *out > max ? -1 : 0;
}

/* "host:port" or "[v6]:port" into host (written into buf) and port. */
static int parse_listen(const char *s, char *buf, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    unsigned long p;
    size_t hl;
    if (!colon || parse_uint(colon + 1, 65535, &p) != 0)
        return -1;
    hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl == 0 || hl >= cap)
        return -1;
    memcpy(buf, s, hl);
    buf[hl] = '\0';
    *port = (uint16_t)p;
    return 0;
}

int main(int argc, char **argv)
{
    iggy_mock_opts_t o;
    iggy_mock_t *m = NULL;
    iggy_err_t err;
    char host[256] = "127.0.0.1";
    sigset_t set;
    int sig;

    memset(&o, 0, sizeof o);
    o.port = 8090;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!v)
            return bad(a, "missing value or unknown option");
        i++;
        if (!strcmp(a, "--listen")) {
            if (parse_listen(v, host, sizeof host, &o.port) != 0)
                return bad(v, "--listen wants HOST:PORT");
        } else if (!strcmp(a, "--nodes")) {
            if (parse_uint(v, 8, &n) != 0 || n == 0)
                return bad(v, "--nodes wants 1..8");
            o.nodes = (uint32_t)n;
        } else if (!strcmp(a, "--username")) {
            o.username = v;
        } else if (!strcmp(a, "--password")) {
            o.password = v;
        } else if (!strcmp(a, "--tls-cert")) {
            o.tls_cert_file = v;
        } else if (!strcmp(a, "--tls-key")) {
            o.tls_key_file = v;
        } else {
            return bad(a, "unknown option");
        }
    }
    if ((o.tls_cert_file == NULL) != (o.tls_key_file == NULL))
        return bad("--tls-cert/--tls-key", "give both or neither");
    o.host = host;

    /* Block the stop signals before the mock's threads exist: they inherit the mask and
     * only sigwait() below receives them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    err = iggy_mock_new(&o, &m);
    if (err != IGGY_OK) {
        fprintf(stderr, "iggy-mock-server: %s (%s)\n", iggy_err2str(err), iggy_last_error_detail());
        return err == IGGY_ERR__INVALID_ARG ? 2 : 1;
    }
    for (uint32_t i = 0; i < (o.nodes ? o.nodes : 1); i++)
        printf("iggy-mock-server listening on %s (node %u%s)\n", iggy_mock_address(m, i), i,
               i == 0 ? ", leader" : "");
    fflush(stdout);

    while (sigwait(&set, &sig) != 0)
        ;
    iggy_mock_destroy(m);
    return 0;
}
