import Foundation
import SluiceEngine
package import SluiceGovernance

/// Reads files of concatenated PEM `PUBLIC KEY` blocks (or one 64-character hex key per line).
package enum PublicKeyFile {
    /// Every public key in `path`, in file order.
    ///
    /// - Throws: `ExportError.keyFileUnreadable` when the file cannot be read, a block is not an Ed25519 key, or
    ///   the file holds no key at all.
    package static func keys(at path: String) throws(ExportError) -> [PublicKey] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw .keyFileUnreadable(path: path, reason: reason)
        }
        return try keys(in: text, path: path)
    }

    /// Every public key in `text`; `path` names the source in errors.
    package static func keys(in text: String, path: String) throws(ExportError) -> [PublicKey] {
        var keys: [PublicKey] = []
        do {
            if text.contains("-----BEGIN") {
                for block in text.components(separatedBy: "-----END PUBLIC KEY-----") {
                    let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !trimmed.isEmpty else { continue }
                    keys.append(try PublicKey(pem: trimmed + "\n-----END PUBLIC KEY-----\n"))
                }
            } else {
                for line in text.split(whereSeparator: \.isNewline) {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
                    keys.append(try PublicKey(hex: trimmed))
                }
            }
        } catch {
            throw .keyFileUnreadable(path: path, reason: error.description)
        }
        guard !keys.isEmpty else { throw .keyFileUnreadable(path: path, reason: "it holds no public key") }
        return keys
    }
}
