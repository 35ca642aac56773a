import Foundation
import SluiceTesting
import Testing
import Yams

@testable import SluiceSpec

/// One field of type `T` under the key `v`.
private struct Field<T: Decodable>: Decodable {
    var v: T
}

/// A value of each scalar type the model uses; every field optional, so that absent, null and mistyped differ.
private struct Scalars: Decodable {
    var int: Int?
    var bool: Bool?
    var double: Double?
    var string: String?
}

/// What decoding gave, as text comparable across decoders: the value, or the error's kind, type, path and message.
private func outcome<T>(_ decode: () throws -> T) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: "/")
    }
    do {
        return "value \(try decode())"
    } catch DecodingError.typeMismatch(let type, let context) {
        return "typeMismatch \(type) at \(path(context)): \(context.debugDescription)"
    } catch DecodingError.valueNotFound(let type, let context) {
        return "valueNotFound \(type) at \(path(context)): \(context.debugDescription)"
    } catch DecodingError.keyNotFound(let key, let context) {
        return "keyNotFound \(key.stringValue) at \(path(context)): \(context.debugDescription)"
    } catch {
        return "error \(error)"
    }
}

/// `yaml` decoded as `T` by Yams' decoder from the composed node (how the loader decoded before) and by
/// ``YAMLValueDecoder`` from the loader's tree.
private func bothOutcomes<T: Decodable>(_ type: T.Type, _ yaml: String) throws -> (yams: String, tree: String) {
    let node = try #require(try Yams.compose(yaml: yaml))
    let tree = try YAMLValue(node, file: "t.yaml")
    return (
        outcome { try YAMLDecoder().decode(type, from: node) },
        outcome { try YAMLValueDecoder.decode(type, from: tree) }
    )
}

@Suite("YAMLValueDecoder decodes the loader's tree as Yams' decoder decodes the composed document")
struct YAMLValueDecoderTests {
    /// Scalars as written in a file: YAML 1.1 integers, booleans and floats, quoted look-alikes, nulls and empties.
    /// (No explicit tags: the tree does not keep them, and the loader decodes a document that has any with Yams.)
    static let scalars = [
        "42", "-7", "+3", "0", "017", "0o17", "0x1F", "0b101", "1_000", "1:30", "9223372036854775808", "'42'", "\"42\"",
        "true", "False", "TRUE", "yes", "No", "on", "OFF", "y", "\"true\"", "'yes'",
        "3.5", "1e3", "-2.5E-3", ".inf", "-.Inf", ".NaN", "'3.5'", "1_0.5",
        "~", "null", "Null", "NULL", "", "''", "\"\"", "'null'", "\"~\"",
        "abc", "2024-01-02", "<<", "=", "\"a\\nb\"", "|\n  line\n", ">-\n  folded\n", "{}", "[]", "[1]", "{a: 1}",
    ]

    @Test("a scalar decodes into Int, Bool, Double, String and their optionals as with Yams", arguments: scalars)
    func scalarsDecodeAsYams(scalar: String) throws {
        let yaml = "v: \(scalar)\n"
        func expectSame<T: Decodable>(_ type: T.Type) throws {
            let (yams, tree) = try bothOutcomes(Field<T>.self, yaml)
            #expect(tree == yams, "\(T.self) from \(scalar.debugDescription)")
        }
        try expectSame(Int.self)
        try expectSame(Int?.self)
        try expectSame(Int64.self)
        try expectSame(UInt.self)
        try expectSame(Bool.self)
        try expectSame(Bool?.self)
        try expectSame(Double.self)
        try expectSame(Float.self)
        try expectSame(String.self)
        try expectSame(String?.self)
        try expectSame(ArgoString?.self)
        try expectSame(AnyValue.self)
        try expectSame(Ignored.self)
        try expectSame([String]?.self)
        try expectSame([String: String]?.self)
    }

    @Test("YAML 1.1 scalars land in typed fields as Yams constructs them")
    func yaml11Scalars() throws {
        let node = try #require(
            try Yams.compose(yaml: "int: 0x1F\nbool: yes\ndouble: 1e3\nstring: 017\n"))
        let decoded = try YAMLValueDecoder.decode(Scalars.self, from: try YAMLValue(node, file: "t.yaml"))
        #expect(decoded.int == 31)
        #expect(decoded.bool == true)
        #expect(decoded.double == 1000)
        #expect(decoded.string == "017")

