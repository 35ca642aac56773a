import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process as this host knows it: its id, when it started, and the host it runs on.
///
/// A pid alone names a process only while it lives: once it has died, the kernel may give the same number to an
/// unrelated process. The start time (field 22 of `/proc/<pid>/stat`, clock ticks since boot) tells the two
/// apart, so a lease holder or a node left by a dead engine is recognised as itself and nothing else. This is the
/// one place that decides whether a recorded process is still alive.
package struct ProcessIdentity: Sendable, Equatable, CustomStringConvertible {
    /// The process id.
    package var processID: Int32
    /// Clock ticks between boot and the process's start (`/proc/<pid>/stat` field 22); nil when unknown (a record
    /// written by an older Sluice), in which case only the pid is compared.
    package var startTime: UInt64?
    /// The host name the process runs on.
    package var host: String

    /// Creates an identity from recorded values.
    package init(processID: Int32, startTime: UInt64?, host: String) {
        self.processID = processID
        self.startTime = startTime
        self.host = host
    }

    /// This process.
    package static var current: ProcessIdentity { own }

    private static let own: ProcessIdentity = {
        let pid = getpid()
        return ProcessIdentity(processID: pid, startTime: ProcessStat.read(pid)?.startTime, host: hostName)
    }()

    /// The process with this pid on this host now, or nil when there is none.
    package static func running(_ processID: Int32) -> ProcessIdentity? {
        guard processID > 0, let stat = ProcessStat.read(processID), stat.state != "Z" else { return nil }
        return ProcessIdentity(processID: processID, startTime: stat.startTime, host: hostName)
    }

    /// This machine's host name (`gethostname`), or `localhost` when it has none.
    package static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }()

    /// Whether this recorded process still runs: on this host, a live (not zombie) process with the same pid and,
    /// when recorded, the same start time.
    ///
    /// A process on another host cannot be checked from here and counts as alive: a lease it holds is never
    /// taken over silently.
    package var isAlive: Bool {
        guard host == Self.hostName else { return true }
        if processID == Self.own.processID { return startTime == nil || startTime == Self.own.startTime }
        switch ProcessStat.lookUp(processID) {
        case .absent: return false
        // /proc could not be read (e.g. no descriptor left): the process may well run, so it counts as alive.
        case .unreadable: return true
        case .found(let stat): return stat.state != "Z" && (startTime == nil || stat.startTime == startTime)
        }
    }

    /// `pid 4242 on host`, with the host only when it is not this one.
    package var description: String {
        host == Self.hostName ? "pid \(processID)" : "pid \(processID) on \(host)"
    }
}

/// The fields Sluice reads from `/proc/<pid>/stat`.
struct ProcessStat: Sendable, Equatable {
    /// One letter: `R`, `S`, `D`, `Z` (zombie), `T`…
    var state: Character
    /// The process group id (field 5).
    var processGroup: Int32
    /// Clock ticks since boot when the process started (field 22).
    var startTime: UInt64

    /// What `/proc/<pid>/stat` says about a pid.
    enum LookUp: Equatable {
        case found(ProcessStat)
        /// No such process.
        case absent
        /// The file could not be read for another reason (no descriptor left, /proc not mounted...).
        case unreadable
    }

    /// The stat of `pid`, or nil when there is no such process or it cannot be read.
    static func read(_ pid: Int32) -> ProcessStat? {
        if case .found(let stat) = lookUp(pid) { return stat }
        return nil
    }

    /// Reads `/proc/<pid>/stat`, telling a missing process from an unreadable file.
    static func lookUp(_ pid: Int32) -> LookUp {
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT || errno == ESRCH ? .absent : .unreadable }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        // A process that exits between open and read reads as ESRCH.
        guard count > 0 else { return count < 0 && errno == ESRCH ? .absent : .unreadable }
        guard let stat = parse(String(decoding: buffer[..<count], as: UTF8.self)) else { return .unreadable }
        return .found(stat)
    }

    /// Parses a stat line: `pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    /// stime cutime cstime priority nice threads itrealvalue starttime ...`. `comm` may hold spaces and
    /// parentheses, so fields are counted after the last `)`.
    static func parse(_ text: String) -> ProcessStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so field N is fields[N - 3].
        guard fields.count > 19, let state = fields[0].first, let group = Int32(fields[2]),
            let start = UInt64(fields[19])
        else { return nil }
        return ProcessStat(state: state, processGroup: group, startTime: start)
    }
}
