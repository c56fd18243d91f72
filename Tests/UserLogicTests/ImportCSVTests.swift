import Testing

@testable import UserCore
@testable import UserImport

@Suite struct ImportCSVTests {
    func records(_ text: String) throws -> [[String?]] {
        var reader = CSVReader(Array(text.utf8)[...])
        var rows: [[String?]] = []
        while let record = try reader.next() {
            rows.append(
                record.fields.map { field in
                    field.bytes.isEmpty && !field.quoted ? nil : String(decoding: field.bytes, as: UTF8.self)
                })
        }
        return rows
    }

    @Test func readsRFC4180() throws {
        #expect(try records("a,b,c\r\n1,2,3\r\n") == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(try records("a,b\n1,2") == [["a", "b"], ["1", "2"]])  // LF, no final line break
        #expect(try records("a,b\r1,2\r") == [["a", "b"], ["1", "2"]])  // lone CR
        // Quotes: commas, doubled quotes, line breaks inside; "" is an empty string.
        #expect(
            try records("\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"\",\n")
                == [["x, y", "say \"hi\"", "two\r\nlines", "", nil]])
        // Unquoted empty fields are no value; blank lines hold no record.
        #expect(try records("a,,c\n\n\r\n,,\n") == [["a", nil, "c"], [nil, nil, nil]])
        // A quote inside an unquoted field is kept as it is (as Python's csv does).
        #expect(try records("5'11\",ab\"c\n") == [["5'11\"", "ab\"c"]])
        #expect(try records("") == [])
    }

    @Test func numbersRecordsByTheirFirstLine() throws {
        var reader = CSVReader(Array("h\n\"a\nb\"\n\nc\n".utf8)[...])
        #expect(try reader.next()?.line == 1)
        #expect(try reader.next()?.line == 2)
        #expect(try reader.next()?.line == 5)
        #expect(try reader.next() == nil)
    }

    @Test func refusesBrokenQuoting() {
        #expect(throws: CSVReader.SyntaxError(line: 2, reason: "a quoted field is not closed")) {
            try records("a\n\"open,\nstill open")
        }
        #expect(throws: CSVReader.SyntaxError.self) { try records("\"closed\"junk,b\n") }
    }

    @Test func sourceMapsHeaderAndValues() throws {
        let directory = TemporaryDirectory()
        defer {
            unlinkFile(directory.path + "/users.csv")
            directory.remove()
        }
        let path = directory.path + "/users.csv"
        try writeTestFile(
            path,
            "\u{FEFF}id, Username ,email,password_hash,first_name\r\n"
                + "1,alice,alice@example.com,$2b$04$x,\"Smith, \"\"Al\"\"\"\r\n"
                + "2,bob,bob@example.com,h,\r\n"
                + "3,short\r\n")
        let source = try CSVUserSource(path: path)
        #expect(source.columns == ["id", "Username", "email", "password_hash", "first_name"])
        var records: [SourceRecord] = []
        try source.forEachRecord(reading: [1, 4], orderBy: nil) { records.append($0) }
        #expect(records.count == 3)
        #expect(records[0].location == "line 2")
        #expect(records[0].values == [.text("alice"), .text("Smith, \"Al\"")])
        #expect(records[1].values == [.text("bob"), nil])
        #expect(records[2].problem == "2 fields where the header has 5")
    }

    @Test func sourceRefusesABrokenFileBeforeReadingRecords() throws {
        let directory = TemporaryDirectory()
        defer {
            unlinkFile(directory.path + "/users.csv")
            directory.remove()
        }
        let path = directory.path + "/users.csv"
        try writeTestFile(path, "username,email\nalice,\"open\n")
        #expect(throws: ImportError.self) { try CSVUserSource(path: path) }
        #expect(throws: ImportError.self) { try CSVUserSource(path: directory.path + "/missing.csv") }
    }
}

/// Writes `text` to a new file at `path`.
func writeTestFile(_ path: String, _ text: String) throws {
    try FileSystem.writeFile(path, Array(text.utf8), mode: 0o600)
}
