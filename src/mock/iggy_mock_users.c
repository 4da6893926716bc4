/* Login, logout, users and personal access tokens (framing-and-session.md §8, §11). */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "iggy_alloc.h"
#include "mock/iggy_mock_state_internal.h"

/* ---------------------------------------------------------------- login */

static bool user_active(const iggy_mock_user_t *u)
{
    return u->status != IGGY_USER_INACTIVE; /* unknown status bytes count as Active */
}

/* Password shape: [username u8 1..255][password u8 0..255][context u32 + bytes], exactly. */
static bool parse_password_shape(iggy_reader_t r, iggy_mock_name_t *user, const uint8_t **pw,
                                 uint8_t *pw_len)
{
    uint32_t ctx;
    return iggy_mock_rd_name(&r, user) && iggy_rd_u8(&r, pw_len) == IGGY_OK &&
           iggy_rd_bytes(&r, *pw_len, pw) == IGGY_OK && iggy_rd_u32(&r, &ctx) == IGGY_OK &&
           iggy_rd_skip(&r, ctx) == IGGY_OK && iggy_rd_end(&r) == IGGY_OK;
}

/* PAT shape: [token u8 1..255][context u32 + bytes], exactly. */
static bool parse_pat_shape(iggy_reader_t r, const uint8_t **tok, uint8_t *tok_len)
{
    uint32_t ctx;
    return iggy_rd_u8(&r, tok_len) == IGGY_OK && *tok_len > 0 &&
           iggy_rd_bytes(&r, *tok_len, tok) == IGGY_OK && iggy_rd_u32(&r, &ctx) == IGGY_OK &&
           iggy_rd_skip(&r, ctx) == IGGY_OK && iggy_rd_end(&r) == IGGY_OK;
}

static iggy_mock_user_t *check_password(iggy_mock_state_t *st, const iggy_mock_name_t *name,
                                        const uint8_t *pw, uint8_t pw_len)
{
    iggy_identifier_t id = {name->s, 0};
    iggy_mock_user_t *u;
    if (name->len < 3 || name->len > 50 || pw_len < 3 || pw_len > 100)
        return NULL;
    u = iggy_mock_user_by_id(st, &id, name);
    if (!u || u->password_len != pw_len || memcmp(u->password, pw, pw_len) != 0 || !user_active(u))
        return NULL;
    return u;
}

static iggy_mock_user_t *find_token(iggy_mock_state_t *st, const uint8_t *tok, uint8_t len,
                                    uint64_t now, iggy_mock_pat_t **pat)
{
    for (size_t i = 0; i < st->users_cap; i++) {
        iggy_mock_user_t *u = st->users[i];
        for (size_t j = 0; u && j < u->pats_count; j++) {
            iggy_mock_pat_t *p = &u->pats[j];
            if (strlen(p->token) == len && memcmp(p->token, tok, len) == 0) {
                if (p->expiry_at && now >= p->expiry_at)
                    return NULL; /* expired: same eviction as unknown */
                *pat = p;
                return u;
            }
        }
    }
    return NULL;
}

