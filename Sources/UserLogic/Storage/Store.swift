/// The service's persistence, one instance per worker thread. SQLite implements it today;
/// handlers see only this protocol, so another database can be added beside it.
public protocol Store: AnyObject {
    /// Throws when the database can't be read right now.
    func checkHealth() throws
}

/// Opens stores: shared by all threads, each of which opens its own.
public struct StoreFactory: Sendable {
    public let location: DatabaseLocation

    public init(location: DatabaseLocation) {
        self.location = location
    }

    /// Makes the database ready before any worker starts: creates a SQLite file's missing
    /// directory and checks that the database opens. Errors name `DATABASE_URL`.
    public func prepare() throws(ConfigError) {
        switch location {
        case .sqlite(let path):
            do {
                try FileSystem.createDirectories(FileSystem.parentDirectory(of: path))
                _ = try SQLiteStore(path: path)
            } catch {
                throw ConfigError("DATABASE_URL", "can't open the SQLite database \(path): \(error)")
            }
        }
    }

    public func open() throws -> any Store {
        switch location {
        case .sqlite(let path): try SQLiteStore(path: path)
        }
    }
}
