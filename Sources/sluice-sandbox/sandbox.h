// The parts of sluice-sandbox shared by its two modes: one node per launch (main.c) and the long-lived server
// that forks every node of a run from one prepared view of the host (server.c). See main.c for the guarantees.
#ifndef SLUICE_SANDBOX_H
#define SLUICE_SANDBOX_H

#include <stdint.h>

enum { maxOperations = 4096 };

typedef enum { hideDirectory, hideFile, bindWritable, bindReadOnly, mountTmpfs } OperationKind;

typedef struct {
    OperationKind kind;
    const char *source;
    const char *target;
    int tree;  // `source` opened with O_PATH before anything is hidden
} Operation;

extern Operation operations[maxOperations];
extern int operationCount;
extern const char *workingDirectory;

// Files the engine reads after the node that lie in a tmpfs (`--save SANDBOX_PATH NODE_RELATIVE_PATH`): PID 1 copies
// their last 4 KiB, once the command ended, to that path under the node's directory, open as `nodeDirectory`
// (a descriptor the server received; -1: nothing is saved).
enum { maxSaves = 16, savedBytes = 4096 };
typedef struct {
    const char *sandboxPath;
    const char *nodeRelativePath;
} Save;
extern Save saves[maxSaves];
extern int saveCount;
extern int nodeDirectory;

// One line "sluice-sandbox: MESSAGE" on stderr, then exit code 1.
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *format, ...);
__attribute__((noreturn)) void failErrno(const char *what, const char *path);

// Reads the node's options from argv[index...] into `operations` and `workingDirectory`; returns the index of the
// command after "--" (failing when there is none).
int parseOptions(int argc, char **argv, int index);

// Takes away what would undo the sandbox from inside even for root: mounting (a read-write remount of the host),
// loading modules, raw I/O and device nodes, rebooting. They leave the bounding and inheritable sets, so the node's
// command, which gets nothing else at its exec, cannot have them; the caller keeps using them (effective, permitted)
// to build the node's mounts. Done once, before any node: by the server for all its nodes, not once per node (seven
// system calls, five of them committing new credentials).
void limitCapabilities(void);

// The view every node starts from, in the current (already private) mount namespace: the whole host read-only,
// a minimal /dev and an empty /run with the host's /run/systemd/resolve, both read-only (a server's nodes share
// them). /proc and /dev/shm are the node's own, made later. With `detachesCovered` (the server: every node's
// namespace copies its view and tears the copy down) the host's /dev, /run and /proc trees are detached rather than
// left under them (30 mounts on the project's VM before, 18 after).
// The per-node launcher's view is used once, its copy already made: there each detach would only add its wait for
// an RCU grace period (50-80 µs, up to 1.5 ms under load, measured with strace -T).
void prepareHostView(int detachesCovered);

// Opens every bind source while the host is whole (before anything is hidden).
void openSources(void);

// What each node has of its own beside its private paths: a fresh /proc of the calling process's PID namespace and
// an empty /dev/shm (the view's /dev and /run are shared by a server's nodes, and read-only).
void mountOwnFilesystems(void);

// The node's own mounts, in order: hidden paths, binds, read-only scaffolds; then changes to its working directory.
void mountNodePaths(void);

// What a node's PID 1 writes to the server's report pipe once its command ended: the request's id and the wait
// status the server replies (one write, below PIPE_BUF: never interleaved with another node's).
typedef struct {
    uint64_t id;
    int32_t status;
} __attribute__((packed)) EndReport;

// Where PID 1 reports the command's end before it exits (the server's report pipe; -1: nowhere), and the id the
// report names.
extern int endReport;
extern uint64_t endReportID;

// As PID 1 of the node's namespace: forks the command (PID 2, without the dropped capabilities), reaps whatever
// ends, exits with the command's exit code or 128 + its signal. With an `endReport`, once the command ended it kills
// and reaps whatever else still runs in the namespace, saves the files, writes `endReportID` and the exit status
// there, and only then exits: the teardown of the node's namespaces, which its exit does, is no longer between the
// command's end and the engine learning of it.
__attribute__((noreturn)) void runCommand(char **command);

// The server's loop (server.c): requests on `socket`, one node each.
__attribute__((noreturn)) void serve(int socket);

#endif
