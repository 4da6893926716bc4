/* What every benchmark here needs: a monotonic clock, process CPU time, the median of its
 * runs, an allocation counter on the library's allocator hook, and the bundled mock in a child
 * process (so the hook counts only the client). Each benchmark is one translation unit. */
#ifndef IGGY_BENCH_COMMON_H
#define IGGY_BENCH_COMMON_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iggy/alloc.h>
#include <iggy/mock.h>

/* Monotonic seconds. */
static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of n figures (sorts v). */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* User plus system CPU seconds of this process. */
static inline double bench_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Allocations through the hook while bench_counting is set. */
static unsigned long bench_allocs;
static int bench_counting;

static inline void bench_count_one(void)
{
    if (__atomic_load_n(&bench_counting, __ATOMIC_RELAXED))
        __atomic_add_fetch(&bench_allocs, 1, __ATOMIC_RELAXED);
}

static inline void *bench_count_malloc(size_t n)
{
    bench_count_one();
    return malloc(n);
}

static inline void *bench_count_calloc(size_t m, size_t n)
{
    bench_count_one();
    return calloc(m, n);
}

static inline void *bench_count_realloc(void *p, size_t n)
{
    bench_count_one();
    return realloc(p, n);
}

/* Install the counting hook (before any client exists). */
static inline void bench_hook_allocator(void)
{
    static const iggy_allocator_t hook = {bench_count_malloc, bench_count_calloc,
                                          bench_count_realloc, free};
    iggy_set_allocator(&hook);
}

static inline void bench_count_allocs(int on)
{
    __atomic_store_n(&bench_counting, on, __ATOMIC_RELAXED);
}

static inline unsigned long bench_alloc_count(void)
{
    return __atomic_load_n(&bench_allocs, __ATOMIC_RELAXED);
}

/* The mock in a child process; its "host:port" comes back through a pipe. Returns the child's
 * pid, or -1. */
static inline pid_t bench_start_mock(char *addr, size_t cap)
{
    int fds[2];
    pid_t pid;
    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        iggy_mock_opts_t o;
        iggy_mock_t *m;
        memset(&o, 0, sizeof o);
        close(fds[0]);
        if (iggy_mock_new(&o, &m) != IGGY_OK)
            _exit(1);
        if (write(fds[1], iggy_mock_address(m, 0), strlen(iggy_mock_address(m, 0)) + 1) < 0)
            _exit(1);
        for (;;)
            pause();
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], addr, cap) <= 0) {
        close(fds[0]);
        return -1;
    }
    close(fds[0]);
    return pid;
}

/* The server to measure against: IGGY_ADDR=host:port when set, else the mock in a child
 * process. Returns the child's pid (0 for IGGY_ADDR), or -1 when the mock cannot start. */
static inline pid_t bench_target(char *addr, size_t cap)
{
    const char *env = getenv("IGGY_ADDR");
    if (env && *env) {
        snprintf(addr, cap, "%s", env);
        return 0;
    }
    return bench_start_mock(addr, cap);
}

/* Stop what bench_target() started. */
static inline void bench_target_stop(pid_t mock)
{
    if (mock > 0) {
        kill(mock, SIGKILL);
        waitpid(mock, NULL, 0);
    }
}

/* IGGY_USERNAME / IGGY_PASSWORD, default iggy / iggy. */
static inline const char *bench_username(void)
{
    const char *u = getenv("IGGY_USERNAME");
    return u && *u ? u : "iggy";
}

static inline const char *bench_password(void)
{
    const char *p = getenv("IGGY_PASSWORD");
    return p && *p ? p : "iggy";
}

#endif
