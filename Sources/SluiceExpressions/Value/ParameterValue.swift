/// A named parameter value: a workflow argument from `-p NAME=VALUE` to the run's record and status, and a node's
/// input or output parameter as Argo reports it.
package struct ParameterValue: Sendable, Codable, Hashable {
    package var name: String
    package var value: String

    package init(
        name: String, value: String
    ) {
        self.name = name
        self.value = value
    }

    /// The parameter a `NAME=VALUE` assignment names (the value may hold `=`), or nil without a name before `=`.
    package init?(assignment: String) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else { return nil }
        self.init(
            name: String(assignment[..<equals]), value: String(assignment[assignment.index(after: equals)...]))
    }
}
