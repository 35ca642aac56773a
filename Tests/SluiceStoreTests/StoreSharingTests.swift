import Foundation
import SluiceTesting
import Testing

@testable import SluiceStore

@Suite("Store reads kept between calls")
struct StoreSharingTests {
    /// Pins the incremental revocation read: rows added through another connection after a read are returned by the
    /// next one, after those already read.
    @Test("a revocation another store adds is in the next revocations() of a store that already read the list")
    func revocationsStayFresh() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let reader = try Store(stateDirectory: directory)
            let writer = try Store(stateDirectory: directory)
            let first = try writer.addRevocation(
                RevocationRecord(kind: .key, value: "key-1", reason: "leaked", createdAt: StoreSupport.instant()))
            #expect(try reader.revocations() == [first])
            #expect(try reader.revocations() == [first])
            let second = try writer.addRevocation(
                RevocationRecord(kind: .envelope, value: "env-2", reason: "bad", createdAt: StoreSupport.instant(1)))
            #expect(try reader.revocations() == [first, second])
        }
    }

    @Test("a signed revocation counts at once too; one added without the marker counts after the reread interval")
    func revocationsWithoutTheMarker() async throws {
        try await StoreSupport.withTemporaryDirectory { directory in
            let reader = try Store(stateDirectory: directory)
            let writer = try Store(stateDirectory: directory)
            #expect(try reader.revocations().isEmpty)
            let signed = try writer.addRevocation(
                RevocationRecord(kind: .key, value: "key-1", reason: "leaked", createdAt: StoreSupport.instant()),
                signedBy: "key-id", envelopeJSON: Data("{}".utf8))
            #expect(try reader.revocations() == [signed.revocation])
            let marker = directory + "/" + RevocationMarker.fileName
            var before = stat()
            #expect(lstat(marker, &before) == 0 && before.st_mode & 0o777 == 0o600)
            // As a Sluice that keeps no marker would add it: the marker put back as it was.
            try writer.addRevocation(
                RevocationRecord(kind: .envelope, value: "env-2", reason: "bad", createdAt: StoreSupport.instant(1)))
            #expect(truncate(marker, before.st_size) == 0)
            var times = [before.st_atim, before.st_mtim]
            #expect(utimensat(AT_FDCWD, marker, &times, 0) == 0)
            try await Task.sleep(for: Store.revocationRereadInterval + .milliseconds(100))
            #expect(try reader.revocations().map(\.value) == ["key-1", "env-2"])
        }
    }

    @Test("shared(stateDirectory:) returns the open store again, and a new one once the directory was made again")
    func sharedStoreFollowsTheDatabaseFile() throws {
        try StoreSupport.withTemporaryDirectory { directory in
            let state = directory + "/state"
            let first = try Store.shared(stateDirectory: state)
            #expect(try Store.shared(stateDirectory: state) === first)

            try FileManager.default.removeItem(atPath: state)
            let again = try Store.shared(stateDirectory: state)
            #expect(again !== first)
            #expect(try again.runs().isEmpty)
            #expect(FileManager.default.fileExists(atPath: state + "/sluice.db"))
        }
    }
}
