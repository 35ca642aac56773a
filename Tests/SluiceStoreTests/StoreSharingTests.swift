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
