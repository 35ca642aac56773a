import CRuntimeShims
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Moves what nodes write to their stdout and stderr pipes into their log files, on one thread of its own.
///
/// A log file is created (mode 0600, its directory 0700 if missing) when the first byte arrives, so a node that
/// prints nothing costs no inode, no directory and no file left behind: creating the node's directory and two log
/// files was ~13% of the engine's CPU on a fan-out of 1,000 silent nodes (ext4). What arrives is spliced into the
/// file as it comes (no copy through user memory, no buffering beyond the pipe's 64 KiB: a node writing faster
/// than the disk waits on its pipe), so a running node's output is in its log file at once, as when it wrote the
/// file itself. A pipe is served for at most ``budget`` bytes per wake-up, so one loud node cannot stall others.
final class LogPump: Sendable {
    /// The pump every runtime of this process uses (its thread starts with the first log).
    static let shared = LogPump()

    /// Bytes moved from one pipe before the pump looks at the others.
    static let budget = 1 << 20

    private let poller: Int32
    private let sinks = Mutex<[UInt64: Sink]>([:])
    private let nextID = Atomic<UInt64>(1)

    private init() {
        poller = sluice_poller_create()
        let thread = Thread { [self] in loop() }
        thread.name = "sluice-logs"
        thread.start()
    }

    /// A pipe's read end and the log file it fills.
    final class Sink: Sendable {
        let path: String
        let id: UInt64
        private let poller: Int32
        private let state: Mutex<State>

        struct State {
            var pipe: Int32
            var file: Int32 = -1
            /// Whether the file takes `write` rather than `splice` (a file system without splice support).
            var copies = false
            /// Why the file could not be created or written (what arrives after is read and dropped).
            var failure: String?
            var closed = false
        }

        init(path: String, pipe: Int32, id: UInt64, poller: Int32) {
            self.path = path
            self.id = id
            self.poller = poller
            self.state = Mutex(State(pipe: pipe))
        }

        /// Moves up to `budget` bytes; `true` once the pipe has ended (or was closed), both ends then shut.
        func drain(budget: Int) -> Bool {
            state.withLock { state in
                guard !state.closed else { return true }
                let ended = Self.move(&state, path: path, budget: budget)
                if ended { close(&state) }
                return ended
            }
        }

        /// Moves everything the pipe holds now, then closes it: the node has ended, so whatever it wrote is in the
        /// pipe (a process it left behind that still writes gets EPIPE).
        ///
        /// - Returns: why the log could not be written, or nil.
        func finish() -> String? {
            state.withLock { state in
                if !state.closed {
                    _ = Self.move(&state, path: path, budget: Int.max)
                    close(&state)
                }
                return state.failure
            }
        }

        private func close(_ state: inout State) {
            _ = sluice_poller_remove(poller, state.pipe)
            Glibc.close(state.pipe)
            if state.file >= 0 { Glibc.close(state.file) }
            state.file = -1
            state.closed = true
        }

        /// Moves bytes until the pipe is empty (false), has ended (true) or `budget` bytes were moved (false).
        private static func move(_ state: inout State, path: String, budget: Int) -> Bool {
            var moved = 0
            while moved < budget {
                if state.file < 0 || state.copies || state.failure != nil {
                    // No file yet (or no splice into it): read a chunk, create the file for it, write it (or drop it).
                    let count = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16 * 1024) { buffer in
                        let count = read(state.pipe, buffer.baseAddress, buffer.count)
                        if count > 0 {
                            let bytes = UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
                            write(bytes, to: &state, path: path)
                        }
                        return count
                    }
                    if count == 0 { return true }
                    if count < 0 {
                        if errno == EINTR { continue }
                        return errno != EAGAIN
                    }
                    moved += count
                    continue
                }
                let count = sluice_splice_to_file(state.pipe, state.file, min(budget - moved, 1 << 20))
                if count > 0 {
                    moved += count
                } else if count == 0 {
                    return true
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN {
                    return false
                } else if errno == EINVAL {
                    state.copies = true
                } else {
                    // The file takes no more (ENOSPC, EIO...): what follows is read and dropped.
                    state.failure = HostFiles.errorText(errno)
                }
            }
            return false
        }

        /// Writes `bytes` to the log, creating it first; a failure is remembered and the bytes dropped.
        private static func write(_ bytes: UnsafeRawBufferPointer, to state: inout State, path: String) {
            guard state.failure == nil, let base = bytes.baseAddress else { return }
            if state.file < 0 {
                state.file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
                if state.file < 0, errno == ENOENT {
                    // The node's directory is made with its first log.
                    let parent = SandboxPath.parent(path)
                    if let failure = HostFiles.makePrivateDirectory(parent) {
                        state.failure = "\(parent): \(failure)"
                        return
                    }
                    state.file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
                }
                guard state.file >= 0 else {
                    state.failure = HostFiles.errorText(errno)
                    return
                }
            }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(state.file, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    state.failure = HostFiles.errorText(errno)
                    return
                }
                offset += written
            }
        }
    }

    /// A pipe whose read end the pump drains into `path`: its write end (close-on-exec, blocking) for the node,
    /// and the sink to ``Sink/finish()`` once the node ended.
    func pipe(to path: String) -> Result<(writeEnd: Int32, sink: Sink), HostFiles.LogOpenFailure> {
        // As the file's O_TRUNC did: what an earlier attempt at this path left is not this node's log.
        unlink(path)
        var ends: [Int32] = [-1, -1]
        // Only the pump's end is non-blocking: the node's writes wait for room.
        guard sluice_log_pipe(&ends) == 0 else { return .failure(.init(text: HostFiles.errorText(errno))) }
        let sink = Sink(
            path: path, pipe: ends[0], id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, poller: poller)
        sinks.withLock { $0[sink.id] = sink }
        guard sluice_poller_add(poller, ends[0], sink.id) == 0 else {
            let text = HostFiles.errorText(errno)
            forget(sink)
            _ = sink.finish()
            Glibc.close(ends[1])
            return .failure(.init(text: text))
        }
        return .success((ends[1], sink))
    }

    /// Drops `sink` from the pump's table (its pipe leaves the poller when it is closed).
    func forget(_ sink: Sink) {
        _ = sinks.withLock { $0.removeValue(forKey: sink.id) }
    }

    private func loop() {
        var ids = [UInt64](repeating: 0, count: 64)
        while true {
            let count = sluice_poller_wait(poller, &ids, Int32(ids.count))
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<Int(count) {
                let id = ids[index]
                guard let sink = sinks.withLock({ $0[id] }) else { continue }
                if sink.drain(budget: Self.budget) { forget(sink) }
            }
        }
    }
}
