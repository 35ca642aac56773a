// sluice-sandbox --serve: the long-lived launcher of one engine. It prepares the read-only view of the host once
// (its own mount namespace: the host read-only, /dev, /run) and forks every node from it with clone(CLONE_NEWNS |
// CLONE_NEWPID): the child, PID 1 of the node's namespace with a copy of the prepared view, only adds the node's
// own /proc, hidden paths and binds, then runs the command as PID 2 (runCommand). Per node this spares the engine a
// fork and the launcher an exec, the read-only flags and the /dev and /run mounts.
//
// Protocol, on the SOCK_SEQPACKET socket the engine passes as fd 3 (one message each way per event):
//   request  u64 id, u32 argument count, u32 environment count, then that many NUL-terminated strings (the
//            per-node launcher's options, "--", the command; then the environment), with the node's stdout and
//            stderr as two descriptors (SCM_RIGHTS), and a third, the node's directory (O_PATH), for --save;
//   replies  u64 id, i32 kind, i32 value: started (the node's PID 1 as the host sees it, leader of its own process
//            group), ended (its wait status), refused (an errno: the request was malformed or the fork failed).
// A node's end is replied as soon as its PID 1 reports it on the report pipe (runCommand: the command ended, nothing
// else of the node runs, its files are saved), before PID 1 exits and its namespaces are torn down; a node that
// reported nothing (it failed before its command) is replied when it is reaped, with PID 1's own wait status.
// Dying with the engine: when the engine's end of the socket closes (the engine exited or was killed) the server
// kills every running node with SIGKILL and exits; each node's PID 1 also gets SIGKILL if the server dies, and its
// whole PID namespace with it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

extern char **environ;

enum { replyStarted = 1, replyEnded = 2, replyRefused = 3 };
enum { maxRequest = 1 << 20 };

typedef struct {
    uint64_t id;
    int32_t kind;
    int32_t value;
} Reply;

typedef struct {
    uint64_t id;
    uint32_t argumentCount;
    uint32_t environmentCount;
} RequestHeader;

typedef struct {
    pid_t pid;
    uint64_t id;
    // Its end already replied (from the report pipe): only its exit is left to reap.
    int reported;
} RunningNode;

// The report pipe: nodes write its write end, the server reads the other.
static int reports[2] = {-1, -1};

static RunningNode *running = NULL;
// The server's lifeline: only the server keeps the write end open.
static int lifeline[2] = {-1, -1};
static size_t runningCount = 0, runningCapacity = 0;

static void reply(int socket, uint64_t id, int32_t kind, int32_t value) {
    Reply message = {.id = id, .kind = kind, .value = value};
    while (send(socket, &message, sizeof message, MSG_NOSIGNAL) < 0 && errno == EINTR) {}
}

// Splits `count` NUL-terminated strings off `*cursor` into a NULL-terminated array; NULL when they run past `end`.
static char **strings(char **cursor, char *end, uint32_t count) {
    char **result = calloc((size_t)count + 1, sizeof *result);
    if (!result) return NULL;
    for (uint32_t index = 0; index < count; index++) {
        char *terminator = *cursor < end ? memchr(*cursor, '\0', (size_t)(end - *cursor)) : NULL;
        if (!terminator) return free(result), NULL;
        result[index] = *cursor;
        *cursor = terminator + 1;
    }
    return result;
}

// The node's PID 1, in the fresh namespaces: the node's descriptors and environment, its mounts, its command.
__attribute__((noreturn)) static void runNode(int output, int error, char **arguments, int count) {
    // The server's blocked SIGCHLD is not the node's (its dispositions are all the default: see serve).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(1);
    close(lifeline[1]);
    struct pollfd server = {.fd = lifeline[0], .events = POLLIN};
    if (poll(&server, 1, 0) != 0) _exit(1);
    close(lifeline[0]);
    close(reports[0]);
    endReport = reports[1];
    // Its own process group, which the engine signals as a whole; the session stays the server's, which has no
    // terminal. Not setsid: a new session costs a scheduler autogroup made and freed per node (~5% of the node's
    // launch CPU), and nothing tells nodes apart by session.
    setpgid(0, 0);
    // Standard input is the server's own /dev/null (see serve).
    if (dup2(output, 1) < 0 || dup2(error, 2) < 0) _exit(1);
    close(output);
    if (error != output) close(error);
    char **command = &arguments[parseOptions(count, arguments, 0)];
    openSources();
    mountOwnFilesystems();
    mountNodePaths();
    runCommand(command);
}

