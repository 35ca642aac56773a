import Foundation
import SluiceGovernance
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Ed25519 keys")
struct KeyTests {
    let vector = DSSEVector.embedded[0]

    @Test("the public key round-trips through SPKI PEM, hex and Codable")
    func publicKeyForms() throws {
        let key = try PublicKey(pem: vector.publicKeyPEM)
        #expect(key.hex == vector.publicKeyHex)
        #expect(key.pem == vector.publicKeyPEM)
        #expect(key.keyID == vector.keyID)
        #expect(key.spkiDER.count == 44)
        #expect(try PublicKey(hex: key.hex) == key)
        let encoded = try JSONEncoder().encode([key])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["\#(vector.publicKeyHex)"]"#)
        #expect(try JSONDecoder().decode([PublicKey].self, from: encoded) == [key])
    }

    @Test(
        "invalid public keys are refused with the reason",
        arguments: [
            ("abcd", "invalid Ed25519 key: a public key has 32 bytes, not 2"),
            ("zz", "invalid Ed25519 key: 'zz' is not hex"),
            (
                String(repeating: "0", count: 64),
                "invalid Ed25519 key: the public key 0000000000000000000000000000000000000000000000000000000000000000 is not a valid Ed25519 point"
            ),
        ])
    func invalidHex(hex: String, message: String) {
        #expect(governanceError { try PublicKey(hex: hex) }?.description == message)
    }

