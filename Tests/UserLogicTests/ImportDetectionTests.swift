import Testing

@testable import UserCore
@testable import UserImport

@Suite struct ImportDetectionTests {
    static let flaskColumns = [
        "id", "username", "email", "password_hash", "first_name", "last_name", "role", "is_active", "created_at",
        "updated_at", "reset_token", "reset_token_expiry",
    ]

    @Test func detectsFlaskSQLAlchemyColumns() throws {
        let mapping = ColumnMapping(detectingIn: Self.flaskColumns)
        func column(_ field: ImportField) -> String? { mapping.assignments[field].map { Self.flaskColumns[$0] } }
        #expect(column(.id) == "id")
        #expect(column(.username) == "username")
        #expect(column(.password) == "password_hash")
        #expect(column(.role) == "role")
        #expect(column(.isAdmin) == nil)
        #expect(column(.active) == "is_active")
        #expect(column(.createdAt) == "created_at")
        #expect(mapping.ignoredColumns == ["reset_token", "reset_token_expiry"])
        try mapping.checkRequired()
        #expect(mapping.descriptionLines.last == "  not read: \"reset_token\", \"reset_token_expiry\"")
    }

    @Test func detectsOtherSpellingsCaseInsensitively() {
        let columns = ["ID", "Email", "Password", "Username", "is_admin", "active", "extra"]
        let mapping = ColumnMapping(detectingIn: columns)
        #expect(mapping.assignments[.password] == 2)
        #expect(mapping.assignments[.isAdmin] == 4)
        #expect(mapping.assignments[.active] == 5)
        #expect(mapping.assignments[.username] == 3)
        #expect(mapping.ignoredColumns == ["extra"])
        // password_hash wins over password when both exist.
        #expect(ColumnMapping(detectingIn: ["password", "password_hash"]).assignments[.password] == 1)
    }

    @Test func overridesAndRequiredFields() throws {
        var mapping = ColumnMapping(detectingIn: ["login_name", "mail", "pw", "role"])
        #expect(throws: ImportError.self) { try mapping.checkRequired() }
        try mapping.apply("username=login_name, password=PW")
        try mapping.apply("role=")
        #expect(mapping.assignments[.username] == 0)
        #expect(mapping.assignments[.email] == 1)
        #expect(mapping.assignments[.password] == 2)
        #expect(mapping.assignments[.role] == nil)
        try mapping.checkRequired()
        #expect(throws: ImportError.self) { try mapping.apply("nickname=login_name") }
        #expect(throws: ImportError.self) { try mapping.apply("username=nope") }
        #expect(throws: ImportError.self) { try mapping.apply("username") }
        try mapping.apply("password_hash=pw,is_active=role")  // aliases of field names
        #expect(mapping.assignments[.active] == 3)
    }

    @Test func readsTimestamps() throws {
        let cases: [(SourceValue, Int64)] = [
            (.text("2024-01-31 12:34:56.123456"), 1_706_704_496),  // SQLAlchemy in SQLite, as UTC
            (.text("2024-01-31 12:34:56"), 1_706_704_496),
            (.text("2024-01-31T12:34:56Z"), 1_706_704_496),
            (.text("2024-01-31T14:34:56+02:00"), 1_706_704_496),
            (.text("2024-01-31T07:34:56.5-0500"), 1_706_704_496),
            (.text("2024-01-31 12:34:56.123456+00:00"), 1_706_704_496),  // Python isoformat(" ")
            (.text("2024-01-31T12:34"), 1_706_704_440),
            (.text("2024-01-31"), 1_706_659_200),
            (.text("2024-02-29 00:00:00"), 1_709_164_800),
            (.text("1706704496"), 1_706_704_496),
            (.text(" 1706704496.9 "), 1_706_704_496),
            (.number(1_706_704_496), 1_706_704_496),
            (.text("1970-01-01T00:00:00Z"), 0),
        ]
        for (value, expected) in cases {
            #expect(try ImportValues.timestamp(value, field: "created_at") == expected, "\(value)")
        }
        #expect(try ImportValues.timestamp(nil, field: "created_at") == nil)
        #expect(try ImportValues.timestamp(.text(""), field: "created_at") == nil)
        for bad in [
            "2023-02-29", "2024-13-01", "2024-01-31 25:00", "yesterday", "2024-01-31T12:34:56+25:00", "-5",
            "2024-1-31", "2024-01-31T12:34:56Zjunk", "1e30",
        ] {
            #expect(throws: RowProblem.self, "\(bad)") { try ImportValues.timestamp(.text(bad), field: "created_at") }
        }
        #expect(throws: RowProblem.self) { try ImportValues.timestamp(.bool(true), field: "created_at") }
    }

    @Test func readsRolesAndBooleans() throws {
        for text in ["ADMIN", "Admin", "admin", " admin "] { #expect(try ImportValues.role(.text(text)) == .admin) }
        for text in ["USER", "User", "user"] { #expect(try ImportValues.role(.text(text)) == .user) }
        #expect(try ImportValues.role(nil) == nil)
        #expect(throws: RowProblem.self) { try ImportValues.role(.text("moderator")) }
        for value: SourceValue in [.bool(true), .number(1), .text("1"), .text("TRUE"), .text("t"), .text("yes")] {
            #expect(try ImportValues.bool(value, field: "active") == true, "\(value)")
        }
        for value: SourceValue in [.bool(false), .number(0), .text("0"), .text("False"), .text("f"), .text("no")] {
            #expect(try ImportValues.bool(value, field: "active") == false, "\(value)")
        }
        for value: SourceValue in [.number(2), .text("maybe"), .other("array")] {
            #expect(throws: RowProblem.self, "\(value)") { try ImportValues.bool(value, field: "active") }
        }
    }

    @Test func reportTextEscapesAndCuts() {
        #expect(ImportReportText.quoted("x y") == "\"x y\"")
        #expect(ImportReportText.quoted("a\u{1B}[2Jb\n\"") == "\"a\\u{1b}[2Jb\\u{a}\\\"\"")
        #expect(
            ImportReportText.quoted(String(repeating: "a", count: 70)) == "\"" + String(repeating: "a", count: 64)
                + "…\"")
    }
}