// Receives one request and starts its node; returns 0 once the engine's end is closed.
static int startNode(int socket, int signals, char *buffer) {
    char control[CMSG_SPACE(3 * sizeof(int))];
    struct iovec vector = {.iov_base = buffer, .iov_len = maxRequest};
    struct msghdr message = {
        .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t length = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    if (length < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (length == 0) return 0;
    int descriptors[3] = {-1, -1, -1};
    int received = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        received = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        memcpy(descriptors, CMSG_DATA(header), (size_t)(received < 3 ? received : 3) * sizeof(int));
    }
    RequestHeader request = {0};
    if ((size_t)length >= sizeof request) memcpy(&request, buffer, sizeof request);
    char *cursor = buffer + sizeof request, *end = buffer + length;
    char **arguments = NULL, **environment = NULL;
    int wellFormed = (size_t)length >= sizeof request && !(message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
                     (received == 2 || received == 3) && (arguments = strings(&cursor, end, request.argumentCount)) &&
                     (environment = strings(&cursor, end, request.environmentCount));
    pid_t pid = -1;
    if (wellFormed) pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);
    if (pid == 0) {
        close(socket);
        close(signals);
        environ = environment;
        nodeDirectory = descriptors[2];
        endReportID = request.id;
        runNode(descriptors[0], descriptors[1], arguments, (int)request.argumentCount);
    }
    int failure = errno;
    free(arguments);
    free(environment);
    for (int index = 0; index < 3; index++) {
        if (descriptors[index] >= 0) close(descriptors[index]);
    }
    if (pid < 0) {
        reply(socket, request.id, replyRefused, wellFormed ? failure : EMSGSIZE);
        return 1;
    }
    if (runningCount == runningCapacity) {
        runningCapacity = runningCapacity ? 2 * runningCapacity : 64;
        running = realloc(running, runningCapacity * sizeof *running);
        if (!running) {
            kill(pid, SIGKILL);
            fail("out of memory");
        }
    }
    running[runningCount++] = (RunningNode){.pid = pid, .id = request.id, .reported = 0};
    reply(socket, request.id, replyStarted, pid);
    return 1;
}

// Reaps every node that ended and reports it.
static void reap(int socket, int signals) {
    struct signalfd_siginfo information;
    while (read(signals, &information, sizeof information) > 0) {}
    for (;;) {
        int status;
        pid_t ended = waitpid(-1, &status, WNOHANG);
        if (ended <= 0) return;
        for (size_t index = 0; index < runningCount; index++) {
            if (running[index].pid != ended) continue;
            if (!running[index].reported) reply(socket, running[index].id, replyEnded, status);
            running[index] = running[--runningCount];
            break;
        }
    }
}

// Replies the ends nodes reported before exiting; a node that failed before its command (a mount refused) reports
// nothing, and its exit is replied when it is reaped.
static void readReports(int socket) {
    EndReport report;
    while (read(reports[0], &report, sizeof report) == (ssize_t)sizeof report) {
        for (size_t index = 0; index < runningCount; index++) {
            if (running[index].id != report.id || running[index].reported) continue;
            running[index].reported = 1;
            reply(socket, report.id, replyEnded, report.status);
            break;
        }
    }
}

void serve(int socket) {
    // Started by hand, or with the descriptor lost: a server polling something else would wait forever.
    int type = 0;
    socklen_t typeLength = sizeof type;
    if (getsockopt(socket, SOL_SOCKET, SO_TYPE, &type, &typeLength) != 0 || type != SOCK_SEQPACKET) {
        fail("--serve needs its request socket (SOCK_SEQPACKET) as descriptor %d", socket);
    }
    // Nothing of the engine but the socket: a pipe's end held here for the engine's lifetime would keep whatever
    // reads the other end waiting for its end.
    syscall(SYS_close_range, socket + 1, ~0U, 0);
    // Its own session: a Ctrl-C for the engine's terminal is the engine's to handle (it stops the nodes).
    setsid();
    // What every node inherits, set once here rather than per node: the capabilities its command cannot get, the
    // default disposition of every signal (the engine's ignored SIGPIPE is not the node's), standard input /dev/null.
    limitCapabilities();
    for (int signal = 1; signal < NSIG; signal++) sigaction(signal, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
    int input = open("/dev/null", O_RDONLY);
    if (input < 0 || (input != 0 && (dup2(input, 0) < 0 || close(input) != 0))) failErrno("cannot open", "/dev/null");
    // A private copy of the host's mount tree, made read-only once for every node of this engine.
    if (unshare(CLONE_NEWNS) != 0) fail("cannot create a mount namespace: %s", strerror(errno));
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) failErrno("cannot make private", "/");
    prepareHostView(1);
    if (chdir("/") != 0) failErrno("cannot change directory to", "/");
    // Only the server holds the write end: a node's PID 1 sees it hung up once the server is gone.
    if (pipe2(lifeline, O_CLOEXEC) != 0) fail("cannot make a pipe: %s", strerror(errno));
    // Packets: each report is read whole, one per read.
    if (pipe2(reports, O_CLOEXEC | O_DIRECT | O_NONBLOCK) != 0) fail("cannot make a pipe: %s", strerror(errno));
    sigset_t childEnded;
    sigemptyset(&childEnded);
    sigaddset(&childEnded, SIGCHLD);
    sigprocmask(SIG_BLOCK, &childEnded, NULL);
    int signals = signalfd(-1, &childEnded, SFD_NONBLOCK | SFD_CLOEXEC);
    char *buffer = malloc(maxRequest);
    if (signals < 0 || !buffer) fail("cannot start serving: %s", strerror(errno));
    for (;;) {
        struct pollfd events[3] = {
            {.fd = socket, .events = POLLIN}, {.fd = signals, .events = POLLIN}, {.fd = reports[0], .events = POLLIN}};
        if (poll(events, 3, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        // Reports before exits: a node's end is replied once, from its report when it made one.
        if (events[2].revents) readReports(socket);
        if (events[1].revents) {
            readReports(socket);
            reap(socket, signals);
        }
        if (events[0].revents && !startNode(socket, signals, buffer)) break;
    }
    // The engine is gone: so are its nodes.
    for (size_t index = 0; index < runningCount; index++) kill(running[index].pid, SIGKILL);
    _exit(0);
}
