import Glibc
import Synchronization

@testable import UserCore
@testable import UserLogic

/// Collects log lines in memory so tests can check what was (and wasn't) logged.
final class LogCapture: LogSink {
    private let lines = Mutex<[String]>([])

    var logger: Logger { Logger(minimumLevel: .debug, sink: self) }

    var text: String { lines.withLock { $0.joined() } }

    func write(_ line: [UInt8]) {
        lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
    }

    func reopen() {}
}

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/userlogic-tests-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func remove() {
        for name in ["auth.db", "auth.db-wal", "auth.db-shm"] { unlink(path + "/" + name) }
        rmdir(path)
    }
}

extension Response {
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    var json: JSONValue? { try? JSONParser.parse(body) }

    var problemCode: String? {
        guard case .object(let object)? = json, case .string(let code)? = object["code"] else { return nil }
        return code
    }
}

func unlinkFile(_ path: String) {
    unlink(path)
}

/// A mail transport that keeps what it is given, and can be told to fail.
final class CapturedMail: MailTransport {
    private let state = Mutex<(messages: [MailMessage], failuresLeft: Int)>(([], 0))

    struct Refused: Error {}

    var messages: [MailMessage] { state.withLock { $0.messages } }

    func failNext(_ count: Int) {
        state.withLock { $0.failuresLeft = count }
    }

    func deliver(_ message: MailMessage) throws {
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw Refused()
            }
            state.messages.append(message)
        }
    }
}

/// A pthread running a closure, for tests that need more threads than Dispatch would start.
final class TestThread: @unchecked Sendable {
    private var thread = pthread_t()
    let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        precondition(pthread_create(&thread, nil, testThreadMain, context) == 0, "pthread_create failed")
    }

    func join() {
        pthread_join(thread, nil)
    }
}

/// A plain function: a capturing closure passed as a C function pointer crashes swift-frontend 6.3.1.
private func testThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<TestThread>.fromOpaque(context!).takeRetainedValue().body()
    return nil
}
