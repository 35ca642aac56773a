import Testing

@testable import SluiceExpressions

@Suite("DependsExpression")
struct DependsExpressionTests {
    private static let outcomes: [String: TaskResults] = [
        "ok": TaskResults(succeeded: true),
        "bad": TaskResults(failed: true),
        "err": TaskResults(errored: true),
        "skip": TaskResults(skipped: true),
        "omit": TaskResults(omitted: true),
        "daemon": TaskResults(daemoned: true),
        "group-some": TaskResults(failed: true, anySucceeded: true),
        "group-none": TaskResults(failed: true, allFailed: true),
    ]

    private static func results(_ name: String) -> TaskResults { outcomes[name] ?? TaskResults() }

    @Test(
        "evaluates every property and bare names",
        arguments: [
            ("ok", true), ("skip", true), ("daemon", true), ("bad", false), ("err", false), ("omit", false),
            ("ok.Succeeded", true), ("bad.Succeeded", false), ("bad.Failed", true), ("ok.Failed", false),
            ("err.Errored", true), ("bad.Errored", false), ("skip.Skipped", true), ("ok.Skipped", false),
            ("omit.Omitted", true), ("skip.Omitted", false), ("daemon.Daemoned", true), ("ok.Daemoned", false),
            ("group-some.AnySucceeded", true), ("group-none.AnySucceeded", false),
            ("group-none.AllFailed", true), ("group-some.AllFailed", false),
            ("ok && skip", true), ("ok && bad", false), ("bad || ok", true),
            ("(ok.Succeeded || bad.Failed) && !skip.Skipped", false),
            ("(ok.Succeeded || bad.Failed) && !omit.Skipped", true),
            ("!ok || bad.Failed && err.Errored", true),
            ("!(ok || bad)", false),
        ])
    func truthTable(source: String, expected: Bool) throws {
        #expect(try DependsExpression(parsing: source).evaluate(Self.results) == expected)
    }

    @Test("lists task names in order of first appearance without duplicates")
    func taskNames() throws {
        let depends = try DependsExpression(parsing: "(build-a.Succeeded || test) && !build-a.Failed && deploy_1")
        #expect(depends.taskNames == ["build-a", "test", "deploy_1"])
    }

    @Test("treats a dependencies list as the conjunction of bare names")
    func dependenciesList() throws {
        let list = DependsExpression(dependencies: ["ok", "skip", "ok"])
        #expect(list.taskNames == ["ok", "skip"])
        #expect(list.evaluate(Self.results))
        #expect(!DependsExpression(dependencies: ["ok", "bad"]).evaluate(Self.results))
        #expect(DependsExpression(dependencies: []).evaluate(Self.results))
        #expect(list == (try DependsExpression(parsing: "ok && skip && ok")))
    }

    @Test("widens a bare name by continueOn as Argo's expandDependency does")
    func continueOn() throws {
        let depends = try DependsExpression(parsing: "bad && err")
        #expect(!depends.evaluate(Self.results))
        #expect(!depends.evaluate(Self.results) { _ in DependsContinueOn(failed: true) })
        #expect(depends.evaluate(Self.results) { _ in DependsContinueOn(error: true, failed: true) })
        // An explicit property is not widened.
        #expect(
            !(try DependsExpression(parsing: "bad.Succeeded")).evaluate(Self.results) { _ in
                DependsContinueOn(error: true, failed: true)
            })
    }

    @Test(
        "rejects bad syntax with exact messages",
        arguments: [
            ("A.Success", "task result 'Success' for task 'A' is invalid"),
            ("A &&", "syntax error at offset 4 in 'A &&': expected a task name, found end of expression"),
            ("(A || B", "syntax error at offset 7 in '(A || B': missing ')'"),
            ("A B", "syntax error at offset 2 in 'A B': unexpected 'B'"),
            ("A.", "syntax error at offset 2 in 'A.': expected a task result after 'A.'"),
            ("", "syntax error at offset 0 in '': empty depends expression"),
            ("A & B", "syntax error at offset 2 in 'A & B': unexpected '&'"),
        ])
    func errors(source: String, message: String) {
        #expect {
            _ = try DependsExpression(parsing: source)
        } throws: { error in
            "\(error)" == message
        }
    }
}
