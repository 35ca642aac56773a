import Foundation

/// Seconds as people read them in status lines (`1.25s`), without `String(format:)`: Foundation's formatter parses
/// its format and boxes its arguments on every call, the largest cost of printing a node's line in a fan-out of
/// thousands (and of each line of `sluice get -o wide`).
enum SecondsText {
    /// `seconds` with `decimals` places (0 to 6; a negative or non-finite value counts as 0), as `%.Nf` writes it
    /// (`fixed(1.005, decimals: 2) == "1.00"`: 1.005 is 1.00499… in binary); a billion seconds and more go through
    /// `String(format:)`.
    static func fixed(_ seconds: Double, decimals: Int) -> String {
        let places = min(max(decimals, 0), 6)
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let value = seconds.isFinite ? max(0, seconds) : 0
        guard value < 1e9 else { return String(format: "%.\(places)f", value) }
        let scaled = Int(roundedAsPrintfDoes(value, times: scale))
        let unit = Int(scale)
        let whole = String(scaled / unit)
        guard places > 0 else { return whole }
        let fraction = String(scaled % unit)
        return whole + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// `value × scale` rounded to an integer as printf rounds the exact decimal expansion: half to even only on an
    /// exact tie; a product that merely rounded to a tie goes the way its exact value lies (seen in the fused error).
    private static func roundedAsPrintfDoes(_ value: Double, times scale: Double) -> Double {
        let product = value * scale
        let whole = product.rounded(.down)
        let fraction = product - whole
        if fraction != 0.5 { return product.rounded(.toNearestOrAwayFromZero) }
        let error = (-product).addingProduct(value, scale)
        if error > 0 { return whole + 1 }
        if error < 0 { return whole }
        return whole.truncatingRemainder(dividingBy: 2) == 0 ? whole : whole + 1
    }
}
