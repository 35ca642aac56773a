import Testing

@testable import SluiceExpressions

@Suite("ExpressionValue")
struct ExpressionValueTests {
    @Test(
        "renders values as Argo parameter strings",
        arguments: [
            (ExpressionValue.number(3), "3"),
            (.number(-0.5), "-0.5"),
            (.number(1e16), "10000000000000000"),
            (.string("raw \"text\""), "raw \"text\""),
            (.bool(true), "true"),
            (.null, ""),
            (.list([.number(1), .string("a"), .null]), #"[1,"a",null]"#),
            (.map(["b": .number(1), "a": .list([])]), #"{"a":[],"b":1}"#),
            (.string("line\nbreak"), "line\nbreak"),
        ])
    func asString(value: ExpressionValue, expected: String) {
        #expect(value.asString == expected)
    }

    @Test("round-trips JSON including escapes and unicode")
    func jsonRoundTrip() throws {
        let text = #"{"a":[1,2.5,-3e2,true,false,null],"s":"q\"\\\n\u00e9\ud83d\ude00"}"#
        let value = try ExpressionValue(jsonString: text)
        #expect(
            value
                == .map([
                    "a": .list([.number(1), .number(2.5), .number(-300), .bool(true), .bool(false), .null]),
                    "s": .string("q\"\\\né😀"),
                ]))
        #expect(try ExpressionValue(jsonString: value.jsonString) == value)
        #expect(value.jsonString == #"{"a":[1,2.5,-300,true,false,null],"s":"q\"\\\né😀"}"#)
    }

    @Test(
        "rejects invalid JSON with an offset",
        arguments: [
            ("[1,", "invalid JSON at offset 3: unexpected end of JSON text"),
            ("{\"a\" 1}", "invalid JSON at offset 5: expected ':' after key"),
            ("[1] x", "invalid JSON at offset 4: unexpected text after the JSON value"),
            ("tru", "invalid JSON at offset 3: invalid literal"),
        ])
    func invalidJSON(text: String, message: String) {
        #expect {
            _ = try ExpressionValue(jsonString: text)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test("judges truthiness loosely")
    func truthiness() {
        #expect(!ExpressionValue.null.isTruthy)
        #expect(!ExpressionValue.number(0).isTruthy)
        #expect(ExpressionValue.number(2).isTruthy)
        #expect(!ExpressionValue.string("").isTruthy)
        #expect(ExpressionValue.string("false").isTruthy)
        #expect(!ExpressionValue.list([]).isTruthy)
        #expect(ExpressionValue.map(["a": .null]).isTruthy)
    }
}
