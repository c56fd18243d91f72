/// Where the data lives, from `DATABASE_URL` (contract §4 and §5).
public enum DatabaseLocation: Sendable, Equatable {
    /// A SQLite file: `sqlite:///relative/path.db` or `sqlite:////absolute/path.db`.
    case sqlite(path: String)
    /// A PostgreSQL database: `postgresql://user:password@host:port/dbname?sslmode=...`
    /// (or `postgres://`); see `PostgresLocation`. Its description hides the password.
    case postgresql(PostgresLocation)

    public static func parse(_ url: String) throws(ConfigError) -> DatabaseLocation {
        if PostgresLocation.isPostgresURL(url) {
            // Before parsing, which already calls libpq to check the parameters.
            try RuntimeLibrary.libpq.require(by: "DATABASE_URL", for: "a PostgreSQL database")
            return .postgresql(try PostgresLocation.parse(url))
        }
        let prefix = "sqlite:///"
        guard url.hasPrefix(prefix) else {
            throw ConfigError(
                "DATABASE_URL",
                "must look like sqlite:///relative/path.db, sqlite:////absolute/path.db or "
                    + "postgresql://user:password@host:port/dbname")
        }
        let path = String(url.dropFirst(prefix.count))
        guard !path.isEmpty, !path.hasSuffix("/"), !path.utf8.contains(0) else {
            throw ConfigError("DATABASE_URL", "names no database file")
        }
        return .sqlite(path: path)
    }
}
