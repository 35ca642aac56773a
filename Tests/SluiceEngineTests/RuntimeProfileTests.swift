import Foundation
import SluiceEngine
import Testing

/// The process runtime's image map follows Kubernetes' rules for `command` and `args`.
@Suite("Runtime profile image map")
struct RuntimeProfileTests {
    static let profile = RuntimeProfile(images: [
        "argoproj/argosay:v2": .init(entrypoint: ["argosay"], cmd: nil),
        "docker/whalesay:latest": .init(entrypoint: nil, cmd: ["cowsay"]),
        "tool:1": .init(entrypoint: ["tool", "--fast"], cmd: ["default-arg"]),
    ])

    @Test(
        "command replaces the entrypoint; args replace cmd; without both the image's own run",
        arguments: [
            ("tool:1", nil, nil, ["tool", "--fast", "default-arg"]),
            ("tool:1", nil, ["x"], ["tool", "--fast", "x"]),
            ("tool:1", ["sh", "-c"], ["echo"], ["sh", "-c", "echo"]),
            ("argoproj/argosay:v2", nil, ["echo", "hi"], ["argosay", "echo", "hi"]),
            ("docker/whalesay", nil, nil, ["cowsay"]),
            ("docker/whalesay", nil, ["moo"], ["moo"]),
        ] as [(String, [String]?, [String]?, [String])])
    func argv(image: String, command: [String]?, args: [String]?, expected: [String]) throws {
        #expect(try Self.profile.argv(image: image, command: command, args: args) == expected)
    }

    @Test("an image the profile does not map fails naming the image and the fix")
    func unmapped() {
        #expect(throws: EngineError.imageNotMapped(image: "busybox")) {
            try Self.profile.argv(image: "busybox", command: nil, args: ["x"])
        }
        #expect(EngineError.imageNotMapped(image: "busybox").description.contains("--runtime-profile FILE"))
    }

    @Test("a profile file is read with its images")
    func loadsFile() throws {
        let path = NSTemporaryDirectory() + "profile-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("runtime: process\nimages:\n  \"alpine:3.20\": {cmd: [sh]}\n".utf8).write(
            to: URL(fileURLWithPath: path))
        let profile = try RuntimeProfile.load(path: path)
        #expect(try profile.argv(image: "alpine:3.20", command: nil, args: nil) == ["sh"])
    }
}
