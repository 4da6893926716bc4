/* Login, users, permissions and personal access tokens (framing-and-session.md §8, §11). */
#include <iggy/types.h>

#include <stdalign.h>

#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

static void invalid(iggy_writer_t *w, const char *what)
{
    iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "%s", what);
}

/* ---------------------------------------------------------------- encoders */

/* Passwords may be empty on the wire, but a NULL pointer is a caller bug, not "". */
static void enc_password(iggy_writer_t *w, const char *password, const char *what)
{
    if (!password) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "%s is NULL", what);
        return;
    }
    iggy_enc_short_string(w, password, what);
}

/* iggy_enc_permissions trusts its input: reject NULL arrays behind non-zero counts. */
static int permissions_valid(iggy_writer_t *w, const iggy_permissions_t *p)
{
    if (p->streams_count && !p->streams) {
        invalid(w, "permissions: streams is NULL but streams_count is not 0");
        return 0;
    }
    for (size_t i = 0; i < p->streams_count; i++) {
        if (p->streams[i].topics_count && !p->streams[i].topics) {
            iggy_wr_failf(w, IGGY_ERR__INVALID_ARG,
                          "permissions: stream %zu has topics_count %zu but topics "
                          "is NULL",
                          i, p->streams[i].topics_count);
            return 0;
        }
    }
    return 1;
}

/* [has_permissions u8]([perm_len u32][permissions] if 1); NULL = none. */
static void enc_optional_permissions(iggy_writer_t *w, const iggy_permissions_t *p)
{
    size_t len;
    if (!p) {
        iggy_wr_u8(w, 0);
        return;
    }
    if (!permissions_valid(w, p))
        return;
    /* A block too big for the u32 cannot fit the 64 MiB frame either: the writer's sticky
     * limit error stops it before anything is sent. */
    len = iggy_permissions_size(p);
    iggy_wr_u8(w, 1);
    iggy_wr_u32(w, (uint32_t)len);
    iggy_enc_permissions(w, p);
}

/* ClientVersionInfo (§8.3), the prefix of both login bodies. */
static void enc_client_version_info(iggy_writer_t *w, uint32_t protocol_version,
                                    const char *sdk_name, const char *sdk_version)
{
    iggy_wr_u32(w, protocol_version);
    iggy_enc_name(w, sdk_name, "sdk name");
    iggy_enc_name(w, sdk_version, "sdk version");
}

void iggy_enc_login_register(iggy_writer_t *w, uint32_t protocol_version, const char *sdk_name,
                             const char *sdk_version, const char *username, const char *password)
{
    enc_client_version_info(w, protocol_version, sdk_name, sdk_version);
    iggy_enc_name(w, username, "username");
    enc_password(w, password, "password");
    iggy_wr_u32(w, 0); /* client_context: length 0, no bytes */
}

void iggy_enc_login_register_with_pat(iggy_writer_t *w, uint32_t protocol_version,
                                      const char *sdk_name, const char *sdk_version,
                                      const char *token)
{
    enc_client_version_info(w, protocol_version, sdk_name, sdk_version);
    iggy_enc_name(w, token, "personal access token");
    iggy_wr_u32(w, 0); /* client_context: length 0, no bytes */
}

void iggy_enc_get_user(iggy_writer_t *w, const iggy_identifier_t *user)
{
    iggy_enc_identifier(w, user);
}

void iggy_enc_create_user(iggy_writer_t *w, const char *username, const char *password,
                          uint8_t status, const iggy_permissions_t *permissions)
{
    iggy_enc_name(w, username, "username");
    enc_password(w, password, "password");
    /* Sent raw: the server treats unknown codes as Active and echoes the byte. */
    iggy_wr_u8(w, status);
    enc_optional_permissions(w, permissions);
    /* Options block: users accept no keys, so it stays empty (0 bytes). */
}

void iggy_enc_delete_user(iggy_writer_t *w, const iggy_identifier_t *user)
{
    iggy_enc_identifier(w, user);
}

void iggy_enc_update_user(iggy_writer_t *w, const iggy_identifier_t *user, const char *username,
                          uint8_t status)
{
    if (status != 0 && status != IGGY_USER_ACTIVE && status != IGGY_USER_INACTIVE) {
        invalid(w, "user status must be 0 (unchanged), 1 (active) or 2 (inactive)");
        return;
    }
    iggy_enc_identifier(w, user);
    iggy_wr_u8(w, username ? 1 : 0);
    if (username)
        iggy_enc_name(w, username, "username");
    iggy_wr_u8(w, status ? 1 : 0);
    if (status)
        iggy_wr_u8(w, status);
    /* Empty options block; no trailing byte: the block runs to the end of the body. */
}

void iggy_enc_update_permissions(iggy_writer_t *w, const iggy_identifier_t *user,
                                 const iggy_permissions_t *permissions)
{
    iggy_enc_identifier(w, user);
    enc_optional_permissions(w, permissions);
}

