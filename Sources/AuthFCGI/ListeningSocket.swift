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

    /// Removes the socket file of a unix-socket address once the server has stopped.
    static func remove(_ address: ListenAddress?) {
        if case .unixSocket(let path) = address { unlink(path) }
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

    /// Connects to the listening socket `count` times and hangs up at once, so that as many
    /// threads blocked in `accept` return; libfcgi then sees the pending shutdown and stops.
    static func wakeAcceptors(of descriptor: Int32, count: Int) {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return }
        // A socket bound to every interface is reached through loopback.
        switch Int32(address.ss_family) {
        case AF_INET:
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    if inet.pointee.sin_addr.s_addr == INADDR_ANY {
                        inet.pointee.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
                    }
                }
            }
        case AF_INET6:
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet6 in
                    let isAny = withUnsafeBytes(of: inet6.pointee.sin6_addr) { $0.allSatisfy { $0 == 0 } }
                    if isAny { inet6.pointee.sin6_addr = in6addr_loopback }
                }
            }
        default:
            break
        }
        for _ in 0..<count {
            let client = socket(
                Int32(address.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard client >= 0 else { return }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
            }
            close(client)
        }
    }
}
