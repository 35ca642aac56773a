import Foundation

/// Formats a date with a Go reference layout (`2006-01-02T15:04:05Z07:00`), as Sprig's `date` does.
enum GoTimeFormat {
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Layout chunks, longest first so that `2006` wins over `2` and `January` over `Jan`.
    private static let chunks = [
        "January", "Monday", "Z07:00:00", "-07:00:00", "Z070000", "-070000", "Z07:00", "-07:00", "Z0700", "-0700",
        "2006", "Jan", "Mon", "MST", "002", "Z07", "-07", "_2", "01", "02", "03", "04", "05", "06", "15", "PM",
        "pm", "1", "2", "3", "4", "5",
    ]

    static func format(_ date: Date, layout: String, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        let hour = parts.hour ?? 0
        let minute = parts.minute ?? 0
        let second = parts.second ?? 0
        let nanosecond = parts.nanosecond ?? 0
        let weekday = (parts.weekday ?? 1) - 1
        let yearDay = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let offset = zone.secondsFromGMT(for: date)

        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(abs(value))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        func zoneOffset(_ chunk: String) -> String {
            if chunk.hasPrefix("Z"), offset == 0 { return "Z" }
            let sign = offset < 0 ? "-" : "+"
            let total = abs(offset)
            let hours = pad(total / 3600, 2)
            let minutes = pad(total % 3600 / 60, 2)
            let seconds = pad(total % 60, 2)
            switch chunk.dropFirst() {
            case "07": return sign + hours
            case "0700": return sign + hours + minutes
            case "07:00": return sign + hours + ":" + minutes
            case "070000": return sign + hours + minutes + seconds
            default: return sign + hours + ":" + minutes + ":" + seconds
            }
        }

        let scalars = Array(layout.unicodeScalars)
        var output = ""
        var index = 0
        outer: while index < scalars.count {
            // Fractional seconds: ".000" (fixed) or ".999" (trailing zeros trimmed), also with ",".
            if scalars[index] == "." || scalars[index] == ",", index + 1 < scalars.count,
                scalars[index + 1] == "0" || scalars[index + 1] == "9"
            {
                let digit = scalars[index + 1]
                var end = index + 1
                while end < scalars.count, scalars[end] == digit { end += 1 }
                let nextIsDigit = end < scalars.count && ("0"..."9").contains(scalars[end])
                if !nextIsDigit {
                    let width = min(end - index - 1, 9)
                    var fraction = String(pad(nanosecond, 9).prefix(width))
                    if digit == "9" { while fraction.hasSuffix("0") { fraction.removeLast() } }
                    if !fraction.isEmpty || digit == "0" { output += String(scalars[index]) + fraction }
                    index = end
                    continue
                }
            }
            for chunk in chunks {
                let chunkScalars = Array(chunk.unicodeScalars)
                guard index + chunkScalars.count <= scalars.count,
                    Array(scalars[index..<index + chunkScalars.count]) == chunkScalars
                else { continue }
                // Go treats "Jan"/"Mon" only as chunks when not followed by a lowercase letter.
                if chunk == "Jan" || chunk == "Mon", index + 3 < scalars.count,
                    scalars[index + 3].properties.isLowercase
                {
                    continue
                }
                switch chunk {
                case "January": output += monthNames[month - 1]
                case "Jan": output += String(monthNames[month - 1].prefix(3))
                case "Monday": output += dayNames[weekday]
                case "Mon": output += String(dayNames[weekday].prefix(3))
                case "MST": output += zone.abbreviation(for: date) ?? "UTC"
                case "2006": output += pad(year, 4)
                case "06": output += pad(year % 100, 2)
                case "002": output += pad(yearDay, 3)
                case "01": output += pad(month, 2)
                case "1": output += String(month)
                case "02": output += pad(day, 2)
                case "2": output += String(day)
                case "_2": output += day < 10 ? " \(day)" : String(day)
                case "15": output += pad(hour, 2)
                case "03": output += pad(hour % 12 == 0 ? 12 : hour % 12, 2)
                case "3": output += String(hour % 12 == 0 ? 12 : hour % 12)
                case "04": output += pad(minute, 2)
                case "4": output += String(minute)
                case "05": output += pad(second, 2)
                case "5": output += String(second)
                case "PM": output += hour >= 12 ? "PM" : "AM"
                case "pm": output += hour >= 12 ? "pm" : "am"
                default: output += zoneOffset(chunk)
                }
                index += chunkScalars.count
                continue outer
            }
            output.unicodeScalars.append(scalars[index])
            index += 1
        }
        return output
    }
}
