// Mounting and starting a node, shared by the per-node launcher (main.c) and the server (server.c).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

extern char **environ;

Operation operations[maxOperations];
int operationCount = 0;
const char *workingDirectory = "/";
Save saves[maxSaves];
int saveCount = 0;
int nodeDirectory = -1;
int endReport = -1;
uint64_t endReportID = 0;

void fail(const char *format, ...) {
    char message[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    dprintf(STDERR_FILENO, "sluice-sandbox: %s\n", message);
    _exit(1);
}

void failErrno(const char *what, const char *path) {
    fail("%s '%s': %s", what, path, strerror(errno));
}

static int openTree(const char *path, unsigned flags) {
    return (int)syscall(SYS_open_tree, AT_FDCWD, path, flags);
}

static int moveMount(int tree, const char *target) {
    return (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

static int setAttributes(int directory, const char *path, unsigned flags, unsigned long set, unsigned long clear) {
    struct mount_attr attributes = {.attr_set = set, .attr_clr = clear};
    return (int)syscall(SYS_mount_setattr, directory, path, flags, &attributes, sizeof attributes);
}

// Creates the directories of `path` that are missing (mkdir -p); errors surface when the mount itself fails. The
// first `existing` characters of `path` name a directory known to exist: only what lies below it is made.
static void makeDirectoriesBelow(const char *path, size_t existing) {
    char buffer[4096];
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof buffer || existing >= length) return;
    memcpy(buffer, path, length + 1);
    for (char *slash = buffer + (existing > 0 ? existing + 1 : 1); *slash; slash++) {
        if (*slash != '/') continue;
        *slash = '\0';
        mkdir(buffer, 0755);
        *slash = '/';
    }
    mkdir(buffer, 0755);
}

static void makeDirectories(const char *path) { makeDirectoriesBelow(path, 0); }

// Makes sure `target` exists as a mount point of the kind `source` is (directory, or a file for anything else).
static void makeMountPoint(const char *target, int isDirectory) {
    struct stat info;
    if (lstat(target, &info) == 0) return;
    if (isDirectory) {
        makeDirectories(target);
        return;
    }
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", target);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        makeDirectories(parent);
    }
    int descriptor = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor >= 0) close(descriptor);
}

// Tmpfs mounts made to hold a chain of missing mount-point directories, made read-only once every mount is made.
static const char *scaffolds[maxOperations];
static int scaffoldCount = 0;

