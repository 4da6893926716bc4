/* The mock server core over raw loopback sockets: the per-frame rules of
 * framing-and-session.md §5, login evictions, dedup, every fault kind, clusters,
 * heartbeat eviction, TLS, and clean shutdown (no threads or fds left behind). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <xxhash.h>

#include <iggy/mock.h>

#include "net/iggy_transport.h"
#include "codec/iggy_cmd_table.h"
#include "codec/iggy_frame.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"
#include "net/iggy_tcp.h"
#include "net/iggy_tls.h"
#include "codec_helpers.h"
#include "test_main.h"
#include "test_pki.h"
#include "test_server.h"
#include "vectors.h"

#define HDR 256
#define OFF_SIZE 48
#define OFF_COMMAND 60
#define OFF_REQ_CHECKSUM 144
#define OFF_REP_CLIENT 160
#define OFF_REP_OP 176
#define OFF_REP_COMMIT 184
#define OFF_REP_REQUEST 200
#define OFF_REP_OPERATION 208
#define OFF_REP_STATUS 216
#define OFF_EVI_MAX 144
#define OFF_EVI_MIN 148
#define OFF_EVI_REASON 255

/* ---- helpers ---- */

static iggy_mock_t *start_mock(uint32_t nodes, int64_t heartbeat_ms)
{
    iggy_mock_opts_t o;
    iggy_mock_t *m = NULL;
    memset(&o, 0, sizeof o);
    o.nodes = nodes;
    o.heartbeat_timeout_ms = heartbeat_ms;
    ck_assert_int_eq(iggy_mock_new(&o, &m), IGGY_OK);
    return m;
}

static int connect_port(uint16_t port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int connect_node(iggy_mock_t *m, uint32_t node)
{
    return connect_port(iggy_mock_port(m, node));
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        ck_assert_int_gt(w, 0);
        p += w;
        n -= (size_t)w;
    }
}

/* Read exactly n bytes within ms: 1 = read, 0 = EOF/reset, -1 = timeout. */
static int recv_exact(int fd, uint8_t *buf, size_t n, int ms)
{
    int64_t deadline = iggy_now_ms() + ms;
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {fd, POLLIN, 0};
        int64_t left = deadline - iggy_now_ms();
        ssize_t r;
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return -1;
        r = recv(fd, buf + got, n - got, 0);
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return 1;
}

/* One frame: header into hdr, body (malloc'd, caller frees) into *body. */
typedef struct frame {
    uint8_t hdr[HDR];
    uint8_t *body;
    size_t body_len;
} frame_t;

static int recv_frame(int fd, frame_t *f, int ms)
{
    int r = recv_exact(fd, f->hdr, HDR, ms);
    uint32_t size;
    f->body = NULL;
    f->body_len = 0;
    if (r != 1)
        return r;
    size = iggy_le32(f->hdr + OFF_SIZE);
    ck_assert_uint_ge(size, HDR);
    ck_assert_uint_le(size, 1u << 20);
    f->body_len = size - HDR;
    if (f->body_len) {
        f->body = malloc(f->body_len);
        r = recv_exact(fd, f->body, f->body_len, ms);
    }
    return r;
}

static void must_frame(int fd, frame_t *f)
{
    ck_assert_int_eq(recv_frame(fd, f, 3000), 1);
}

/* The connection is closed by the server (EOF or reset) within ms. */
static void assert_closed(int fd, int ms)
{
    uint8_t b[512];
    int64_t deadline = iggy_now_ms() + ms;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int64_t left = deadline - iggy_now_ms();
        ssize_t r;
        ck_assert_msg(left > 0, "connection not closed");
        if (poll(&p, 1, (int)left) == 0)
            continue;
        r = recv(fd, b, sizeof b, 0);
        if (r <= 0)
            return;
    }
}

/* Nothing arrives within ms. */
static void assert_silent(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    ck_assert_int_eq(poll(&p, 1, ms), 0);
}

static iggy_u128_t cid(uint64_t lo)
{
    iggy_u128_t c = {lo, 0x1234};
    return c;
}

/* Build a request frame into a malloc'd buffer. */
static uint8_t *req(iggy_u128_t client, uint64_t request, uint8_t op, uint64_t session,
                    uint32_t code, const void *body, size_t len, bool stamp, size_t *out_len)
{
    iggy_request_header_t h;
    uint8_t *f = malloc(HDR + len + 1);
    memset(&h, 0, sizeof h);
    h.client = client;
    h.request = request;
    h.operation = op;
    h.session = session;
    h.code = code;
    h.body_len = (uint32_t)len;
    h.request_checksum = stamp ? (uint64_t)XXH3_64bits(body, len) : 0;
    iggy_frame_encode_request(f, &h);
    if (len)
        memcpy(f + HDR, body, len);
    *out_len = HDR + len;
    return f;
}

static void send_req(int fd, iggy_u128_t client, uint64_t request, uint8_t op, uint64_t session,
                     uint32_t code, const void *body, size_t len)
{
    size_t n;
    uint8_t *f = req(client, request, op, session, code, body, len, false, &n);
    send_all(fd, f, n);
    free(f);
}

/* Log in as iggy/iggy with a given client id; returns the session. */
static uint64_t login(int fd, iggy_u128_t client)
{
    const test_vector_t *b = vector_get("login_register_body");
    frame_t f;
    uint64_t session;
    send_req(fd, client, 0, IGGY_OP_REGISTER, 0, 0, b->bytes, b->len);
    must_frame(fd, &f);
    ck_assert_int_eq(f.hdr[OFF_COMMAND], IGGY_FRAME_REPLY);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    ck_assert_uint_ge(f.body_len, 16);
    ck_assert_uint_eq(iggy_le32(f.body), 0);
    session = iggy_le64(f.body + 8);
    ck_assert_uint_gt(session, 0);
    free(f.body);
    return session;
}

static void assert_status(const frame_t *f, uint32_t status)
{
    ck_assert_int_eq(f->hdr[OFF_COMMAND], IGGY_FRAME_REPLY);
    ck_assert_uint_eq(iggy_le32(f->hdr + OFF_REP_STATUS), status);
    ck_assert_uint_eq(f->body_len, 0);
}

static void assert_result(const frame_t *f, uint32_t code)
{
    ck_assert_int_eq(f->hdr[OFF_COMMAND], IGGY_FRAME_REPLY);
    ck_assert_uint_eq(iggy_le32(f->hdr + OFF_REP_STATUS), 0);
    ck_assert_uint_eq(f->body_len, 12);
    ck_assert_uint_eq(iggy_le32(f->body), 1);
    ck_assert_uint_eq(iggy_le32(f->body + 8), code);
}

static void assert_eviction(const frame_t *f, uint8_t reason)
{
    ck_assert_int_eq(f->hdr[OFF_COMMAND], IGGY_FRAME_EVICTION);
    ck_assert_uint_eq(iggy_le32(f->hdr + OFF_SIZE), HDR);
    ck_assert_uint_eq(f->hdr[OFF_EVI_REASON], reason);
}

static void stream_body(const char *name, uint8_t *buf, size_t *len)
{
    size_t n = strlen(name);
    buf[0] = (uint8_t)n;
    memcpy(buf + 1, name, n);
    *len = n + 1;
}

/* ---- §5: each incoming frame ---- */

