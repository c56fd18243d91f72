import Dispatch
import Glibc
import Testing

@testable import UserCore

@Suite struct LogFileTests {
    let directory = TemporaryDirectory()
    var path: String { directory.path + "/audit.log" }

    func removeAll(backups: Int) {
        for suffix in [""] + (1...backups + 1).map({ ".\($0)" }) + [".lock"] { unlink(path + suffix) }
        directory.remove()
    }

    /// Every line of the file and its backups, oldest first.
    func allLines(backups: Int) -> [String] {
        ((1...backups).reversed().map { "\(path).\($0)" } + [path]).flatMap { file in
            (FileSystem.readFile(file) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
                String.init)
        }
    }

    @Test func rotatesBySizeAndKeepsAtMostTheBackups() throws {
        defer { removeAll(backups: 3) }
        let log = try LogFile(path: path, maximumBytes: 100, backups: 3)
        for index in 0..<40 { log.write(Array("line \(String(index).padded(3)) xxxxxxxxxxxxxxxxxxxxx\n".utf8)) }
        // 31-byte lines, three to a 100-byte file: the newest 4 files hold lines 30…39.
        #expect(allLines(backups: 3) == (30..<40).map { "line \(String($0).padded(3)) xxxxxxxxxxxxxxxxxxxxx" })
        #expect(FileSystem.readFile(path + ".4") == nil)
    }

    @Test func concurrentWritersNeverSplitOrLoseALine() throws {
        defer { removeAll(backups: 50) }
        let log = try LogFile(path: path, maximumBytes: 4096, backups: 50)
        let writers = 8
        let perWriter = 300
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for index in 0..<perWriter {
                log.write(
                    Array(
                        "{\"writer\":\(writer),\"index\":\(index),\"pad\":\"\(String(repeating: "p", count: 40))\"}\n"
                            .utf8))
            }
        }
        let lines = allLines(backups: 50)
        #expect(lines.count == writers * perWriter)
        #expect(Set(lines).count == lines.count)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"writer\":") && $0.hasSuffix("\"}") })
        #expect(FileSystem.readFile(path + ".5") != nil)
    }

    @Test func reopenFollowsAnExternalRename() throws {
        defer {
            unlink(path + ".old")
            removeAll(backups: 1)
        }
        let log = try LogFile(path: path, maximumBytes: 0, backups: 1)
        log.write(Array("before\n".utf8))
        rename(path, path + ".old")
        log.write(Array("after\n".utf8))
        #expect(FileSystem.readFile(path) == "after\n")
        #expect(FileSystem.readFile(path + ".old") == "before\n")
    }

    @Test func anUnwritablePathIsAConfigError() {
        #expect(throws: ConfigError.self) { try LogFile(path: "/proc/nope/audit.log", maximumBytes: 0, backups: 1) }
    }
}

extension String {
    func padded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
