import CFastCGI
import Glibc
import UserLogic

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
            // Anyone who can reach the directory may connect: restrict access there (e.g. a
            // 0750 directory owned by the service with nginx's group), as the README shows.
            chmod(path, 0o666)
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
}
