/* Client counters: relaxed atomics on the call path, a snapshot block for callers. */
#include <string.h>

#include <iggy/client.h>

#include "client/iggy_client_internal.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

#define ADD(field, v) __atomic_add_fetch(&(field), (uint64_t)(v), __ATOMIC_RELAXED)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Table index of a command; raw commands outside the table share the last slot. */
static size_t slot_of(const iggy_cmd_desc_t *cmd)
{
    if (cmd >= iggy_cmds && cmd < iggy_cmds + IGGY_CMD__NUM)
        return (size_t)(cmd - iggy_cmds);
    return IGGY_CMD__NUM;
}

void iggy_stats_call(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                     iggy_err_t err)
{
    size_t i = slot_of(cmd);
    ADD(c->cmd_requests[i], 1);
    if (err != IGGY_OK)
        ADD(c->cmd_errors[i], 1);
    if (conn) {
        ADD(conn->counters.requests, 1);
        if (err != IGGY_OK)
            ADD(conn->counters.errors, 1);
    }
}

void iggy_stats_exchange(iggy_conn_t *conn, size_t sent, size_t received, int64_t rtt_us)
{
    iggy_conn_counters_t *k = &conn->counters;
    uint64_t rtt = rtt_us > 0 ? (uint64_t)rtt_us : 0, max;
    ADD(k->bytes_sent, sent);
    ADD(k->bytes_received, received);
    ADD(k->rtt_sum_us, rtt);
    ADD(k->rtt_count, 1);
    max = GET(k->rtt_max_us);
    while (rtt > max && !__atomic_compare_exchange_n(&k->rtt_max_us, &max, rtt, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* One connection's row; its sums are added to the client's totals. */
static void connection_row(iggy_conn_t *conn, iggy_connection_stats_t *row, uint64_t *rtt_sum,
                           uint64_t *rtt_count, iggy_client_stats_t *st)
{
    iggy_conn_counters_t *k = &conn->counters;
    uint64_t sum = GET(k->rtt_sum_us), count = GET(k->rtt_count);
    row->index = (uint32_t)conn->index;
    row->requests = GET(k->requests);
    row->errors = GET(k->errors);
    row->bytes_sent = GET(k->bytes_sent);
    row->bytes_received = GET(k->bytes_received);
    row->connects = GET(k->connects);
    row->rtt_avg_us = count ? sum / count : 0;
    row->rtt_max_us = GET(k->rtt_max_us);
    st->bytes_sent += row->bytes_sent;
    st->bytes_received += row->bytes_received;
    st->connects += row->connects;
    if (row->rtt_max_us > st->rtt_max_us)
        st->rtt_max_us = row->rtt_max_us;
    *rtt_sum += sum;
    *rtt_count += count;
}

iggy_err_t iggy_client_stats(iggy_client_t *c, iggy_client_stats_t **out)
{
    iggy_client_stats_t *st;
    iggy_command_stats_t *cmds;
    iggy_connection_stats_t *conns;
    iggy_pool_stats_t ps;
    size_t used = 0;
    uint64_t rtt_sum = 0, rtt_count = 0;

    if (!c || !out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "client stats: NULL argument");
    /* One block: the struct, room for every command row, then one row per connection. */
    st = iggy_result_alloc(sizeof *st + (IGGY_CMD__NUM + 1) * sizeof *cmds +
                           c->nconns * sizeof *conns);
    if (!st)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client stats: no memory");
    cmds = (iggy_command_stats_t *)(void *)(st + 1);
    conns = (iggy_connection_stats_t *)(void *)(cmds + IGGY_CMD__NUM + 1);
    for (size_t i = 0; i <= IGGY_CMD__NUM; i++) {
        uint64_t requests = GET(c->cmd_requests[i]);
        if (!requests)
            continue;
        cmds[used].code = i < IGGY_CMD__NUM ? iggy_cmds[i].code : 0;
        cmds[used].name = i < IGGY_CMD__NUM ? iggy_cmds[i].name : "RawCommand";
        cmds[used].requests = requests;
        cmds[used].errors = GET(c->cmd_errors[i]);
        st->requests += requests;
        st->errors += cmds[used].errors;
        used++;
    }
    st->commands_count = used;
    st->commands = used ? cmds : NULL;
    for (size_t i = 0; i < c->nconns; i++)
        connection_row(&c->conns[i], &conns[i], &rtt_sum, &rtt_count, st);
    st->connections_count = c->nconns;
    st->connections = conns;
    st->rtt_avg_us = rtt_count ? rtt_sum / rtt_count : 0;
    iggy_pool_get_stats(c->pool, &ps);
    st->pool_borrows = ps.borrows;
    st->pool_misses = ps.misses;
    st->pool_in_use = ps.in_use;
    st->pool_high_water = ps.high_water;
    *out = st;
    return IGGY_OK;
}
