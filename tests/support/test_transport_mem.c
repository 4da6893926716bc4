#include "test_transport_mem.h"

#include <string.h>

#include "codec/iggy_frame.h"
#include "codec/iggy_writer.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

typedef struct chunk {
    uint8_t *data;
    size_t len;
    int echo;
} chunk_t;

struct iggy_mem_transport {
    chunk_t *replies;
    size_t nreplies, replies_cap, cur, cur_off;
    chunk_t *requests;
    size_t nrequests, requests_cap;
    iggy_err_t fail_next;
};

static iggy_err_t append(chunk_t **arr, size_t *n, size_t *cap, const uint8_t *p, size_t len,
                         int echo)
{
    uint8_t *copy;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        chunk_t *grown = iggy_mem_realloc(*arr, ncap * sizeof **arr);
        if (!grown)
            return iggy_fail(IGGY_ERR__NO_MEMORY, "mem transport: no memory");
        *arr = grown;
        *cap = ncap;
    }
    copy = iggy_mem_alloc(len);
    if (!copy)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mem transport: no memory");
    memcpy(copy, p, len);
    (*arr)[*n].data = copy;
    (*arr)[*n].len = len;
    (*arr)[*n].echo = echo;
    (*n)++;
    return IGGY_OK;
}

iggy_err_t iggy_mem_transport_new(iggy_mem_transport_t **out)
{
    *out = iggy_mem_calloc(1, sizeof **out);
    return *out ? IGGY_OK : iggy_fail(IGGY_ERR__NO_MEMORY, "mem transport: no memory");
}

iggy_err_t iggy_mem_transport_push(iggy_mem_transport_t *t, const uint8_t *frame, size_t len,
                                   int echo)
{
    return append(&t->replies, &t->nreplies, &t->replies_cap, frame, len, echo);
}

void iggy_mem_transport_fail_next_read(iggy_mem_transport_t *t, iggy_err_t err)
{
    t->fail_next = err;
}

const uint8_t *iggy_mem_transport_request(const iggy_mem_transport_t *t, size_t n, size_t *len)
{
    if (n >= t->nrequests)
        return NULL;
    *len = t->requests[n].len;
    return t->requests[n].data;
}

size_t iggy_mem_transport_request_count(const iggy_mem_transport_t *t)
{
    return t->nrequests;
}

size_t iggy_mem_transport_pending(const iggy_mem_transport_t *t)
{
    return t->nreplies - t->cur;
}

static iggy_err_t mem_writev(void *ctx, const struct iovec *iov, int iovcnt, int64_t deadline)
{
    iggy_mem_transport_t *t = ctx;
    size_t total = 0, off = 0;
    uint8_t *flat;
    iggy_err_t err;
    (void)deadline;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    flat = iggy_mem_alloc(total);
    if (!flat)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mem transport: no memory");
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len)
            memcpy(flat + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    err = append(&t->requests, &t->nrequests, &t->requests_cap, flat, total, 0);
    iggy_mem_free(flat);
    return err;
}

static iggy_err_t mem_read(void *ctx, uint8_t *buf, size_t n, int64_t deadline)
{
    iggy_mem_transport_t *t = ctx;
    (void)deadline;
    if (t->fail_next != IGGY_OK) {
        iggy_err_t err = t->fail_next;
        t->fail_next = IGGY_OK;
        return iggy_fail(err, "mem transport: injected read failure");
    }
    while (n > 0) {
        chunk_t *c;
        size_t take;
        if (t->cur >= t->nreplies)
            return iggy_fail(IGGY_ERR__TRANSPORT, "mem transport: no more recorded replies");
        c = &t->replies[t->cur];
        if (t->cur_off == 0 && c->echo && c->len >= IGGY_HEADER_SIZE && t->nrequests > 0) {
            /* Echo the request id of the last request written, as the server does. */
            const chunk_t *req = &t->requests[t->nrequests - 1];
            if (req->len >= IGGY_HEADER_SIZE)
                memcpy(c->data + 200, req->data + 168, 8);
        }
        take = c->len - t->cur_off < n ? c->len - t->cur_off : n;
        memcpy(buf, c->data + t->cur_off, take);
        buf += take;
        n -= take;
        t->cur_off += take;
        if (t->cur_off == c->len) {
            t->cur++;
            t->cur_off = 0;
        }
    }
    return IGGY_OK;
}

static void mem_close(void *ctx)
{
    (void)ctx;
}

static void free_chunks(chunk_t *arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        iggy_mem_free(arr[i].data);
    iggy_mem_free(arr);
}

static void mem_destroy(void *ctx)
{
    iggy_mem_transport_t *t = ctx;
    free_chunks(t->replies, t->nreplies);
    free_chunks(t->requests, t->nrequests);
    iggy_mem_free(t);
}

/* No check_quiet: a script queues its replies before the requests they answer. */
static const iggy_transport_ops_t mem_ops = {
    .name = "memory",
    .writev = mem_writev,
    .read = mem_read,
    .close = mem_close,
    .destroy = mem_destroy,
};

iggy_transport_t iggy_mem_transport_as_transport(iggy_mem_transport_t *t)
{
    iggy_transport_t tr = {&mem_ops, t};
    return tr;
}
