/* Shared wire primitives: identifiers, names, consumers, partitioning, polling strategies,
 * key/value (options and user headers) blocks and permissions. Encoders validate their
 * input and record IGGY_ERR__INVALID_ARG in the writer; decoders validate the bytes. */
#ifndef IGGY_PRIMITIVES_H
#define IGGY_PRIMITIVES_H

#include <stdbool.h>

#include <iggy/types.h>

#include "codec/iggy_arena.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"

#define IGGY_MAX_NAME_LEN 255u
#define IGGY_OPTIONS_MAX_ENTRIES 1024u
#define IGGY_OPTIONS_MAX_BYTES 100000u

/* ---- encoders */
void iggy_enc_identifier(iggy_writer_t *w, const iggy_identifier_t *id);
/* [len u8][bytes], len 1..255 (what = field name for the error detail) */
void iggy_enc_name(iggy_writer_t *w, const char *name, const char *what);
/* [len u8][bytes], len 0..255 (passwords) */
void iggy_enc_short_string(iggy_writer_t *w, const char *s, const char *what);
void iggy_enc_consumer(iggy_writer_t *w, const iggy_consumer_ref_t *c);
void iggy_enc_partitioning(iggy_writer_t *w, const iggy_partitioning_t *p);
void iggy_enc_polling_strategy(iggy_writer_t *w, const iggy_polling_strategy_t *s);
/* [flag u8][partition u32]: NULL = None (flag 0, zero id) */
void iggy_enc_optional_partition(iggy_writer_t *w, const uint32_t *partition_id);
/* Unprefixed TLV block (options in requests, user headers in frames). */
void iggy_enc_kv_block(iggy_writer_t *w, const iggy_kv_t *entries, size_t count);
/* Copy an identifier whose name (if any) must outlive the caller's: into name[cap]. Fails
 * with IGGY_ERR__INVALID_ARG for a name longer than cap - 1 bytes. */
iggy_err_t iggy_id_copy(const iggy_identifier_t *in, char *name, size_t cap,
                        iggy_identifier_t *out);

/* Size of the TLV block iggy_enc_kv_block writes. */
size_t iggy_kv_block_size(const iggy_kv_t *entries, size_t count);
/* Whether every entry is well-formed (kinds non-zero, key and value 1..255 bytes); *bad gets
 * the first one that is not. */
bool iggy_kv_block_valid(const iggy_kv_t *entries, size_t count, size_t *bad);
/* Write the TLV block of valid entries at dst (iggy_kv_block_size bytes); returns its end. */
uint8_t *iggy_kv_block_put(uint8_t *dst, const iggy_kv_t *entries, size_t count);
void iggy_enc_permissions(iggy_writer_t *w, const iggy_permissions_t *p);
size_t iggy_permissions_size(const iggy_permissions_t *p);

/* ---- decoders (arena-aware: see iggy_arena.h) */
/* [len u8][bytes] copied as a NUL-terminated string; allow_empty for passwords/versions. */
iggy_err_t iggy_dec_name(iggy_reader_t *r, iggy_arena_t *a, const char **out, int allow_empty);
/* [len u32][bytes] copied as a NUL-terminated string. */
iggy_err_t iggy_dec_string32(iggy_reader_t *r, iggy_arena_t *a, const char **out);
/* A TLV block of exactly len bytes. strict_keys: keys must be kind 2 (options). */
iggy_err_t iggy_dec_kv_block(iggy_reader_t *r, iggy_arena_t *a, size_t len, int strict_keys,
                             iggy_kv_list_t *out);
/* [len u32][TLV block] (options in responses). */
iggy_err_t iggy_dec_options32(iggy_reader_t *r, iggy_arena_t *a, iggy_kv_list_t *out);
/* A permissions block of exactly len bytes. */
iggy_err_t iggy_dec_permissions(iggy_reader_t *r, iggy_arena_t *a, size_t len,
                                iggy_permissions_t *out);
/* One record decoder, as the vtable's decode: fills *out, arena-aware. */
typedef iggy_err_t (*iggy_dec_record_fn)(iggy_reader_t *r, iggy_arena_t *a, void *out);

/* Records of elem_size bytes (a struct decoded by dec) running to the end of r with no
 * count prefix: the records are counted and validated first without touching a, then the
 * array is sized and each record decoded into it (NULL while measuring or when empty). */
iggy_err_t iggy_dec_records(iggy_reader_t *r, iggy_arena_t *a, size_t elem_size, size_t elem_align,
                            iggy_dec_record_fn dec, size_t *count, void **arr);

/* Identifier decode (for the mock server): name points into the reader's bytes and is not
 * NUL-terminated, so name_len is returned too. */
iggy_err_t iggy_dec_identifier(iggy_reader_t *r, iggy_identifier_t *out, const uint8_t **name,
                               size_t *name_len);

#endif
