/* The benchmark report (iggy-bench's core/bench/report/src/types): parameters, hardware,
 * server statistics, group and individual metrics; written as report.json in the directory
 * iggy-bench would name, so the dashboard loads either. */
#ifndef IGGY_C_BENCH_REPORT_H
#define IGGY_C_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <iggy/iggy.h>

#include "args.h"
#include "metrics.h"
#include "sysinfo.h"

#define REPORT_MAX_GROUPS 4

typedef struct cluster_node {
    char name[128], role[16], status[16];
} cluster_node_t;

typedef struct report {
    char uuid[37], timestamp[64];
    iggy_stats_t *stats; /* NULL: GetStats failed, defaults are written */
    hardware_t hardware;
    char identifier[256]; /* empty: none (no output subcommand) */
    const char *remark;   /* the user's, else "libiggy" */
    char gitref[128], gitref_date[64];
    char rate_limit[48]; /* empty: none */
    char pretty_name[256], params_identifier[512], bench_command[2048];
    uint64_t message_batches; /* the batches the actors actually processed */

    bool cluster;
    char cluster_name[128];
    cluster_node_t *nodes;
    size_t nodes_count;

    const individual_metrics_t **individual; /* by actor kind, then id */
    size_t individual_count;
    group_metrics_t groups[REPORT_MAX_GROUPS];
    size_t groups_count;
} report_t;

/* Build from the actors' metrics; admin is a logged-in client for GetStats and the cluster
 * metadata. */
int report_build(report_t *r, const bench_args_t *a, const individual_metrics_t *const *metrics,
                 size_t count, iggy_client_t *admin);
/* The directory name under -o (iggy-bench's generate_dir_name plus the CPU). */
void report_dir_name(const report_t *r, const bench_args_t *a, char *buf, size_t cap);
/* Write report.json (and server_logs.zip from a snapshot) into the output directory. The path
 * of the report goes to path. */
int report_write(const report_t *r, const bench_args_t *a, iggy_client_t *admin, char *path,
                 size_t cap);
void report_free(report_t *r);

uint64_t report_total_messages(const report_t *r);
uint64_t report_total_user_bytes(const report_t *r);

#endif
