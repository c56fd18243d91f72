import Glibc

/// The test support the socket-level suites share (FastCGIShimTests, ConnectionPollerTests).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// A connected pair of unix stream sockets: `webServer` plays nginx, `backend` is the
/// descriptor handed to the code under test (libfcgi, the poller), which may close it itself.
public final class SocketPair {
    public let webServer: WebServerEnd
    public let backendSocket: BackendSocket
    public var backend: Int32 { backendSocket.descriptor }

    public init() throws {
        var descriptors: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0 else {
            throw TestFailure(description: "socketpair: errno \(errno)")
        }
        webServer = WebServerEnd(descriptor: descriptors[0])
        backendSocket = BackendSocket(descriptors[1])
    }

    deinit {
        webServer.close()
        closeBackend()
    }

    /// Closes the backend's end unless the code under test already did.
    public func closeBackend() {
        if backendSocket.isOpen { Glibc.close(backend) }
    }
}

/// The backend's end, told apart from a later descriptor that reuses its number (tests of
/// other suites open files in the same process meanwhile).
public struct BackendSocket {
    public let descriptor: Int32
    private let inode: UInt

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
        self.inode = Self.inode(of: descriptor) ?? 0
    }

    public var isOpen: Bool { Self.inode(of: descriptor) == inode }

    private static func inode(of descriptor: Int32) -> UInt? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? UInt(info.st_ino) : nil
    }
}

/// The web server's end of a pair. Reads wait at most five seconds: a backend that never
/// answers fails the test instead of hanging it.
public final class WebServerEnd {
    private var descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    public func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            sent += written
        }
    }

    public func send(_ text: String) {
        send(Array(text.utf8))
    }

    public func shutdownWriting() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    public func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Whether the next read sees the end of the connection.
    public func readsEndOfFile() -> Bool {
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) == 0
    }

    public func readExactly(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes[done...].withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard got > 0 else { throw TestFailure(description: "the backend's answer ended early") }
            done += got
        }
        return bytes
    }
}
