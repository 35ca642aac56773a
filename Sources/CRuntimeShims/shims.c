#define _GNU_SOURCE
#include "CRuntimeShims.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

int sluice_poller_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int sluice_poller_add(int poller, int fd, uint64_t id) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = id};
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int sluice_poller_remove(int poller, int fd) {
    struct epoll_event event = {0};
    return epoll_ctl(poller, EPOLL_CTL_DEL, fd, &event);
}

int sluice_poller_wait(int poller, uint64_t *ids, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(poller, events, capacity, -1);
    for (int index = 0; index < count; index++) ids[index] = events[index].data.u64;
    return count;
}

int sluice_log_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
}

ssize_t sluice_splice_to_file(int from, int to, size_t length) {
    return splice(from, NULL, to, NULL, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
}