    @Test("PEM that is not an Ed25519 SPKI is refused")
    func invalidPEM() {
        #expect(
            governanceError { try PublicKey(pem: "nothing here") }?.description
                == "invalid Ed25519 key: no '-----BEGIN PUBLIC KEY-----' ... '-----END PUBLIC KEY-----' block found")
        // A P-256 SubjectPublicKeyInfo prefix: right armour, wrong algorithm.
        let p256 = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
        #expect(
            governanceError { try PublicKey(pem: p256) }?.description
                == "invalid Ed25519 key: the DER is not an Ed25519 SubjectPublicKeyInfo (OID 1.3.101.112)")
    }

    @Test("a seed must have 32 bytes")
    func seedLength() {
        #expect(
            governanceError { try SigningKey(seed: [1, 2, 3]) } == .invalidKey(reason: "a seed has 32 bytes, not 3"))
    }

    @Test("printing a signing key shows the keyid, never the seed")
    func noSecretInDescriptions() throws {
        let key = try SigningKey(seed: bytes(hex: vector.seedHex))
        let expected = "SigningKey(ed25519, keyid: \(vector.keyID))"
        #expect(key.description == expected)
        #expect(String(describing: key) == expected)
        #expect(String(reflecting: key) == expected)
        var dumped = ""
        dump(key, to: &dumped)
        for text in [key.description, key.debugDescription, dumped, "\(key)"] {
            #expect(!text.contains(vector.seedHex))
            #expect(!text.contains(String(vector.seedHex.prefix(16))))
        }
    }

    @Test("generated keys differ and sign verifiably")
    func generate() {
        let first = SigningKey.generate()
        let second = SigningKey.generate()
        #expect(first.publicKey != second.publicKey)
        let signature = first.sign([1, 2, 3])
        #expect(signature.count == 64)
        #expect(first.publicKey.isValidSignature(signature, for: [1, 2, 3]))
        #expect(!first.publicKey.isValidSignature(signature, for: [1, 2, 4]))
        #expect(!second.publicKey.isValidSignature(signature, for: [1, 2, 3]))
    }

    @Test("the key file is PKCS#8 PEM with mode 0600 and loads back to the same key")
    func writeAndLoad() throws {
        try withGovernanceScratch { directory in
            let path = directory + "/run.key"
            let key = try SigningKey(seed: bytes(hex: vector.seedHex))
            try key.write(to: path)

            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o600)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // RFC 8410 PKCS#8 v1: fixed 16-byte prefix followed by the seed.
            let der = "302e020100300506032b657004220420" + vector.seedHex
            let expected =
                "-----BEGIN PRIVATE KEY-----\n" + Data(bytes(hex: der)).base64EncodedString()
                + "\n-----END PRIVATE KEY-----\n"
            #expect(text == expected)

            let loaded = try SigningKey.load(from: path)
            #expect(loaded.publicKey == key.publicKey)
            #expect(loaded.sign([7]) == key.sign([7]))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(leftovers == ["run.key"])
        }
    }

    @Test("writing refuses to replace an existing file unless asked to")
    func noOverwrite() throws {
        try withGovernanceScratch { directory in
            let path = directory + "/run.key"
            let first = SigningKey.generate()
            let second = SigningKey.generate()
            try first.write(to: path)
            #expect(governanceError { try second.write(to: path) } == .keyFileExists(path: path))
            #expect(try SigningKey.load(from: path).publicKey == first.publicKey)
            try second.write(to: path, replacingExisting: true)
            #expect(try SigningKey.load(from: path).publicKey == second.publicKey)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["run.key"])
        }
    }

    @Test("a key file readable by group or others is refused")
    func permissionsTooOpen() throws {
        try withGovernanceScratch { directory in
            let path = directory + "/run.key"
            try SigningKey.generate().write(to: path)
            #expect(chmod(path, 0o644) == 0)
            let error = governanceError { try SigningKey.load(from: path) }
            #expect(error == .keyFilePermissionsTooOpen(path: path, mode: 0o644))
            #expect(
                error?.description
                    == "private key file '\(path)' has mode 0644, which lets group or others access it; run 'chmod 600 \(path)'"
            )
            #expect(chmod(path, 0o640) == 0)
            #expect(
                governanceError { try SigningKey.load(from: path) }
                    == .keyFilePermissionsTooOpen(path: path, mode: 0o640))
            #expect(chmod(path, 0o400) == 0)
            #expect(throws: Never.self) { try SigningKey.load(from: path) }
        }
    }

    @Test("missing and malformed key files are refused with the reason")
    func badKeyFiles() throws {
        try withGovernanceScratch { directory in
            let missing = directory + "/absent.key"
            #expect(governanceError { try SigningKey.load(from: missing) } == .keyFileMissing(path: missing))

            let cases: [(String, String)] = [
                ("hello", "no '-----BEGIN PRIVATE KEY-----' ... '-----END PRIVATE KEY-----' block found"),
                (
                    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                    "encrypted private keys are not supported"
                ),
                ("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "the PEM body is not valid base64"),
                // PKCS#8 with the X25519 OID (1.3.101.110) instead of Ed25519.
                (
                    "-----BEGIN PRIVATE KEY-----\n"
                        + Data(bytes(hex: "302e020100300506032b656e04220420" + String(repeating: "11", count: 32)))
                        .base64EncodedString() + "\n-----END PRIVATE KEY-----\n",
                    "the algorithm is not Ed25519 (OID 1.3.101.112)"
                ),
            ]
            for (index, (contents, reason)) in cases.enumerated() {
                let path = directory + "/bad\(index).key"
                #expect(
                    FileManager.default.createFile(
                        atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]))
                #expect(
                    governanceError { try SigningKey.load(from: path) } == .keyFileInvalid(path: path, reason: reason))
            }
        }
    }

    @Test("a key generated by OpenSSL loads, and its public key matches OpenSSL's", .enabled(if: KeyTests.hasOpenSSL))
    func openSSLInterop() throws {
        try withGovernanceScratch { directory in
            let keyPath = directory + "/openssl.key"
            let pubPath = directory + "/openssl.pub"
            #expect(try run(KeyTests.openSSL, ["genpkey", "-algorithm", "ed25519", "-out", keyPath]) == 0)
            #expect(try run(KeyTests.openSSL, ["pkey", "-in", keyPath, "-pubout", "-out", pubPath]) == 0)
            #expect(chmod(keyPath, 0o600) == 0)
            let key = try SigningKey.load(from: keyPath)
            let opensslPublic = try PublicKey(pem: String(contentsOfFile: pubPath, encoding: .utf8))
            #expect(key.publicKey == opensslPublic)
            #expect(key.publicKey.pem == (try String(contentsOfFile: pubPath, encoding: .utf8)))
        }
    }

    static let openSSL = "/usr/bin/openssl"

    /// Whether this machine's OpenSSL can generate Ed25519 keys (LibreSSL on macOS may not).
    static let hasOpenSSL: Bool = {
        guard FileManager.default.isExecutableFile(atPath: openSSL) else { return false }
        return (try? run(openSSL, ["genpkey", "-algorithm", "ed25519", "-out", "/dev/null"])) == 0
    }()
}

/// Runs a program to completion and returns its exit status (its output is discarded).
func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
    guard let result = HostProcess.capture([executable] + arguments) else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot start \(executable)"])
    }
    return result.status
}
