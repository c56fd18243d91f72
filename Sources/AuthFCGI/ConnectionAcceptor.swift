import CFastCGI
import Glibc

/// Accepts connections on a non-blocking listening socket. TCP goes through libfcgi's own
/// accept, so that `FCGI_WEB_SERVER_ADDRS` (libfcgi's allowlist of web server addresses)
/// and TCP_NODELAY apply as they always did; a unix socket needs neither, and libfcgi's
/// accept would wait up to 2 s with `select` for a first byte there.
struct ConnectionAcceptor: Sendable {
    enum Outcome {
        case accepted(Int32)
        /// Nothing waiting: another thread or process took the connection.
        case empty
        /// Out of descriptors or similar: the caller must not spin on it.
        case failed(errno: Int32)
    }

    let listener: Int32
    let isTCP: Bool
    /// libfcgi reads it from the environment too.
    let webServerAddresses = getenv("FCGI_WEB_SERVER_ADDRS").map { String(cString: $0) }

    init(listener: Int32) {
        self.listener = listener
        self.isTCP = ListeningSocket.isTCP(listener)
    }

    func accept() -> Outcome {
        while true {
            let connection =
                isTCP
                ? OS_Accept(listener, 1, webServerAddresses)
                : Glibc.accept(listener, nil, nil)
            if connection >= 0 { return .accepted(connection) }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN: return .empty
            default: return .failed(errno: errno)
            }
        }
    }
}
