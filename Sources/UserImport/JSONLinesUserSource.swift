import UserCore

/// A JSON-lines export: one JSON object per line, member names as columns. Blank lines are
/// skipped; a line that is not a JSON object is reported as unreadable.
public final class JSONLinesUserSource: UserSource {
    public let path: String
    public let columns: [String]
    private let lines: [(number: Int, bytes: ArraySlice<UInt8>)]

    public init(path: String) throws(ImportError) {
        self.path = path
        let bytes = ImportFile.droppingByteOrderMark(try ImportFile.contents(path)[...])
        var lines: [(number: Int, bytes: ArraySlice<UInt8>)] = []
        var number = 0
        for var line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.last == 0x0D { line = line.dropLast() }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            lines.append((number, line))
        }
        self.lines = lines
        // The columns: every member name, in order of first appearance.
        var columns: [String] = []
        var seen: Set<String> = []
        for line in lines {
            guard case .object(let object)? = try? JSONParser.parse(Array(line.bytes)) else { continue }
            for name in object.names where seen.insert(name).inserted { columns.append(name) }
        }
        self.columns = columns
    }

    public var description: String { "JSON lines \(path)" }

    public func forEachRecord(reading wanted: [Int], orderBy: Int?, _ body: (SourceRecord) throws -> Void) throws {
        for line in lines {
            let location = "line \(line.number)"
            let parsed: JSONValue
            do {
                parsed = try JSONParser.parse(Array(line.bytes))
            } catch {
                try body(
                    SourceRecord(
                        location: location, values: [],
                        problem: "not valid JSON (\(error.reason) at byte \(error.offset + 1))"))
                continue
            }
            guard case .object(let object) = parsed else {
                try body(SourceRecord(location: location, values: [], problem: "not a JSON object"))
                continue
            }
            let values: [SourceValue?] = wanted.map { index in
                switch object[columns[index]] {
                case nil, .null?: nil
                case .string(let text)?: .text(text)
                case .number(let number)?: .number(number)
                case .bool(let flag)?: .bool(flag)
                case let other?: .other(other.typeName)
                }
            }
            try body(SourceRecord(location: location, values: values))
        }
    }
}
