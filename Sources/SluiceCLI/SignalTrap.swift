import Foundation
import SluiceAudit
import Synchronization

/// Turns SIGINT and SIGTERM into a callback, instead of killing the process, while it is alive.
///
/// The signals get a real handler (`sigaction`), which only writes the signal's number to a pipe; a thread reads the
/// pipe and calls the callback. A dispatch signal source is not enough on Linux: it reads the signals through a
/// `signalfd` that only sees a signal the receiving thread blocks, so a SIGTERM the kernel delivered to another
/// thread (the cooperative pool's, an unpacking thread's) was ignored and the process went on as if never signalled.
/// A handled signal also goes back to its default action in the programs the process starts (an ignored one would
/// be inherited).
final class SignalTrap: Sendable {
    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        SignalRelay.shared.install(handler)
    }

    /// The last signal trapped since this trap was set, even when its callback has not run yet (the handler records
    /// it on delivery; the callback runs on the relay's thread, which may not have had a CPU yet).
    var received: Int32? { SignalRelay.shared.received }

    /// Stops trapping; the default actions apply again.
    func cancel() {
        SignalRelay.shared.uninstall()
    }
}

/// The process's one pipe from the signal handler to a reading thread, and the callback now in force.
private final class SignalRelay: Sendable {
    static let shared = SignalRelay()

    /// The pipe's write end, read by the signal handler (an atomic load is async-signal-safe).
    private static let writeEnd = Atomic<Int32>(-1)
    /// The last signal delivered since ``install(_:)``, 0 for none.
    private static let lastSignal = Atomic<Int32>(0)
    private let callback = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        Self.writeEnd.store(ends[1], ordering: .releasing)
        let readEnd = ends[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    callback.withLock { $0 }?(Int32(byte))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "sluice-signals"
        thread.start()
    }

    var received: Int32? {
        let signalNumber = Self.lastSignal.load(ordering: .acquiring)
        return signalNumber == 0 ? nil : signalNumber
    }

    func install(_ handler: @escaping @Sendable (Int32) -> Void) {
        Self.lastSignal.store(0, ordering: .releasing)
        callback.withLock { $0 = handler }
        for signalNumber in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signalNumber in
                SignalRelay.lastSignal.store(signalNumber, ordering: .releasing)
                let descriptor = SignalRelay.writeEnd.load(ordering: .acquiring)
                guard descriptor >= 0 else { return }
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: signalNumber)
                _ = write(descriptor, &byte, 1)
                errno = saved
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, nil)
        }
    }

    func uninstall() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        callback.withLock { $0 = nil }
    }
}

/// Runs `body` with SIGINT and SIGTERM removing the bundle scratch directories still present, then ending the
/// process with the conventional status (128 + the signal), so that an interrupted `verify` leaves nothing behind.
/// A signal that arrived while `body` ran ends the process so even when `body` finished before the callback ran.
func removingScratchOnSignal<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    let trap = SignalTrap { signalNumber in
        ScratchDirectories.removeAllAndExit(status: 128 + signalNumber)
    }
    defer {
        if let signalNumber = trap.received { ScratchDirectories.removeAllAndExit(status: 128 + signalNumber) }
        trap.cancel()
    }
    return try body()
}
