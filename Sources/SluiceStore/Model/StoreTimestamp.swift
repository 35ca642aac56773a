package import Foundation

/// How the store writes dates: ISO-8601 UTC text with millisecond precision, e.g. `2025-03-01T09:30:00.125Z`.
///
/// The text sorts chronologically and SQLite's date functions read it. Dates are truncated (toward the past) to
/// whole milliseconds, except that a date less than 1 µs below a whole millisecond (floating-point noise) rounds
/// up to it; ``truncated(_:)`` returns exactly the `Date` a stored value reads back as.
package enum StoreTimestamp {
    private static let referenceToUnixMilliseconds: Int64 = 978_307_200_000
    // Years 0001 through 9999, the range the text format can hold, in milliseconds since 2001-01-01.
    private static let minimumMilliseconds: Int64 = -63_113_904_000_000
    private static let maximumMilliseconds: Int64 = 252_423_993_599_999

    /// The date truncated to whole milliseconds: the value the store returns after writing `date`.
    ///
    /// Idempotent: `truncated(truncated(d)) == truncated(d)`. Dates outside years 1–9999 are clamped.
    package static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(milliseconds(since2001: date)) / 1000)
    }

    /// The stored text for a date.
    package static func string(from date: Date) -> String {
        let unixMilliseconds = milliseconds(since2001: date) + referenceToUnixMilliseconds
        let (days, millisecondOfDay) = floorDivision(unixMilliseconds, 86_400_000)
        let (year, month, day) = civilDate(fromDaysSince1970: days)
        let hour = millisecondOfDay / 3_600_000
        let minute = millisecondOfDay / 60_000 % 60
        let second = millisecondOfDay / 1000 % 60
        let millisecond = millisecondOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
            + ".\(pad(millisecond, 3))Z"
    }

    /// Parses stored text (exactly `YYYY-MM-DDTHH:MM:SS.sssZ`); nil when it is not in that form.
    package static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millisecond = number(20..<23),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysSince1970(year: year, month: month, day: day)
        let unixMilliseconds = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
        return Date(timeIntervalSinceReferenceDate: Double(unixMilliseconds - referenceToUnixMilliseconds) / 1000)
    }

    // MARK: - Arithmetic

    /// Whole milliseconds since 2001-01-01, rounding toward the past but absorbing floating-point noise below 1 µs
    /// so that a date built from whole milliseconds maps back to the same count.
    private static func milliseconds(since2001 date: Date) -> Int64 {
        let exact = date.timeIntervalSinceReferenceDate * 1000
        guard exact.isFinite else { return exact > 0 ? maximumMilliseconds : minimumMilliseconds }
        let nearest = exact.rounded()
        let whole = abs(exact - nearest) < 0.001 ? nearest : exact.rounded(.down)
        let clamped = min(max(whole, Double(minimumMilliseconds)), Double(maximumMilliseconds))
        return Int64(clamped)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = ((value % divisor) + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian).
    private static func civilDate(fromDaysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
        let yearOfEra = adjustedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
