import Glibc

/// The few file-system operations the service needs, over Glibc.
public enum FileSystem {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// `a/b/c.db` → `a/b`; a bare name → `.`.
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p` with mode 0700: databases and keys are private to the service's user.
    static func createDirectories(_ path: String) throws(Failure) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw Failure(description: "can't create \(partial): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Creates `path` empty with mode 0600 unless it exists (an existing file keeps its mode).
    /// SQLite gives `-wal`/`-shm` the main file's mode, so creating the database this way
    /// first keeps all three private whatever the umask.
    static func createPrivateFile(_ path: String) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else {
            throw Failure(description: "can't create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
    }

    /// The whole file as text, or nil when it can't be read.
    public static func readFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Creates `path` (which must not exist) with `mode` and writes `bytes` to it, flushed to
    /// disk before it returns.
    package static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw Failure(description: "can't create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard writeAll(descriptor, bytes) else {
            throw Failure(description: "can't write \(path): \(String(cString: strerror(errno)))")
        }
        guard fsync(descriptor) == 0 else { throw Failure(description: "can't flush \(path)") }
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes; false on an error.
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
