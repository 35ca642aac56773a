import SluiceGovernance
import Testing

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test(
        "serialises per RFC 8785: sorted keys, no whitespace, JCS string escapes",
        arguments: [
            (CanonicalJSON.null, "null"),
            (true, "true"),
            (false, "false"),
            (0, "0"),
            (-42, "-42"),
            (9_007_199_254_740_991, "9007199254740991"),
            ("", #""""#),
            ("quote \" backslash \\ slash /", #""quote \" backslash \\ slash /""#),
            ("\u{08}\u{09}\u{0A}\u{0C}\u{0D}", #""\b\t\n\f\r""#),
            ("\u{00}\u{01}\u{1F}\u{7F}", "\"\\u0000\\u0001\\u001f\u{7F}\""),
            ("é € 𝄞 \u{2028}", "\"é € 𝄞 \u{2028}\""),
            ([1, "a", nil, [], [:]], #"[1,"a",null,[],{}]"#),
            (["b": 1, "a": 2, "aa": 3, "A": 4, "_": 5], #"{"A":4,"_":5,"a":2,"aa":3,"b":1}"#),
            // ASCII keys sort by their bytes, control characters and "\r\n" included.
            (["a\r\n": 1, "a\r": 2, "a\n": 3, "a": 4, "0": 5], #"{"0":5,"a":4,"a\n":3,"a\r":2,"a\r\n":1}"#),
            // UTF-16 order: U+20AC (0x20AC) sorts before U+1D11E (surrogates 0xD834…), unlike scalar order.
            (["\u{1D11E}": 1, "\u{20AC}": 2, "\u{FB01}": 3], "{\"\u{20AC}\":2,\"\u{1D11E}\":1,\"\u{FB01}\":3}"),
            (["outer": ["z": true, "y": [["b": 1, "a": 0]]]], #"{"outer":{"y":[{"a":0,"b":1}],"z":true}}"#),
        ] as [(CanonicalJSON, String)])
    func serialise(value: CanonicalJSON, expected: String) throws {
        #expect(String(decoding: value.bytes, as: UTF8.self) == expected)
        #expect(try CanonicalJSON(parsing: value.bytes) == value)
    }

    @Test("parsing non-canonical input and re-serialising gives the canonical form")
    func canonicalises() throws {
        let input = #" { "b" : [ 1 , 2 ] ,"a":"\u00e9\/\ud834\udd1e" , "c" : -0 } "#
        let value = try CanonicalJSON(parsing: Array(input.utf8))
        #expect(String(decoding: value.bytes, as: UTF8.self) == "{\"a\":\"é/𝄞\",\"b\":[1,2],\"c\":0}")
        #expect(value["b"]?[1]?.integerValue == 2)
        #expect(value["a"]?.stringValue == "é/𝄞")
        #expect(value["missing"] == nil)
        #expect(value["b"]?[5] == nil)
    }

    @Test(
        "the strict parser refuses what the profile excludes, with reason and offset",
        arguments: [
            (#"{"a":1,"a":2}"#, "malformed JSON at byte 7: duplicate key 'a'"),
            (#"{"a":1,"\u0061":2}"#, "malformed JSON at byte 7: duplicate key 'a'"),
            ("1.5", "malformed JSON at byte 0: floating-point numbers are not allowed"),
            ("[1e3]", "malformed JSON at byte 1: floating-point numbers are not allowed"),
            ("2.0", "malformed JSON at byte 0: floating-point numbers are not allowed"),
            ("NaN", "malformed JSON at byte 0: unexpected character 'N'"),
            ("-Infinity", "malformed JSON at byte 1: a number needs at least one digit"),
            ("9007199254740992", "malformed JSON at byte 0: integer 9007199254740992 is outside ±(2^53 − 1)"),
            ("-99999999999999999999", "malformed JSON at byte 0: integer -99999999999999999999 is outside ±(2^53 − 1)"),
            ("012", "malformed JSON at byte 0: numbers must not have leading zeros"),
            (#""\ud834""#, "malformed JSON at byte 7: high surrogate escape without a low surrogate"),
            (#""\udd1e""#, "malformed JSON at byte 7: lone low surrogate escape"),
            (#""\x""#, #"malformed JSON at byte 3: invalid escape '\x'"#),
            ("\"a\u{09}b\"", "malformed JSON at byte 2: raw control character U+0009 in a string"),
            (#"{"a" 1}"#, "malformed JSON at byte 5: expected ':' after key 'a'"),
            ("[1,]", "malformed JSON at byte 3: unexpected character ']'"),
            ("{\"a\":1", "malformed JSON at byte 6: unexpected end of input inside an object"),
            ("tru", "malformed JSON at byte 0: invalid literal, expected 'true'"),
            ("", "malformed JSON at byte 0: unexpected end of input"),
            ("{} {}", "malformed JSON at byte 3: unexpected content after the JSON value"),
            ("\u{FEFF}{}", "malformed JSON at byte 0: input starts with a byte order mark"),
            (
                String(repeating: "[", count: 130) + String(repeating: "]", count: 130),
                "malformed JSON at byte 129: nesting deeper than 128 levels"
            ),
        ] as [(String, String)])
    func refuses(input: String, message: String) {
        #expect(governanceError { try CanonicalJSON(parsing: Array(input.utf8)) }?.description == message)
    }

    @Test("invalid UTF-8 is refused before parsing")
    func invalidUTF8() {
        let input: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(
            governanceError { try CanonicalJSON(parsing: input) }
                == .malformedJSON(reason: "input is not valid UTF-8", offset: 0))
    }

    @Test("checkProfile flags integers beyond 2^53 that bytes would still write")
    func profile() throws {
        let big: CanonicalJSON = ["n": [.integer(1 << 60)]]
        #expect(String(decoding: big.bytes, as: UTF8.self) == #"{"n":[1152921504606846976]}"#)
        #expect(
            governanceError { try big.checkProfile() }?.description
                == "malformed JSON at byte 0: integer 1152921504606846976 is outside ±(2^53 − 1)")
        #expect(throws: Never.self) { try (["n": 9_007_199_254_740_991] as CanonicalJSON).checkProfile() }
    }

    @Test("the digest of null is sha256 of the four bytes 'null'")
    func nullDigest() {
        #expect(CanonicalJSON.null.digest.hex == "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b")
    }
}
