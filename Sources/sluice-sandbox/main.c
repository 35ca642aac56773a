// sluice-sandbox: runs one node's command in a private mount and PID namespace, the host read-only.
//
// The small launcher the process runtime starts instead of bwrap when it can (root, a kernel with mount_setattr):
// one exec of a ~20 KB program, one recursive read-only flag on the copied mount tree instead of remounting each
// mount, no pivot into a rebuilt root. The sandbox it makes keeps bubblewrap's guarantees as Sluice uses them:
//   - the whole host read-only (every mount, recursively), a fresh /proc of the node's own PID namespace, a minimal
//     read-only /dev (null zero full random urandom tty, pts, the usual links) with the node's own /dev/shm, an empty
//     read-only /run with /run/systemd/resolve;
//   - the hidden paths covered (a directory by an empty tmpfs, a file by /dev/null) before any other mount;
//   - the node's writable and read-only binds, in the order given (parents first), mount points created inside
//     writable mounts or hidden directories when missing;
//   - its own PID namespace: the launcher forks an init (PID 1) that forks the command (PID 2), reaps orphans and
//     exits with the command; the kernel then kills whatever is left in the namespace;
//   - it dies with the engine: the launcher and the init get SIGKILL when their parent dies;
//   - and, beyond what bwrap does for root, the command cannot remount (CAP_SYS_ADMIN and four other capabilities
//     are dropped from its bounding set) and its writable mounts do not honour device nodes.
// The launcher exits with the command's exit code, or 128 + N when a signal N ended it (as bwrap does). Its own
// failures are one line on stderr starting with "sluice-sandbox: " and exit code 1.
//
//   sluice-sandbox [--hide-dir P] [--hide-file P] [--bind HOST SANDBOX] [--ro-bind HOST SANDBOX]... --chdir DIR
//                  -- EXECUTABLE [ARG]...
//   sluice-sandbox --serve      the long-lived server of one engine (server.c): fd 3 is its request socket
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

// PID 1 of the node's namespace: builds the mount tree, starts the command, reaps, exits with the command.
// `lifeline` is the read end of a pipe whose write end only the launcher holds: it reads as hung up once the
// launcher is gone, which covers the launcher dying before PR_SET_PDEATHSIG took effect (getppid() is 0 here).
static void runInit(int lifeline, char **command) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(1);
    struct pollfd launcher = {.fd = lifeline, .events = POLLIN};
    if (poll(&launcher, 1, 0) != 0) _exit(1);
    close(lifeline);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) failErrno("cannot make private", "/");
    openSources();
    prepareHostView(0);
    mountOwnFilesystems();
    mountNodePaths();
    runCommand(command);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--serve") == 0) serve(3);
    pid_t engine = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != engine) return 1;
    char **command = &argv[parseOptions(argc, argv, 1)];
    limitCapabilities();

    if (unshare(CLONE_NEWNS | CLONE_NEWPID) != 0) fail("cannot create namespaces: %s", strerror(errno));
    int lifeline[2];
    if (pipe2(lifeline, O_CLOEXEC) != 0) fail("cannot make a pipe: %s", strerror(errno));
    pid_t init = fork();
    if (init < 0) fail("cannot fork: %s", strerror(errno));
    if (init == 0) {
        close(lifeline[1]);
        runInit(lifeline[0], command);
    }
    close(lifeline[0]);
    for (;;) {
        int status;
        pid_t ended = waitpid(init, &status, 0);
        if (ended < 0 && errno == EINTR) continue;
        if (ended < 0) return 1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
}
