import Testing

@testable import SluiceExpressions

@Suite("GovaluateExpression")
struct GovaluateExpressionTests {
    @Test(
        "evaluates when-conditions as Argo does",
        arguments: [
            ("heads == heads", true),
            ("tails == heads", false),
            ("heads != tails", true),
            ("0.93 > 0.9", true),
            ("5 >= 5 && 2 < 1", false),
            ("'5' == 5", false),
            ("\"5\" == '5'", true),
            ("foo =~ '^f'", true),
            ("bar =~ '^f'", false),
            ("bar !~ '^f'", true),
            ("a != b && 1 < 2", true),
            ("!(1 > 2)", true),
            ("b < c", true),
            ("'abc' < 'abd'", true),
            ("B < a", true),
            ("red in (red, green, blue)", true),
            ("pink in (red, green, blue)", false),
            ("3 in (1, 2, 3)", true),
            ("true || 1 > 'x'", true),
            ("false && 'x' > 1", false),
            ("-1 < 0", true),
            ("2 ** 3 == 8", true),
            ("10 % 4 == 2", true),
            ("1 + 2 * 3 == 7", true),
            ("(1 + 2) * 3 == 9", true),
            ("[my value] == 'my value'", true),
            ("0x10 == 16", true),
            ("true", true),
            ("1 > 2 ? false : true", true),
        ])
    func truthTable(source: String, expected: Bool) throws {
        #expect(try GovaluateExpression.evaluateBool(source) == expected)
    }

    @Test(
        "evaluates values",
        arguments: [
            ("1 + 2", ExpressionValue.number(3)),
            ("'a' + 1", .string("a1")),
            ("1 + 'a'", .string("1a")),
            ("7 / 2", .number(3.5)),
            ("true ? yes : no", .string("yes")),
            ("false ? yes : no", .string("no")),
            ("x ?? y", .string("x")),
            ("(1, 2)", .list([.number(1), .number(2)])),
            ("6 & 3", .number(2)),
            ("1 << 4", .number(16)),
            ("10 - 2 - 3", .number(5)),
        ])
    func values(source: String, expected: ExpressionValue) throws {
        #expect(try GovaluateExpression.evaluate(source) == expected)
    }

    @Test(
        "reports errors with exact messages",
        arguments: [
            ("'5' > 3", "cannot compare string '5' with number 3"),
            ("heads tails", "syntax error at offset 6 in 'heads tails': expected an operator, found 'tails'"),
            ("1 >", "syntax error at offset 3 in '1 >': expected a value, found end of expression"),
            ("(1 > 2", "syntax error at offset 6 in '(1 > 2': unbalanced parenthesis"),
            ("'open", "syntax error at offset 0 in ''open': unclosed string literal"),
            ("1 >- 2", "syntax error at offset 2 in '1 >- 2': invalid token '>-'"),
            ("", "syntax error at offset 0 in '': empty expression"),
            ("a.b == c", "unknown variable 'a.b'"),
            ("a. == c", "syntax error at offset 0 in 'a. == c': hanging accessor on token 'a.'"),
            ("heads", "expression 'heads' evaluated to string 'heads', not a boolean"),
            ("1 && true", "cannot use number 1 with '&&': not a boolean"),
            ("!heads", "cannot use string 'heads' with '!': not a boolean"),
            ("x - 1", "cannot apply '-' to string 'x' and number 1"),
            ("a in b", "cannot apply 'in' to string 'a' and string 'b'"),
            ("a =~ '('", "invalid regular expression '('"),
        ])
    func errors(source: String, message: String) {
        #expect {
            _ = try GovaluateExpression.evaluateBool(source)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test("keeps a typed error case for a type mismatch")
    func typedError() {
        #expect(throws: ExpressionError.typeMismatch(operator: ">", lhs: .string("a"), rhs: .number(3))) {
            try GovaluateExpression.evaluateBool("a > 3")
        }
    }
}
