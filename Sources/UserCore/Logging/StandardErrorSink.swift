import Glibc

/// Standard error, one `write(2)` per line: lines of concurrent threads never interleave
/// (a pipe takes up to PIPE_BUF bytes atomically; a line is far shorter).
public struct StandardErrorSink: LogSink {
    public init() {}

    public func write(_ line: [UInt8]) {
        FileSystem.writeAll(2, line)
    }

    public func reopen() {}
}
