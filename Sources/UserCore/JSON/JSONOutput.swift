/// Compact UTF-8 JSON written value by value into one buffer: what `JSONWriter` does with a
/// `JSONValue` tree, and what hot responses (the users page) use directly to skip building
/// one. Commas are placed by the writer; callers only open and close objects and arrays,
/// and give each member's key before its value.
package struct JSONOutput {
    package private(set) var bytes: [UInt8] = []
    /// Whether a sibling came before, so the next key or array element needs a comma.
    private var needsComma = false

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    package mutating func beginObject() {
        open(UInt8(ascii: "{"))
    }

    package mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    package mutating func beginArray() {
        open(UInt8(ascii: "["))
    }

    package mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    package mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A key written in the source: copied as it is, as it needs no escape.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { name in
            assert(Self.needsNoEscape(name), "\(name) needs an escape")
            bytes.append(contentsOf: name)
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    mutating func bool(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        needsComma = true
    }

    mutating func string(_ text: String) {
        separate()
        appendQuoted(text)
        needsComma = true
    }

    /// Integral values up to 2^53 (exact in a Double) print without a fraction; JSON has no
    /// NaN or infinity, so those print as null.
    mutating func number(_ number: Double) {
        if !number.isFinite {
            null()
        } else if number == number.rounded(), abs(number) <= Self.largestExactInteger {
            integer(Int64(number))
        } else {
            separate()
            bytes.append(contentsOf: String(number).utf8)
            needsComma = true
        }
    }

    /// The same text as `number(Double(value))`, without the conversion where it is exact.
    mutating func integer(_ value: Int64) {
        guard value.magnitude <= UInt64(Self.largestExactInteger) else { return number(Double(value)) }
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        var rest = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
        needsComma = true
    }

    /// Seconds since the epoch as an RFC 3339 string (`Timestamp.rfc3339`).
    mutating func timestamp(_ seconds: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Timestamp.appendRFC3339(seconds, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private static let largestExactInteger: Double = 9_007_199_254_740_992

    // MARK: Strings

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma = true
    }

    private mutating func appendQuoted(_ text: String) {
        var text = text  // withUTF8 is mutating; a native string is used in place.
        text.withUTF8 { appendQuoted($0) }
    }

    /// Escapes quotes, backslashes and every control character (C0, DEL, and the C1 range and
    /// line separators as `\u` escapes), so output is safe in any log line or HTML context.
    /// Text that needs none (printable ASCII without `"` and `\`) is copied as it is.
    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        if Self.needsNoEscape(utf8) {
            bytes.append(contentsOf: utf8)
        } else {
            for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars { appendEscaped(scalar) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsNoEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func appendEscaped(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x22: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case 0x5C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
            let value = scalar.value
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
            for shift in stride(from: 12, through: 0, by: -4) {
                bytes.append(Self.hexDigits[Int((value >> UInt32(shift)) & 0xF)])
            }
        default:
            bytes.append(contentsOf: scalar.utf8)
        }
    }
}

/// Takes an object's members in order, so a type whose JSON is hot describes it once for both
/// a `JSONObject` (a tree other responses nest) and a `JSONOutput` (straight to bytes).
protocol JSONMemberSink {
    mutating func member(_ name: StaticString, _ value: String?)
    mutating func member(_ name: StaticString, _ value: Int64)
    mutating func member(_ name: StaticString, _ value: Bool)
    /// An RFC 3339 string, or null.
    mutating func member(_ name: StaticString, timestamp: Int64?)
}

extension JSONOutput: JSONMemberSink {
    mutating func member(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    package mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        integer(value)
    }

    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    mutating func member(_ name: StaticString, timestamp: Int64?) {
        key(name)
        if let timestamp { self.timestamp(timestamp) } else { null() }
    }
}

extension JSONObject: JSONMemberSink {
    mutating func member(_ name: StaticString, _ value: String?) {
        append(name.description, .string(value))
    }

    mutating func member(_ name: StaticString, _ value: Int64) {
        append(name.description, .number(Double(value)))
    }

    mutating func member(_ name: StaticString, _ value: Bool) {
        append(name.description, .bool(value))
    }

    mutating func member(_ name: StaticString, timestamp: Int64?) {
        append(name.description, .string(timestamp.map(Timestamp.rfc3339)))
    }
}
