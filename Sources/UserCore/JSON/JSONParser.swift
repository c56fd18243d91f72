/// A strict RFC 8259 parser for request bodies.
///
/// Stricter than the RFC requires where leniency would hide client bugs or open attacks:
/// duplicate member names are refused (so two layers can't read different values), nesting
/// is bounded (no stack exhaustion), so are an object's members (contract §1 (v2): a body of
/// thousands of unknown members would cost as many errors), and strings must be valid UTF-8
/// without lone surrogates. The cost is linear in the input's size.
public struct JSONParser {
    public struct SyntaxError: Error, Equatable, Sendable {
        /// Byte offset where parsing failed.
        public let offset: Int
        public let reason: String
    }

    /// Deeper documents are refused; no request of this API nests more than three levels.
    public static let maximumDepth = 64

    /// Objects with more members are refused; no request of this API has more than a dozen.
    public static let maximumMembers = 100

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func error(_ reason: String) -> SyntaxError {
        SyntaxError(offset: index, reason: reason)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            index += 1
        }
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw error("invalid literal") }
        index += count
    }

    private mutating func enterContainer() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting too deep") }
        index += 1
        skipWhitespace()
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        var object = JSONObject()
        // A hash set, not a scan of the members: `Set<String>` hashes canonically equivalent
        // names alike, as `==` compares them.
        var names = Set<String>()
        try walkObject(
            readName: { parser throws(SyntaxError) in
                let name = try parser.parseString()
                guard names.insert(name).inserted else { throw parser.error("duplicate member name") }
                return name
            },
            take: { object.append($0, $1) })
        return .object(object)
    }

    /// Parses a document that must be one object and hands each member to `member`, its name
    /// as UTF-8 bytes, instead of collecting them in a `JSONObject`: for hot paths that read a
    /// few known members (a token's claims) without a String per name. The rules are those of
    /// `parse`, except that duplicate names are compared byte for byte (after unescaping), not
    /// by Unicode canonical equivalence.
    static func forEachMember(
        in bytes: [UInt8], _ member: (_ name: ArraySlice<UInt8>, _ value: JSONValue) -> Void
    ) throws(SyntaxError) {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "{") else { throw parser.error("expected an object") }
        // A scan, not a hash set: hashing costs more than comparing a token's dozen names, and
        // `walkObject` stops at `maximumMembers` names, so the scan is bounded.
        var names: [ArraySlice<UInt8>] = []
        names.reserveCapacity(12)
        try parser.walkObject(
            readName: { parser throws(SyntaxError) in
                let name = try parser.parseNameBytes()
                guard !names.contains(where: { $0.elementsEqual(name) }) else {
                    throw parser.error("duplicate member name")
                }
                names.append(name)
                return name
            },
            take: member)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the value") }
    }

    /// Walks the object at the cursor, `{` to `}`. For each member `readName` reads the name
    /// (the parser is at its opening quote) and refuses a duplicate; `take` then gets it with
    /// the member's value. `parseObject` and `forEachMember` differ only in those two. More than
    /// `maximumMembers` members are refused before the extra one is read.
    private mutating func walkObject<Name>(
        readName: (inout JSONParser) throws(SyntaxError) -> Name, take: (Name, JSONValue) -> Void
    ) throws(SyntaxError) {
        try enterContainer()
        if current == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        var count = 0
        while true {
            count += 1
            guard count <= Self.maximumMembers else { throw error("more than \(Self.maximumMembers) members") }
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let name = try readName(&self)
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            take(name, try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return
            default:
                throw error("expected ',' or '}'")
            }
        }
    }

    /// A member name's UTF-8 bytes: a slice of the input when it is plain ASCII (the usual
    /// case), else decoded and validated like any string.
    private mutating func parseNameBytes() throws(SyntaxError) -> ArraySlice<UInt8> {
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] >= 0x20, bytes[end] < 0x80, bytes[end] != UInt8(ascii: "\""),
            bytes[end] != UInt8(ascii: "\\")
        {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            index = end + 1
            return bytes[start..<end]
        }
        return ArraySlice(try parseString().utf8)
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        if current == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        index += 1  // opening quote
        // Fast path: printable ASCII up to the closing quote (token claims, most names) is
        // already valid UTF-8 and becomes a String without a copy into a scratch buffer.
        let start = index
        while index < bytes.count, bytes[index] >= 0x20, bytes[index] < 0x80, bytes[index] != UInt8(ascii: "\""),
            bytes[index] != UInt8(ascii: "\\")
        {
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
        }
        var scalars = Array(bytes[start..<index])
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw error("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &scalars)
            case 0..<0x20:
                throw error("control character in string")
            default:
                scalars.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws(SyntaxError) {
        guard let byte = current else { throw error("unterminated escape") }
        index += 1
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            output.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw error("invalid escape") }
        var scalar = UInt32(try parseHex4())
        if (0xD800...0xDBFF).contains(scalar) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("lone surrogate")
            }
            index += 2
            let low = UInt32(try parseHex4())
            guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("lone surrogate")
        }
        guard let unicodeScalar = Unicode.Scalar(scalar) else { throw error("invalid escape") }
        output.append(contentsOf: unicodeScalar.utf8)
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("unterminated escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(SyntaxError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard skipDigits() else { throw error("invalid number") }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() else { throw error("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() else { throw error("invalid number") }
        }
        if let integer = Self.exactInteger(bytes[start..<index]) { return integer }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number") }
        return value
    }

    /// An integer literal of up to 15 digits (every timestamp and id) is exact as a Double:
    /// computed directly, without a String and `strtod`. Nil for anything else.
    private static func exactInteger(_ literal: ArraySlice<UInt8>) -> Double? {
        let negative = literal.first == UInt8(ascii: "-")
        let digits = negative ? literal.dropFirst() : literal
        guard digits.count <= 15 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        // -0 is a negative zero, as strtod reads it.
        return negative ? -Double(value) : Double(value)
    }

    /// Skips one or more digits; false when there is none.
    private mutating func skipDigits() -> Bool {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            index += 1
        }
        return index > start
    }
}
