import CFastCGI
import Glibc
import Synchronization
import UserLogic

/// A pool of threads answering FastCGI requests on one listening socket, each thread with its
/// own `FCGX_Request` (on the heap: libfcgi's streams point back into it) and its own
/// per-thread resources.
///
/// The server owns its connections: the threads wait together on a `ConnectionPoller`, and
/// the one woken accepts a connection or reads the request that arrived on one, serves it
/// through libfcgi and parks the connection again if the web server keeps it open
/// (`fastcgi_keep_conn on`); otherwise libfcgi closes it, one connection per request as
/// before. An idle kept connection holds no thread.
///
/// SIGHUP makes the owning thread reopen the log file.
///
/// Shutdown: the owning thread takes SIGTERM/SIGINT with `sigwait`. It unlinks a unix
/// socket it owns (no new connection can queue), takes the listener out of the poller,
/// accepts what is already queued on it, then closes it: those queued requests are served,
/// not reset (a socket inherited on fd 0 from spawn-fcgi has no other owner; under systemd
/// socket activation the socket stays with systemd for the next instance). Requests in
/// flight finish, each kept connection is closed after its current request and idle ones
/// are closed; when none is left the threads return and are joined.
final class FastCGIServer: Sendable {
    let acceptor: ConnectionAcceptor
    /// The unix socket path to unlink when stopping: the socket this process opened, unless a
    /// supervisor (which unlinks it) runs the workers.
    let socketPath: String?
    let threadCount: Int
    let service: Service
    private let followUps: FollowUpThread
    private let poller: ConnectionPoller
    /// How long a stopping worker waits for queued mail (and its retries).
    static let mailDrainSeconds = 5.0

    init?(listenDescriptor: Int32, socketPath: String?, threadCount: Int, service: Service) {
        guard ListeningSocket.makeNonBlocking(listenDescriptor),
            let poller = ConnectionPoller(listener: listenDescriptor)
        else {
            service.logger.log(.error, "poller_start_failed", ["errno": .number(Double(errno))])
            return nil
        }
        self.acceptor = ConnectionAcceptor(listener: listenDescriptor)
        self.socketPath = socketPath
        self.threadCount = threadCount
        self.service = service
        self.followUps = FollowUpThread(service: service)
        self.poller = poller
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
        stopAccepting()
        for thread in threads { pthread_join(thread, nil) }
        followUps.stop()
        pthread_join(followUpThread, nil)
        if !service.mailer.drain(seconds: Self.mailDrainSeconds) {
            service.logger.log(.warning, "mail_not_drained", ["pid": .number(Double(getpid()))])
        }
        service.logger.log(.info, "worker_stopped", ["pid": .number(Double(getpid()))])
        return 0
    }

    /// The first half of a stop: no new connection, the queued ones adopted, idle ones ended.
    private func stopAccepting() {
        if let socketPath { unlink(socketPath) }
        poller.stopAccepting()
        var drained = 0
        while case .accepted(let connection) = acceptor.accept() {
            poller.opened()
            poller.park(connection, firstRequest: true)
            drained += 1
        }
        close(acceptor.listener)
        poller.closeIdle()
        if drained > 0 {
            service.logger.log(.info, "queued_connections_adopted", ["count": .number(Double(drained))])
        }
    }

    fileprivate func serveConnections() {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        // No listening socket of libfcgi's own: see authfcgi_read_request.
        FCGX_InitRequest(request, -1, 0)
        let thread = service.makeThreadContext()
        while true {
            switch poller.next() {
            case .finished:
                return
            case .connection(let connection):
                serve(connection, request: request, thread: thread)
            case .listener:
                guard let connection = acceptQueuedConnections() else { continue }
                // nginx writes its request as soon as it connects, so it has usually arrived
                // and is served without a round through the poller.
                if ConnectionPoller.hasBytesWaiting(on: connection) {
                    serve(connection, request: request, thread: thread)
                } else {
                    poller.park(connection, firstRequest: true)
                }
            }
        }
    }

    /// At most this many connections taken from the listening socket's queue per wake-up.
    static let acceptsPerWakeUp = 64

    /// Accepts what waits on the listening socket: the first connection is returned for
    /// this thread to serve, the others are parked. Taking one per wake-up let kept
    /// connections (ready first, in the poller's order) starve new ones for seconds when
    /// requests queue (nginx opens new connections beyond its `keepalive` cache).
    private func acceptQueuedConnections() -> Int32? {
        var first: Int32?
        accepting: for _ in 0..<Self.acceptsPerWakeUp {
            switch acceptor.accept() {
            case .accepted(let connection):
                poller.opened()
                if first == nil {
                    first = connection
                } else {
                    poller.park(connection, firstRequest: true)
                }
            case .empty:
                break accepting
            case .failed(let error):
                // Out of descriptors or a similar passing failure: don't spin on it.
                service.logger.log(.warning, "accept_failed", ["errno": .number(Double(error))])
                usleep(10_000)
                break accepting
            }
        }
        poller.rearmListener()
        return first
    }

    /// Serves the request waiting on `connection`, then parks the connection if it is kept.
    private func serve(_ connection: Int32, request: UnsafeMutablePointer<FCGX_Request>, thread: ThreadContext) {
        guard authfcgi_read_request(request, connection) == 0 else {
            // The web server hung up (or broke the protocol); libfcgi closed the connection.
            poller.closed()
            return
        }
        let followUp = answer(request, thread: thread)
        // libfcgi closes a connection the way a TCP server must when unread request bytes
        // could turn into a reset: `shutdown`, then wait (up to 2 s) for nginx to hang up
        // first. Once stdin was read to its end nothing more is coming: it may close at once.
        let stdinReadToEnd = FCGX_HasSeenEOF(request.pointee.in) == EOF
        let kept = authfcgi_end_request(request, stdinReadToEnd ? 1 : 0)
        if kept >= 0 {
            poller.park(kept, firstRequest: false)
        } else {
            poller.closed()
        }
        // Queued once nginx has the whole answer.
        if let followUp { followUps.enqueue(followUp) }
    }

    /// Reads the request's body, runs the service and writes the answer.
    private func answer(_ request: UnsafeMutablePointer<FCGX_Request>, thread: ThreadContext) -> FollowUpTask? {
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
        return followUp
    }
}

/// The entry point of each request thread. A plain function: a capturing closure passed as a
/// C function pointer crashes swift-frontend 6.3.1.
private func fastCGIThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let server = Unmanaged<FastCGIServer>.fromOpaque(context!).takeRetainedValue()
    server.serveConnections()
    return nil
}