/* Register (codes 40 and 45): the processing order of §8.5. */
iggy_mock_outcome_t iggy_mock_h_login(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    uint32_t version;
    iggy_mock_name_t sdk_name, sdk_version, user_name;
    const uint8_t *pw, *tok;
    uint8_t pw_len, tok_len;
    bool password_shape, pat_shape;
    iggy_mock_user_t *u = NULL;
    iggy_mock_conn_t *c = call->conn;
    iggy_writer_t *w = call->out;

    if (iggy_rd_u32(r, &version) != IGGY_OK || !iggy_mock_rd_name(r, &sdk_name) ||
        !iggy_mock_rd_name(r, &sdk_version))
        return iggy_mock_evict(EVICT_MALFORMED_LOGIN);
    if (version < MOCK_PROTOCOL_VERSION || (version >> 10) > (MOCK_PROTOCOL_VERSION >> 10))
        return iggy_mock_evict(EVICT_INCOMPATIBLE_PROTOCOL); /* the core writes the window */

    password_shape = parse_password_shape(*r, &user_name, &pw, &pw_len);
    if (password_shape)
        u = check_password(call->st, &user_name, pw, pw_len);
    if (!u) {
        pat_shape = parse_pat_shape(*r, &tok, &tok_len);
        if (pat_shape) {
            iggy_mock_pat_t *pat = NULL;
            u = find_token(call->st, tok, tok_len, call->now_us, &pat);
            if (!u)
                return iggy_mock_evict(EVICT_INVALID_TOKEN);
            if (!user_active(u))
                return iggy_mock_evict(EVICT_USER_INACTIVE);
        } else {
            return iggy_mock_evict(password_shape ? EVICT_INVALID_CREDENTIALS
                                                  : EVICT_MALFORMED_LOGIN);
        }
    }
    /* An already bound connection keeps its identity and session. */
    if (!c->authenticated) {
        /* Register (metadata.rs submit_register_in_process, client_table.rs commit_register):
         * an entry of the presented client id is resumed when the authenticated user owns
         * it, with its memberships, watermark and replies; owned by another user, the
         * login is refused (terminal ClientIdOwnedByAnotherUser, surfaced by auth.rs as
         * Eviction(SessionError)). Every bind commits a Register, so a resume gets a new,
         * higher session too (its op) and the previous holder is fenced. */
        iggy_mock_client_t *e = iggy_mock_client_find(call->st, &c->client_id);
        if (e && e->user_id != u->id)
            return iggy_mock_evict(EVICT_SESSION_ERROR);
        if (!e && !(e = iggy_mock_client_new(call->st, &c->client_id, u->id)))
            return iggy_mock_evict(EVICT_SESSION_ERROR); /* no memory */
        e->epoch = iggy_mock_next_op(call->st);
        iggy_mock_client_bind(call->st, e, c);
    }
    iggy_wr_u32(w, c->user_id);                                            /* 0  user_id */
    iggy_wr_u64(w, c->session);                                            /* 4  session */
    iggy_wr_u32(w, MOCK_PROTOCOL_VERSION);                                 /* 12 protocol */
    iggy_wr_u8(w, (uint8_t)(sizeof MOCK_SERVER_VERSION - 1));              /* 16 version_len */
    iggy_wr_bytes(w, MOCK_SERVER_VERSION, sizeof MOCK_SERVER_VERSION - 1); /* 17 version */
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_logout(iggy_mock_call_t *call)
{
    /* An unbound connection gets an empty ok reply (§8.7). */
    if (call->conn->authenticated) {
        iggy_mock_next_op(call->st);
        iggy_mock_state_logged_out(call->st, call->conn);
    }
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- permissions blocks */

/* Decode a permissions block of exactly len bytes into u (two-pass arena). */
static bool set_perms(iggy_mock_user_t *u, const uint8_t *p, size_t len)
{
    iggy_reader_t r;
    iggy_arena_t a = {NULL, 0, 0, 0};
    iggy_permissions_t tmp;
    void *block;

    iggy_rd_init(&r, p, len, "permissions");
    if (iggy_dec_permissions(&r, &a, len, &tmp) != IGGY_OK)
        return false;
    block = iggy_mock_alloc(a.used + 16);
    if (!block)
        return false;
    a.base = block;
    a.cap = a.used + 16;
    a.used = 0;
    iggy_rd_init(&r, p, len, "permissions");
    if (iggy_dec_permissions(&r, &a, len, &tmp) != IGGY_OK) {
        iggy_mock_free(block);
        return false;
    }
    iggy_mock_free(u->perms_block);
    u->perms_block = block;
    u->perms = tmp;
    u->has_perms = true;
    return true;
}

static void clear_perms(iggy_mock_user_t *u)
{
    iggy_mock_free(u->perms_block);
    u->perms_block = NULL;
    memset(&u->perms, 0, sizeof u->perms);
    u->has_perms = false;
}

/* [has u8]([len u32][block] if has == 1); a fresh user or NULL validates only. */
static bool rd_optional_perms(iggy_reader_t *r, bool *has, const uint8_t **p, uint32_t *len)
{
    uint8_t flag;
    if (iggy_rd_u8(r, &flag) != IGGY_OK || flag > 1)
        return false;
    *has = flag == 1;
    *p = NULL;
    *len = 0;
    if (!*has)
        return true;
    if (iggy_rd_u32(r, len) != IGGY_OK || iggy_rd_bytes(r, *len, p) != IGGY_OK)
        return false;
    {
        iggy_mock_user_t probe;
        memset(&probe, 0, sizeof probe);
        if (!set_perms(&probe, *p, *len))
            return false;
        iggy_mock_free(probe.perms_block);
    }
    return true;
}

/* ---------------------------------------------------------------- users */

static bool name_taken(iggy_mock_state_t *st, const iggy_mock_name_t *n,
                       const iggy_mock_user_t *except)
{
    for (size_t i = 0; i < st->users_cap; i++) {
        iggy_mock_user_t *u = st->users[i];
        if (u && u != except && iggy_mock_name_eq(&u->name, (const uint8_t *)n->s, n->len))
            return true;
    }
    return false;
}

iggy_mock_outcome_t iggy_mock_h_get_user(iggy_mock_call_t *call)
{
    iggy_identifier_t id;
    iggy_mock_name_t n;
    iggy_mock_user_t *u;
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_id(&call->body, &id, &n) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    u = iggy_mock_user_by_id(call->st, &id, &n);
    /* Reading yourself is always allowed. */
    if (!(u && u->id == call->conn->user_id) &&
        !iggy_mock_call_allowed(call, PERM_READ_USERS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    if (u)
        iggy_mock_wr_user(call->out, u, true);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_get_users(iggy_mock_call_t *call)
{
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_call_allowed(call, PERM_READ_USERS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t i = 0; i < call->st->users_cap; i++)
        if (call->st->users[i])
            iggy_mock_wr_user(call->out, call->st->users[i], false);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_create_user(iggy_mock_call_t *call)
{
    iggy_mock_state_t *st = call->st;
    iggy_reader_t *r = &call->body;
    iggy_mock_name_t name;
    uint8_t pw_len, status;
    const uint8_t *pw, *perms;
    uint32_t perms_len;
    bool has_perms;
    iggy_mock_outcome_t o;
    iggy_mock_user_t *u;
    size_t id;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_name(r, &name) || iggy_rd_u8(r, &pw_len) != IGGY_OK ||
        iggy_rd_bytes(r, pw_len, &pw) != IGGY_OK || iggy_rd_u8(r, &status) != IGGY_OK ||
        !rd_optional_perms(r, &has_perms, &perms, &perms_len))
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_rd_no_options(r, &o))
        return o;
    iggy_mock_next_op(st);
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_USERS, 0, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    if (name.len < 3 || name.len > 50)
        return iggy_mock_reject(E_INVALID_USERNAME);
    if (name_taken(st, &name, NULL))
        return iggy_mock_reject(E_USER_ALREADY_EXISTS);
    for (id = 0; id < st->users_cap && st->users[id]; id++)
        ;
    if (!iggy_mock_reserve((void **)&st->users, &st->users_cap, id + 1, sizeof(iggy_mock_user_t *)))
        return iggy_mock_reject(E_ERROR);
    u = iggy_mock_calloc(1, sizeof *u);
    if (!u)
        return iggy_mock_reject(E_ERROR);
    u->id = (uint32_t)id;
    u->created_at = call->now_us;
    u->status = status; /* echoed raw; unknown values behave as Active */
    u->name = name;
    u->password_len = pw_len;
    memcpy(u->password, pw, pw_len);
    if (has_perms && !set_perms(u, perms, perms_len)) {
        iggy_mock_free(u);
        return iggy_mock_reject(E_ERROR);
    }
    st->users[id] = u;
    iggy_mock_wr_user(call->out, u, true);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_delete_user(iggy_mock_call_t *call)
{
    iggy_identifier_t id;
    iggy_mock_name_t n;
    iggy_mock_user_t *u;
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_id(&call->body, &id, &n) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_USERS, 0, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    u = iggy_mock_user_by_id(call->st, &id, &n);
    if (!u)
        return iggy_mock_reject(E_RESOURCE_NOT_FOUND);
    if (u->id == 0)
        return iggy_mock_reject(E_CANNOT_DELETE_USER);
    call->st->users[u->id] = NULL;
    iggy_mock_free(u->perms_block);
    iggy_mock_free(u->pats);
    iggy_mock_free(u);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_update_user(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    iggy_identifier_t id;
    iggy_mock_name_t n, new_name;
    uint8_t has_name, has_status, status = 0;
    iggy_mock_outcome_t o;
    iggy_mock_user_t *u;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_id(r, &id, &n) || iggy_rd_u8(r, &has_name) != IGGY_OK || has_name > 1 ||
        (has_name && !iggy_mock_rd_name(r, &new_name)) || iggy_rd_u8(r, &has_status) != IGGY_OK ||
        has_status > 1 || (has_status && iggy_rd_u8(r, &status) != IGGY_OK))
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_rd_no_options(r, &o))
        return o;
    iggy_mock_next_op(call->st);
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_USERS, 0, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    u = iggy_mock_user_by_id(call->st, &id, &n);
    if (!u)
        return iggy_mock_reject(E_RESOURCE_NOT_FOUND);
    if (has_name) {
        if (new_name.len < 3 || new_name.len > 50)
            return iggy_mock_reject(E_INVALID_USERNAME);
        if (name_taken(call->st, &new_name, u))
            return iggy_mock_reject(E_USER_ALREADY_EXISTS);
        u->name = new_name;
    }
    if (has_status)
        u->status = status;
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_update_permissions(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    iggy_identifier_t id;
    iggy_mock_name_t n;
    bool has;
    const uint8_t *p;
    uint32_t len;
    iggy_mock_user_t *u;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_id(r, &id, &n) || !rd_optional_perms(r, &has, &p, &len) ||
        iggy_rd_end(r) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_USERS, 0, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    u = iggy_mock_user_by_id(call->st, &id, &n);
    if (!u)
        return iggy_mock_reject(E_RESOURCE_NOT_FOUND);
    if (u->id == 0)
        return iggy_mock_reject(E_CANNOT_CHANGE_PERMISSIONS);
    if (has) {
        if (!set_perms(u, p, len))
            return iggy_mock_reject(E_ERROR);
    } else {
        clear_perms(u);
    }
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_change_password(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    iggy_identifier_t id;
    iggy_mock_name_t n;
    uint8_t cur_len, new_len;
    const uint8_t *cur, *np;
    iggy_mock_user_t *u;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_id(r, &id, &n) || iggy_rd_u8(r, &cur_len) != IGGY_OK ||
        iggy_rd_bytes(r, cur_len, &cur) != IGGY_OK || iggy_rd_u8(r, &new_len) != IGGY_OK ||
        iggy_rd_bytes(r, new_len, &np) != IGGY_OK || iggy_rd_end(r) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    u = iggy_mock_user_by_id(call->st, &id, &n);
    /* Changing your own password is always allowed. */
    if (!(u && u->id == call->conn->user_id) &&
        !iggy_mock_call_allowed(call, PERM_MANAGE_USERS, 0, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    if (!u)
        return iggy_mock_reject(E_RESOURCE_NOT_FOUND);
    if (u->password_len != cur_len || memcmp(u->password, cur, cur_len) != 0)
        return iggy_mock_reject(E_INVALID_CREDENTIALS);
    u->password_len = new_len;
    memcpy(u->password, np, new_len);
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- personal access tokens */

static iggy_mock_user_t *caller(iggy_mock_call_t *call)
{
    uint32_t id = call->conn->user_id;
    return id < call->st->users_cap ? call->st->users[id] : NULL;
}

iggy_mock_outcome_t iggy_mock_h_get_pats(iggy_mock_call_t *call)
{
    iggy_mock_user_t *u;
    MOCK_REQUIRE_AUTH(call);
    u = caller(call);
    for (size_t i = 0; u && i < u->pats_count; i++) {
        iggy_mock_wr_name(call->out, &u->pats[i].name); /* [name_len u8][name] */
        iggy_wr_u64(call->out, u->pats[i].expiry_at);   /* absolute µs, 0 = never */
    }
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_create_pat(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    iggy_mock_name_t name;
    uint64_t expiry;
    uint8_t raw[50];
    unsigned char b64[MOCK_PAT_TOKEN_LEN + 1];
    iggy_mock_user_t *u;
    iggy_mock_pat_t *p;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_name(r, &name) || iggy_rd_u64(r, &expiry) != IGGY_OK ||
        iggy_rd_end(r) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    u = caller(call);
    if (!u)
        return iggy_mock_status(E_RESOURCE_NOT_FOUND);
    if (u->pats_count >= MOCK_MAX_PATS_PER_USER)
        return iggy_mock_status(E_PAT_LIMIT); /* checked before consensus */
    iggy_mock_next_op(call->st);
    for (size_t i = 0; i < u->pats_count; i++)
        if (iggy_mock_name_eq(&u->pats[i].name, (const uint8_t *)name.s, name.len))
            return iggy_mock_reject(E_PAT_ALREADY_EXISTS);
    if (RAND_bytes(raw, sizeof raw) != 1 ||
        EVP_EncodeBlock(b64, raw, (int)sizeof raw) != (int)MOCK_PAT_TOKEN_LEN)
        return iggy_mock_reject(E_ERROR);
    p = iggy_mem_realloc(u->pats, (u->pats_count + 1) * sizeof *p);
    if (!p)
        return iggy_mock_reject(E_ERROR);
    u->pats = p;
    p = &u->pats[u->pats_count++];
    memset(p, 0, sizeof *p);
    p->name = name;
    memcpy(p->token, b64, MOCK_PAT_TOKEN_LEN);
    p->token[MOCK_PAT_TOKEN_LEN] = '\0';
    /* A µs duration; 0 (server default) and u64::MAX mean never; overflow too. */
    p->expiry_at = (expiry == 0 || expiry > UINT64_MAX - call->now_us) ? 0 : call->now_us + expiry;
    iggy_wr_u8(call->out, (uint8_t)MOCK_PAT_TOKEN_LEN); /* [token_len u8][token] */
    iggy_wr_bytes(call->out, p->token, MOCK_PAT_TOKEN_LEN);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_delete_pat(iggy_mock_call_t *call)
{
    iggy_mock_name_t name;
    iggy_mock_user_t *u;
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_name(&call->body, &name) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    u = caller(call);
    for (size_t i = 0; u && i < u->pats_count; i++) {
        if (iggy_mock_name_eq(&u->pats[i].name, (const uint8_t *)name.s, name.len)) {
            memmove(&u->pats[i], &u->pats[i + 1],
                    (u->pats_count - i - 1) * sizeof(iggy_mock_pat_t));
            u->pats_count--;
            return iggy_mock_ok();
        }
    }
    return iggy_mock_reject(E_RESOURCE_NOT_FOUND);
}
