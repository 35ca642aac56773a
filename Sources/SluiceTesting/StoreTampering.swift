import Foundation
import GRDB

/// What an attacker with write access to a state directory's `sluice.db` can do, for governance tests: raw SQL on
/// the database file, bypassing the store's API.
package enum StoreTampering {
    /// Runs one SQL statement on `<stateDirectory>/sluice.db`; returns the number of rows changed.
    @discardableResult
    package static func execute(stateDirectory: String, sql: String, arguments: [(any Sendable)?] = []) throws -> Int {
        let queue = try DatabaseQueue(path: stateDirectory + "/sluice.db")
        return try queue.write { db in
            try db.execute(sql: sql, arguments: StatementArguments(arguments.map { $0.flatMap(Self.value) }))
            return db.changesCount
        }
    }

    private static func value(_ any: any Sendable) -> (any DatabaseValueConvertible)? {
        switch any {
        case let text as String: text
        case let data as Data: data
        case let number as Int: number
        default: nil
        }
    }
}