        let quoted = try #require(try Yams.compose(yaml: "string: 'yes'\nint: null\nbool: ~\ndouble:\n"))
        let nulls = try YAMLValueDecoder.decode(Scalars.self, from: try YAMLValue(quoted, file: "t.yaml"))
        #expect(nulls.string == "yes")
        #expect(nulls.int == nil && nulls.bool == nil && nulls.double == nil)
    }

    @Test("a quoted number or boolean is not one, and says so at its key")
    func quotedScalarIsAString() throws {
        let node = try #require(try Yams.compose(yaml: "int: '5'\n"))
        #expect(
            outcome { try YAMLValueDecoder.decode(Scalars.self, from: try YAMLValue(node, file: "t.yaml")) }
                == "typeMismatch Int at int: Expected to decode Int but found Scalar instead.")
        let bool = try #require(try Yams.compose(yaml: "bool: \"true\"\n"))
        #expect(
            outcome { try YAMLValueDecoder.decode(Scalars.self, from: try YAMLValue(bool, file: "t.yaml")) }
                == "typeMismatch Bool at bool: Expected to decode Bool but found Scalar instead.")
    }

    @Test(
        "collections, missing keys and unknown keys decode and fail as with Yams",
        arguments: [
            "v: [1, 2, 3]", "v: [1, x]", "v: []", "v: {a: 1}", "w: 1", "v: [1]\nunknown: {deep: [x]}", "v:", "v: [[1]]",
            "v: [~, 1]",
        ])
    func collectionsDecodeAsYams(yaml: String) throws {
        for (yams, tree) in [
            try bothOutcomes(Field<[Int]>.self, yaml), try bothOutcomes(Field<[Int]?>.self, yaml),
            try bothOutcomes(Field<[Int?]>.self, yaml), try bothOutcomes(Field<[String: Int]>.self, yaml),
            try bothOutcomes(Field<[[Int]]>.self, yaml), try bothOutcomes(Field<AnyValue>.self, yaml),
            try bothOutcomes(Scalars.self, yaml),
        ] {
            #expect(tree == yams, "\(yaml.debugDescription)")
        }
    }

    @Test(
        "merge keys: own keys win over merged ones, an earlier merged mapping over a later one",
        arguments: [
            "v: {<<: {a: 1, b: 2}, b: 3}",
            "v: {b: 3, <<: {a: 1, b: 2}}",
            "v: {<<: [{a: 1}, {a: 2, c: 3}], d: 4}",
            "v: {<<: {<<: {x: 1}, y: 2}}",
            "v: {<<: 5, a: 1}",
            "v: {<<: [{a: 1}, 7], b: 2}",
        ])
    func mergeKeysAsYams(yaml: String) throws {
        let node = try #require(try Yams.compose(yaml: yaml))
        let yams = try YAMLDecoder().decode(Field<[String: Int]>.self, from: node).v
        #expect(
            try YAMLValueDecoder.decode(Field<[String: Int]>.self, from: try YAMLValue(node, file: "t.yaml")).v == yams)
    }

    @Test("a merged mapping fills a typed object's fields, its own keys winning")
    func mergeKeysIntoObject() throws {
        let node = try #require(try Yams.compose(yaml: "v: {<<: {limit: 3, retryPolicy: Always}, limit: '4'}"))
        let decoded = try YAMLValueDecoder.decode(Field<RetryStrategy>.self, from: try YAMLValue(node, file: "t.yaml"))
        #expect(decoded.v.limit == ArgoString("4"))
        #expect(decoded.v.retryPolicy == "Always")
    }

    /// Pins a fix: Yams compared a quoted key with a plain one of the same text typed as YAML reads it (`"1"` with
    /// the integer 1), and a plain `=` key (YAML's "value" key) with nothing, so `withItems: [{"1": x}]` failed as
    /// "missing required field '1'", `withItems: [{=: x}]` as "missing required field '='".
    @Test("a quoted key that reads as a number, boolean or null, and a plain '=', are found by their text")
    func quotedKeysAreFoundByText() throws {
        let node = try #require(
            try Yams.compose(yaml: "v: {\"1\": a, \"true\": b, \"\": c, \"~\": d, plain: e, =: f}"))
        let tree = try YAMLValue(node, file: "t.yaml")
        let decoded = try YAMLValueDecoder.decode(Field<[String: String]>.self, from: tree)
        #expect(decoded.v == ["1": "a", "true": "b", "": "c", "~": "d", "plain": "e", "=": "f"])
        #expect(
            try YAMLValueDecoder.decode(Field<AnyValue>.self, from: tree).v
                == .map(decoded.v.mapValues(AnyValue.string)))
    }

    /// The messages of loading `text` as `bad.yaml`, one per line; empty when it loads.
    private func loadErrors(_ text: String) -> [String] {
        do {
            _ = try SpecLoader.load(text: text, file: "bad.yaml")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    private static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: m-
        spec:
          entrypoint: main
          FIELDS
          templates:
            - name: main
              container:
                image: alpine
                command: [echo]

        """

    @Test("a value of the wrong type is reported at its own line and column, with Yams' expected type")
    func typeMismatchLocation() {
        let hooks = Self.workflow.replacingOccurrences(of: "FIELDS", with: "hooks:\n    exit: [a]")
        #expect(loadErrors(hooks) == ["bad.yaml:8:11: error: expected Mapping, found sequence (at spec.hooks.exit)"])
        let retry = Self.workflow.replacingOccurrences(of: "FIELDS", with: "retryStrategy:\n    limit: {times: 3}")
        #expect(
            loadErrors(retry) == ["bad.yaml:8:12: error: expected Scalar, found mapping (at spec.retryStrategy.limit)"])
    }

    /// Pins that explicit tags, which the tree drops, still decode as Yams reads them (the document is decoded from
    /// Yams' nodes): `!!str true` is a string, so not a boolean.
    @Test("a document with explicit tags decodes as before")
    func explicitTagsDecodeAsBefore() throws {
        let tagged = Self.workflow.replacingOccurrences(
            of: "FIELDS",
            with: "retryStrategy:\n    limit: !!str 3\n  hooks:\n    exit: {template: main, expression: !!str yes}")
        let loaded = try SpecLoader.load(text: tagged, file: "tagged.yaml")
        #expect(loaded.documents[0].workflow.spec.retryStrategy?.limit == ArgoString("3"))
        #expect(loaded.documents[0].workflow.spec.hooks?["exit"]?.expression == "yes")
        let bool = Self.workflow.replacingOccurrences(of: "FIELDS", with: "hooks: {}")
            .replacingOccurrences(of: "    - name: main\n", with: "    - name: main\n      failFast: !!str true\n")
        #expect(
            loadErrors(bool) == [
                "bad.yaml:10:17: error: expected Bool, found scalar 'true' (at spec.templates[0].failFast)"
            ])
    }

    /// Pins that composing without the default resolver's regular expressions finds the same duplicates: a plain
    /// key and a quoted one differ when the plain one reads as another type, an explicit tag is compared as written.
    @Test(
        "duplicate keys are found as Yams' default resolver finds them",
        arguments: [
            ("{1: a, \"1\": b}", []),
            ("{a: x, \"a\": y}", ["bad.yaml:5:12: error: YAML syntax: duplicate keys a in a mapping"]),
            ("{!!int 1: a, 1: b}", ["bad.yaml:5:12: error: YAML syntax: duplicate keys 1 in a mapping"]),
            ("{!!str 1: a, 1: b}", []),
            ("{yes: a, \"yes\": b, true: c}", []),
            ("{~: a, \"~\": b, null: c}", []),
        ])
    func duplicateKeysAsYams(labels: String, expected: [String]) {
        let text = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              generateName: m-
              labels: \(labels)
            spec:
              entrypoint: main
              templates:
                - name: main
                  container:
                    image: alpine
                    command: [echo]

            """
        #expect(loadErrors(text) == expected)
    }
}
