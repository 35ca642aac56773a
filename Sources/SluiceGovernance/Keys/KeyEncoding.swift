/// PEM armour and the two fixed DER layouts of Ed25519 keys (RFC 8410).
enum KeyEncoding {
    /// `SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (0 unused bits) }` before the 32 key bytes.
    static let spkiPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
    /// PKCS#8 v1 `SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING } }` prefix.
    static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    static let ed25519OID: [UInt8] = [0x06, 0x03, 0x2b, 0x65, 0x70]

    static func spki(publicKey raw: [UInt8]) -> [UInt8] { spkiPrefix + raw }

    static func pkcs8(seed: [UInt8]) -> [UInt8] { pkcs8Prefix + seed }

    /// The 32 raw key bytes inside an Ed25519 SubjectPublicKeyInfo, or a reason why there are none.
    static func publicKey(fromSPKI der: [UInt8]) -> Result<[UInt8], KeyFormatProblem> {
        guard der.count == spkiPrefix.count + 32, der.starts(with: spkiPrefix) else {
            return .failure(KeyFormatProblem("the DER is not an Ed25519 SubjectPublicKeyInfo (OID 1.3.101.112)"))
        }
        return .success(Array(der.dropFirst(spkiPrefix.count)))
    }

    /// The seed (and the public key, when the OneAsymmetricKey v2 form carries one) inside a PKCS#8 key.
    static func seed(fromPKCS8 der: [UInt8]) -> Result<(seed: [UInt8], publicKey: [UInt8]?), KeyFormatProblem> {
        var reader = DERReader(bytes: der)
        guard let outer = reader.read(tag: 0x30), reader.isAtEnd else {
            return .failure(KeyFormatProblem("the DER is not a single SEQUENCE"))
        }
        var body = DERReader(bytes: outer)
        guard let version = body.read(tag: 0x02), version == [0x00] || version == [0x01] else {
            return .failure(KeyFormatProblem("the PKCS#8 version is not 0 or 1"))
        }
        guard let algorithm = body.read(tag: 0x30), algorithm == ed25519OID else {
            return .failure(KeyFormatProblem("the algorithm is not Ed25519 (OID 1.3.101.112)"))
        }
        guard let wrapped = body.read(tag: 0x04) else {
            return .failure(KeyFormatProblem("the private key OCTET STRING is missing"))
        }
        var inner = DERReader(bytes: wrapped)
        guard let seed = inner.read(tag: 0x04), inner.isAtEnd, seed.count == 32 else {
            return .failure(KeyFormatProblem("the private key is not a 32-byte seed"))
        }
        var publicKey: [UInt8]?
        while !body.isAtEnd {
            guard let (tag, value) = body.readAny() else {
                return .failure(KeyFormatProblem("trailing DER is malformed"))
            }
            if tag == 0x81 {
                guard value.count == 33, value[0] == 0 else {
                    return .failure(KeyFormatProblem("the embedded public key is not 32 bytes"))
                }
                publicKey = Array(value.dropFirst())
            }
        }
        return .success((seed, publicKey))
    }

    // MARK: - PEM

    /// PEM text with 64-column base64 lines, ending in a newline.
    static func pem(label: String, der: [UInt8]) -> String {
        let base64 = Array(Base64.encode(der).utf8)
        var lines: [String] = []
        var start = 0
        while start < base64.count {
            let end = min(start + 64, base64.count)
            lines.append(String(decoding: base64[start..<end], as: UTF8.self))
            start = end
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    /// The DER inside the first PEM block labelled `label`; whitespace in the body is ignored.
    static func der(fromPEM text: String, label: String) -> Result<[UInt8], KeyFormatProblem> {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return .failure(KeyFormatProblem("encrypted private keys are not supported"))
        }
        guard let beginRange = text.firstRange(of: begin),
            let endRange = text[beginRange.upperBound...].firstRange(of: end)
        else {
            return .failure(KeyFormatProblem("no '\(begin)' ... '\(end)' block found"))
        }
        let body = text[beginRange.upperBound..<endRange.lowerBound].filter { !$0.isWhitespace }
        guard let der = Base64.decode(String(body)) else {
            return .failure(KeyFormatProblem("the PEM body is not valid base64"))
        }
        return .success(der)
    }
}

/// Why key bytes were rejected; mapped to a `GovernanceError` by the caller, which knows the source.
struct KeyFormatProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Minimal DER reader: definite lengths up to 4 bytes, no constructed-type interpretation.
private struct DERReader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    mutating func read(tag expected: UInt8) -> [UInt8]? {
        let saved = position
        guard let (tag, value) = readAny(), tag == expected else {
            position = saved
            return nil
        }
        return value
    }

    mutating func readAny() -> (UInt8, [UInt8])? {
        guard position + 2 <= bytes.count else { return nil }
        let tag = bytes[position]
        var length = Int(bytes[position + 1])
        position += 2
        if length & 0x80 != 0 {
            let count = length & 0x7f
            guard count >= 1, count <= 4, position + count <= bytes.count else { return nil }
            length = 0
            for byte in bytes[position..<position + count] { length = length << 8 | Int(byte) }
            position += count
        }
        guard length <= bytes.count - position else { return nil }
        let value = Array(bytes[position..<position + length])
        position += length
        return (tag, value)
    }
}
