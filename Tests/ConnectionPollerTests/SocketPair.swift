import Glibc

/// A connected pair of unix stream sockets: `webServer` plays nginx, `backend` is the
/// connection the poller holds.
final class SocketPair {
    let webServer: Int32
    let backend: Int32
    /// Tells the backend's end from a later descriptor that reuses its number once the
    /// poller closed it (tests run in parallel in one process).
    private let backendInode: UInt

    init() throws {
        var descriptors: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0 else {
            throw PollerTestFailure(description: "socketpair: errno \(errno)")
        }
        webServer = descriptors[0]
        backend = descriptors[1]
        backendInode = Self.inode(of: backend) ?? 0
    }

    deinit {
        close(webServer)
        closeBackend()
    }

    /// What a request thread does when libfcgi ends the connection; nothing if the poller
    /// closed it.
    func closeBackend() {
        if Self.inode(of: backend) == backendInode { close(backend) }
    }

    private static func inode(of descriptor: Int32) -> UInt? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? UInt(info.st_ino) : nil
    }

    /// What is waiting on the backend's end ("" at its end), without waiting for more.
    func backendReceive() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(backend, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count < 0 ? "<nothing: errno \(errno)>" : String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    func sendFromWebServer(_ text: String) {
        let bytes = Array(text.utf8)
        precondition(send(webServer, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count)
    }

    /// True once the web server's read sees the backend's end (within two seconds).
    func webServerReadsEndOfFile() -> Bool {
        var waiting = pollfd(fd: webServer, events: Int16(POLLIN), revents: 0)
        guard poll(&waiting, 1, 2000) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(webServer, &byte, 1, Int32(MSG_DONTWAIT)) == 0
    }
}
