#ifndef SLUICE_C_RUNTIME_SHIMS_H
#define SLUICE_C_RUNTIME_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// The Linux calls SluiceRuntimes' log pump needs that Swift's Glibc module does not export (epoll, pipe2, splice).

/// An epoll instance (close-on-exec); -1 with errno on failure.
int sluice_poller_create(void);
/// Watches `fd` for input (level-triggered), reported with `id`; 0 or -1 with errno.
int sluice_poller_add(int poller, int fd, uint64_t id);
/// Stops watching `fd`; 0 or -1 with errno.
int sluice_poller_remove(int poller, int fd);
/// Waits for watched descriptors (no timeout); fills up to `capacity` ids, returns how many or -1 with errno.
int sluice_poller_wait(int poller, uint64_t *ids, int capacity);
/// A pipe, both ends close-on-exec, the read end (`fds[0]`) non-blocking; 0 or -1 with errno.
int sluice_log_pipe(int fds[2]);
/// Moves up to `length` bytes from the pipe `from` to the file `to` at its offset without blocking on the pipe
/// (splice, SPLICE_F_MOVE | SPLICE_F_NONBLOCK); bytes moved, 0 at the pipe's end, or -1 with errno.
ssize_t sluice_splice_to_file(int from, int to, size_t length);

#endif
