/// Appends a string as a JSON string literal in UTF-8, escaped as RFC 8785 (JCS) and Foundation's `JSONEncoder`
/// (with `.withoutEscapingSlashes`) escape it: `"` and `\`, `\b \f \n \r \t`, the other control characters as
/// `\u00XX`; everything else, non-ASCII included, as it is.
///
/// One writer for the signed canonical JSON (SluiceGovernance) and the node records' JSON (SluicePlan). The runs
/// between escapes are appended whole: a DSSE envelope's payload is kilobytes of base64 without any.
package enum JSONStringWriter {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value` quoted to `out`.
    package static func append(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5c {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                switch byte {
                case 0x22: out.append(contentsOf: [0x5c, 0x22])  // \"
                case 0x5c: out.append(contentsOf: [0x5c, 0x5c])  // \\
                case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
                case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
                case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
                case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
                case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
                default:
                    out.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0f)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
