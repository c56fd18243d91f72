import Testing

@testable import UserCore
@testable import UserImport

/// `PostgresUserSource` without a server: its SELECT, its URL handling, and the text forms
/// PostgreSQL gives values in.
@Suite struct ImportPostgresSourceTests {
    static let columns = ["id", "username", "email", "password_hash", "is_active", "reset_token", "we\"ird"]
    static let types = ["integer", "character varying(80)", "text", "bytea", "boolean", "text", "text"]

    @Test func selectsOnlyTheMappedColumnsQuoted() {
        let sql = PostgresUserSource.selectStatement(
            schema: "public", table: "user", columns: Self.columns, types: Self.types, reading: [1, 2, 4, 6],
            order: "\"id\"")
        #expect(
            sql
                == "SELECT \"username\", \"email\", \"is_active\", \"we\"\"ird\" FROM \"public\".\"user\" ORDER BY \"id\""
        )
        #expect(!sql.contains("reset_token"))
    }

    @Test func readsByteaHashesAsTextAndNeedsNoOrder() {
        let sql = PostgresUserSource.selectStatement(
            schema: "app", table: "Users", columns: Self.columns, types: Self.types, reading: [3], order: nil)
        #expect(sql == "SELECT pg_catalog.convert_from(\"password_hash\", 'UTF8') FROM \"app\".\"Users\"")
        let none = PostgresUserSource.selectStatement(
            schema: "public", table: "users", columns: Self.columns, types: Self.types, reading: [], order: nil)
        #expect(none == "SELECT NULL FROM \"public\".\"users\"")
    }

    @Test func readsPostgresTimestampsAndBooleans() throws {
        let cases: [(String, Int64)] = [
            ("2024-01-31 12:34:56.123456", 1_706_704_496),  // timestamp without time zone: UTC
            ("2024-01-31 12:34:56", 1_706_704_496),
            ("2024-01-31 12:34:56.123456+00", 1_706_704_496),  // timestamptz with TimeZone UTC
            ("2024-01-31 14:34:56+02", 1_706_704_496),
            ("2024-01-31 07:34:56.5-05", 1_706_704_496),
            ("2024-01-31 18:04:56+05:30", 1_706_704_496),
            ("2024-01-31", 1_706_659_200),  // date
        ]
        for (text, expected) in cases {
            #expect(try ImportValues.timestamp(.text(text), field: "created_at") == expected, "\(text)")
        }
        #expect(try ImportValues.bool(.text("t"), field: "is_active") == true)
        #expect(try ImportValues.bool(.text("f"), field: "is_active") == false)
        #expect(throws: RowProblem.self) { try ImportValues.timestamp(.text("infinity"), field: "created_at") }
    }

    @Test func refusesOtherURLsAndNeverShowsThePassword() {
        #expect(throws: ImportError("--from-postgresql takes a postgresql:// or postgres:// URL")) {
            try PostgresUserSource(url: "mysql://u:pw@host/db")
        }
        let badPort = #expect(throws: ImportError.self) {
            try PostgresUserSource(url: "postgresql://app:s3cr3t-pw@db.example:99999/flask")
        }
        #expect(badPort?.description.hasPrefix("--from-postgresql: the port") == true)
        #expect(badPort?.description.contains("s3cr3t-pw") == false)
        // Nothing listens on port 1: refused at once, named without the password.
        let refused = #expect(throws: ImportError.self) {
            try PostgresUserSource(url: "postgres://app:s3cr3t-pw@127.0.0.1:1/flask?sslmode=disable&connect_timeout=3")
        }
        #expect(
            refused?.description.hasPrefix(
                "can't read the PostgreSQL database postgresql://app:***@127.0.0.1:1/flask?sslmode=disable") == true,
            "\(String(describing: refused))")
        #expect(refused?.description.contains("s3cr3t-pw") == false)
    }

    @Test func recognizesTheTargetDatabase() throws {
        let source = try PostgresLocation.parse("postgresql://flask:pw@db.example:5432/app")
        #expect(
            PostgresUserSource.sameDatabase(source, try PostgresLocation.parse("postgres://auth@db.example:5432/app")))
        #expect(
            !PostgresUserSource.sameDatabase(
                source, try PostgresLocation.parse("postgresql://flask:pw@db.example/auth")))
    }
}
