import CFastCGI
import Glibc

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

/// A connected pair of unix stream sockets: `webServer` plays nginx, `backend` is the
/// descriptor handed to libfcgi (which closes it itself when it ends a connection).
final class SocketPair {
    let webServer: WebServerEnd
    let backendSocket: BackendSocket
    var backend: Int32 { backendSocket.descriptor }

    init() throws {
        var descriptors: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0 else {
            throw TestFailure(description: "socketpair: errno \(errno)")
        }
        webServer = WebServerEnd(descriptor: descriptors[0])
        backendSocket = BackendSocket(descriptors[1])
    }

    deinit {
        webServer.close()
        if backendSocket.isOpen { Glibc.close(backend) }
    }
}

/// The backend's end, told apart from a later descriptor that reuses its number (tests of
/// other suites open files in the same process meanwhile).
struct BackendSocket {
    let descriptor: Int32
    private let inode: UInt

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
        self.inode = Self.inode(of: descriptor) ?? 0
    }

    var isOpen: Bool { Self.inode(of: descriptor) == inode }

    private static func inode(of descriptor: Int32) -> UInt? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? UInt(info.st_ino) : nil
    }
}

/// The web server's records of one request (FastCGI 1.0, responder role).
enum WebServerRecords {
    static let requestID: UInt16 = 1

    static func request(uri: String, keepConnection: Bool, body: String = "", endStdin: Bool = true) -> [UInt8] {
        var bytes = record(type: 1, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
        let parameters = ["REQUEST_METHOD": "GET", "REQUEST_URI": uri, "CONTENT_LENGTH": "\(body.utf8.count)"]
        var encoded: [UInt8] = []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            encoded += [UInt8(name.utf8.count), UInt8(value.utf8.count)] + Array(name.utf8) + Array(value.utf8)
        }
        bytes += record(type: 4, content: encoded) + record(type: 4, content: [])
        if !body.isEmpty { bytes += record(type: 5, content: Array(body.utf8)) }
        if endStdin { bytes += record(type: 5, content: []) }
        return bytes
    }

    static func record(type: UInt8, content: [UInt8]) -> [UInt8] {
        let length = UInt16(content.count)
        return [
            1, type, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8(length >> 8), UInt8(length & 0xff), 0, 0,
        ]
            + content
    }
}

/// What the backend answered to one request.
struct BackendAnswer {
    var stdout = ""
    var ended = false
}

final class WebServerEnd {
    private var descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            sent += written
        }
    }

    func shutdownWriting() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Reads records until FCGI_END_REQUEST (bounded by a receive timeout).
    func readResponse() throws -> BackendAnswer {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer = BackendAnswer()
        while !answer.ended {
            let header = try readExactly(8)
            let length = Int(header[4]) << 8 | Int(header[5])
            let content = try readExactly(length + Int(header[6]))
            switch header[1] {
            case 6: answer.stdout += String(decoding: content.prefix(length), as: UTF8.self)
            case 3: answer.ended = true
            default: break
            }
        }
        return answer
    }

    /// Whether the next read sees the end of the connection.
    func readsEndOfFile() -> Bool {
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) == 0
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
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

/// An `FCGX_Request` as the server sets one up: on the heap, no listening socket.
final class LibfcgiRequest {
    let pointer = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)

    init() {
        _ = FCGX_Init()
        FCGX_InitRequest(pointer, -1, 0)
    }

    deinit {
        FCGX_Free(pointer, 1)
        pointer.deallocate()
    }

    func parameter(_ name: String) -> String? {
        FCGX_GetParam(name, pointer.pointee.envp).map { String(cString: $0) }
    }

    func readStdin() -> String {
        var bytes: [CChar] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let got = FCGX_GetStr(&buffer, Int32(buffer.count), pointer.pointee.in)
            if got <= 0 { return String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            bytes += buffer[0..<Int(got)]
        }
    }

    func write(_ text: String) {
        var bytes = Array(text.utf8CString.dropLast())
        _ = FCGX_PutStr(&bytes, Int32(bytes.count), pointer.pointee.out)
    }
}
