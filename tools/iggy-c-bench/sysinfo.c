#include "sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"'))
        s[--n] = '\0';
}

/* The value of the first "key<sep>value" line of a file, trimmed; false if absent. */
static int read_field(const char *path, const char *key, char sep, char *out, size_t cap)
{
    char line[512];
    size_t kl = strlen(key);
    FILE *f = fopen(path, "r");
    int found = 0;
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *p;
        if (strncmp(line, key, kl))
            continue;
        p = line + kl;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != sep)
            continue;
        p++;
        while (*p == ' ' || *p == '\t' || *p == '"')
            p++;
        snprintf(out, cap, "%s", p);
        trim(out);
        found = 1;
    }
    fclose(f);
    return found;
}

void sysinfo_hardware(hardware_t *h)
{
    char buf[128];
    struct utsname un;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    memset(h, 0, sizeof *h);
    if (!read_field("/proc/cpuinfo", "model name", ':', h->cpu_name, sizeof h->cpu_name) &&
        !read_field("/proc/cpuinfo", "Model", ':', h->cpu_name, sizeof h->cpu_name))
        snprintf(h->cpu_name, sizeof h->cpu_name, "unknown");
    h->cpu_cores = cores > 0 ? (unsigned)cores : 0;
    if (read_field("/proc/meminfo", "MemTotal", ':', buf, sizeof buf))
        h->total_memory_mb = strtoull(buf, NULL, 10) / 1024; /* kB */
    if (!read_field("/etc/os-release", "NAME", '=', h->os_name, sizeof h->os_name))
        snprintf(h->os_name, sizeof h->os_name, "unknown");
    if (uname(&un) == 0)
        snprintf(h->os_version, sizeof h->os_version, "%s", un.release);
    else
        snprintf(h->os_version, sizeof h->os_version, "unknown");
}

void sysinfo_hostname(char *buf, size_t cap)
{
    if (gethostname(buf, cap) != 0 || !buf[0])
        snprintf(buf, cap, "unknown");
    buf[cap - 1] = '\0';
}

void sysinfo_uuid_v4(char buf[37])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(b, 1, sizeof b, f) != sizeof b) {
        uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        for (int i = 0; i < 16; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            b[i] = (unsigned char)(x >> 56);
        }
    }
    if (f)
        fclose(f);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void sysinfo_rfc3339(uint64_t wall_us, char *buf, size_t cap)
{
    time_t secs = (time_t)(wall_us / 1000000u);
    unsigned us = (unsigned)(wall_us % 1000000u);
    struct tm tm;
    char date[32];
    gmtime_r(&secs, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!us)
        snprintf(buf, cap, "%s+00:00", date);
    else if (us % 1000 == 0)
        snprintf(buf, cap, "%s.%03u+00:00", date, us / 1000);
    else
        snprintf(buf, cap, "%s.%06u+00:00", date, us);
}
