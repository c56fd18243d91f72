import Testing

@testable import UserCore
@testable import UserImport

/// `email_verified` on import (issue #17): a verified/confirmed column detected by name or
/// named with `--map`, a date column read as "verified when set", and `--emails-verified`.
@Suite struct ImportEmailVerifiedTests {
    func column(_ mapping: ColumnMapping) -> String? {
        mapping.assignments[.emailVerified].map { mapping.columns[$0] }
    }

    func line(_ mapping: ColumnMapping) -> String? {
        mapping.descriptionLines.first { $0.hasPrefix("  email_verified ") }
    }

    @Test func detectsABooleanOrADateColumn() throws {
        for name in ["email_verified", "Verified", "is_verified", "email_confirmed", "confirmed"] {
            let mapping = ColumnMapping(detectingIn: ["username", "email", "password", name])
            #expect(column(mapping) == name)
            #expect(!mapping.emailVerifiedIsDate, "\(name)")
            #expect(line(mapping) == "  email_verified <- \"\(name)\"")
        }
        for name in ["email_confirmed_at", "confirmed_at", "Confirmed_On"] {
            let mapping = ColumnMapping(detectingIn: ["username", "email", "password", name])
            #expect(column(mapping) == name)
            #expect(mapping.emailVerifiedIsDate, "\(name)")
            #expect(line(mapping) == "  email_verified <- \"\(name)\"  (a date: verified when set)")
        }
        // The boolean wins over the date; `--map` picks the other.
        var both = ColumnMapping(detectingIn: ["username", "email", "password", "confirmed_on", "confirmed"])
        #expect(column(both) == "confirmed")
        #expect(both.ignoredColumns == ["confirmed_on"])
        try both.apply("email_verified=confirmed_on")
        #expect(column(both) == "confirmed_on")
        #expect(both.emailVerifiedIsDate)
        try both.apply("email_verified=")
        #expect(column(both) == nil)
        // A Flask app's table has none: everyone is imported unverified, and the report says so.
        let flask = ColumnMapping(detectingIn: ImportDetectionTests.flaskColumns)
        #expect(column(flask) == nil)
        #expect(line(flask) == "  email_verified <- (none)  (every user unverified)")
    }

    @Test func everyEmailVerifiedLeavesTheColumnUnread() {
        var mapping = ColumnMapping(detectingIn: ["username", "email", "password", "verified"])
        mapping.markEveryEmailVerified()
        #expect(column(mapping) == nil)
        #expect(mapping.ignoredColumns == ["verified"])
        #expect(line(mapping) == "  email_verified <- (none)  (every user verified: --emails-verified)")
    }

    @Test func readsBooleansAndDates() throws {
        for value: SourceValue in [.bool(true), .number(1), .text("1"), .text("True"), .text("yes"), .text("t")] {
            #expect(try ImportValues.emailVerified(value, fromDate: false) == true, "\(value)")
        }
        for value: SourceValue in [.bool(false), .number(0), .text("0"), .text("false"), .text("no"), .text("F")] {
            #expect(try ImportValues.emailVerified(value, fromDate: false) == false, "\(value)")
        }
        for value: SourceValue in [.text("2024-01-31 12:34:56.123456"), .text("2024-01-31T12:34:56Z"), .number(1)] {
            #expect(try ImportValues.emailVerified(value, fromDate: true) == true, "\(value)")
        }
        for fromDate in [false, true] {
            #expect(try ImportValues.emailVerified(nil, fromDate: fromDate) == nil)
            #expect(try ImportValues.emailVerified(.text(" "), fromDate: fromDate) == nil)
        }
        for (value, fromDate): (SourceValue, Bool) in [
            (.text("maybe"), false), (.number(2), false), (.text("2024-01-31"), false), (.text("yes"), true),
            (.bool(true), true), (.other("object"), true),
        ] {
            #expect(throws: RowProblem.self, "\(value)") { try ImportValues.emailVerified(value, fromDate: fromDate) }
        }
        do {
            _ = try ImportValues.emailVerified(.text("maybe"), fromDate: false)
        } catch {
            #expect(error.reason == .invalidValue)
            #expect(error.message == "email_verified \"maybe\" is not a boolean")
        }
    }

