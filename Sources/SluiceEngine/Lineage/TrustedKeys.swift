package import Foundation
package import SluiceGovernance
package import SluiceSpec

/// The keys whose signatures the gate accepts for a run.
///
/// `spec.governance.authorities` lists them when present (each with `publicKey` as PEM or hex); otherwise the run's
/// own signing key is the only trusted key.
package enum TrustedKeys {
    package static func resolve(governance: YAMLValue?, runKey: PublicKey) throws(EngineError) -> [PublicKey] {
        guard let governance, !governance.isNull else { return [runKey] }
        guard let authorities = governance["authorities"] else { return [runKey] }
        var keys: [PublicKey] = []
        for (index, authority) in authorities.elements.enumerated() {
            let name = authority["name"]?.scalarText ?? "authorities[\(index)]"
            guard let text = authority["publicKey"]?.scalarText else {
                throw .governanceSpec(reason: "authority '\(name)' has no publicKey (at \(authority.location))")
            }
            do {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                keys.append(trimmed.hasPrefix("-----BEGIN") ? try PublicKey(pem: trimmed) : try PublicKey(hex: trimmed))
            } catch {
                throw .governanceSpec(reason: "authority '\(name)' publicKey: \(error.description) "
                                      + "(at \(authority.location))")
            }
        }
        if keys.isEmpty { throw .governanceSpec(reason: "authorities is empty: no key could sign lineage") }
        return keys
    }
}
