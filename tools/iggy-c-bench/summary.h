/* What goes to stdout: each actor's line when it finishes, then the benchmark line and one
 * line (or --pretty table) per group, worded as iggy-bench words them so scripts that scrape
 * one scrape the other. */
#ifndef IGGY_C_BENCH_SUMMARY_H
#define IGGY_C_BENCH_SUMMARY_H

#include <stdint.h>

#include "args.h"
#include "metrics.h"

struct report;

void summary_actor_line(const bench_args_t *a, const individual_metrics_t *m, uint64_t messages,
                        uint64_t batches);
void summary_print(const struct report *r, const bench_args_t *a);

#endif
