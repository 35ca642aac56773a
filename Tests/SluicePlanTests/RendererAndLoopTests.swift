import Foundation
import SluiceExpressions
import SluicePlan
import SluiceSpec
import Testing

/// The renderer and loop expansion as pure functions: a scope in, text, items or a typed error out; no process,
/// file or store.
@Suite("Renderer and loop expansion (pure)")
struct RendererAndLoopTests {
    static func scope() -> VariableScope {
        var scope = VariableScope()
        scope.set("inputs.parameters.word", "hello", provenance: [.argument("word")])
        scope.set("inputs.parameters.n", "5")
        scope.set("workflow.name", "wf")
        return scope
    }

    @Test("placeholders render from the scope and the renderer remembers what each value was derived from")
    func rendersWithProvenance() throws {
        var renderer = Renderer(scope: Self.scope())
        #expect(
            try renderer.render("say {{inputs.parameters.word}} in {{workflow.name}}", context: "args")
                == "say hello in wf")
        #expect(renderer.lastSources == [.argument("word")])
        #expect(try renderer.render("no placeholder", context: "args") == "no placeholder")
        #expect(renderer.lastSources.isEmpty)
        #expect(renderer.sources == [.argument("word")])
    }

    @Test("an expression placeholder is evaluated with expr over the scope")
    func expressionPlaceholder() throws {
        var renderer = Renderer(scope: Self.scope())
        let text = "{{= inputs.parameters.word == 'hello' ? 'yes' : 'no' }}"
        #expect(try renderer.render(text, context: "args") == "yes")
        #expect(renderer.lastSources == [.argument("word")])
    }

    @Test("an unknown variable in Argo's namespaces is an error naming it and the context; other tags stay as written")
    func unknownVariables() throws {
        var renderer = Renderer(scope: Self.scope())
        #expect(
            throws: EngineError.unresolvedVariable(reference: "inputs.parameters.nope", context: "args of step 'x'")
        ) {
            try renderer.render("{{inputs.parameters.nope}}", context: "args of step 'x'")
        }
        #expect(try renderer.render("{{custom.variable}}", context: "args") == "{{custom.variable}}")
    }

    @Test("when conditions render, then evaluate in govaluate; a malformed one is a bad expression")
    func conditions() throws {
        var renderer = Renderer(scope: Self.scope())
        #expect(try renderer.evaluateCondition("{{inputs.parameters.n}} > 3", context: "when") == true)
        #expect(try renderer.evaluateCondition("'{{inputs.parameters.word}}' == 'bye'", context: "when") == false)
        #expect {
            try renderer.evaluateCondition("{{inputs.parameters.n}} >", context: "when of step 's'")
        } throws: { error in
            guard case EngineError.badExpression(let expression, _, let context) = error else { return false }
            return expression == "5 >" && context == "when of step 's'"
        }
    }

    static func sequence(_ json: String) throws -> WithSequence {
        try JSONDecoder().decode(WithSequence.self, from: Data(json.utf8))
    }

    @Test(
        "withSequence counts from start, or runs start..end inclusive (descending too), formatted printf-style",
        arguments: [
            (#"{"count": "3", "start": "1", "format": "u%02d"}"#, ["u01", "u02", "u03"]),
            (#"{"start": "5", "end": "3"}"#, ["5", "4", "3"]),
            (#"{"count": "{{inputs.parameters.n}}"}"#, ["0", "1", "2", "3", "4"]),
            (#"{"count": "2", "format": "x%x"}"#, ["x0", "x1"]),
            (#"{"count": "0"}"#, []),
        ])
    func sequences(json: String, expected: [String]) throws {
        var renderer = Renderer(scope: Self.scope())
        let items = try LoopItems.expand(
            withItems: nil, withParam: nil, withSequence: try Self.sequence(json), renderer: &renderer, context: "t")
        #expect(items?.map(\.asString) == expected)
    }

    @Test("a withSequence bound that is not an integer is a bad expression naming the field")
    func badSequence() throws {
        var renderer = Renderer(scope: Self.scope())
        let sequence = try Self.sequence(#"{"count": "{{inputs.parameters.word}}"}"#)
        #expect {
            try LoopItems.expand(
                withItems: nil, withParam: nil, withSequence: sequence, renderer: &renderer, context: "t")
        } throws: { error in
            guard case EngineError.badExpression(let expression, let reason, _) = error else { return false }
            return expression == "hello" && reason == "withSequence.count must be an integer"
        }
    }

    @Test("withParam is a rendered JSON list; its map items label iterations as sorted key:value pairs")
    func withParam() throws {
        var scope = Self.scope()
        scope.set("tasks.gen.outputs.result", #"[{"b": "x", "a": 1}, "plain"]"#)
        var renderer = Renderer(scope: scope)
        let items = try #require(
            try LoopItems.expand(
                withItems: nil, withParam: "{{tasks.gen.outputs.result}}", withSequence: nil, renderer: &renderer,
                context: "t"))
        #expect(items.map(LoopItems.label) == ["a:1,b:x", "plain"])
        let iteration = LoopItems.scope(scope, item: items[0])
        #expect(iteration.value("item.b")?.text == "x")
        #expect(
            try LoopItems.expand(withItems: nil, withParam: nil, withSequence: nil, renderer: &renderer, context: "t")
                == nil)
    }

    @Test("withParam that is not a JSON list is a bad expression saying so")
    func withParamNotAList() {
        var scope = Self.scope()
        scope.set("tasks.gen.outputs.result", #"{"a": 1}"#)
        var renderer = Renderer(scope: scope)
        #expect {
            try LoopItems.expand(
                withItems: nil, withParam: "{{tasks.gen.outputs.result}}", withSequence: nil, renderer: &renderer,
                context: "task 'fan'")
        } throws: { error in
            guard case EngineError.badExpression(_, let reason, let context) = error else { return false }
            return reason == "withParam must be a JSON list" && context == "task 'fan'"
        }
    }
}
