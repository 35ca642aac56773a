import SluiceSpec
import Testing

@Suite("Placeholders in document text")
struct PlaceholderTests {
    /// Pins that the byte scan answers exactly as `contains("{{")`, which matches characters: a brace carrying a
    /// combining mark is not a brace.
    @Test(
        "containsPlaceholderOpening answers as contains(\"{{\")",
        arguments: [
            "", "{", "{ {", "a{{b", "{{", "}}{{", "{{\u{301}", "{\u{301}{", "é{{", "x{y{z", "{{{", "{{= 1 }}", "🙂{{",
        ])
    func openingAsContains(text: String) {
        #expect(text.containsPlaceholderOpening == text.contains("{{"))
    }
}