START_TEST(ping_before_login)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *q = vector_get("ping_request"), *want = vector_get("ping_reply");
    int fd = connect_node(m, 0);
    frame_t f;
    send_all(fd, q->bytes, q->len);
    must_frame(fd, &f);
    ck_assert_uint_eq(f.body_len, 0);
    /* Every field but the informational commit matches the golden reply. */
    ck_assert_mem_eq(f.hdr, want->bytes, OFF_REP_COMMIT);
    ck_assert_mem_eq(f.hdr + OFF_REP_COMMIT + 8, want->bytes + OFF_REP_COMMIT + 8,
                     HDR - OFF_REP_COMMIT - 8);
    ck_assert_uint_eq(iggy_mock_request_count(m, 1), 1);
    ck_assert_uint_eq(iggy_mock_request_count(m, 0), 1);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(login_register)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *q = vector_get("login_register_request_stamped");
    const test_vector_t *want = vector_get("login_reply");
    int fd = connect_node(m, 0);
    frame_t f;
    send_all(fd, q->bytes, q->len);
    must_frame(fd, &f);
    ck_assert_uint_eq(HDR + f.body_len, want->len);
    /* op, commit and the session number are the server's choice; the rest is fixed. */
    ck_assert_mem_eq(f.hdr, want->bytes, OFF_REP_OP);
    ck_assert_mem_eq(f.hdr + 192, want->bytes + 192, HDR - 192);
    ck_assert_uint_eq(iggy_le64(f.hdr + OFF_REP_OP), iggy_le64(f.body + 8));
    ck_assert_mem_eq(f.body, want->bytes + HDR, 8); /* result section + user id 0 */
    ck_assert_uint_gt(iggy_le64(f.body + 8), 0);
    ck_assert_mem_eq(f.body + 16, want->bytes + HDR + 16, f.body_len - 16);
    ck_assert_uint_eq(iggy_mock_request_count(m, 40), 1);
    free(f.body);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

static void login_evicted(const char *request_vector, void (*patch)(uint8_t *),
                          const char *eviction_vector)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *q = vector_get(request_vector), *want = vector_get(eviction_vector);
    uint8_t *frame = malloc(q->len);
    int fd = connect_node(m, 0);
    frame_t f;
    memcpy(frame, q->bytes, q->len);
    if (patch)
        patch(frame);
    send_all(fd, frame, q->len);
    must_frame(fd, &f);
    ck_assert_uint_eq(f.body_len, 0);
    ck_assert_mem_eq(f.hdr, want->bytes, HDR);
    assert_closed(fd, 3000);
    free(frame);
    close(fd);
    iggy_mock_destroy(m);
}

static void patch_password(uint8_t *frame)
{
    memcpy(frame + HDR + 22, "nope", 4); /* password "iggy" at body offset 22 */
}

static void patch_version(uint8_t *frame)
{
    iggy_put_le32(frame + HDR, 0x2400); /* 0.9.0 */
}

START_TEST(login_wrong_password)
{
    login_evicted("login_register_request", patch_password, "eviction_invalid_credentials");
}
END_TEST

START_TEST(login_incompatible_version)
{
    const test_vector_t *e = vector_get("eviction_incompatible_protocol");
    ck_assert_uint_eq(iggy_le32(e->bytes + OFF_EVI_MAX), 0x2C00);
    ck_assert_uint_eq(iggy_le32(e->bytes + OFF_EVI_MIN), 0x2C00);
    ck_assert_uint_eq(e->bytes[OFF_EVI_REASON], 14);
    login_evicted("login_register_request", patch_version, "eviction_incompatible_protocol");
}
END_TEST

START_TEST(legacy_login)
{
    login_evicted("legacy_login_user_request", NULL, "eviction_malformed_login");
}
END_TEST

