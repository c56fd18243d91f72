import CFastCGI
import SocketPairs

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

extension WebServerEnd {
    /// Reads records until FCGI_END_REQUEST.
    func readResponse() throws -> BackendAnswer {
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
