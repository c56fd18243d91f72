import Glibc

/// Seconds since the Unix epoch, formatted as RFC 3339 UTC with `Z` (contract §1).
public enum Timestamp {
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    /// `2026-11-26T10:07:46Z`.
    public static func rfc3339(_ seconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        appendRFC3339(seconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first and last second RFC 3339's four-digit years can show.
    static let earliest: Int64 = -62_167_219_200  // 0000-01-01T00:00:00Z
    static let latest: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    /// Appends the 20 bytes of `rfc3339(seconds)`; a time outside years 0000–9999 (none
    /// the service stores) is clamped to them. Computed without gmtime_r and its time-zone
    /// lock: this runs for every timestamp of every JSON response.
    static func appendRFC3339(_ seconds: Int64, to bytes: inout [UInt8]) {
        let seconds = min(max(seconds, earliest), latest)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { text in
            func put(_ value: Int64, at offset: Int, width: Int) {
                var rest = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    text[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, width: 4)
            put(month, at: 5, width: 2)
            put(day, at: 8, width: 2)
            put(secondOfDay / 3600, at: 11, width: 2)
            put(secondOfDay / 60 % 60, at: 14, width: 2)
            put(secondOfDay % 60, at: 17, width: 2)
            (text[4], text[7], text[10]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"))
            (text[13], text[16], text[19]) = (UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "Z"))
            bytes.append(contentsOf: text)
        }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The proleptic Gregorian date of a day (Howard Hinnant's `civil_from_days`): counted in
    /// 400-year eras from 0000-03-01, so February's length falls at the end of each year.
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let (era, dayOfEra) = floorDivision(daysSinceEpoch + 719_468, 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (era * 400 + yearOfEra + (month <= 2 ? 1 : 0), month, day)
    }
}
