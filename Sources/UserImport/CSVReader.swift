/// An RFC 4180 CSV reader over bytes: fields separated by `,`, records by CRLF (LF or a lone
/// CR too), fields in double quotes may hold `,`, line breaks and `""` for a quote. As
/// spreadsheets and Python's `csv` write it; a quote inside an unquoted field is kept as it
/// is, text after a closing quote is an error. Blank lines are skipped.
struct CSVReader {
    struct Field: Sendable, Equatable {
        var bytes: [UInt8]
        /// Whether it was in quotes (so `""` is an empty string and an empty unquoted field
        /// is no value).
        var quoted: Bool
    }

    struct Record: Sendable, Equatable {
        /// The line the record starts on, from 1.
        var line: Int
        var fields: [Field]
    }

    struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        let line: Int
        let reason: String

        var description: String { "line \(line): \(reason)" }
    }

    private let bytes: ArraySlice<UInt8>
    private var index: Int
    private var line = 1

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    /// The next record, or nil at the end.
    mutating func next() throws(SyntaxError) -> Record? {
        // Blank lines hold no record.
        while index < bytes.endIndex, bytes[index] == Self.cr || bytes[index] == Self.lf { consumeLineBreak() }
        guard index < bytes.endIndex else { return nil }
        let start = line
        var fields: [Field] = []
        while true {
            let field = try readField()
            fields.append(field)
            guard index < bytes.endIndex else { break }
            if bytes[index] == Self.comma {
                index += 1
                continue
            }
            consumeLineBreak()  // at a CR or LF: the record ends
            break
        }
        return Record(line: start, fields: fields)
    }

    /// One field, leaving `index` at the `,`, line break or end that follows it.
    private mutating func readField() throws(SyntaxError) -> Field {
        guard index < bytes.endIndex, bytes[index] == Self.quote else {
            let start = index
            while index < bytes.endIndex, bytes[index] != Self.comma, bytes[index] != Self.cr, bytes[index] != Self.lf {
                index += 1
            }
            return Field(bytes: Array(bytes[start..<index]), quoted: false)
        }
        let openedOn = line
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.endIndex else {
                throw SyntaxError(line: openedOn, reason: "a quoted field is not closed")
            }
            let byte = bytes[index]
            if byte == Self.quote {
                if index + 1 < bytes.endIndex, bytes[index + 1] == Self.quote {
                    value.append(Self.quote)
                    index += 2
                    continue
                }
                index += 1
                break
            }
            if byte == Self.lf || (byte == Self.cr && (index + 1 == bytes.endIndex || bytes[index + 1] != Self.lf)) {
                line += 1
            }
            value.append(byte)
            index += 1
        }
        guard index == bytes.endIndex || [Self.comma, Self.cr, Self.lf].contains(bytes[index]) else {
            throw SyntaxError(line: line, reason: "text after the closing quote of a field")
        }
        return Field(bytes: value, quoted: true)
    }

    /// Skips one CRLF, LF or CR.
    private mutating func consumeLineBreak() {
        if bytes[index] == Self.cr, index + 1 < bytes.endIndex, bytes[index + 1] == Self.lf { index += 1 }
        index += 1
        line += 1
    }
}
