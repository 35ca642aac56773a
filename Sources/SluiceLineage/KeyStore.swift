import Foundation
package import SluiceGovernance
package import SluicePlan

/// Where the state directory keeps its default signing key, and how it is loaded or created.
package enum KeyStore {
    /// The default key file of a state directory.
    package static func defaultKeyPath(stateDirectory: String) -> String {
        stateDirectory + "/keys/signing-key.pem"
    }

    /// Loads `path`, or the state directory's key, creating the latter (0600) on first use.
    ///
    /// - Returns: the key and, when it was just created, a one-line notice.
    package static func signingKey(path: String?, stateDirectory: String) throws(EngineError)
        -> (key: SigningKey, notice: String?)
    {
        if let path {
            do {
                return (try SigningKey.load(from: path), nil)
            } catch {
                throw .keyUnavailable(reason: error.description)
            }
        }
        let defaultPath = defaultKeyPath(stateDirectory: stateDirectory)
        if FileManager.default.fileExists(atPath: defaultPath) {
            do {
                return (try SigningKey.load(from: defaultPath), nil)
            } catch {
                throw .keyUnavailable(reason: error.description)
            }
        }
        do {
            try FileManager.default.createDirectory(
                atPath: stateDirectory + "/keys", withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let key = SigningKey.generate()
            try key.write(to: defaultPath)
            return (key, "sluice: created signing key \(defaultPath) (keyid \(key.publicKey.keyID.prefix(16))…)")
        } catch GovernanceError.keyFileExists {
            // Another sluice process created it first: use that one.
            do {
                return (try SigningKey.load(from: defaultPath), nil)
            } catch {
                throw .keyUnavailable(reason: error.description)
            }
        } catch let error as GovernanceError {
            throw .keyUnavailable(reason: error.description)
        } catch {
            throw .keyUnavailable(reason: "cannot create '\(stateDirectory)/keys': \(error.localizedDescription)")
        }
    }
}
