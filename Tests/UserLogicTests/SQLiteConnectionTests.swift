import Dispatch
import Synchronization
import Testing

@testable import UserCore

@Suite struct SQLiteConnectionTests {
    /// Processes starting together on a new database file all turn it to WAL. SQLite refuses
    /// the losers of that race at once, without its busy handler (about one start in twenty
    /// failed on this machine before the connection retried by itself).
    @Test func connectionsOpeningANewFileTogetherAllSucceed() {
        let failures = Mutex<[String]>([])
        for _ in 0..<40 {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let connection = try SQLiteConnection(path: directory.path + "/auth.db")
                    let mode = try connection.query("PRAGMA journal_mode") { $0.text(0) }
                    if mode != ["wal"] { failures.withLock { $0.append("journal mode \(mode)") } }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }
}
