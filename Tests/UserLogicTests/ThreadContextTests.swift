import Dispatch
import Glibc
import Synchronization
import Testing

@testable import UserCore
@testable import UserLogic

@Suite struct ThreadContextTests {
    func makeService(_ directory: TemporaryDirectory) -> Service {
        let configuration = ServiceConfiguration(
            database: .sqlite(path: directory.path + "/auth.db"),
            tokens: TokenSettings(
                key: Array("unit-test-signing-key-0123456789abcdef".utf8), issuer: "test-issuer",
                audience: "test-audience", leeway: 10))
        return Service(configuration: configuration, logger: LogCapture().logger, mailTransport: CapturedMail())
    }

    @Test func prepareStoreMigratesAndServesWithTheSameConnection() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let service = makeService(directory)
        let thread = service.makeThreadContext()
        #expect(try thread.prepareStore() == Migration.all.map(\.name))
        #expect(try service.makeThreadContext().prepareStore() == [])
        // A new connection would now open an empty database without a users table.
        #expect(rename(directory.path + "/auth.db", directory.path + "/moved.db") == 0)
        defer { unlink(directory.path + "/moved.db") }
        #expect(try thread.store().user(id: 1) == nil)
    }

    /// A CGI process checks the schema for every request: when it is current, a long write
    /// elsewhere (an import) must not hold the check up to the busy timeout.
    @Test func aCurrentSchemaNeedsNoWriteLock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let service = makeService(directory)
        try service.prepareStorage()
        let writer = try SQLiteConnection(path: directory.path + "/auth.db")
        try writer.execute("BEGIN IMMEDIATE")
        defer { try? writer.execute("ROLLBACK") }
        let started = DispatchTime.now().uptimeNanoseconds
        #expect(try service.prepareStorage() == [])
        #expect(DispatchTime.now().uptimeNanoseconds - started < 1_000_000_000)
    }

    /// A start outwaits a write lock held longer than a request would wait for it (another
    /// process converting a new file to WAL on a busy disk, or migrating a large database).
    @Test func preparationOutwaitsTheRequestBusyTimeout() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let location = DatabaseLocation.sqlite(path: directory.path + "/auth.db")
        let writer = try SQLiteConnection(path: directory.path + "/auth.db")
        try writer.execute("BEGIN IMMEDIATE")
        let applied = Mutex<Result<[String], any Error>?>(nil)
        let preparer = TestThread {
            let result = Result { try StoreFactory(location: location).prepare() }
            applied.withLock { $0 = result }
        }
        // Held half a second past a request's patience: not a wait for a condition.
        usleep(UInt32(SQLiteConnection.busyTimeoutMilliseconds) * 1000 + 500_000)
        try writer.execute("COMMIT")
        preparer.join()
        #expect(try applied.withLock { try $0?.get() } == Migration.all.map(\.name))
    }
}
