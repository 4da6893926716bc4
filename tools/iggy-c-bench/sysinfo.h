/* What the report says about this machine and run (the sysinfo, hostname, uuid and chrono
 * values iggy-bench records), read from /proc, /etc/os-release and uname. */
#ifndef IGGY_C_BENCH_SYSINFO_H
#define IGGY_C_BENCH_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

typedef struct hardware {
    char cpu_name[256];
    unsigned cpu_cores;
    uint64_t total_memory_mb;
    char os_name[128];
    char os_version[128];
} hardware_t;

void sysinfo_hardware(hardware_t *h);
void sysinfo_hostname(char *buf, size_t cap);
/* A random UUID v4, lowercase and hyphenated. */
void sysinfo_uuid_v4(char buf[37]);
/* RFC 3339 in UTC with "+00:00", fractional seconds as chrono prints them. */
void sysinfo_rfc3339(uint64_t wall_us, char *buf, size_t cap);

#endif
