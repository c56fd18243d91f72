import CPosix
import Glibc
import Synchronization

/// The one epoll set a worker's request threads wait on: the listening socket, every
/// connection the server holds between requests, and a descriptor that marks the end.
///
/// Each descriptor is armed one-shot, so exactly one waiting thread gets it when it becomes
/// readable (a connection to accept, a request arriving); the thread then owns it until it
/// parks it again. A connection the web server keeps open (`fastcgi_keep_conn`) waits here
/// between requests and takes no thread, however many there are.
///
/// Stopping: `stopAccepting` takes the listener out, then the caller accepts the backlog
/// itself (`park(_:firstRequest:)`), closes the listener and calls `closeIdle`. From then on
/// every parked connection, idle or back from its request, is shut down for reading (a
/// request already arriving is still read and served first) so that a thread reads its end
/// and closes it, and once the last connection is closed every thread's `next()` returns
/// `.finished`.
///
/// No lock on the way of a request: which connections are parked is one atomic mark per
/// descriptor number, needed only when stopping (a lock here was a quarter of the CPU).
final class ConnectionPoller: Sendable {
    enum Ready: Equatable {
        case listener
        case connection(Int32)
        case finished
    }

    private let epoll: Int32
    private let finishedEvent: Int32
    private let listener: Int32
    private let marks: ParkedMarks
    /// Connections accepted and not yet closed, parked or being served.
    private let open = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let listenerClosed = Atomic<Bool>(false)

    /// Event tags outside the descriptor range: a descriptor number can be reused by a new
    /// connection once the listener is closed.
    private static let listenerTag = UInt64.max - 1
    private static let finishedTag = UInt64.max

    init?(listener: Int32) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        finishedEvent = eventfd(0, Int32(EFD_CLOEXEC))
        self.listener = listener
        marks = ParkedMarks()
        guard epoll >= 0, finishedEvent >= 0 else { return nil }
        // The end is level-triggered: once signalled it wakes every waiting thread.
        guard Self.control(epoll, EPOLL_CTL_ADD, finishedEvent, EPOLLIN.rawValue, tag: Self.finishedTag),
            Self.control(epoll, EPOLL_CTL_ADD, listener, Self.oneShotRead, tag: Self.listenerTag)
        else { return nil }
    }

    deinit {
        close(epoll)
        close(finishedEvent)
    }

    /// Waits for the next ready descriptor; the caller owns a returned connection.
    func next() -> Ready {
        var event = epoll_event()
        while true {
            let count = epoll_wait(epoll, &event, 1, -1)
            if count < 0, errno != EINTR { return .finished }
            guard count == 1 else { continue }
            switch event.data.u64 {
            case Self.finishedTag: return .finished
            case Self.listenerTag: return .listener
            default:
                let connection = Int32(truncatingIfNeeded: event.data.u64)
                marks.claim(connection)
                return .connection(connection)
            }
        }
    }

    /// After a `.listener` wake-up: arms the listener for the next thread (unless stopping:
    /// then it is out of the set, and this changes nothing).
    func rearmListener() {
        guard !stopping.load(ordering: .sequentiallyConsistent) else { return }
        _ = Self.control(epoll, EPOLL_CTL_MOD, listener, Self.oneShotRead, tag: Self.listenerTag)
    }

    /// Counts a connection just accepted.
    func opened() {
        open.add(1, ordering: .sequentiallyConsistent)
    }

    /// Hands a connection back to the set until its next request arrives. `firstRequest`: just
    /// accepted, its request not yet arrived; it is parked even while stopping (it was queued
    /// before the stop). A kept connection back from a request once stopping is ended like the
    /// idle ones the stop found (`endUnlessARequestIsArriving`), also when the stop began
    /// meanwhile and looked at the marks before this one was set.
    func park(_ connection: Int32, firstRequest: Bool) {
        guard marks.park(connection) else { return closeNow(connection) }
        let armed =
            Self.control(epoll, EPOLL_CTL_MOD, connection, Self.oneShotRead, tag: UInt64(connection))
            // Not in the set yet: accepted and served without waiting.
            || Self.control(epoll, EPOLL_CTL_ADD, connection, Self.oneShotRead, tag: UInt64(connection))
        guard armed else {
            marks.claim(connection)
            return closeNow(connection)
        }
        if !firstRequest, stopping.load(ordering: .sequentiallyConsistent), marks.takeForStop(connection) {
            Self.endUnlessARequestIsArriving(connection)
        }
    }

    /// Counts a connection closed (by libfcgi or by `park`); the last one after `closeIdle`
    /// finishes the server.
    func closed() {
        let left = open.subtract(1, ordering: .sequentiallyConsistent).newValue
        if left == 0, listenerClosed.load(ordering: .sequentiallyConsistent) { signalFinished() }
    }

    /// Takes the listener out of the set: no thread accepts any more.
    func stopAccepting() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, listener, nil)
    }

    /// Once the listener is closed: ends every idle connection, and finishes at once if none
    /// is open.
    func closeIdle() {
        listenerClosed.store(true, ordering: .sequentiallyConsistent)
        marks.forEachParked(Self.endUnlessARequestIsArriving)
        if open.load(ordering: .sequentiallyConsistent) == 0 { signalFinished() }
    }

    /// Ends a parked connection the stop took: shut down for reading, it wakes a thread that
    /// reads its end and closes it. One with bytes already waiting is left alone, to be served
    /// and ended after its request: the web server sent that request before it could know of
    /// the stop (nginx reuses a kept connection as soon as it has the answer, possibly before
    /// the thread that wrote it parked it), and shut down, the rest of its body would be
    /// refused.
    private static func endUnlessARequestIsArriving(_ connection: Int32) {
        if !hasBytesWaiting(on: connection) { shutdown(connection, Int32(SHUT_RD)) }
    }

    /// Whether the connection has bytes (or its end) to read now, without waiting.
    static func hasBytesWaiting(on connection: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(connection, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) >= 0
    }

    private func closeNow(_ connection: Int32) {
        close(connection)
        closed()
    }

    private func signalFinished() {
        var one: UInt64 = 1
        _ = write(finishedEvent, &one, MemoryLayout<UInt64>.size)
    }

    private static let oneShotRead = EPOLLIN.rawValue | EPOLLONESHOT.rawValue

    private static func control(_ epoll: Int32, _ operation: Int32, _ descriptor: Int32, _ events: UInt32, tag: UInt64)
        -> Bool
    {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        return epoll_ctl(epoll, operation, descriptor, &event) == 0
    }
}
