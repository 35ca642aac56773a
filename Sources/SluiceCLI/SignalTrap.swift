import Dispatch
import Foundation
import SluiceAudit

/// Turns SIGINT and SIGTERM into a callback (once each), instead of killing the process, while it is alive.
// @unchecked: `sources` is written once in init and only cancelled afterwards; DispatchSource is thread-safe.
final class SignalTrap: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { handler(signalNumber) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Stops trapping; the default actions apply again.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Runs `body` with SIGINT and SIGTERM removing the bundle scratch directories still present, then ending the
/// process with the conventional status (128 + the signal), so that an interrupted `verify` leaves nothing behind.
func removingScratchOnSignal<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    let trap = SignalTrap { signalNumber in
        ScratchDirectories.removeAllAndExit(status: 128 + signalNumber)
    }
    defer { trap.cancel() }
    return try body()
}
