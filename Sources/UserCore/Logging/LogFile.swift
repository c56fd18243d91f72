import Glibc
import Synchronization

/// `LOG_FILE` with size-based rotation that is safe while several worker processes append
/// to it: no line is lost, split, interleaved or written twice, and there are never more
/// than `backups` rotated files (`path.1` newest … `path.N` oldest).
///
/// Every line is written under an exclusive `flock` on `path.lock`, held by one writer of
/// one process at a time (threads of a process queue on a mutex first: `flock` doesn't
/// separate them). Under the lock the writer notices when another process rotated (the
/// path names another inode) and reopens, rotates itself when this line would push the
/// file past `maximumBytes`, then appends the whole line with one `write`.
public final class LogFile: LogSink {
    public let path: String
    /// 0: never rotate.
    public let maximumBytes: Int
    public let backups: Int

    private struct Descriptors {
        /// The process that opened them: a forked worker must open its own, or its `flock`
        /// would be shared with its parent's.
        var owner: pid_t = 0
        var log: Int32 = -1
        var lock: Int32 = -1
    }

    private let descriptors = Mutex(Descriptors())

    /// Opens the file once to fail early: a path that can't be written stops the start.
    public init(path: String, maximumBytes: Int, backups: Int) throws(ConfigError) {
        self.path = path
        self.maximumBytes = maximumBytes
        self.backups = backups
        let opened = descriptors.withLock { openIfNeeded(&$0) }
        guard opened else {
            throw ConfigError("LOG_FILE", "can't open \(path) for appending: \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ line: [UInt8]) {
        let written = descriptors.withLock { descriptors -> Bool in
            guard openIfNeeded(&descriptors) else { return false }
            flock(descriptors.lock, LOCK_EX)
            defer { flock(descriptors.lock, LOCK_UN) }
            if !namesOpenFile(descriptors.log) { reopenLog(&descriptors) }
            if maximumBytes > 0 {
                var info = stat()
                if fstat(descriptors.log, &info) == 0, info.st_size > 0, Int(info.st_size) + line.count > maximumBytes {
                    rotate()
                    reopenLog(&descriptors)
                }
            }
            return FileSystem.writeAll(descriptors.log, line)
        }
        // The last resort: a line that can't reach the file still reaches someone.
        if !written { FileSystem.writeAll(2, line) }
    }

    /// Closes the file; the next line opens `path` afresh (SIGHUP).
    public func reopen() {
        descriptors.withLock { descriptors in
            if descriptors.log >= 0 { close(descriptors.log) }
            descriptors.log = -1
        }
    }

    private func openIfNeeded(_ descriptors: inout Descriptors) -> Bool {
        if descriptors.owner != getpid() {
            // Inherited across fork: keep the parent's descriptors open for the parent.
            descriptors = Descriptors(owner: getpid())
        }
        if descriptors.lock < 0 {
            descriptors.lock = open(path + ".lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        }
        if descriptors.log < 0 {
            descriptors.log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        }
        return descriptors.lock >= 0 && descriptors.log >= 0
    }

    private func reopenLog(_ descriptors: inout Descriptors) {
        if descriptors.log >= 0 { close(descriptors.log) }
        descriptors.log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
    }

    /// Whether `path` still names the file open at `descriptor`.
    private func namesOpenFile(_ descriptor: Int32) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    /// `path.(N-1)` → `path.N`, …, `path` → `path.1`; with no backups the file is dropped.
    private func rotate() {
        guard backups > 0 else {
            unlink(path)
            return
        }
        for index in stride(from: backups - 1, through: 1, by: -1) {
            rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        rename(path, "\(path).1")
    }
}