void iggy_enc_change_password(iggy_writer_t *w, const iggy_identifier_t *user,
                              const char *current_password, const char *new_password)
{
    iggy_enc_identifier(w, user);
    enc_password(w, current_password, "current password");
    enc_password(w, new_password, "new password");
}

void iggy_enc_create_personal_access_token(iggy_writer_t *w, const char *name, uint64_t expiry)
{
    iggy_enc_name(w, name, "personal access token name");
    iggy_wr_u64(w, expiry);
}

void iggy_enc_delete_personal_access_token(iggy_writer_t *w, const char *name)
{
    iggy_enc_name(w, name, "personal access token name");
}

/* ---------------------------------------------------------------- login reply */

static iggy_err_t dec_login(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_login_result_t *l = out;
    IGGY_TRY(iggy_rd_u32(r, &l->user_id)); /* 0 u32, root = 0 */
    IGGY_TRY(iggy_rd_u64(r, &l->session)); /* 4 u64 */
    /* Every later request header needs a session > 0; 0 would be dropped silently. */
    if (l->session == 0)
        return iggy_rd_bad(r, "login session is 0");
    IGGY_TRY(iggy_rd_u32(r, &l->server_protocol_version)); /* 12 u32 packed */
    IGGY_TRY(iggy_dec_name(r, a, &l->server_version, 0));  /* 16 u8 len (1..255) + bytes */
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_login = {"login reply", sizeof(iggy_login_result_t), dec_login};

/* ---------------------------------------------------------------- users */

/* UserResponse: id, created_at, status, username, u32-prefixed options. */
static iggy_err_t dec_user_response(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_user_t *u = out;
    IGGY_TRY(iggy_rd_u32(r, &u->id));                /* +0  u32 */
    IGGY_TRY(iggy_rd_u64(r, &u->created_at));        /* +4  u64 µs */
    IGGY_TRY(iggy_rd_u8(r, &u->status));             /* +12 u8, echoed raw */
    IGGY_TRY(iggy_dec_name(r, a, &u->username, 0));  /* +13 u8 len + username */
    IGGY_TRY(iggy_dec_options32(r, a, &u->options)); /* u32 len + TLV block */
    u->permissions = NULL;
    return IGGY_OK;
}

/* UserDetailsResponse: a UserResponse followed by the permissions part. */
static iggy_err_t dec_user(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_user_t *u = out;
    uint8_t flag;

    IGGY_TRY(dec_user_response(r, a, u));
    IGGY_TRY(iggy_rd_u8(r, &flag)); /* u8: 0 = none, else a u32 length follows */
    if (flag == 0) {
        IGGY_TRY(iggy_rd_skip(r, 3)); /* rest of the 4-byte "no permissions" marker */
    } else {
        iggy_permissions_t *perms, scratch;
        uint32_t len;
        IGGY_TRY(iggy_rd_u32(r, &len)); /* u32 perm_len */
        perms = IGGY_ARENA_ARRAY(a, iggy_permissions_t, 1);
        IGGY_TRY(iggy_dec_permissions(r, a, len, IGGY_ARENA_SLOT(perms, 0, &scratch)));
        u->permissions = perms;
    }
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_user = {"user details reply", sizeof(iggy_user_t), dec_user};

/* UserResponse records to the end of the body, no count prefix. */
static iggy_err_t dec_user_list(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_user_list_t *l = out;
    void *arr;
    IGGY_TRY(iggy_dec_records(r, a, sizeof(iggy_user_t), alignof(iggy_user_t), dec_user_response,
                              &l->count, &arr));
    l->users = arr;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_user_list = {"GetUsers reply", sizeof(iggy_user_list_t),
                                             dec_user_list};

/* ---------------------------------------------------------------- personal access tokens */

static iggy_err_t dec_pat(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_pat_t *t = out;
    IGGY_TRY(iggy_dec_name(r, a, &t->name, 0)); /* +0 u8 len + name (1..255) */
    return iggy_rd_u64(r, &t->expiry_at);       /* u64 absolute µs, 0 = never */
}

/* [name_len u8][name][expiry_at u64] records to the end of the body, no count prefix. */
static iggy_err_t dec_pat_list(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_pat_list_t *l = out;
    void *arr;
    IGGY_TRY(
        iggy_dec_records(r, a, sizeof(iggy_pat_t), alignof(iggy_pat_t), dec_pat, &l->count, &arr));
    l->tokens = arr;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_pat_list = {"GetPersonalAccessTokens reply",
                                            sizeof(iggy_pat_list_t), dec_pat_list};

static iggy_err_t dec_raw_pat(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_raw_pat_t *t = out;
    IGGY_TRY(iggy_dec_name(r, a, &t->token, 0)); /* 0 u8 len + token (1..255) */
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_raw_pat = {"CreatePersonalAccessToken reply",
                                           sizeof(iggy_raw_pat_t), dec_raw_pat};
