#include "test_mock_child.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The control pipes of the children started so far: a later child must not hold them open,
 * or an earlier one would never see its end of file. */
#define MAX_CHILDREN 8
static int g_ctls[MAX_CHILDREN];
static int g_nctls;

static void child_main(const iggy_mock_opts_t *opts, int out_fd, int ctl_fd)
{
    iggy_mock_opts_t o;
    iggy_mock_t *m = NULL;
    char b;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    if (iggy_mock_new(&o, &m) != IGGY_OK)
        _exit(2);
    if (dprintf(out_fd, "%s\n", iggy_mock_address(m, 0)) < 0)
        _exit(3);
    close(out_fd);
    for (;;) {
        ssize_t r = read(ctl_fd, &b, 1);
        if (r == 0 || (r < 0 && errno != EINTR))
            break;
    }
    iggy_mock_destroy(m);
    _exit(0);
}

int test_mock_child_start(test_mock_child_t *m, const iggy_mock_opts_t *opts)
{
    int out[2], ctl[2];
    char line[128];
    ssize_t n, got = 0;
    memset(m, 0, sizeof *m);
    m->pid = -1;
    m->ctl = -1;
    if (pipe(out) != 0)
        return -1;
    if (pipe(ctl) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    m->pid = fork();
    if (m->pid < 0)
        return -1;
    if (m->pid == 0) {
        close(out[0]);
        close(ctl[1]);
        for (int i = 0; i < g_nctls; i++)
            close(g_ctls[i]);
        child_main(opts, out[1], ctl[0]);
    }
    close(out[1]);
    close(ctl[0]);
    m->ctl = ctl[1];
    if (g_nctls < MAX_CHILDREN)
        g_ctls[g_nctls++] = ctl[1];
    while (got < (ssize_t)sizeof line - 1 &&
           (n = read(out[0], line + got, sizeof line - 1 - (size_t)got)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        got += n;
    }
    close(out[0]);
    line[got] = '\0';
    return sscanf(line, "%63s", m->addr) == 1 ? 0 : -1;
}

int test_mock_child_stop(test_mock_child_t *m)
{
    int st = 0;
    if (m->pid <= 0)
        return 0;
    close(m->ctl);
    for (int i = 0; i < g_nctls; i++)
        if (g_ctls[i] == m->ctl)
            g_ctls[i] = g_ctls[--g_nctls];
    m->ctl = -1;
    while (waitpid(m->pid, &st, 0) != m->pid)
        if (errno != EINTR)
            return -1;
    m->pid = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int test_run_nofork(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}
