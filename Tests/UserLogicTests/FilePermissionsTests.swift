import Glibc
import Testing

@testable import UserCore

/// Files the service creates are private whatever the umask (issue 16 item 9). Under a
/// shell's default umask, 0022, SQLite would create them 0644: the test sets that umask
/// itself, so a stricter one in the test's environment can't make it pass.
@Suite struct FilePermissionsTests {
    let directory = TemporaryDirectory()

    func mode(_ path: String) -> mode_t {
        var info = stat()
        #expect(stat(path, &info) == 0, "\(path) is missing")
        return info.st_mode & 0o7777
    }

    @Test func aPreparedSQLiteDatabaseAndItsWALFilesAre0600() throws {
        defer { directory.remove() }
        // Process-wide, but 0022 only loosens what other tests create to the usual default.
        let previous = umask(0o022)
        defer { umask(previous) }
        let path = directory.path + "/auth.db"
        let (store, _) = try StoreFactory(location: .sqlite(path: path)).openPrepared()
        #expect(mode(path) == 0o600)
        #expect(mode(path + "-wal") == 0o600)
        #expect(mode(path + "-shm") == 0o600)
        withExtendedLifetime(store) {}
    }

    @Test func createPrivateFileKeepsAnExistingFileAndItsMode() throws {
        defer { directory.remove() }
        let path = directory.path + "/auth.db"
        try FileSystem.writeFile(path, Array("kept".utf8), mode: 0o640)
        try FileSystem.createPrivateFile(path)
        #expect(mode(path) == 0o640)
        #expect(FileSystem.readFile(path) == "kept")
    }
}
