import Foundation
import Testing

@testable import SluiceCLI

/// `SecondsText` writes what `String(format: "%.Nf")` writes, which it replaces in status lines.
@Suite("Seconds as text")
struct SecondsTextTests {
    @Test("the same digits as %.Nf, ties and near-ties included", arguments: [0, 1, 2, 3])
    func matchesPrintf(decimals: Int) {
        var mismatches: [String] = []
        for step in 0..<100_000 {
            // Thousandths and values just off them: exact binary ties (0.5, 2.5), near-ties (1.005), and the rest.
            for value in [Double(step) / 1000, Double(step) / 1000 + 0.0005, Double(step) * 0.37] {
                let expected = String(format: "%.\(decimals)f", value)
                let written = SecondsText.fixed(value, decimals: decimals)
                if written != expected, mismatches.count < 5 { mismatches.append("\(value): \(written) ≠ \(expected)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("negative, non-finite and huge values")
    func edges() {
        #expect(SecondsText.fixed(-3, decimals: 2) == "0.00")
        #expect(SecondsText.fixed(.nan, decimals: 2) == "0.00")
        #expect(SecondsText.fixed(.infinity, decimals: 1) == "0.0")
        #expect(SecondsText.fixed(1e20, decimals: 2) == "100000000000000000000.00")
        #expect(SecondsText.fixed(59.999, decimals: 2) == "60.00")
        #expect(SecondsText.fixed(0.005, decimals: 2) == "0.01")
        #expect(SecondsText.fixed(1.005, decimals: 2) == "1.00")
        #expect(SecondsText.fixed(2.5, decimals: 0) == "2")
    }
}
