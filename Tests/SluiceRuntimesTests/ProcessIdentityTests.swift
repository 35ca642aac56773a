import Foundation
import SluiceTesting
import Testing

@testable import SluiceRuntimes

#if canImport(Glibc)
    import Glibc
#endif

/// `ProcessIdentity`: a pid plus its start time, so that a reused pid is never taken for the recorded process.
@Suite("Process identity and leftover groups", .timeLimit(.minutes(1)))
struct ProcessIdentityTests {
    @Test("stat lines are read after the last ')' of the command name")
    func parsesStat() throws {
        let line = "4242 (we (ird) name) S 1 4240 4240 0 -1 4194560 96 0 0 0 0 0 0 0 20 0 1 0 987654 8192 100"
        let stat = try #require(ProcessStat.parse(line))
        #expect(stat == ProcessStat(state: "S", processGroup: 4240, startTime: 987_654))
        #expect(ProcessStat.parse("4242 (truncated) S 1") == nil)
    }

    @Test("this process is alive; the same pid with another start time, a dead pid, are not; another host is")
    func liveness() async throws {
        let me = ProcessIdentity.current
        #expect(me.isAlive)
        #expect(me.startTime != nil)
        var reused = me
        reused.startTime = (me.startTime ?? 0) + 1
        #expect(!reused.isAlive)
        let dead = try await Self.exitedPID()
        #expect(!ProcessIdentity(processID: dead, startTime: nil, host: ProcessIdentity.hostName).isAlive)
        #expect(ProcessIdentity(processID: dead, startTime: nil, host: "elsewhere.invalid").isAlive)
        #expect(
            ProcessIdentity(processID: dead, startTime: nil, host: "elsewhere.invalid").description
                == "pid \(dead) on elsewhere.invalid")
    }

    @Test("a leftover group is killed whole; a leader with another start time is left alone")
    func killsLeftoverGroup() async throws {
        let marker = "\(Int.random(in: 100_000...999_999)).5"
        let leader = try Self.spawnGroup("sleep \(marker) & sleep \(marker); wait")
        defer { kill(-leader, SIGKILL) }
        try await Task.sleep(for: .milliseconds(200))
        let identity = ProcessRuntime.identity(ofLeader: leader)
        #expect(ProcessRuntime.members(ofGroup: leader).count == 3)
        var impostor = identity
        impostor.startTime = (identity.startTime ?? 0) + 1
        #expect(!ProcessRuntime.killLeftoverGroup(of: impostor))
        #expect(ProcessRuntime.members(ofGroup: leader).count == 3)
        #expect(ProcessRuntime.killLeftoverGroup(of: identity))
        var status: Int32 = 0
        waitpid(leader, &status, 0)
        for _ in 0..<100 where !ProcessRuntime.members(ofGroup: leader).isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(ProcessRuntime.members(ofGroup: leader).isEmpty)
        #expect(!ProcessRuntime.killLeftoverGroup(of: identity), "nothing is left to kill")
    }

    /// Starts `/bin/sh -c script` in a new session; returns its pid (the group's id).
    static func spawnGroup(_ script: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID
        let words: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { for pointer in environment { free(pointer) } }
        try #require(posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environment) == 0)
        return pid
    }

    /// The pid of a process that has exited and been reaped.
    static func exitedPID() async throws -> pid_t {
        let pid = try spawnGroup("exit 0")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return pid
    }
}
