import Testing

@testable import SluiceExpressions

@Suite("JSONPath")
struct JSONPathTests {
    private static let employees =
        #"{"employees": [{"name": "Baris", "age": 43}, {"name": "Mo", "age": 42}, {"name": "Jai", "age": 44}]}"#

    private static func query(_ path: String, in json: String = employees) throws -> ExpressionValue {
        let scope = ExprScope(variables: ["doc": .string(json)])
        return try ExprProgram(parsing: "jsonpath(doc, '\(path)')").evaluate(scope)
    }

    @Test(
        "filters, slices and unions select what Argo's jsonpath selects",
        arguments: [
            (#"$.employees[?(@.name=="Baris")].age"#, ExpressionValue.list([.number(43)])),
            ("$.employees[?(@.age>42 && @.age<44)].age", .list([.number(43)])),
            ("$.employees[?(@.age >= 43)].name", .list([.string("Baris"), .string("Jai")])),
            (
                #"$.employees[?(@.age > 42 || @.name == "Mo")].name"#,
                .list([.string("Baris"), .string("Mo"), .string("Jai")])
            ),
            ("$.employees[?(@.missing == 1)]", .list([])),
            ("$.employees[0:1]", .list([.map(["name": .string("Baris"), "age": .number(43)])])),
            ("$.employees[1:].name", .list([.string("Mo"), .string("Jai")])),
            ("$.employees[-1:].name", .list([.string("Jai")])),
            ("$.employees[::2].name", .list([.string("Baris"), .string("Jai")])),
            ("$.employees[::-1].age", .list([.number(44), .number(42), .number(43)])),
            ("$.employees[0,2].name", .list([.string("Baris"), .string("Jai")])),
            ("$.employees[*].name", .list([.string("Baris"), .string("Mo"), .string("Jai")])),
            (#"$.employees[0]["name","age"]"#, .list([.string("Baris"), .number(43)])),
        ])
    func selects(path: String, expected: ExpressionValue) throws {
        #expect(try Self.query(path) == expected)
    }

    @Test("a filter or slice result renders as compact JSON, as Argo writes it into a parameter")
    func rendersAsJSON() throws {
        #expect(try Self.query("$.employees[0:1]").asString == #"[{"age":43,"name":"Baris"}]"#)
        #expect(try Self.query(#"$.employees[?(@.name=="Baris")].age"#).asString == "[43]")
    }

    @Test("a filter on a string containing '@' or ']' keeps the literal")
    func literalsInsideFilters() throws {
        let json = #"[{"mail": "a@b]", "n": 1}, {"mail": "c", "n": 2}]"#
        #expect(try Self.query(#"$[?(@.mail == "a@b]")].n"#, in: json) == .list([.number(1)]))
    }

    @Test(
        "malformed selectors are reported with the path and the reason",
        arguments: [
            ("$.a[?@.b]", "JSONPath '$.a[?@.b]' has a filter '[?@.b]' that is not of the form ?(...)"),
            ("$.a[1:2:0]", "JSONPath '$.a[1:2:0]' has a slice '[1:2:0]' with step 0"),
            ("$.a[x:2]", "JSONPath '$.a[x:2]' has a slice '[x:2]' with a bound that is not a number"),
            ("$.a[1,*]", "JSONPath '$.a[1,*]' has a union '[1,*]' member that is not a key or index"),
            ("$.a[1", "JSONPath '$.a[1' has an unclosed '['"),
        ])
    func rejects(path: String, message: String) {
        let error = #expect(throws: ExpressionError.self) { try Self.query(path, in: "{}") }
        #expect(error?.description == message)
    }
}
