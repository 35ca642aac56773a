package import Foundation

/// A seeded generator of hostile workflow files: real, small workflows mutated the ways issue 16 found crashes and
/// hangs (deleted lines, type swaps, indentation, alias bombs, huge numbers, deep nesting, Unicode and NUL, binary).
///
/// Half the cases damage only values (`hostileValue`: references to nothing, failing expressions, quotes, shell
/// metacharacters) or what a node does (`hostileCommand`: control bytes on stdout, symlinked or FIFO outputs,
/// megabytes of output, being killed): well-formed workflows that `lint` accepts, so `run` meets them too.
///
/// The same seed gives the same cases on every machine, so a failing case is reproduced by its seed and index.
package struct WorkflowMutator {
    /// One generated file and how it was made.
    package struct Case: Sendable {
        package var index: Int
        package var mutations: [String]
        package var bytes: Data
    }

    private var random: SplitMix64

    package init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The next case: a seed workflow with one mutation applied (two in three cases out of ten).
    package mutating func next(index: Int) -> Case {
        var text = Self.seeds[random.below(Self.seeds.count)]
        var bytes: Data?
        var applied: [String] = []
        for _ in 0..<(random.below(10) < 7 ? 1 : 2) {
            let kind =
                random.below(2) == 0
                ? Mutation.wellFormed[random.below(Mutation.wellFormed.count)]
                : Mutation.allCases[random.below(Mutation.allCases.count)]
            applied.append(kind.rawValue)
            if kind == .binary {
                bytes = randomBytes(Data(text.utf8))
            } else {
                text = apply(kind, to: text)
            }
        }
        return Case(index: index, mutations: applied, bytes: bytes ?? Data(text.utf8))
    }

    /// The kinds of damage done to a seed.
    package enum Mutation: String, CaseIterable, Sendable {
        case deleteLine, duplicateLine, swapType, indent, aliasBomb, hugeNumber, deepNesting, unicode, binary
        case truncate, deepYAML, hostileValue, hostileCommand

        /// The mutations that keep the document well-formed YAML of the same shape.
        static let wellFormed: [Mutation] = [.hostileValue, .hostileCommand]
    }

    private mutating func apply(_ mutation: Mutation, to text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let line = random.below(max(lines.count, 1))
        switch mutation {
        case .deleteLine:
            lines.remove(at: line)
        case .duplicateLine:
            lines.insert(lines[line], at: line)
        case .swapType:
            lines[line] = swapValue(in: lines[line])
        case .indent:
            let shift = [-4, -2, -1, 1, 2, 3][random.below(6)]
            lines[line] =
                shift > 0
                ? String(repeating: " ", count: shift) + lines[line] : String(lines[line].dropFirst(-shift))
        case .aliasBomb:
            lines.append(contentsOf: aliasBomb(levels: 6 + random.below(5)))
        case .hugeNumber:
            lines[line] = replaceNumber(in: lines[line])
        case .deepNesting:
            lines[line] = nest(lines[line])
        case .unicode:
            let inserts = ["\u{0}", "\u{202E}", "\u{1B}[31m", "é", "🙂", "\u{FEFF}", "\u{7F}", "\r", "\t"]
            var chosen = lines[line]
            let offset = random.below(chosen.count + 1)
            chosen.insert(
                contentsOf: inserts[random.below(inserts.count)],
                at: chosen.index(
                    chosen.startIndex, offsetBy: offset))
            lines[line] = chosen
        case .truncate:
            return String(text.prefix(random.below(text.count + 1)))
        case .deepYAML:
            let depth = [50, 150, 1_000, 20_000][random.below(4)]
            lines.append("x: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        case .hostileValue:
            let candidates = lines.indices.filter {
                Self.valueKeys.contains(Self.key(of: lines[$0]) ?? "") || lines[$0].contains("value: \"")
            }
            guard !candidates.isEmpty else { break }
            let target = candidates[random.below(candidates.count)]
            let value = Self.hostileValues[random.below(Self.hostileValues.count)]
            if let inline = lines[target].range(of: #"value: "[^"]*""#, options: .regularExpression) {
                lines[target].replaceSubrange(inline, with: "value: " + value)
            } else {
                lines[target] = Self.replacingValue(of: lines[target], with: value)
            }
        case .hostileCommand:
            let candidates = lines.indices.filter { Self.key(of: lines[$0]) == "command" }
            guard !candidates.isEmpty else { break }
            let target = candidates[random.below(candidates.count)]
            let script = Self.hostileScripts[random.below(Self.hostileScripts.count)]
            lines[target] = Self.replacingValue(of: lines[target], with: "[sh, -c, \(script)]")
        case .binary:
            break
        }
        return lines.joined(separator: "\n")
    }

    /// Keys whose values the `hostileValue` mutation replaces.
    static let valueKeys: Set<String> = [
        "value", "when", "depends", "withParam", "count", "duration", "timeout", "text",
    ]

    /// Well-formed YAML scalars (single-quoted: no escapes) that no workflow should be able to crash the engine with.
    static let hostileValues = [
        "'{{steps.nope.outputs.result}}'", "'{{tasks.a.outputs.parameters.missing}}'", "'{{=1/0}}'",
        "'{{=asInt(\"x\")}}'", "'{{item.deep.deeper}}'", "'{{'", "'}}'", "'[1, 2'", "'-1'", "'1e9'",
        "'a.Succeeded && '", "'{{=toJson(workflow)}}'", "''''", "'$(id); rm -rf /tmp/x'", "'{{workflow.uid}}'",
        "'[\"a\", {\"b\": []}]'", "'{{=sprig.repeat(100000, \"x\")}}'", "'{{inputs.parameters}}'",
    ]

    /// Single-quoted shell scripts for a node to run instead of its own command.
    static let hostileScripts = [
        "'printf \"\\033[31mred\\000nul\\r\\n\"'", "'ln -s /etc/passwd /tmp/n; ln -s /etc/passwd /tmp/data.txt'",
        "'head -c 5000000 /dev/zero | tr \"\\000\" x'", "'exit 137'", "'kill -9 $$'", "'mkfifo /tmp/n'",
        "'echo 21 > /tmp/n; ln -s ../../../../../.. /tmp/data.txt'", "'yes | head -c 300000 >&2; exit 3'",
    ]

    /// The mapping key a line holds (`- name: x` gives `name`), nil for none.
    static func key(of line: String) -> String? {
        let trimmed = line.drop { $0 == " " || $0 == "-" }
        guard let colon = trimmed.firstIndex(of: ":") else { return nil }
        let key = trimmed[..<colon]
        return key.allSatisfy { $0.isLetter || $0.isNumber } ? String(key) : nil
    }

    /// `line` with the value after its first `KEY:` replaced by `value`.
    static func replacingValue(of line: String, with value: String) -> String {
        guard let colon = line.firstIndex(of: ":") else { return line }
        return String(line[...colon]) + " " + value
    }

    private mutating func swapValue(in line: String) -> String {
        guard let colon = line.firstIndex(of: ":") else { return line + ": {" }
        let replacements = ["[]", "{}", "[a, [b]]", "{k: v}", "42", "-7", "true", "null", "'text'", "3.5e300", "~"]
        return String(line[...colon]) + " " + replacements[random.below(replacements.count)]
    }

    private mutating func replaceNumber(in line: String) -> String {
        let huge = [
            "9223372036854775807", "-9223372036854775808", "99999999999999999999999", "2147483648", "1e400",
            "-1", "0", "4294967296", "99999999999999999999h", "NaN",
        ]
        let value = huge[random.below(huge.count)]
        if let range = line.range(of: "[0-9]+", options: .regularExpression) {
            return line.replacingCharacters(in: range, with: value)
        }
        guard let colon = line.firstIndex(of: ":") else { return line }
        return String(line[...colon]) + " \"\(value)\""
    }

    private mutating func nest(_ line: String) -> String {
        let depth = [300, 1_000, 5_000, 20_000][random.below(4)]
        let open = ["(", "!", "-", "["][random.below(4)]
        let close = open == "(" ? ")" : open == "[" ? "]" : ""
        let indent = String(line.prefix { $0 == " " || $0 == "-" })
        let key = ["when", "depends", "value"][random.below(3)]
        let body = String(repeating: open, count: depth) + "a" + String(repeating: close, count: depth)
        let wrapped = key == "value" ? "{{=\(body)}}" : body
        return "\(indent)\(key): \"\(wrapped)\""
    }

    private mutating func aliasBomb(levels: Int) -> [String] {
        var lines = ["b0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1..<levels {
            lines.append(
                "b\(level): &b\(level) [" + Array(repeating: "*b\(level - 1)", count: 9).joined(separator: ", ")
                    + "]")
        }
        return lines
    }

    private mutating func randomBytes(_ base: Data) -> Data {
        var bytes = [UInt8](base)
        let count = max(1, bytes.count / 20)
        for _ in 0..<count where !bytes.isEmpty {
            bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        }
        if random.below(4) == 0 {
            bytes = (0..<(64 + random.below(4096))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        return Data(bytes)
    }
}

/// SplitMix64: a small, seedable, well-mixed generator (the same numbers everywhere for one seed).
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when `bound` is 0).
    package mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
