import Testing

@testable import SluiceExpressions

@Suite("ExprProgram")
struct ExprProgramTests {
    private static let scope = ExprScope(variables: [
        "inputs.parameters.x": .string("21"),
        "inputs.parameters.pi": .string("3.5"),
        "inputs.parameters.my-param": .string("hyphen"),
        "inputs.parameters.json": .string(#"{"a":{"b":[10,20]},"items":[{"n":"x"},{"n":"y"}]}"#),
        "tasks.gen.outputs.result": .string("heads"),
        "item": .map(["name": .string("alpha"), "size": .number(3)]),
        "workflow.parameters": .map(["env": .string("prod")]),
        "numbers": .list([.number(1), .number(2), .number(3)]),
        "skipped": .null,
    ])

    private static func run(_ source: String) throws -> ExpressionValue {
        try ExprProgram(parsing: source).evaluate(scope)
    }

    @Test(
        "evaluates operators and literals",
        arguments: [
            ("1 + 2 * 3", ExpressionValue.number(7)),
            ("(1 + 2) * 3", .number(9)),
            ("7 / 2", .number(3.5)),
            ("7 % 3", .number(1)),
            ("2 ** 3 ** 2", .number(512)),
            ("-2 ** 2", .number(-4)),
            ("'a' + \"b\"", .string("ab")),
            ("1 < 2 && 'b' > 'a'", .bool(true)),
            ("1 == 1.0", .bool(true)),
            ("'1' == 1", .bool(false)),
            ("not true or !false", .bool(true)),
            ("1 < 2 < 3", .bool(true)),
            ("3 > 2 > 2", .bool(false)),
            ("true ? 'yes' : 'no'", .string("yes")),
            ("nil ?? 'fallback'", .string("fallback")),
            ("2 in [1, 2]", .bool(true)),
            ("'k' not in {k: 1}", .bool(false)),
            ("'hello' contains 'ell'", .bool(true)),
            ("'hello' startsWith 'he' and 'hello' endsWith 'lo'", .bool(true)),
            ("'abc123' matches '^[a-z]+[0-9]+$'", .bool(true)),
            ("'abc' not matches 'z'", .bool(true)),
            ("1..3", .list([.number(1), .number(2), .number(3)])),
            ("{a: 1, 'b-c': [true, nil]}", .map(["a": .number(1), "b-c": .list([.bool(true), .null])])),
            ("[1, 2, 3][-1]", .number(3)),
            ("[1, 2, 3, 4][1:3]", .list([.number(2), .number(3)])),
            ("'hello'[1:]", .string("ello")),
            ("1_000 + 0x10", .number(1016)),
        ])
    func operators(source: String, expected: ExpressionValue) throws {
        #expect(try Self.run(source) == expected)
    }

    @Test(
        "resolves Argo variables by flat dotted name and by map navigation",
        arguments: [
            ("asInt(inputs.parameters.x) * 2", ExpressionValue.number(42)),
            ("asFloat(inputs.parameters.pi) + 1", .number(4.5)),
            ("inputs.parameters['my-param']", .string("hyphen")),
            ("tasks.gen.outputs.result == 'heads'", .bool(true)),
            ("item.name + '-' + string(item.size)", .string("alpha-3")),
            ("item['size'] > 2", .bool(true)),
            ("workflow.parameters.env", .string("prod")),
            ("inputs.parameters.missing", .null),
            ("skipped ?? 'default'", .string("default")),
            ("inputs?.parameters?.x", .string("21")),
            ("len(inputs.parameters)", .number(4)),
        ])
    func variables(source: String, expected: ExpressionValue) throws {
        #expect(try Self.run(source) == expected)
    }

    @Test(
        "calls built-in and Argo functions",
        arguments: [
            ("int('42')", ExpressionValue.number(42)),
            ("int(3.9)", .number(3)),
            ("float('2.5')", .number(2.5)),
            ("string(1)", .string("1")),
            ("string([1, 'a'])", .string("[1 a]")),
            ("len('héllo')", .number(5)),
            ("len([1, 2])", .number(2)),
            ("toJson([1, 'a', {b: true}])", .string(#"[1,"a",{"b":true}]"#)),
            ("jsonpath(inputs.parameters.json, '$.a.b')", .list([.number(10), .number(20)])),
            ("jsonpath(inputs.parameters.json, '$.a.b[1]')", .number(20)),
            ("jsonpath(inputs.parameters.json, '$.items[*].n')", .list([.string("x"), .string("y")])),
            ("jsonpath('[1,2]', '$[*]')", .list([.number(1), .number(2)])),
            ("jsonpath(inputs.parameters.json, '$..n')", .list([.string("x"), .string("y")])),
            ("upper('ab') + lower('CD')", .string("ABcd")),
            ("trim('  x  ')", .string("x")),
            ("split('a,b,c', ',')", .list([.string("a"), .string("b"), .string("c")])),
            ("join(['a', 'b'], '-')", .string("a-b")),
            ("filter([1, 2, 3], {# > 1})", .list([.number(2), .number(3)])),
            ("filter(numbers, # % 2 == 1)", .list([.number(1), .number(3)])),
            ("map([1, 2], {# * 2})", .list([.number(2), .number(4)])),
            ("map([{x: 1}, {x: 2}], {#.x})", .list([.number(1), .number(2)])),
            ("map([{x: 1}, {x: 2}], {.x + #index})", .list([.number(1), .number(3)])),
            ("all(numbers, {# > 0})", .bool(true)),
            ("any(numbers, {# > 2})", .bool(true)),
            ("none(numbers, {# > 2})", .bool(false)),
            ("count(numbers, {# >= 2})", .number(2)),
            ("reduce(numbers, #acc + #, 10)", .number(16)),
            ("first(numbers) + last(numbers)", .number(4)),
            ("max(3, 7, 5) - min([4, 2])", .number(5)),
            ("abs(-2.5)", .number(2.5)),
            ("keys({b: 1, a: 2})", .list([.string("a"), .string("b")])),
        ])
    func functions(source: String, expected: ExpressionValue) throws {
        #expect(try Self.run(source) == expected)
    }

    @Test(
        "calls sprig functions with sprig's conversions",
        arguments: [
            ("sprig.add(1, 2, '3')", ExpressionValue.number(6)),
            ("sprig.sub(10, 4)", .number(6)),
            ("sprig.mul(2, 3, 4)", .number(24)),
            ("sprig.div(7, 2)", .number(3)),
            ("sprig.max(1, 9, 3)", .number(9)),
            ("sprig.min(4, 2, 8)", .number(2)),
            ("sprig.trim('  x ')", .string("x")),
            ("sprig.upper('a') + sprig.lower('B')", .string("Ab")),
            ("sprig.replace('-', '_', 'a-b-c')", .string("a_b_c")),
            ("sprig.b64enc('hello')", .string("aGVsbG8=")),
            ("sprig.b64dec('aGVsbG8=')", .string("hello")),
            ("sprig.toString(12)", .string("12")),
            ("sprig.atoi('42')", .number(42)),
            ("sprig.atoi('x')", .number(0)),
            ("sprig.int('7.0')", .number(7)),
            ("sprig.float64('2.5')", .number(2.5)),
            ("sprig.default('d', '')", .string("d")),
            ("sprig.default('d', 'given')", .string("given")),
            ("sprig.empty('')", .bool(true)),
            ("sprig.contains('ell', 'hello')", .bool(true)),
            ("sprig.hasPrefix('he', 'hello')", .bool(true)),
            ("sprig.hasSuffix('lo', 'hello')", .bool(true)),
            ("sprig.splitList(',', 'a,b')", .list([.string("a"), .string("b")])),
            ("sprig.join('+', sprig.list(1, 'b'))", .string("1+b")),
            ("sprig.dict('k', 'v')", .map(["k": .string("v")])),
            ("sprig.quote('a\"b', 1)", .string(#""a\"b" "1""#)),
            ("sprig.squote('a')", .string("'a'")),
            ("sprig.repeat(3, 'ab')", .string("ababab")),
            ("sprig.substr(1, 3, 'hello')", .string("el")),
            ("sprig.trunc(3, 'hello')", .string("hel")),
            ("sprig.trunc(-2, 'hello')", .string("lo")),
            (
                "sprig.dateInZone('2006-01-02 15:04:05 Mon Jan', 1700000000, 'UTC')",
                .string("2023-11-14 22:13:20 Tue Nov")
            ),
            ("sprig.dateInZone('2006-01-02T15:04:05Z07:00', 0, 'UTC')", .string("1970-01-01T00:00:00Z")),
        ])
    func sprig(source: String, expected: ExpressionValue) throws {
        #expect(try Self.run(source) == expected)
    }

    @Test("formats today's date with a Go layout")
    func sprigDateNow() throws {
        guard case .string(let text) = try Self.run("sprig.date('2006-01-02', sprig.now())") else {
            Issue.record("sprig.date did not return a string")
            return
        }
        #expect(text.count == 10)
        #expect(text.split(separator: "-").map(\.count) == [4, 2, 2])
    }

    @Test("lists referenced identifiers as maximal dotted paths")
    func identifiers() throws {
        let program = try ExprProgram(
            parsing:
                "asInt(inputs.parameters.x) + len(tasks['my-task'].outputs.result) + filter(items, {#.a})[0] ?? workflow.name"
        )
        #expect(
            program.referencedIdentifiers == [
                "inputs.parameters.x", "tasks.my-task.outputs.result", "items", "workflow.name",
            ])
    }

    @Test(
        "reports errors with exact messages",
        arguments: [
            ("'a' < 3", "cannot compare string 'a' with number 3"),
            ("inputs.parameters.x + 1", "cannot apply '+' to string '21' and number 1"),
            ("nope + 1", "unknown variable 'nope'"),
            ("asInt('x1')", "asInt() cannot convert to an integer: got string 'x1'"),
            ("1 && true", "cannot use number 1 with '&&': not a boolean"),
            ("'x' ? 1 : 2", "cannot use string 'x' with '?': not a boolean"),
            ("[1][3]", "index 3 out of range for length 1"),
            ("5 % 0", "division by zero in '%'"),
            ("len(1, 2)", "len() takes 1 argument, got 2"),
            ("jsonpath('{\"a\":1}', '$.b')", "JSONPath '$.b' found no key 'b'"),
            ("jsonpath('{bad', '$.a')", "invalid JSON at offset 1: expected a string key"),
        ])
    func evaluationErrors(source: String, message: String) {
        #expect {
            _ = try Self.run(source)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test(
        "reports syntax errors with offsets",
        arguments: [
            ("1 +", "syntax error at offset 3 in '1 +': unexpected end of expression"),
            ("(1 + 2", "syntax error at offset 6 in '(1 + 2': expected ')', found end of expression"),
            ("foo(1)", "syntax error at offset 0 in 'foo(1)': unknown function 'foo'"),
            ("sprig.nope(1)", "syntax error at offset 0 in 'sprig.nope(1)': unknown function 'sprig.nope'"),
            ("'abc", "syntax error at offset 0 in ''abc': unterminated string literal"),
            ("a @ b", "syntax error at offset 2 in 'a @ b': unexpected character '@'"),
            ("# > 1", "syntax error at offset 0 in '# > 1': cannot use '#' outside a closure"),
            ("1 2", "syntax error at offset 2 in '1 2': unexpected number 2"),
            (
                "a ?? b + 1",
                "syntax error at offset 7 in 'a ?? b + 1': operator '+' and '??' cannot be mixed; wrap either in parentheses"
            ),
            ("", "syntax error at offset 0 in '': empty expression"),
        ])
    func syntaxErrors(source: String, message: String) {
        #expect {
            _ = try ExprProgram(parsing: source)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test("requires a boolean from evaluateBool")
    func evaluateBool() throws {
        #expect(try ExprProgram(parsing: "asInt(inputs.parameters.x) > 20").evaluateBool(Self.scope))
        #expect(throws: ExpressionError.notBoolean(source: "1 + 1", value: .number(2))) {
            try ExprProgram(parsing: "1 + 1").evaluateBool(Self.scope)
        }
    }
}
