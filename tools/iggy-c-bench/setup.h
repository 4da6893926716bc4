/* What a benchmark kind prepares before its actors start, on an admin client: the streams
 * bench-stream-1..S with topic-1 (recreated unless --reuse-streams), the check that a consuming
 * kind's streams exist, and the groups cg-1..cg-g (iggy-bench's benchmarks/benchmark.rs and
 * common.rs). */
#ifndef IGGY_C_BENCH_SETUP_H
#define IGGY_C_BENCH_SETUP_H

#include <stddef.h>

#include <iggy/iggy.h>

#include "args.h"

/* Everything the kind needs; -1 with the reason in err. */
int setup_kind(iggy_client_t *admin, const bench_args_t *a, char *err, size_t cap);

#endif
