/// A CSV export (RFC 4180) whose first record names the columns. An empty unquoted field is
/// no value; `""` is an empty string. The whole file is checked for CSV syntax before any
/// record is handed out, so a broken file imports nothing.
public final class CSVUserSource: UserSource {
    public let path: String
    public let columns: [String]
    private let bytes: ArraySlice<UInt8>

    public init(path: String) throws(ImportError) {
        self.path = path
        bytes = ImportFile.droppingByteOrderMark(try ImportFile.contents(path)[...])
        var reader = CSVReader(bytes)
        do {
            guard let header = try reader.next() else { throw ImportError("\(path) is empty") }
            columns = header.fields.map { field in
                String(String(decoding: field.bytes, as: UTF8.self).trimmingASCIIWhitespace())
            }
            while try reader.next() != nil {}
        } catch let error as CSVReader.SyntaxError {
            throw ImportError("\(path) is not valid CSV: \(error)")
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError("\(path): \(error)")
        }
    }

    public var description: String { "CSV \(path)" }

    public func forEachRecord(reading wanted: [Int], orderBy: Int?, _ body: (SourceRecord) throws -> Void) throws {
        var reader = CSVReader(bytes)
        _ = try reader.next()  // the header
        while let record = try reader.next() {
            let location = "line \(record.line)"
            guard record.fields.count == columns.count else {
                try body(
                    SourceRecord(
                        location: location, values: [],
                        problem: "\(record.fields.count) fields where the header has \(columns.count)"))
                continue
            }
            var values: [SourceValue?] = []
            var readable = true
            for index in wanted {
                let field = record.fields[index]
                if field.bytes.isEmpty && !field.quoted {
                    values.append(nil)
                } else if let text = String(validating: field.bytes, as: UTF8.self) {
                    values.append(.text(text))
                } else {
                    readable = false
                }
            }
            try body(
                readable
                    ? SourceRecord(location: location, values: values)
                    : SourceRecord(location: location, values: [], problem: "not valid UTF-8"))
        }
    }
}