    /// Imports `csv` into a fresh database of `kind` and returns each stored user's
    /// `email_verified` by username, and the skipped rows.
    func importCSV(
        _ csv: String, into kind: StoreKind, overrides: String? = nil, everyEmailVerified: Bool = false
    ) throws -> (verified: [String: Bool], skipped: [ImportSkip]) {
        let directory = TemporaryDirectory()
        let path = directory.path + "/users.csv"
        let database = try TestDatabase(kind)
        defer {
            unlinkFile(path)
            database.remove()
            directory.remove()
        }
        try writeTestFile(path, csv)
        let source = try CSVUserSource(path: path)
        var mapping = ColumnMapping(detectingIn: source.columns)
        if let overrides { try mapping.apply(overrides) }
        if everyEmailVerified { mapping.markEveryEmailVerified() }
        let store = try #require(try database.store() as? any UserImportStore)
        let events = EventLog()
        let summary = try UserImporter(
            source: source, mapping: mapping, store: store, options: ImportOptions(now: 1_800_000_000)
        ).run { events.append($0) }
        #expect(summary.written)
        var verified: [String: Bool] = [:]
        for user in try store.listUsers(UserListQuery()).users { verified[user.username] = user.emailVerified }
        let skipped = events.events.compactMap { event -> ImportSkip? in
            if case .skipped(let skip) = event { return skip }
            return nil
        }
        return (verified, skipped)
    }

    static let hash = ImportUsersTests.pbkdf2

    @Test(arguments: StoreKind.allCases) func storesTheVerifiedColumn(kind: StoreKind) throws {
        let (verified, skipped) = try importCSV(
            """
            username,email,password_hash,verified
            alice,alice@example.com,\(Self.hash),1
            bob,bob@example.com,\(Self.hash),false
            carol,carol@example.com,\(Self.hash),
            dave,dave@example.com,\(Self.hash),maybe

            """, into: kind)
        #expect(verified == ["alice": true, "bob": false, "carol": false])
        #expect(skipped.map(\.location) == ["line 5"])
        #expect(skipped.first?.reason == .invalidValue)
        #expect(skipped.first?.message == "email_verified \"maybe\" is not a boolean")
    }

    @Test(arguments: StoreKind.allCases) func readsAMappedDateColumn(kind: StoreKind) throws {
        let (verified, skipped) = try importCSV(
            """
            username,email,password_hash,confirmed,confirmed_at
            alice,alice@example.com,\(Self.hash),0,2024-01-31 12:34:56.123456
            bob,bob@example.com,\(Self.hash),1,
            carol,carol@example.com,\(Self.hash),1,soon

            """, into: kind, overrides: "email_verified=confirmed_at")
        #expect(verified == ["alice": true, "bob": false])
        #expect(skipped.first?.message == "email_verified \"soon\" is not a date and time or Unix seconds")
    }

    @Test(arguments: StoreKind.allCases) func everyEmailVerifiedOverridesTheColumn(kind: StoreKind) throws {
        let csv = """
            username,email,password_hash,verified
            alice,alice@example.com,\(Self.hash),0
            bob,bob@example.com,\(Self.hash),maybe

            """
        let (verified, skipped) = try importCSV(csv, into: kind, everyEmailVerified: true)
        #expect(verified == ["alice": true, "bob": true])
        #expect(skipped.isEmpty)
        // Without a column or the flag, no one is verified.
        let (none, _) = try importCSV(csv, into: kind, overrides: "email_verified=")
        #expect(none == ["alice": false, "bob": false])
    }
}
