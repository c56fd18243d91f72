import UserCore

/// Reading typed values out of source values, the way Flask-SQLAlchemy apps store them.
enum ImportValues {
    /// Text; a JSON number or boolean in a text field is refused, not converted.
    static func text(_ value: SourceValue?, field: String) throws(RowProblem) -> String? {
        switch value {
        case nil: return nil
        case .text(let text)?: return text
        case .number?: throw RowProblem(.invalidValue, "\(field) is a number, not text")
        case .bool?: throw RowProblem(.invalidValue, "\(field) is a boolean, not text")
        case .other(let type)?: throw RowProblem(.invalidValue, "\(field) is a JSON \(type), not text")
        }
    }

    /// `true`/`false`, 1/0, and as text `1`, `0`, `true`, `false`, `t`, `f`, `yes`, `no`,
    /// `y`, `n`, `on`, `off` in any case.
    static func bool(_ value: SourceValue?, field: String) throws(RowProblem) -> Bool? {
        switch value {
        case nil: return nil
        case .bool(let flag)?: return flag
        case .number(let number)? where number == 0 || number == 1: return number == 1
        case .text(let text)?:
            switch text.trimmingASCIIWhitespace().lowercased() {
            case "1", "true", "t", "yes", "y", "on": return true
            case "0", "false", "f", "no", "n", "off": return false
            case "": return nil
            default: break
            }
        default: break
        }
        throw RowProblem(.invalidValue, "\(field) \(ImportReportText.describe(value)) is not a boolean")
    }

    /// `email_verified`: a boolean as `bool` reads it, or from a date column (`confirmed_at`)
    /// true when it holds a date; nil (unverified) when empty. A date column's value must
    /// read as one, so a column mapped by mistake is reported rather than taken as "set".
    static func emailVerified(_ value: SourceValue?, fromDate: Bool) throws(RowProblem) -> Bool? {
        guard fromDate else { return try bool(value, field: "email_verified") }
        return try timestamp(value, field: "email_verified").map { _ in true }
    }

    /// `ADMIN` or `USER` in any case (Flask apps write `ADMIN`, `Admin`, `admin`).
    static func role(_ value: SourceValue?) throws(RowProblem) -> Role? {
        guard let text = try self.text(value, field: "role") else { return nil }
        switch text.trimmingASCIIWhitespace().uppercased() {
        case "ADMIN": return .admin
        case "USER": return .user
        case "": return nil
        default:
            throw RowProblem(
                .invalidValue, "role \(ImportReportText.quoted(text)) is neither ADMIN nor USER (any case)")
        }
    }

    /// Unix seconds from `2024-01-31 12:34:56.123456` (SQLAlchemy's text in SQLite, naive: in
    /// `zone`, else UTC), ISO 8601 / RFC 3339 (`2024-01-31T12:34:56Z`, `+02:00`), a date, or a
    /// number of seconds since the epoch (text or JSON number). Fractions of a second are
    /// dropped.
    static func timestamp(_ value: SourceValue?, field: String, zone: SourceTimeZone? = nil) throws(RowProblem)
        -> Int64?
    {
        let invalid = RowProblem(
            .invalidValue, "\(field) \(ImportReportText.describe(value)) is not a date and time or Unix seconds")
        switch value {
        case nil: return nil
        case .number(let number)?:
            guard let seconds = epochSeconds(number) else { throw invalid }
            return seconds
        case .text(let raw)?:
            let text = raw.trimmingASCIIWhitespace()
            if text.isEmpty { return nil }
            if let number = Double(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }) {
                guard let seconds = epochSeconds(number) else { throw invalid }
                return seconds
            }
            guard let (seconds, isNaive) = parseDateTime(Array(text.utf8)) else { throw invalid }
            guard isNaive, let zone else { return seconds }
            guard let converted = zone.utc(fromWallClock: seconds), (0...latestSecond).contains(converted) else {
                throw invalid
            }
            return converted
        default:
            throw invalid
        }
    }

    /// The latest second accepted: 9999-12-31T23:59:59Z.
    static let latestSecond: Int64 = 253_402_300_799

    private static func epochSeconds(_ number: Double) -> Int64? {
        guard number.isFinite, number >= 0, number <= Double(latestSecond) else { return nil }
        return Int64(number.rounded(.down))
    }

    /// `YYYY-MM-DD[( |T)HH:MM[:SS[(.|,)fraction]]][Z|±HH[:MM]]`, and whether it is naive (no
    /// `Z` or offset: then the seconds are those of the same wall clock in UTC).
    static func parseDateTime(_ text: [UInt8]) -> (seconds: Int64, isNaive: Bool)? {
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= text.count else { return nil }
            var value = 0
            for byte in text[index..<index + count] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func accept(_ character: Character) -> Bool {
            guard index < text.count, text[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), accept("-"), let month = digits(2), accept("-"), let day = digits(2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), year >= 1970
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var offset = 0
        var isNaive = true
        if accept("T") || accept("t") || accept(" ") {
            guard let h = digits(2), accept(":"), let m = digits(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if accept(":") {
                guard let s = digits(2), s <= 60 else { return nil }
                second = min(s, 59)  // a leap second counts as the one before
                if accept(".") || accept(",") {
                    let start = index
                    while index < text.count, text[index] >= 0x30 && text[index] <= 0x39 { index += 1 }
                    guard index > start else { return nil }
                }
            }
            _ = accept(" ")
            if accept("Z") || accept("z") {
                isNaive = false
            } else if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                let sign = text[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let zoneHours = digits(2), zoneHours < 24 else { return nil }
                var zoneMinutes = 0
                if index < text.count {
                    _ = accept(":")
                    guard let m = digits(2), m < 60 else { return nil }
                    zoneMinutes = m
                }
                offset = sign * (zoneHours * 3600 + zoneMinutes * 60)
                isNaive = false
            }
        }
        guard index == text.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (0...latestSecond).contains(seconds) ? (seconds, isNaive) : nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Why a row is skipped.
public enum ImportSkipReason: String, CaseIterable, Sendable {
    case unreadableRow = "unreadable row"
    case missingValue = "missing username, email or password hash"
    case invalidUsername = "invalid username"
    case invalidEmail = "invalid email"
    case invalidValue = "invalid name, role, flag or date"
    case duplicateUsername = "username repeated in the source (case-insensitively)"
    case duplicateEmail = "email repeated in the source (case-insensitively)"
    case usernameTaken = "username of an existing user"
    case emailTaken = "email of an existing user"
    case unsupportedHash = "unsupported password hash"
    case hashOverCap = "password hash over the cost caps"
    case malformedHash = "malformed password hash"
}

/// One thing wrong with a row.
struct RowProblem: Error, Sendable {
    let reason: ImportSkipReason
    let message: String

    init(_ reason: ImportSkipReason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}

/// Values as the report shows them: quoted, control characters escaped, long ones cut.
enum ImportReportText {
    static func quoted(_ text: String, limit: Int = 64) -> String {
        var shown = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                shown += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": shown += "\\\""
            case "\\": shown += "\\\\"
            case _ where scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format:
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return "\"" + shown + "\""
    }

    static func describe(_ value: SourceValue?) -> String {
        switch value {
        case nil: "null"
        case .text(let text)?: quoted(text, limit: 40)
        case .number(let number)?:
            number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        case .bool(let flag)?: flag ? "true" : "false"
        case .other(let type)?: "(a JSON \(type))"
        }
    }
}
