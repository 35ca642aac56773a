import Foundation
import SluiceTesting
import Testing

@testable import SluiceRuntimes

/// The host's `/run/netns` holds `nsfs` mounts while podman or docker runs a container; a recursive read-only bind
/// of `/` cannot remount them, so the sandbox leaves the host's `/run` out.
@Suite("Bubblewrap with container network namespaces on the host", .timeLimit(.minutes(1)))
struct BubblewrapNamespaceMountTests {
    static let plan = SandboxPlan(layout: SandboxLayout(nodeDirectory: "/tmp/sluice-plan/node"))

    @Test("both root layouts give the node a fresh /run; the top-level layout never binds the host's /run")
    func freshRun() {
        for layout in [BubblewrapCommand.RootLayout.hostRoot, .topLevelEntries] {
            var command = BubblewrapCommand(bwrapPath: "/usr/bin/bwrap")
            command.rootLayout = layout
            let arguments = command.arguments(plan: Self.plan, executable: "/usr/bin/true", arguments: [])
            #expect(arguments.contains(sequence: ["--tmpfs", "/run"]))
            #expect(arguments.contains(sequence: ["--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve"]))
            #expect(!arguments.contains(sequence: ["--ro-bind", "/run", "/run"]))
            if layout == .topLevelEntries {
                #expect(!arguments.contains(sequence: ["--ro-bind", "/", "/"]))
                #expect(arguments.contains(sequence: ["--ro-bind", "/usr", "/usr"]))
                #expect(arguments.contains(sequence: ["--remount-ro", "/"]))
            } else {
                #expect(Array(arguments.prefix(5)) == ["--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/"])
            }
        }
    }

    @Test("nsfs mounts are recognised in mountinfo")
    func mountInfo() throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-mountinfo")
        defer { StoreSupport.removeStateDirectory(directory) }
        let plain = directory + "/plain"
        let withNetns = directory + "/netns"
        let base =
            "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
            + "24 22 0:22 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=2414124k,mode=755\n"
        try Data(base.utf8).write(to: URL(fileURLWithPath: plain))
        try Data((base + "612 24 0:4 net:[4026532391] /run/netns/netns-aa9dfc67 rw shared:318 - nsfs nsfs rw\n").utf8)
            .write(to: URL(fileURLWithPath: withNetns))
        #expect(BubblewrapCommand.hostHasNamespaceMounts(mountInfo: plain) == false)
        #expect(BubblewrapCommand.hostHasNamespaceMounts(mountInfo: withNetns))
        #expect(BubblewrapCommand.hostHasNamespaceMounts(mountInfo: directory + "/missing") == false)
        #expect(
            BubblewrapCommand.isRemountFailure(
                #"bwrap: Can't bind mount /oldroot/ on /newroot/: Unable to apply mount flags: remount "/newroot/run/netns/x": Invalid argument"#
            ))
    }
}
