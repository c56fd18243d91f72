import CFastCGI
import Glibc
import Synchronization
import UserLogic

/// A pool of threads answering FastCGI requests on one listening socket, each thread with its
/// own `FCGX_Request` (on the heap: libfcgi's streams point back into it) and its own
/// per-thread resources.
///
/// SIGHUP makes the owning thread reopen the log file.
///
/// Shutdown: the owning thread takes SIGTERM/SIGINT with `sigwait`, sets `stopping` and wakes
/// every thread blocked in `accept`: a socket of its own it shuts down (Linux returns EINVAL
/// to the waiters); a socket it inherited (systemd, spawn-fcgi) must stay usable for its
/// owner and the next instance, so it connects to it once per thread instead. Threads
/// serving a request finish it first. Then all threads are joined.
final class FastCGIServer: Sendable {
    let listenDescriptor: Int32
    /// False for a socket inherited on fd 0, which outlives this process.
    let ownsSocket: Bool
    let threadCount: Int
    let service: Service
    private let followUps: FollowUpThread
    private let stopping = Atomic<Bool>(false)
    /// How long a stopping worker waits for queued mail (and its retries).
    static let mailDrainSeconds = 5.0

    init(listenDescriptor: Int32, ownsSocket: Bool, threadCount: Int, service: Service) {
        self.listenDescriptor = listenDescriptor
        self.ownsSocket = ownsSocket
        self.threadCount = threadCount
        self.service = service
        self.followUps = FollowUpThread(service: service)
    }

    /// Serves until SIGTERM or SIGINT, then drains and returns the exit status.
    func run() -> Int32 {
        Signals.block(Signals.shutdown + [Signals.reopenLog])
        guard let followUpThread = followUps.start() else { return 1 }
        var threads: [pthread_t] = []
        for _ in 0..<threadCount {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let result = pthread_create(&thread, nil, fastCGIThreadMain, context)
            guard result == 0 else {
                Unmanaged<FastCGIServer>.fromOpaque(context).release()
                service.logger.log(.error, "thread_start_failed", ["errno": .number(Double(result))])
                break
            }
            threads.append(thread)
        }
        if threads.isEmpty { return 1 }
        service.logger.log(
            .info, "worker_started", ["pid": .number(Double(getpid())), "threads": .number(Double(threads.count))])

        var signal = Signals.wait(for: Signals.shutdown + [Signals.reopenLog])
        while signal == Signals.reopenLog {
            service.logger.reopen()
            signal = Signals.wait(for: Signals.shutdown + [Signals.reopenLog])
        }
        service.logger.log(
            .info, "worker_stopping", ["pid": .number(Double(getpid())), "signal": .number(Double(signal))])
        stopping.store(true, ordering: .sequentiallyConsistent)
        FCGX_ShutdownPending()
        if ownsSocket {
            shutdown(listenDescriptor, Int32(SHUT_RDWR))
        } else {
            ListeningSocket.wakeAcceptors(of: listenDescriptor, count: threads.count)
        }
        for thread in threads { pthread_join(thread, nil) }
        followUps.stop()
        pthread_join(followUpThread, nil)
        if !service.mailer.drain(seconds: Self.mailDrainSeconds) {
            service.logger.log(.warning, "mail_not_drained", ["pid": .number(Double(getpid()))])
        }
        service.logger.log(.info, "worker_stopped", ["pid": .number(Double(getpid()))])
        return 0
    }

    fileprivate func serveRequests() {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        FCGX_InitRequest(request, listenDescriptor, 0)
        let thread = service.makeThreadContext()
        while !stopping.load(ordering: .relaxed) {
            let accepted = FCGX_Accept_r(request)
            if accepted < 0 {
                if stopping.load(ordering: .sequentiallyConsistent) { break }
                // Out of descriptors or a similar passing failure: don't spin on it.
                service.logger.log(.warning, "accept_failed", ["result": .number(Double(accepted))])
                usleep(10_000)
                continue
            }
            serve(request, thread: thread)
        }
        FCGX_Free(request, 1)
    }

    /// libfcgi closes a connection the way a TCP server must when unread request bytes
    /// could turn into a reset: `shutdown`, then wait (up to 2 s) for nginx to hang up first.
    /// That costs each request a wake-up and holds the thread for nginx's round trip. Once the
    /// request's stdin has been read to its end nothing more is coming, so detaching makes
    /// `FCGX_Finish_r` close at once; a body left unread (too large) keeps the careful close.
    private func closeWithoutLingering(_ request: UnsafeMutablePointer<FCGX_Request>) {
        if FCGX_HasSeenEOF(request.pointee.in) == EOF { FCGX_Detach(request) }
    }

    private func serve(_ request: UnsafeMutablePointer<FCGX_Request>, thread: ThreadContext) {
        let parameters = FastCGIParameters(environment: request.pointee.envp)
        let input = request.pointee.in
        let body = RequestBody.read(declaredLength: parameters.value(of: "CONTENT_LENGTH"), framing: .streamEnd) {
            buffer in
            Int(FCGX_GetStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), input))
        }
        let (response, followUp) = service.serve(Request(cgi: parameters, body: body), on: thread)
        // A client gone mid-response makes this write fail (EPIPE, SIGPIPE ignored); nothing
        // more is owed to it.
        response.cgiBytes().withUnsafeBytes { bytes in
            _ = FCGX_PutStr(
                bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), request.pointee.out)
        }
        // Finished before the follow-up is queued: nginx has the whole answer first.
        closeWithoutLingering(request)
        FCGX_Finish_r(request)
        if let followUp { followUps.enqueue(followUp) }
    }
}

/// The entry point of each request thread. A plain function: a capturing closure passed as a
/// C function pointer crashes swift-frontend 6.3.1.
private func fastCGIThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let server = Unmanaged<FastCGIServer>.fromOpaque(context!).takeRetainedValue()
    server.serveRequests()
    return nil
}
