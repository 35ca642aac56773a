/// RFC 4648 base64: emits the standard alphabet with padding; reads the standard or the URL-safe alphabet.
enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard alphabet, padded, no line breaks (what DSSE producers should emit).
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(standard[Int(chunk >> 18 & 0x3f)])
            out.append(standard[Int(chunk >> 12 & 0x3f)])
            out.append(standard[Int(chunk >> 6 & 0x3f)])
            out.append(standard[Int(chunk & 0x3f)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(standard[Int(chunk >> 18 & 0x3f)])
            out.append(standard[Int(chunk >> 12 & 0x3f)])
            out.append(rest == 2 ? standard[Int(chunk >> 6 & 0x3f)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard or URL-safe base64 (one alphabet per string); padding may be present or omitted,
    /// whitespace is refused. Returns nil for invalid input.
    static func decode(_ text: String) -> [UInt8]? {
        var symbols = Array(text.utf8)
        var padding = 0
        while symbols.last == UInt8(ascii: "=") {
            symbols.removeLast()
            padding += 1
        }
        guard padding <= 2, symbols.count % 4 != 1 else { return nil }
        if padding > 0 && (symbols.count + padding) % 4 != 0 { return nil }

        var sawStandard = false
        var sawURLSafe = false
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            let value: UInt32
            switch symbol {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(symbol - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(symbol - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(symbol - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62; sawStandard = true
            case UInt8(ascii: "/"): value = 63; sawStandard = true
            case UInt8(ascii: "-"): value = 62; sawURLSafe = true
            case UInt8(ascii: "_"): value = 63; sawURLSafe = true
            default: return nil
            }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard !(sawStandard && sawURLSafe) else { return nil }
        return out
    }
}