// Makes sure a directory bound at its own host path exists, as makeMountPoint does, but when more than its last
// component is missing (the node's own working directory, `/tmp/…/nodes/ID/work`, inside its private /tmp when the
// state directory lies under the host's /tmp) only the first missing directory is made on the host: a small tmpfs
// mounted on it holds the rest, read-only once the mounts are made. A host directory made and deleted costs far more
// than a tmpfs one (inode allocation and trimming on ext4): six to seven of each per node before.
static void makeBindPoint(const char *target, int isDirectory) {
    struct stat info;
    if (lstat(target, &info) == 0) return;
    char first[4096];
    size_t length = strlen(target);
    char *slash = NULL;
    if (length > 0 && length < sizeof first) {
        memcpy(first, target, length + 1);
        // The first missing component, unless it is the last one.
        for (slash = strchr(first + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            if (lstat(first, &info) != 0) break;
            *slash = '/';
        }
    }
    if (slash && scaffoldCount < maxOperations && mkdir(first, 0755) == 0 &&
        mount("tmpfs", first, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") == 0) {
        scaffolds[scaffoldCount++] = strdup(first);
    }
    makeMountPoint(target, isDirectory);
}

// Attaches the detached tree `tree` at `target` (made first when missing).
static void attach(int tree, const char *target, int isDirectory) {
    makeMountPoint(target, isDirectory);
    if (moveMount(tree, target) != 0) failErrno("cannot mount at", target);
    close(tree);
}

// The devices every node gets: made with mknod in the view's own /dev (one mount, not one bind mount per device: each
// mount is copied into every node's namespace and torn down with it), or bound from the host where mknod is refused
// (root of a user namespace).
static void makeDevices(int detachesCovered) {
    static const struct {
        const char *name;
        unsigned major, minor;
    } devices[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    enum { deviceCount = sizeof devices / sizeof devices[0] };
    int trees[deviceCount];
    char path[64];
    for (int index = 0; index < deviceCount; index++) {
        snprintf(path, sizeof path, "/dev/%s", devices[index].name);
        trees[index] = openTree(path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (trees[index] < 0) failErrno("cannot copy", path);
    }
    // The host's /dev and what is mounted below it (shm, pts, mqueue, hugepages...) would only lie hidden under the
    // new /dev: detached instead, so that no node's namespace copies them.
    if (detachesCovered) umount2("/dev", MNT_DETACH);
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") != 0) failErrno("cannot mount", "/dev");
    for (int index = 0; index < deviceCount; index++) {
        snprintf(path, sizeof path, "/dev/%s", devices[index].name);
        if (mknod(path, S_IFCHR | 0666, makedev(devices[index].major, devices[index].minor)) == 0) {
            chmod(path, 0666);  // whatever the umask
            close(trees[index]);
        } else {
            attach(trees[index], path, 0);
        }
    }
    mkdir("/dev/shm", 01777);  // the node's own tmpfs goes there (mountOwnFilesystems)
    mkdir("/dev/pts", 0755);
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") != 0) {
        failErrno("cannot mount", "/dev/pts");
    }
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"},
        {"/proc/self/fd/2", "/dev/stderr"}, {"/proc/kcore", "/dev/core"}, {"pts/ptmx", "/dev/ptmx"},
    };
    for (size_t index = 0; index < sizeof links / sizeof links[0]; index++) {
        if (symlink(links[index][0], links[index][1]) != 0) failErrno("cannot link", links[index][1]);
    }
    // Every node of a server shares this /dev: writable, it would carry files from one node to the next, around
    // their lineage. Devices still read and write on a read-only file system.
    if (setAttributes(AT_FDCWD, "/dev", 0, MOUNT_ATTR_RDONLY, 0) != 0) failErrno("cannot make read-only", "/dev");
}

void limitCapabilities(void) {
    static const int dropped[] = {CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_MKNOD};
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) failErrno("cannot read capabilities of", "the launcher");
    for (size_t index = 0; index < sizeof dropped / sizeof dropped[0]; index++) {
        int capability = dropped[index];
        if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL) {
            failErrno("cannot drop a capability of", "the launcher");
        }
        // Not inheritable either (which also lowers an ambient one): an exec gives root its bounding set and what
        // is inheritable, nothing else.
        data[capability / 32].inheritable &= ~(1u << (capability % 32));
    }
    if (syscall(SYS_capset, &header, data) != 0) failErrno("cannot set capabilities of", "the launcher");
}

void prepareHostView(int detachesCovered) {
    int resolve = openTree("/run/systemd/resolve", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    // The whole host read-only, every mount below / included.
    if (setAttributes(AT_FDCWD, "/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0) != 0) {
        failErrno("cannot make read-only", "/");
    }
    makeDevices(detachesCovered);
    // As with /dev: the host's /run and /proc trees are covered (an empty tmpfs; the node's own /proc) and would only
    // be copied into each node's namespace and torn down with it. Not mounts everywhere: errors do not matter.
    if (detachesCovered) umount2("/run", MNT_DETACH);
    if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) failErrno("cannot mount", "/run");
    if (resolve >= 0) {
        setAttributes(resolve, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0);
        attach(resolve, "/run/systemd/resolve", 1);
    }
    // Shared by every node of a server, as /dev is: read-only, so that nothing passes through it between nodes.
    if (setAttributes(AT_FDCWD, "/run", 0, MOUNT_ATTR_RDONLY, 0) != 0) failErrno("cannot make read-only", "/run");
    if (detachesCovered) umount2("/proc", MNT_DETACH);
}

// Every source opened while the host is whole: a source inside a hidden directory (a node's work directory in the
// state directory) stays reachable through its descriptor once the directory is covered.
void openSources(void) {
    for (int index = 0; index < operationCount; index++) {
        Operation *operation = &operations[index];
        if (operation->kind != bindWritable && operation->kind != bindReadOnly) continue;
        operation->tree = open(operation->source, O_PATH | O_CLOEXEC);
        if (operation->tree < 0) failErrno("cannot open", operation->source);
    }
}

void mountOwnFilesystems(void) {
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) failErrno("cannot mount", "/proc");
    if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0) failErrno("cannot mount", "/dev/shm");
}

