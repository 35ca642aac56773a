/// A position in a workflow file: 1-based line and column, as editors expect.
package struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the prefix of every located message.
    package var description: String { "\(file):\(line):\(column)" }
}
