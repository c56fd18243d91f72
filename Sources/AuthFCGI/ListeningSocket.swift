import CFastCGI
import Glibc
import UserCore

/// Opens the FastCGI listening socket for `--listen`.
enum ListeningSocket {
    static let backlog: Int32 = 1024

    static func open(_ address: ListenAddress) throws(ConfigError) -> Int32 {
        if case .unixSocket(let path) = address {
            try removeStaleSocket(at: path)
        }
        let descriptor = FCGX_OpenSocket(address.fastCGIPath, backlog)
        guard descriptor >= 0 else {
            throw ConfigError(
                "FCGI_LISTEN", "can't listen on \(address.fastCGIPath): \(String(cString: strerror(errno)))")
        }
        if case .unixSocket(let path) = address {
            // Owner and group only (nginx's group connects), whatever the umask: any local
            // user who could connect would bypass nginx and its rate limits.
            chmod(path, 0o660)
        }
        return descriptor
    }

    /// A socket file left by a previous run would make bind fail; anything else at the path
    /// is not ours to delete.
    private static func removeStaleSocket(at path: String) throws(ConfigError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ConfigError("FCGI_LISTEN", "\(path) exists and is not a socket")
        }
        unlink(path)
    }

    /// Prepares a listening socket for the poller's threads: non-blocking, since several
    /// threads (and worker processes) are woken for one connection and only one gets it.
    static func makeNonBlocking(_ descriptor: Int32) -> Bool {
        let flags = fcntl(descriptor, F_GETFL)
        return flags >= 0 && fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0
    }

    /// Whether the socket listens on TCP (rather than a unix socket).
    static func isTCP(_ descriptor: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return named == 0 && (Int32(address.ss_family) == AF_INET || Int32(address.ss_family) == AF_INET6)
    }
}