// Whether `path` is `ancestor` or lies below it.
static int isWithin(const char *path, const char *ancestor) {
    size_t length = strlen(ancestor);
    if (length == 1 && ancestor[0] == '/') return 1;
    return strncmp(path, ancestor, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

// Whether the hidden path of operation `index` lies in a tmpfs mounted after it (the private /tmp over a state
// directory under the host's /tmp): that tmpfs hides it already, one superblock fewer to make and tear down.
static int isCoveredLater(int index) {
    for (int later = index + 1; later < operationCount; later++) {
        OperationKind kind = operations[later].kind;
        if ((kind == mountTmpfs || kind == hideDirectory) && isWithin(operations[index].target, operations[later].target)) {
            return 1;
        }
    }
    return 0;
}

// The operation whose mount holds `operations[index].target` once the earlier ones are made: the last earlier one
// whose target contains it (hidden paths covered later do not count); NULL when it lies in the host's view.
static const Operation *enclosingMount(int index) {
    const char *target = operations[index].target;
    for (int earlier = index - 1; earlier >= 0; earlier--) {
        const Operation *operation = &operations[earlier];
        if (strcmp(operation->target, target) == 0 || !isWithin(target, operation->target)) continue;
        if ((operation->kind == hideDirectory || operation->kind == hideFile) && isCoveredLater(earlier)) continue;
        return operation;
    }
    return NULL;
}

void mountNodePaths(void) {
    for (int index = 0; index < operationCount; index++) {
        Operation *operation = &operations[index];
        switch (operation->kind) {
        case hideDirectory:
            if (isCoveredLater(index)) break;
            if (mount("tmpfs", operation->target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
                failErrno("cannot hide", operation->target);
            }
            break;
        case hideFile:
            if (isCoveredLater(index)) break;
            if (mount("/dev/null", operation->target, NULL, MS_BIND, NULL) != 0) {
                failErrno("cannot hide", operation->target);
            }
            break;
        case mountTmpfs: {
            // Inside another tmpfs of this node (its working directory in its private /tmp, or in the tmpfs that
            // hides the state directory) a directory is as private and as writable as a tmpfs of its own, and costs
            // no superblock to make and tear down.
            const Operation *enclosing = enclosingMount(index);
            if (enclosing && (enclosing->kind == mountTmpfs || enclosing->kind == hideDirectory)) {
                makeDirectoriesBelow(operation->target, strlen(enclosing->target));
                break;
            }
            // A private path nothing is read back from: memory, not a host directory made and deleted per node.
            makeMountPoint(operation->target, 1);
            if (mount("tmpfs", operation->target, "tmpfs", MS_NOSUID | MS_NODEV,
                      strcmp(operation->target, "/tmp") == 0 ? "mode=1777" : "mode=0755") != 0) {
                failErrno("cannot mount a tmpfs at", operation->target);
            }
            break;
        }
        case bindWritable:
        case bindReadOnly: {
            struct stat info;
            if (fstat(operation->tree, &info) != 0) failErrno("cannot read", operation->source);
            // Only a directory bound at its own host path (the node's working directory) gets a scaffold: the
            // directories on the way to an input or output stay real, writable directories of the node's mount,
            // where it may write beside them and the engine reads what it declared.
            if (S_ISDIR(info.st_mode) && strcmp(operation->source, operation->target) == 0) {
                makeBindPoint(operation->target, 1);
            } else {
                makeMountPoint(operation->target, S_ISDIR(info.st_mode));
            }
            char source[64];
            snprintf(source, sizeof source, "/proc/self/fd/%d", operation->tree);
            if (mount(source, operation->target, NULL, MS_BIND | MS_REC, NULL) != 0) {
                failErrno("cannot mount at", operation->target);
            }
            // A bind copies the read-only flag the host root now has: set the one this mount must have.
            int readOnly = operation->kind == bindReadOnly;
            unsigned long set = MOUNT_ATTR_NODEV | (readOnly ? MOUNT_ATTR_RDONLY : 0);
            if (setAttributes(AT_FDCWD, operation->target, AT_RECURSIVE, set, readOnly ? 0 : MOUNT_ATTR_RDONLY) != 0) {
                failErrno("cannot set the mount flags of", operation->target);
            }
            close(operation->tree);
            break;
        }
        }
    }
    // The scaffolding holds mount points only: the node writes in its mounts, never beside them.
    for (int index = 0; index < scaffoldCount; index++) {
        if (setAttributes(AT_FDCWD, scaffolds[index], 0, MOUNT_ATTR_RDONLY, 0) != 0) {
            failErrno("cannot make read-only", scaffolds[index]);
        }
    }
    // A working directory in a tmpfs is made there (the runtime makes the others on the host).
    if (chdir(workingDirectory) != 0 && (errno != ENOENT || (makeDirectories(workingDirectory), chdir(workingDirectory)) != 0)) {
        failErrno("cannot change directory to", workingDirectory);
    }
}

// Copies the tail of each saved file the node left to its place under the node's directory (parents made there).
static void saveFiles(void) {
    for (int index = 0; index < saveCount && nodeDirectory >= 0; index++) {
        int source = open(saves[index].sandboxPath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat info;
        if (source < 0) continue;
        if (fstat(source, &info) != 0 || !S_ISREG(info.st_mode)) {
            close(source);
            continue;
        }
        char buffer[savedBytes];
        off_t start = info.st_size > savedBytes ? info.st_size - savedBytes : 0;
        ssize_t length = pread(source, buffer, sizeof buffer, start);
        close(source);
        char path[4096];
        snprintf(path, sizeof path, "%s", saves[index].nodeRelativePath);
        for (char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            mkdirat(nodeDirectory, path, 0700);
            *slash = '/';
        }
        int target = openat(nodeDirectory, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (target < 0) continue;
        if (length > 0 && write(target, buffer, (size_t)length) < 0) {}
        close(target);
    }
}

// The command's process until its exec: its signal mask back (its capabilities go at the exec: limitCapabilities).
typedef struct {
    char **command;
    sigset_t mask;
} CommandStart;

static int startCommand(void *argument) {
    CommandStart *start = argument;
    sigprocmask(SIG_SETMASK, &start->mask, NULL);
    execve(start->command[0], start->command, environ);
    failErrno("cannot run", start->command[0]);
}

void runCommand(char **command) {
    CommandStart start = {.command = command};
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &start.mask);
    // As posix_spawn does: the child borrows this process's memory (on a stack of its own) until its exec, and this
    // process waits for that exec. A fork would copy the page tables only for the exec to throw them away.
    static char stack[64 * 1024] __attribute__((aligned(16)));
    pid_t child = clone(startCommand, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
    if (child < 0) failErrno("cannot fork", command[0]);
    // PID 1 ignores what it does not handle; it only waits.
    for (;;) {
        int status;
        pid_t ended = waitpid(-1, &status, 0);
        if (ended < 0 && errno == EINTR) continue;
        if (ended < 0) _exit(1);
        if (ended != child) continue;
        if (!WIFEXITED(status) && !WIFSIGNALED(status)) continue;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (endReport >= 0) {
            // What the kernel does when PID 1 exits, done first: nothing of the node runs once it is reported ended.
            kill(-1, SIGKILL);
            while (waitpid(-1, &status, 0) > 0 || errno == EINTR) {}
        }
        saveFiles();
        if (endReport >= 0) {
            EndReport report = {.id = endReportID, .status = (code & 0xff) << 8};
            while (write(endReport, &report, sizeof report) < 0 && errno == EINTR) {}
        }
        _exit(code);
    }
}

int parseOptions(int argc, char **argv, int index) {
    for (; index < argc; index++) {
        const char *option = argv[index];
        if (strcmp(option, "--") == 0) {
            index++;
            break;
        }
        if (operationCount >= maxOperations) fail("too many mounts");
        Operation *operation = &operations[operationCount];
        operation->tree = -1;
        if ((strcmp(option, "--hide-dir") == 0 || strcmp(option, "--hide-file") == 0) && index + 1 < argc) {
            operation->kind = option[7] == 'd' ? hideDirectory : hideFile;
            operation->target = argv[++index];
            operationCount++;
        } else if ((strcmp(option, "--bind") == 0 || strcmp(option, "--ro-bind") == 0) && index + 2 < argc) {
            operation->kind = option[2] == 'b' ? bindWritable : bindReadOnly;
            operation->source = argv[++index];
            operation->target = argv[++index];
            operationCount++;
        } else if (strcmp(option, "--tmpfs") == 0 && index + 1 < argc) {
            operation->kind = mountTmpfs;
            operation->target = argv[++index];
            operationCount++;
        } else if (strcmp(option, "--save") == 0 && index + 2 < argc) {
            if (saveCount >= maxSaves) fail("too many saved files");
            saves[saveCount].sandboxPath = argv[++index];
            saves[saveCount++].nodeRelativePath = argv[++index];
        } else if (strcmp(option, "--chdir") == 0 && index + 1 < argc) {
            workingDirectory = argv[++index];
        } else {
            fail("unknown or incomplete option '%s'", option);
        }
    }
    if (index >= argc) fail("no command after '--'");
    return index;
}
