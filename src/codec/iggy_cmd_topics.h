/* TopicHeader decoding shared by the topic and stream decoders (admin.md §4.0). */
#ifndef IGGY_CMD_TOPICS_H
#define IGGY_CMD_TOPICS_H

#include <iggy/types.h>

#include "codec/iggy_arena.h"
#include "codec/iggy_reader.h"

/* Smallest TopicHeader: 50 fixed bytes + 1-byte name + two empty u32-prefixed blocks. */
#define IGGY_TOPIC_HEADER_MIN_SIZE 59u

/* Decode one TopicHeader (fixed part, name, explicit and derived options) into out;
 * out->partitions is set to NULL (the caller decodes partitions when present). */
iggy_err_t iggy_dec_topic_header(iggy_reader_t *r, iggy_arena_t *a, iggy_topic_t *out);

#endif