START_TEST(unauthenticated_read_denied)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *q = vector_get("get_stats_request_unauthenticated");
    const test_vector_t *want = vector_get("deny_unauthenticated_reply");
    int fd = connect_node(m, 0);
    frame_t f;
    send_all(fd, q->bytes, q->len);
    must_frame(fd, &f);
    assert_status(&f, 40);
    /* Same as the golden deny except the client field, which is our transport id. */
    ck_assert_mem_eq(f.hdr, want->bytes, OFF_REP_CLIENT);
    ck_assert_mem_eq(f.hdr + OFF_REP_OP, want->bytes + OFF_REP_OP, HDR - OFF_REP_OP);
    ck_assert_uint_gt(iggy_le64(f.hdr + OFF_REP_CLIENT), 0);
    /* The connection survives: a ping still works. */
    send_all(fd, vector_get("ping_request")->bytes, HDR);
    must_frame(fd, &f);
    assert_status(&f, 0);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(replicated_before_login_evicts)
{
    iggy_mock_t *m = start_mock(1, 0);
    uint8_t body[16];
    size_t len;
    int fd = connect_node(m, 0);
    frame_t f;
    stream_body("test", body, &len);
    send_req(fd, cid(7), 1, 128, 1, 0, body, len);
    must_frame(fd, &f);
    assert_eviction(&f, 1);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_EVI_MAX), 0);
    assert_closed(fd, 3000);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(bad_checksum_status_4)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *q = vector_get("login_register_request_stamped");
    uint8_t *frame = malloc(q->len);
    int fd = connect_node(m, 0);
    frame_t f;
    memcpy(frame, q->bytes, q->len);
    frame[OFF_REQ_CHECKSUM] ^= 0x01;
    send_all(fd, frame, q->len);
    must_frame(fd, &f);
    assert_status(&f, 4);
    ck_assert_mem_eq(f.hdr + 128, frame + OFF_REQ_CHECKSUM, 16); /* echoed */
    /* Unstamped (0) is always accepted. */
    (void)login(fd, cid(99));
    free(frame);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(invalid_header_silence)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *ping = vector_get("ping_request");
    uint8_t frame[HDR];
    int fd = connect_node(m, 0);
    frame_t f;

    memcpy(frame, ping->bytes, HDR);
    memset(frame + 128, 0, 16); /* client 0 */
    send_all(fd, frame, HDR);
    assert_silent(fd, 300);

    memcpy(frame, ping->bytes, HDR);
    frame[OFF_COMMAND] = 6; /* Prepare: ignored */
    send_all(fd, frame, HDR);
    assert_silent(fd, 200);

    memcpy(frame, ping->bytes, HDR);
    frame[176] = 99; /* undeclared operation */
    send_all(fd, frame, HDR);
    assert_silent(fd, 200);

    /* Register with a non-zero request id. */
    send_req(fd, cid(3), 5, IGGY_OP_REGISTER, 0, 0, vector_get("login_register_body")->bytes, 30);
    assert_silent(fd, 200);

    /* Logout with session 0. */
    send_req(fd, cid(3), 1, IGGY_OP_LOGOUT, 0, 0, NULL, 0);
    assert_silent(fd, 200);

    /* Still alive. */
    send_all(fd, ping->bytes, HDR);
    must_frame(fd, &f);
    assert_status(&f, 0);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(bad_size_or_command_closes)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *ping = vector_get("ping_request");
    uint8_t frame[HDR];
    int fd;

    fd = connect_node(m, 0);
    memcpy(frame, ping->bytes, HDR);
    iggy_put_le32(frame + OFF_SIZE, 255);
    send_all(fd, frame, HDR);
    assert_closed(fd, 3000);
    close(fd);

    fd = connect_node(m, 0);
    memcpy(frame, ping->bytes, HDR);
    iggy_put_le32(frame + OFF_SIZE, IGGY_MAX_FRAME_SIZE + 1);
    send_all(fd, frame, HDR);
    assert_closed(fd, 3000);
    close(fd);

    fd = connect_node(m, 0);
    memcpy(frame, ping->bytes, HDR);
    frame[OFF_COMMAND] = 30;
    send_all(fd, frame, HDR);
    assert_closed(fd, 3000);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(code_routing)
{
    iggy_mock_t *m = start_mock(1, 0);
    int fd = connect_node(m, 0);
    iggy_u128_t c = cid(11);
    uint64_t s;
    frame_t f;

    send_req(fd, c, 1, IGGY_OP_NON_REPLICATED, 0, 39, NULL, 0); /* unbound: deny */
    must_frame(fd, &f);
    assert_status(&f, 40);
    send_req(fd, c, 1, IGGY_OP_LOGOUT, 1, 0, NULL, 0); /* Logout unbound: empty ok */
    must_frame(fd, &f);
    assert_status(&f, 0);
    ck_assert_uint_eq(f.hdr[OFF_REP_OPERATION], IGGY_OP_LOGOUT);
    ck_assert_uint_eq(iggy_le64(f.hdr + OFF_REP_OP), 0);

    s = login(fd, c);
    send_req(fd, c, 1, IGGY_OP_NON_REPLICATED, s, 9999, NULL, 0); /* unknown */
    must_frame(fd, &f);
    assert_status(&f, 3);
    ck_assert_uint_eq(iggy_le64(f.hdr + OFF_REP_REQUEST), 1);
    send_req(fd, c, 1, IGGY_OP_NON_REPLICATED, s, 202, "\x01x", 2); /* replicated as NR */
    must_frame(fd, &f);
    assert_status(&f, 5);
    send_req(fd, c, 1, IGGY_OP_NON_REPLICATED, s, 39, NULL, 0); /* bound: no-op ok */
    must_frame(fd, &f);
    assert_status(&f, 0);
    send_req(fd, c, 1, IGGY_OP_NON_REPLICATED, s, 40, NULL, 0);
    must_frame(fd, &f);
    assert_status(&f, 0);
    send_req(fd, c, 7, IGGY_OP_NON_REPLICATED, s, 44, NULL, 0); /* legacy PAT login */
    must_frame(fd, &f);
    assert_eviction(&f, 15);
    assert_closed(fd, 3000);
    close(fd);

    /* Logout, then the connection is unbound again. */
    fd = connect_node(m, 0);
    s = login(fd, cid(12));
    send_req(fd, cid(12), 1, IGGY_OP_LOGOUT, s, 0, NULL, 0);
    must_frame(fd, &f);
    assert_status(&f, 0);
    ck_assert_uint_eq(f.hdr[OFF_REP_OPERATION], IGGY_OP_LOGOUT);
    send_req(fd, cid(12), 2, IGGY_OP_NON_REPLICATED, s, 20, NULL, 0);
    must_frame(fd, &f);
    assert_status(&f, 40);
    ck_assert_uint_eq(iggy_mock_request_count(m, 39), 4); /* 2 as NonReplicated, 2 Logout */
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- metadata dedup ---- */

START_TEST(metadata_dedup)
{
    iggy_mock_t *m = start_mock(1, 0);
    int fd = connect_node(m, 0);
    iggy_u128_t c = cid(21);
    uint8_t body[16], *frame;
    size_t len, n;
    uint64_t s = login(fd, c);
    frame_t a, b;

    stream_body("dedup", body, &len);
    frame = req(c, 1, 128, s, 0, body, len, true, &n);
    send_all(fd, frame, n);
    must_frame(fd, &a);
    ck_assert_uint_eq(iggy_le32(a.hdr + OFF_REP_STATUS), 0);
    ck_assert_uint_ge(a.body_len, 4);
    ck_assert_uint_eq(iggy_le32(a.body), 0); /* success */
    /* Replay: the cached reply, byte for byte (a re-apply would say 1012). */
    send_all(fd, frame, n);
    must_frame(fd, &b);
    ck_assert_uint_eq(a.body_len, b.body_len);
    ck_assert_mem_eq(a.hdr, b.hdr, HDR);
    ck_assert_mem_eq(a.body, b.body, a.body_len);
    free(b.body);
    /* A new id for the same name: applied, rejected as a duplicate name. */
    send_req(fd, c, 3, 128, s, 0, body, len);
    must_frame(fd, &b);
    assert_result(&b, 1012);
    free(b.body);
    /* Below the watermark: 59. */
    send_req(fd, c, 2, 128, s, 0, body, len);
    must_frame(fd, &b);
    assert_result(&b, 59);
    free(b.body);
    free(frame);
    free(a.body);
    ck_assert_uint_eq(iggy_mock_request_count(m, 202), 4);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(fault_57_then_replay_applies_once)
{
    iggy_mock_t *m = start_mock(1, 0);
    int fd = connect_node(m, 0);
    iggy_u128_t c = cid(22);
    uint8_t body[16], *frame;
    size_t len, n;
    uint64_t s = login(fd, c);
    frame_t a, b;

    ck_assert_int_eq(iggy_mock_push_fault(m, 202, 0, IGGY_MOCK_FAULT_REJECT, 57, 1), IGGY_OK);
    stream_body("once", body, &len);
    frame = req(c, 1, 128, s, 0, body, len, false, &n);
    send_all(fd, frame, n);
    must_frame(fd, &a);
    assert_result(&a, 57);
    ck_assert_uint_eq(a.hdr[OFF_REP_OPERATION], 128);
    free(a.body);
    send_all(fd, frame, n); /* replay the identical bytes */
    must_frame(fd, &a);
    ck_assert_uint_eq(iggy_le32(a.body), 0);
    send_all(fd, frame, n);
    must_frame(fd, &b);
    ck_assert_mem_eq(a.body, b.body, a.body_len);
    free(a.body);
    free(b.body);
    free(frame);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- faults ---- */

static void ping(int fd, uint64_t request)
{
    send_req(fd, cid(31), request, IGGY_OP_NON_REPLICATED, 0, 1, NULL, 0);
}

START_TEST(fault_kinds)
{
    iggy_mock_t *m = start_mock(1, 0);
    uint8_t buf[HDR];
    int64_t t0;
    int fd = connect_node(m, 0);
    frame_t f;

    ck_assert_int_eq(iggy_mock_push_fault(m, 0, 0, 0, 0, 1), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_STATUS, 5, 0),
                     IGGY_ERR__INVALID_ARG);

    /* STATUS twice, then normal again. */
    ck_assert_int_eq(iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_STATUS, 1234, 2), IGGY_OK);
    ping(fd, 1);
    must_frame(fd, &f);
    assert_status(&f, 1234);
    ping(fd, 2);
    must_frame(fd, &f);
    assert_status(&f, 1234);
    ping(fd, 3);
    must_frame(fd, &f);
    assert_status(&f, 0);

    /* A fault for another code does not match; FIFO order among matches. */
    iggy_mock_push_fault(m, 20, 0, IGGY_MOCK_FAULT_STATUS, 77, 1);
    iggy_mock_push_fault(m, 0, 0, IGGY_MOCK_FAULT_REJECT, 57, 1);
    ping(fd, 4);
    must_frame(fd, &f);
    assert_result(&f, 57);
    free(f.body);
    iggy_mock_clear_faults(m);
    ping(fd, 5);
    must_frame(fd, &f);
    assert_status(&f, 0);

    /* DELAY. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_DELAY, 300, 1);
    t0 = iggy_now_ms();
    ping(fd, 6);
    must_frame(fd, &f);
    assert_status(&f, 0);
    ck_assert_int_ge(iggy_now_ms() - t0, 280);

    /* STALL: no reply, the connection keeps working. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_STALL, 0, 1);
    ping(fd, 7);
    assert_silent(fd, 300);
    ping(fd, 8);
    must_frame(fd, &f);
    ck_assert_uint_eq(iggy_le64(f.hdr + OFF_REP_REQUEST), 8);

    /* EVICT. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_EVICT, 13, 1);
    ping(fd, 9);
    must_frame(fd, &f);
    assert_eviction(&f, 13);
    assert_closed(fd, 3000);
    close(fd);

    /* CLOSE. */
    fd = connect_node(m, 0);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1);
    ping(fd, 1);
    assert_closed(fd, 3000);
    close(fd);

    /* CLOSE_MID_REPLY on a reply with a body: header + half the body, then EOF. */
    fd = connect_node(m, 0);
    {
        uint64_t s = login(fd, cid(32));
        uint8_t body[1024];
        ssize_t got = 0, r;
        iggy_mock_push_fault(m, 12, 0, IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, 1);
        send_req(fd, cid(32), 1, IGGY_OP_NON_REPLICATED, s, 12, NULL, 0);
        ck_assert_int_eq(recv_exact(fd, buf, HDR, 3000), 1);
        ck_assert_uint_gt(iggy_le32(buf + OFF_SIZE), HDR);
        while ((r = recv(fd, body + got, sizeof body - (size_t)got, 0)) > 0)
            got += r;
        ck_assert_int_lt(got, (ssize_t)(iggy_le32(buf + OFF_SIZE) - HDR));
    }
    close(fd);

    /* TRUNCATED: the announced body is 100 bytes longer than what comes; then a stall. */
    fd = connect_node(m, 0);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_TRUNCATED, 0, 1);
    ping(fd, 1);
    ck_assert_int_eq(recv_exact(fd, buf, HDR, 3000), 1);
    ck_assert_uint_eq(iggy_le32(buf + OFF_SIZE), HDR + 100);
    ck_assert_int_eq(recv_exact(fd, buf, 1, 300), -1);
    close(fd);

    /* OVERSIZED. */
    fd = connect_node(m, 0);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_OVERSIZED, 0, 1);
    ping(fd, 1);
    ck_assert_int_eq(recv_exact(fd, buf, HDR, 3000), 1);
    ck_assert_uint_eq(iggy_le32(buf + OFF_SIZE), IGGY_MAX_FRAME_SIZE + 1);
    {
        iggy_frame_header_t h;
        ck_assert_int_eq(iggy_frame_decode_reply(buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
    }
    close(fd);

    /* GARBAGE: 256 bytes no client can decode. */
    fd = connect_node(m, 0);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_GARBAGE, 0, 1);
    ping(fd, 1);
    ck_assert_int_eq(recv_exact(fd, buf, HDR, 3000), 1);
    {
        iggy_frame_header_t h;
        ck_assert_int_eq(iggy_frame_decode_reply(buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
    }
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

/* The reply-shaping kinds as a client sees them on the socket. */
START_TEST(reply_shaping_on_the_wire)
{
    iggy_mock_t *m = start_mock(1, 0);
    uint8_t buf[2 * HDR];
    int64_t t0;
    int fd = connect_node(m, 0);
    frame_t f;

    /* TRICKLE: a 256-byte ping reply in 16 pieces, 10 ms apart, then normal service. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_TRICKLE, 10, 1);
    t0 = iggy_now_ms();
    ping(fd, 1);
    ck_assert_int_eq(recv_exact(fd, buf, IGGY_MOCK_TRICKLE_BYTES, 3000), 1);
    ck_assert_int_eq(recv_exact(fd, buf + IGGY_MOCK_TRICKLE_BYTES, 1, 3), -1); /* a pause */
    ck_assert_int_eq(
        recv_exact(fd, buf + IGGY_MOCK_TRICKLE_BYTES, HDR - IGGY_MOCK_TRICKLE_BYTES, 3000), 1);
    ck_assert_int_ge(iggy_now_ms() - t0, (HDR / IGGY_MOCK_TRICKLE_BYTES - 1) * 10 - 5);
    ck_assert_uint_eq(iggy_le32(buf + OFF_SIZE), HDR);
    ck_assert_uint_eq(iggy_le64(buf + OFF_REP_REQUEST), 1);
    ping(fd, 2);
    must_frame(fd, &f);
    assert_status(&f, 0);

    /* DUPLICATE_REPLY: both copies are there at once. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0, 1);
    ping(fd, 3);
    ck_assert_int_eq(recv_exact(fd, buf, 2 * HDR, 3000), 1);
    ck_assert(memcmp(buf, buf + HDR, HDR) == 0);
    ck_assert_uint_eq(iggy_le64(buf + OFF_REP_REQUEST), 3);

    /* WRONG_COMMAND and WRONG_SIZE: the whole reply comes, with the header field changed, and
     * the connection goes on. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_WRONG_COMMAND, 0, 1);
    ping(fd, 4);
    ck_assert_int_eq(recv_exact(fd, buf, HDR, 3000), 1);
    ck_assert_uint_eq(buf[OFF_COMMAND], 5);
    ck_assert_uint_eq(iggy_le64(buf + OFF_REP_REQUEST), 4);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_WRONG_SIZE, 0, 1);
    ping(fd, 5);
    ck_assert_int_eq(recv_exact(fd, buf, HDR, 3000), 1);
    ck_assert_uint_eq(iggy_le32(buf + OFF_SIZE), HDR - 1);
    assert_silent(fd, 50); /* no more than the real reply */
    ping(fd, 6);
    must_frame(fd, &f);
    ck_assert_uint_eq(iggy_le64(f.hdr + OFF_REP_REQUEST), 6);

    /* CLOSE_AFTER_REPLY: the whole reply, then EOF. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY, 0, 1);
    ping(fd, 7);
    must_frame(fd, &f);
    assert_status(&f, 0);
    ck_assert_uint_eq(iggy_le64(f.hdr + OFF_REP_REQUEST), 7);
    assert_closed(fd, 3000);
    close(fd);

    /* HANG_MID_REPLY: half the header, then nothing (the connection stays open). */
    fd = connect_node(m, 0);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_HANG_MID_REPLY, 0, 1);
    ping(fd, 1);
    ck_assert_int_eq(recv_exact(fd, buf, HDR / 2, 3000), 1);
    ck_assert_int_eq(recv_exact(fd, buf, 1, 300), -1);
    ck_assert_uint_eq(iggy_mock_connection_count(m), 1);
    close(fd);

    /* A forever fault hits until cleared. */
    fd = connect_node(m, 0);
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_STATUS, 57, IGGY_MOCK_FAULT_FOREVER);
    for (uint64_t i = 1; i <= 50; i++) {
        ping(fd, i);
        must_frame(fd, &f);
        assert_status(&f, 57);
    }
    iggy_mock_clear_faults(m);
    ping(fd, 51);
    must_frame(fd, &f);
    assert_status(&f, 0);
    close(fd);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- clusters ---- */

/* GetClusterMetadata: the leader's index (role 0), or -1. Checks the node count. */
static int leader_of(int fd, iggy_u128_t c, uint64_t s, iggy_mock_t *m, uint32_t nodes)
{
    frame_t f;
    iggy_reader_t r;
    uint32_t len, count;
    const uint8_t *p;
    int leader = -1;
    send_req(fd, c, 1, IGGY_OP_NON_REPLICATED, s, 12, NULL, 0);
    must_frame(fd, &f);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    iggy_rd_init(&r, f.body, f.body_len, "cluster");
    ck_assert_int_eq(iggy_rd_u32(&r, &len), IGGY_OK);
    ck_assert_int_eq(iggy_rd_bytes(&r, len, &p), IGGY_OK);
    ck_assert_int_eq(iggy_rd_u32(&r, &count), IGGY_OK);
    ck_assert_uint_eq(count, nodes);
    for (uint32_t i = 0; i < count; i++) {
        uint16_t port, skip;
        uint8_t role, status;
        ck_assert_int_eq(iggy_rd_u32(&r, &len), IGGY_OK);
        ck_assert_int_eq(iggy_rd_bytes(&r, len, &p), IGGY_OK);
        ck_assert_int_eq(iggy_rd_u32(&r, &len), IGGY_OK);
        ck_assert_int_eq(iggy_rd_bytes(&r, len, &p), IGGY_OK);
        ck_assert_int_eq(len, 9);
        ck_assert_mem_eq(p, "127.0.0.1", 9);
        ck_assert_int_eq(iggy_rd_u16(&r, &port), IGGY_OK);
        ck_assert_uint_eq(port, iggy_mock_port(m, i));
        for (int k = 0; k < 3; k++)
            ck_assert_int_eq(iggy_rd_u16(&r, &skip), IGGY_OK);
        ck_assert_int_eq(iggy_rd_u8(&r, &role), IGGY_OK);
        ck_assert_int_eq(iggy_rd_u8(&r, &status), IGGY_OK);
        if (role == 0) {
            ck_assert_int_eq(leader, -1);
            leader = (int)i;
        }
    }
    free(f.body);
    return leader;
}

START_TEST(cluster_leader)
{
    iggy_mock_t *m = start_mock(3, 0);
    int fd[3];
    uint64_t s[3];
    uint8_t body[16];
    size_t len;
    frame_t f;
    char want[32];

    for (uint32_t i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "127.0.0.1:%u", iggy_mock_port(m, i));
        ck_assert_str_eq(iggy_mock_address(m, i), want);
        fd[i] = connect_node(m, i);
        s[i] = login(fd[i], cid(40 + i)); /* logins work on every node */
    }
    ck_assert_ptr_null(iggy_mock_address(m, 3));
    ck_assert_uint_eq(iggy_mock_port(m, 3), 0);
    ck_assert_int_eq(iggy_mock_set_leader(m, 3), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(leader_of(fd[1], cid(41), s[1], m, 3), 0);

    /* A metadata write on a follower: result 58, nothing applied. */
    stream_body("c1", body, &len);
    send_req(fd[1], cid(41), 1, 128, s[1], 0, body, len);
    must_frame(fd[1], &f);
    assert_result(&f, 58);
    ck_assert_mem_eq(f.body, vector_get("transient_not_accepted_reply")->bytes + HDR, 12);
    free(f.body);
    /* A partition op on a follower: status 58. */
    send_req(fd[2], cid(42), 1, 161, s[2], 0, "x", 1);
    must_frame(fd[2], &f);
    assert_status(&f, 58);

    ck_assert_int_eq(iggy_mock_set_leader(m, 1), IGGY_OK);
    ck_assert_int_eq(leader_of(fd[2], cid(42), s[2], m, 3), 1);
    send_req(fd[1], cid(41), 2, 128, s[1], 0, body, len);
    must_frame(fd[1], &f);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    ck_assert_uint_eq(iggy_le32(f.body), 0);
    free(f.body);
    /* The old leader now refuses; state is shared: the name exists everywhere. */
    send_req(fd[0], cid(40), 1, 128, s[0], 0, body, len);
    must_frame(fd[0], &f);
    assert_result(&f, 58);
    free(f.body);
    ck_assert_int_eq(iggy_mock_set_leader(m, 0), IGGY_OK);
    send_req(fd[0], cid(40), 2, 128, s[0], 0, body, len);
    must_frame(fd[0], &f);
    assert_result(&f, 1012);
    free(f.body);
    for (int i = 0; i < 3; i++)
        close(fd[i]);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(node_down_up)
{
    iggy_mock_t *m = start_mock(2, 0);
    uint16_t port = iggy_mock_port(m, 1);
    uint8_t body[16];
    size_t len;
    frame_t f;
    int fd0 = connect_node(m, 0), fd1 = connect_node(m, 1), fd;
    uint64_t s0 = login(fd0, cid(50));
    struct sockaddr_in a;

    (void)login(fd1, cid(51));
    stream_body("kept", body, &len);
    send_req(fd0, cid(50), 1, 128, s0, 0, body, len);
    must_frame(fd0, &f);
    ck_assert_uint_eq(iggy_le32(f.body), 0);
    free(f.body);

    ck_assert_int_eq(iggy_mock_set_down(m, 1), IGGY_OK);
    assert_closed(fd1, 3000);
    close(fd1);
    /* Nobody listens on the port now. */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_ne(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    /* Node 0 is unaffected. */
    send_req(fd0, cid(50), 1, IGGY_OP_NON_REPLICATED, s0, 1, NULL, 0);
    must_frame(fd0, &f);
    assert_status(&f, 0);

    ck_assert_int_eq(iggy_mock_set_up(m, 1), IGGY_OK);
    ck_assert_uint_eq(iggy_mock_port(m, 1), port);
    ck_assert_int_eq(iggy_mock_set_leader(m, 1), IGGY_OK);
    fd1 = connect_node(m, 1);
    {
        uint64_t s1 = login(fd1, cid(52));
        send_req(fd1, cid(52), 1, 128, s1, 0, body, len); /* the state survived */
        must_frame(fd1, &f);
        assert_result(&f, 1012);
        free(f.body);
    }
    close(fd1);
    close(fd0);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- heartbeat ---- */

static void meta_ok(int fd, iggy_u128_t c, uint64_t s, uint64_t request, uint8_t op,
                    const void *body, size_t len)
{
    frame_t f;
    send_req(fd, c, request, op, s, 0, body, len);
    must_frame(fd, &f);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    ck_assert_uint_ge(f.body_len, 4);
    ck_assert_uint_eq(iggy_le32(f.body), 0);
    free(f.body);
}

START_TEST(heartbeat_evicts_silent_member)
{
    iggy_mock_t *m = start_mock(1, 200);
    iggy_u128_t a = cid(60), b = cid(61);
    int fa = connect_node(m, 0), fb = connect_node(m, 0);
    uint64_t sa = login(fa, a), sb = login(fb, b);
    uint8_t body[16];
    size_t len;
    frame_t f;
    const test_vector_t *topic = vector_get("create_topic_body_minimal");
    const test_vector_t *group = vector_get("create_consumer_group_body");
    const test_vector_t *join = vector_get("join_consumer_group_body");

    stream_body("orders", body, &len);
    meta_ok(fa, a, sa, 1, 128, body, len);
    meta_ok(fa, a, sa, 2, 132, topic->bytes, topic->len);
    meta_ok(fa, a, sa, 3, 139, group->bytes, group->len);
    meta_ok(fa, a, sa, 4, 148, join->bytes, join->len);
    /* fb holds no membership: never evicted, however silent. fa keeps quiet too. */
    test_sleep_ms(600);
    must_frame(fa, &f);
    assert_eviction(&f, 13);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_EVI_MAX), 0);
    assert_closed(fa, 3000);
    close(fa);
    send_req(fb, b, 1, IGGY_OP_NON_REPLICATED, sb, 1, NULL, 0);
    must_frame(fb, &f);
    assert_status(&f, 0);

    /* A member that pings in time stays. */
    iggy_mock_set_heartbeat_timeout(m, 400);
    meta_ok(fb, b, sb, 1, 148, join->bytes, join->len);
    for (int i = 0; i < 6; i++) {
        test_sleep_ms(100);
        send_req(fb, b, 2, IGGY_OP_NON_REPLICATED, sb, 1, NULL, 0);
        must_frame(fb, &f);
        assert_status(&f, 0);
    }
    close(fb);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- sessions and consumer groups across a restart ---- */

/* Wait until the mock counts want open connections (it sees a client's close async). */
static void wait_connections(iggy_mock_t *m, size_t want)
{
    int64_t deadline = iggy_now_ms() + 3000;
    while (iggy_mock_connection_count(m) != want && iggy_now_ms() < deadline)
        test_sleep_ms(5);
    ck_assert_uint_eq(iggy_mock_connection_count(m), want);
}

/* A request whose body an encoder wrote (the writer is released), then its reply. Reads
 * (operation 2) carry the command code, everything else the operation alone. */
static void rpc(int fd, iggy_u128_t c, uint64_t s, uint64_t request, iggy_cmd_t cmd,
                iggy_writer_t *w, frame_t *out)
{
    const iggy_cmd_desc_t *d = &iggy_cmds[cmd];
    uint32_t code = d->operation == IGGY_OP_NON_REPLICATED ? d->code : 0;
    ck_assert_int_eq(iggy_wr_status(w), IGGY_OK);
    send_req(fd, c, request, d->operation, s, code, w->data, w->len);
    iggy_wr_release(w);
    must_frame(fd, out);
}

/* A write whose result section says success. */
static void rpc_ok(int fd, iggy_u128_t c, uint64_t s, uint64_t request, iggy_cmd_t cmd,
                   iggy_writer_t *w)
{
    frame_t f;
    size_t off;
    rpc(fd, c, s, request, cmd, w, &f);
    ck_assert_int_eq(f.hdr[OFF_COMMAND], IGGY_FRAME_REPLY);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    ck_assert_int_eq(iggy_result_section_strip(f.body, f.body_len, &off), IGGY_OK);
    free(f.body);
}

/* Log in with client id c as user/pw: the reply frame (a login reply or an eviction). */
static void login_frame(int fd, iggy_u128_t c, const char *user, const char *pw, frame_t *out)
{
    iggy_writer_t w = test_writer();
    iggy_enc_login_register(&w, IGGY_PROTOCOL_VERSION, "c-sdk", "0.1.0", user, pw);
    rpc(fd, c, 0, 0, IGGY_CMD_LOGIN_REGISTER, &w, out);
}

static const iggy_identifier_t orders = {"orders", 0}, topic_t = {"t", 0}, workers = {"workers", 0};
static const iggy_consumer_ref_t workers_ref = {IGGY_CONSUMER_GROUP, {"workers", 0}};

/* Stream "orders", topic "t" of 3 partitions with 2 messages each, group "workers":
 * metadata requests 1..3 of client c. */
static void make_group_topic(int fd, iggy_u128_t c, uint64_t s)
{
    iggy_writer_t w = test_writer();
    iggy_enc_create_stream(&w, "orders", NULL, 0);
    rpc_ok(fd, c, s, 1, IGGY_CMD_CREATE_STREAM, &w);
    w = test_writer();
    iggy_enc_create_topic(&w, &orders, 3, "t", NULL, 0);
    rpc_ok(fd, c, s, 2, IGGY_CMD_CREATE_TOPIC, &w);
    w = test_writer();
    iggy_enc_create_consumer_group(&w, &orders, &topic_t, "workers");
    rpc_ok(fd, c, s, 3, IGGY_CMD_CREATE_CONSUMER_GROUP, &w);
    for (uint32_t p = 0; p < 3; p++) {
        iggy_send_message_t msg[2];
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, p, NULL, 0};
        memset(msg, 0, sizeof msg);
        for (size_t i = 0; i < 2; i++) {
            msg[i].id.lo = p * 2 + i + 1;
            msg[i].payload = "m";
            msg[i].payload_len = 1;
        }
        w = test_writer();
        iggy_enc_send_messages(&w, &orders, &topic_t, &part, msg, 2, iggy_now_us());
        rpc_ok(fd, c, s, 4, IGGY_CMD_SEND_MESSAGES, &w); /* partition ops: the current id */
    }
}

/* JoinConsumerGroup "workers" as metadata request `request`. */
static void join_workers(int fd, iggy_u128_t c, uint64_t s, uint64_t request)
{
    iggy_writer_t w = test_writer();
    iggy_enc_group_ref(&w, &orders, &topic_t, &workers);
    rpc_ok(fd, c, s, request, IGGY_CMD_JOIN_CONSUMER_GROUP, &w);
}

/* A read's decoded reply (GetConsumerGroup, SyncConsumerGroup, GetMe); NULL for an empty
 * body. */
static void *read_decoded(int fd, iggy_u128_t c, uint64_t s, iggy_cmd_t cmd)
{
    iggy_writer_t w = test_writer();
    frame_t f;
    void *out;
    if (cmd != IGGY_CMD_GET_ME)
        iggy_enc_group_ref(&w, &orders, &topic_t, &workers);
    rpc(fd, c, s, 1, cmd, &w, &f);
    ck_assert_int_eq(f.hdr[OFF_COMMAND], IGGY_FRAME_REPLY);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    out = f.body_len ? decode_ok(iggy_cmds[cmd].resp, f.body, f.body_len) : NULL;
    free(f.body);
    return out;
}

/* The group lists n members, member i owning want[i][0..counts[i]) in this order. */
static void expect_members(int fd, iggy_u128_t c, uint64_t s, uint32_t n, const uint32_t *counts,
                           const uint32_t *const *want)
{
    iggy_consumer_group_t *g = read_decoded(fd, c, s, IGGY_CMD_GET_CONSUMER_GROUP);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->members_count, n);
    for (uint32_t i = 0; i < n; i++) {
        ck_assert_uint_eq(g->members[i].partitions_count, counts[i]);
        for (uint32_t j = 0; j < counts[i]; j++)
            ck_assert_uint_eq(g->members[i].partitions[j], want[i][j]);
    }
    iggy_result_destroy(g);
}

/* SyncConsumerGroup of c: exactly want[0..n) (NULL = not a member). */
static void expect_sync(int fd, iggy_u128_t c, uint64_t s, const uint32_t *want, uint32_t n)
{
    iggy_group_assignment_t *ga = read_decoded(fd, c, s, IGGY_CMD_SYNC_CONSUMER_GROUP);
    if (!want) {
        ck_assert_ptr_null(ga);
        return;
    }
    ck_assert_ptr_nonnull(ga);
    ck_assert_uint_eq(ga->partitions_count, n);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_uint_eq(ga->partitions[i], want[i]);
    iggy_result_destroy(ga);
}

/* A group poll (Next, up to 10, auto-commit) of one partition: the messages served, or -1
 * for the re-sync sentinel (not this member's partition). */
static int group_poll(int fd, iggy_u128_t c, uint64_t s, uint32_t partition)
{
    iggy_writer_t w = test_writer();
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    iggy_polled_messages_t *pm;
    frame_t f;
    int n;
    iggy_enc_poll_messages(&w, &workers_ref, &orders, &topic_t, &partition, &next, 10, 1);
    rpc(fd, c, s, 1, IGGY_CMD_POLL_MESSAGES, &w, &f);
    ck_assert_uint_eq(iggy_le32(f.hdr + OFF_REP_STATUS), 0);
    ck_assert_uint_ge(f.body_len, 16);
    if (iggy_le32(f.body) == IGGY_PARTITION_RESYNC) {
        free(f.body);
        return -1;
    }
    ck_assert_uint_eq(iggy_le32(f.body), partition);
    pm = decode_ok(iggy_cmds[IGGY_CMD_POLL_MESSAGES].resp, f.body, f.body_len);
    n = (int)pm->count;
    iggy_result_destroy(pm);
    free(f.body);
    return n;
}

/* The mock restarts (set_down, set_up) under fd, which the server closes. */
static void restart(iggy_mock_t *m, int fd)
{
    ck_assert_int_eq(iggy_mock_set_down(m, 0), IGGY_OK);
    assert_closed(fd, 3000);
    close(fd);
    ck_assert_int_eq(iggy_mock_set_up(m, 0), IGGY_OK);
}

static const uint32_t all3[] = {0, 1, 2};
static const uint32_t first2[] = {0, 1}, last1[] = {2};

START_TEST(restart_keeps_sessions_and_a_login_resumes_them)
{
    iggy_mock_t *m = start_mock(1, 0);
    iggy_u128_t x = cid(70);
    int fa = connect_node(m, 0), fb;
    uint64_t sa = login(fa, x), sb;
    iggy_writer_t w;
    frame_t joined, f;

    make_group_topic(fa, x, sa);
    /* Join as request 4, keeping the reply: the entry's replay window holds it. */
    w = test_writer();
    iggy_enc_group_ref(&w, &orders, &topic_t, &workers);
    rpc(fa, x, sa, 4, IGGY_CMD_JOIN_CONSUMER_GROUP, &w, &joined);
    expect_sync(fa, x, sa, all3, 3);
    ck_assert_int_eq(group_poll(fa, x, sa, 0), 2);

    restart(m, fa);
    /* Nobody logged out. A login with the same client id resumes the entry: its
     * membership is the new connection's, not a second member. */
    fb = connect_node(m, 0);
    sb = login(fb, x);
    ck_assert_uint_gt(sb, sa); /* a resume commits a Register too: a new, higher session */
    expect_members(fb, x, sb, 1, (const uint32_t[]){3}, (const uint32_t *const[]){all3});
    expect_sync(fb, x, sb, all3, 3);
    ck_assert_int_eq(group_poll(fb, x, sb, 0), 0); /* the first poll committed 0..1 */
    ck_assert_int_eq(group_poll(fb, x, sb, 1), 2);
    {
        iggy_client_info_t *me = read_decoded(fb, x, sb, IGGY_CMD_GET_ME);
        ck_assert_uint_eq(me->consumer_groups_count, 1);
        iggy_result_destroy(me);
    }
    /* The request-id watermark carries on: 4 replays the cached reply, 3 is below it. */
    w = test_writer();
    iggy_enc_group_ref(&w, &orders, &topic_t, &workers);
    rpc(fb, x, sb, 4, IGGY_CMD_JOIN_CONSUMER_GROUP, &w, &f);
    ck_assert_uint_eq(f.body_len, joined.body_len);
    ck_assert_mem_eq(f.hdr, joined.hdr, HDR);
    ck_assert_mem_eq(f.body, joined.body, f.body_len);
    free(f.body);
    free(joined.body);
    w = test_writer();
    iggy_enc_group_ref(&w, &orders, &topic_t, &workers);
    rpc(fb, x, sb, 3, IGGY_CMD_JOIN_CONSUMER_GROUP, &w, &f);
    assert_result(&f, 59);
    free(f.body);
    join_workers(fb, x, sb, 5); /* above it: applied (and idempotent) */
    expect_members(fb, x, sb, 1, (const uint32_t[]){3}, (const uint32_t *const[]){all3});
    close(fb);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(restart_then_a_new_client_id_is_an_extra_member)
{
    iggy_mock_t *m = start_mock(1, 200);
    iggy_u128_t x = cid(71), y = cid(72);
    int fa = connect_node(m, 0), fb;
    uint64_t sa = login(fa, x), sb;

    make_group_topic(fa, x, sa);
    join_workers(fa, x, sa, 4);
    restart(m, fa);
    fb = connect_node(m, 0);
    sb = login(fb, y);
    /* The restored member of x has no connection: no heartbeat ever evicts it. */
    test_sleep_ms(600);
    expect_members(fb, y, sb, 1, (const uint32_t[]){3}, (const uint32_t *const[]){all3});
    expect_sync(fb, y, sb, NULL, 0);
    /* y joins as an extra member; the ghost keeps its share, and nobody else reads it. */
    join_workers(fb, y, sb, 1);
    expect_members(fb, y, sb, 2, (const uint32_t[]){2, 1},
                   (const uint32_t *const[]){first2, last1});
    expect_sync(fb, y, sb, last1, 1);
    ck_assert_int_eq(group_poll(fb, y, sb, 2), 2);
    ck_assert_int_eq(group_poll(fb, y, sb, 0), -1);
    ck_assert_int_eq(group_poll(fb, y, sb, 1), -1);
    close(fb);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(running_server_close_leaves_groups_unless_resumed_elsewhere)
{
    iggy_mock_t *m = start_mock(1, 0);
    iggy_u128_t x = cid(73), y = cid(74);
    int fa = connect_node(m, 0), fb = connect_node(m, 0), fc;
    uint64_t sa = login(fa, x), sb = login(fb, y), sc;
    frame_t f;

    make_group_topic(fa, x, sa);
    join_workers(fa, x, sa, 4);
    join_workers(fb, y, sb, 1);
    expect_members(fb, y, sb, 2, (const uint32_t[]){2, 1},
                   (const uint32_t *const[]){first2, last1});
    /* A close on a running server logs x out: it leaves the group at once. */
    close(fa);
    wait_connections(m, 1);
    expect_members(fb, y, sb, 1, (const uint32_t[]){3}, (const uint32_t *const[]){all3});
    /* x's entry went with it: logging in with x again is a new client, no member, and a
     * fresh watermark (id 1 applies). */
    fa = connect_node(m, 0);
    sa = login(fa, x);
    expect_sync(fa, x, sa, NULL, 0);
    join_workers(fa, x, sa, 1);
    expect_members(fb, y, sb, 2, (const uint32_t[]){1, 2}, /* x is member 0 again */
                   (const uint32_t *const[]){last1, first2});
    /* A login with x on another connection while fa is open takes the entry over (the
     * server's bind_session): still two members, x's now fc's; fa is unbound, and its
     * close logs nobody out. */
    fc = connect_node(m, 0);
    sc = login(fc, x);
    ck_assert_uint_gt(sc, sa);
    expect_sync(fc, x, sc, last1, 1);
    send_req(fa, x, 2, IGGY_OP_NON_REPLICATED, sa, iggy_cmds[IGGY_CMD_GET_ME].code, NULL, 0);
    must_frame(fa, &f);
    assert_status(&f, 40);
    send_req(fa, x, 2, iggy_cmds[IGGY_CMD_LEAVE_CONSUMER_GROUP].operation, sa, 0, NULL, 0);
    must_frame(fa, &f);
    assert_eviction(&f, 1);
    assert_closed(fa, 3000);
    close(fa);
    wait_connections(m, 2);
    expect_sync(fc, x, sc, last1, 1);
    expect_members(fb, y, sb, 2, (const uint32_t[]){1, 2},
                   (const uint32_t *const[]){last1, first2});
    close(fc);
    close(fb);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(restart_then_another_user_cannot_take_a_client_id)
{
    iggy_mock_t *m = start_mock(1, 0);
    iggy_u128_t x = cid(75), z = cid(76);
    int fa = connect_node(m, 0), fb, fc;
    uint64_t sa = login(fa, x), sc;
    iggy_writer_t w;
    frame_t f;

    make_group_topic(fa, x, sa);
    join_workers(fa, x, sa, 4);
    w = test_writer();
    iggy_enc_create_user(&w, "alice", "secret", IGGY_USER_ACTIVE, NULL);
    rpc_ok(fa, x, sa, 5, IGGY_CMD_CREATE_USER, &w);
    restart(m, fa);
    /* alice's credentials are good, but x belongs to root: refused, Eviction(SessionError),
     * as the real server answers ClientIdOwnedByAnotherUser. */
    fb = connect_node(m, 0);
    login_frame(fb, x, "alice", "secret", &f);
    assert_eviction(&f, 12);
    ck_assert_uint_eq(f.body_len, 0);
    assert_closed(fb, 3000);
    close(fb);
    /* The entry is untouched: still root's member, and root resumes it. */
    fc = connect_node(m, 0);
    sc = login(fc, z);
    expect_members(fc, z, sc, 1, (const uint32_t[]){3}, (const uint32_t *const[]){all3});
    close(fc);
    fc = connect_node(m, 0);
    sc = login(fc, x);
    expect_sync(fc, x, sc, all3, 3);
    expect_members(fc, x, sc, 1, (const uint32_t[]){3}, (const uint32_t *const[]){all3});
    close(fc);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- TLS ---- */

/* A TLS transport's full request/reply exchange. */
static void tls_exchange(iggy_transport_t *tr, const uint8_t *frame, size_t n, frame_t *out)
{
    struct iovec iov = {(void *)frame, n};
    int64_t deadline = iggy_now_ms() + 3000;
    uint32_t size;
    ck_assert_int_eq(tr->ops->writev(tr->ctx, &iov, 1, deadline), IGGY_OK);
    ck_assert_int_eq(tr->ops->read(tr->ctx, out->hdr, HDR, deadline), IGGY_OK);
    size = iggy_le32(out->hdr + OFF_SIZE);
    out->body_len = size - HDR;
    out->body = out->body_len ? malloc(out->body_len) : NULL;
    if (out->body_len)
        ck_assert_int_eq(tr->ops->read(tr->ctx, out->body, out->body_len, deadline), IGGY_OK);
}

START_TEST(tls_login)
{
    test_pki_t pki;
    iggy_mock_opts_t o;
    iggy_mock_t *m = NULL;
    iggy_transport_t tr;
    iggy_tls_opts_t to;
    frame_t fr;
    int fd;

    test_pki_create(&pki);
    memset(&o, 0, sizeof o);
    o.tls_cert_file = pki.cert_path;
    o.tls_key_file = pki.ca_path; /* wrong key: refused up front */
    ck_assert_int_eq(iggy_mock_new(&o, &m), IGGY_ERR__INVALID_ARG);
    o.tls_key_file = "/nonexistent/key.pem";
    ck_assert_int_eq(iggy_mock_new(&o, &m), IGGY_ERR__INVALID_ARG);
    o.tls_key_file = pki.key_path;
    ck_assert_int_eq(iggy_mock_new(&o, &m), IGGY_OK);

    memset(&to, 0, sizeof to);
    to.ca_file = pki.ca_path;
    to.verify = true;
    for (int i = 0; i < 2; i++) {
        to.server_name = i ? "127.0.0.1" : "localhost";
        ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", iggy_mock_port(m, 0), 2000, true, &fd),
                         IGGY_OK);
        ck_assert_int_eq(iggy_tls_transport_new(fd, &to, iggy_now_ms() + 3000, &tr), IGGY_OK);
        tls_exchange(&tr, vector_get("login_register_request")->bytes, 286, &fr);
        ck_assert_int_eq(fr.hdr[OFF_COMMAND], IGGY_FRAME_REPLY);
        ck_assert_uint_eq(iggy_le32(fr.hdr + OFF_REP_STATUS), 0);
        ck_assert_uint_gt(iggy_le64(fr.body + 8), 0);
        free(fr.body);
        tls_exchange(&tr, vector_get("ping_request")->bytes, HDR, &fr);
        ck_assert_uint_eq(iggy_le32(fr.hdr + OFF_REP_STATUS), 0);
        tr.ops->destroy(tr.ctx);
    }
    /* A plain-TCP client gets no Iggy reply from a TLS node. */
    fd = connect_node(m, 0);
    send_all(fd, vector_get("ping_request")->bytes, HDR);
    {
        uint8_t b[HDR];
        int r = recv_exact(fd, b, HDR, 500);
        ck_assert(r != 1 || b[OFF_COMMAND] != IGGY_FRAME_REPLY);
    }
    close(fd);
    iggy_mock_destroy(m);
    test_pki_destroy(&pki);
}
END_TEST

/* ---- lifecycle ---- */

START_TEST(connection_count_tracks_clients)
{
    iggy_mock_t *m = start_mock(2, 0);
    int fd[4];
    ck_assert_uint_eq(iggy_mock_connection_count(m), 0);
    for (int i = 0; i < 4; i++)
        fd[i] = connect_node(m, (uint32_t)i % 2);
    wait_connections(m, 4);
    (void)login(fd[0], cid(70));
    close(fd[0]);
    close(fd[1]);
    wait_connections(m, 2);
    close(fd[2]);
    close(fd[3]);
    wait_connections(m, 0);
    iggy_mock_destroy(m);
}
END_TEST

/* ---- concurrency: requests on different connections overlap ---- */

/* One Ping and its reply on a raw connection; no Check asserts off the main thread. */
typedef struct ping_job {
    int fd;
    const test_vector_t *ping; /* looked up on the main thread: the vector table loads lazily */
    bool ok;
} ping_job_t;

static void *ping_once(void *arg)
{
    ping_job_t *j = arg;
    uint8_t hdr[HDR];
    j->ok = send(j->fd, j->ping->bytes, j->ping->len, MSG_NOSIGNAL) == (ssize_t)j->ping->len &&
            recv_exact(j->fd, hdr, HDR, 3000) == 1 && hdr[OFF_COMMAND] == IGGY_FRAME_REPLY &&
            iggy_le32(hdr + OFF_SIZE) == HDR && iggy_le32(hdr + OFF_REP_STATUS) == 0;
    return NULL;
}

START_TEST(in_flight_max_counts_concurrent_requests)
{
    iggy_mock_t *m = start_mock(1, 0);
    const test_vector_t *ping = vector_get("ping_request");
    ping_job_t job[2];
    pthread_t th[2];

    ck_assert_uint_eq(iggy_mock_in_flight_max(m), 0);
    for (int i = 0; i < 2; i++)
        job[i] = (ping_job_t){connect_node(m, 0), ping, false};
    /* Each Ping waits 300 ms in the mock: both are held at once only if a DELAY does not
     * block the other connection. */
    ck_assert_int_eq(iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_DELAY, 300, 2), IGGY_OK);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, ping_once, &job[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(job[i].ok, "ping %d got no reply", i);
    }
    ck_assert_uint_eq(iggy_mock_in_flight_max(m), 2);

    /* A reply reaches the client just before its connection thread stops counting it. */
    test_sleep_ms(100);
    iggy_mock_reset_in_flight_max(m);
    ck_assert_uint_eq(iggy_mock_in_flight_max(m), 0);
    ping_once(&job[0]);
    ck_assert(job[0].ok);
    ck_assert_uint_eq(iggy_mock_in_flight_max(m), 1);
    close(job[0].fd);
    close(job[1].fd);
    iggy_mock_destroy(m);
}
END_TEST

START_TEST(destroy_with_clients_connected)
{
    int fd[6];
    test_leak_guard_t guard;
    iggy_mock_t *m = start_mock(1, 0);
    /* Warm-up: sanitizer runtimes start helper threads on first use. */
    iggy_mock_destroy(m);
    test_leak_guard_begin(&guard);
    m = start_mock(3, 0);
    for (int i = 0; i < 6; i++) {
        fd[i] = connect_node(m, (uint32_t)i % 3);
        if (i % 2)
            (void)login(fd[i], cid(80 + (uint64_t)i));
    }
    /* One mid-fault and one mid-frame: destroy must still return promptly. */
    iggy_mock_push_fault(m, 1, 0, IGGY_MOCK_FAULT_DELAY, 60000, 1);
    ping(fd[0], 1);
    send_all(fd[2], vector_get("ping_request")->bytes, 100);
    iggy_mock_push_fault(m, 0, 0, IGGY_MOCK_FAULT_TRUNCATED, 0, 1);
    ping(fd[4], 1);
    wait_connections(m, 6);
    test_sleep_ms(50);
    {
        int64_t t0 = iggy_now_ms();
        iggy_mock_destroy(m);
        ck_assert_int_lt(iggy_now_ms() - t0, 2000);
    }
    for (int i = 0; i < 6; i++) {
        assert_closed(fd[i], 3000);
        close(fd[i]);
    }
    test_leak_guard_end(&guard);
}
END_TEST

START_TEST(bad_options)
{
    iggy_mock_opts_t o;
    iggy_mock_t *m = NULL, *m2 = NULL;
    memset(&o, 0, sizeof o);
    o.nodes = 9;
    ck_assert_int_eq(iggy_mock_new(&o, &m), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_mock_new(NULL, NULL), IGGY_ERR__INVALID_ARG);
    o.nodes = 0;
    o.tls_cert_file = "/nonexistent";
    ck_assert_int_eq(iggy_mock_new(&o, &m), IGGY_ERR__INVALID_ARG);
    /* A busy port. */
    ck_assert_int_eq(iggy_mock_new(NULL, &m), IGGY_OK);
    memset(&o, 0, sizeof o);
    o.port = iggy_mock_port(m, 0);
    ck_assert_int_eq(iggy_mock_new(&o, &m2), IGGY_ERR__TRANSPORT);
    ck_assert_ptr_null(m2);
    ck_assert_int_eq(iggy_mock_set_down(m, 1), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_mock_set_down(m, 0), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_down(m, 0), IGGY_OK); /* already down */
    iggy_mock_destroy(m);
    iggy_mock_destroy(NULL);
}
END_TEST

static Suite *mock_server_suite(void)
{
    Suite *s = suite_create("mock_server");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 20);
    tcase_add_test(t, ping_before_login);
    tcase_add_test(t, login_register);
    tcase_add_test(t, login_wrong_password);
    tcase_add_test(t, login_incompatible_version);
    tcase_add_test(t, legacy_login);
    tcase_add_test(t, unauthenticated_read_denied);
    tcase_add_test(t, replicated_before_login_evicts);
    tcase_add_test(t, bad_checksum_status_4);
    tcase_add_test(t, invalid_header_silence);
    tcase_add_test(t, bad_size_or_command_closes);
    tcase_add_test(t, code_routing);
    tcase_add_test(t, metadata_dedup);
    tcase_add_test(t, fault_57_then_replay_applies_once);
    tcase_add_test(t, fault_kinds);
    tcase_add_test(t, reply_shaping_on_the_wire);
    tcase_add_test(t, cluster_leader);
    tcase_add_test(t, node_down_up);
    tcase_add_test(t, heartbeat_evicts_silent_member);
    tcase_add_test(t, restart_keeps_sessions_and_a_login_resumes_them);
    tcase_add_test(t, restart_then_a_new_client_id_is_an_extra_member);
    tcase_add_test(t, running_server_close_leaves_groups_unless_resumed_elsewhere);
    tcase_add_test(t, restart_then_another_user_cannot_take_a_client_id);
    tcase_add_test(t, tls_login);
    tcase_add_test(t, connection_count_tracks_clients);
    tcase_add_test(t, in_flight_max_counts_concurrent_requests);
    tcase_add_test(t, destroy_with_clients_connected);
    tcase_add_test(t, bad_options);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return test_run_suite(mock_server_suite());
}
