import Dispatch
import Glibc
import SocketPairs
import Synchronization
import Testing

@testable import AuthFCGI

/// The poller's stop, driven by hand on socket pairs: the test plays the request threads
/// (`next`, `park`, `closed`), the stopping thread (`stopAccepting`, `closeIdle`) and the
/// web server on the other end of each connection. Interleavings that a running backend
/// meets only by chance under load happen here in a fixed order.
@Suite struct ConnectionPollerStopTests {
    @Test func aKeptConnectionWhoseNextRequestArrivedBeforeItWasParkedIsServedThenClosed() throws {
        let world = try PollerWorld()
        let pair = try SocketPair()
        world.poller.opened()
        world.poller.park(pair.backend, firstRequest: true)
        pair.webServer.send("request 1")
        #expect(try world.next() == .connection(pair.backend))
        #expect(pair.backendReceive() == "request 1")

        world.stop()
        // The web server had the answer and reused the connection before the thread that
        // served it got back to the poller (a reset here was a 502 for that request).
        pair.webServer.send("request 2")
        world.poller.park(pair.backend, firstRequest: false)
        #expect(try world.next() == .connection(pair.backend))
        #expect(pair.backendReceive() == "request 2")

        // Nothing more waiting: shut down, a thread reads its end and libfcgi closes it.
        world.poller.park(pair.backend, firstRequest: false)
        #expect(try world.next() == .connection(pair.backend))
        #expect(pair.backendReceive() == "", "ended after its request once stopping")
        pair.closeBackend()
        world.poller.closed()
        #expect(pair.webServer.readsEndOfFile(), "closed after its request once stopping")
        #expect(try world.next() == .finished)
    }

    @Test func closeIdleEndsIdleConnectionsAndLeavesARequestThatArrivedToBeServed() throws {
        let world = try PollerWorld()
        let idle = try SocketPair()
        let arriving = try SocketPair()
        for pair in [idle, arriving] {
            world.poller.opened()
            world.poller.park(pair.backend, firstRequest: true)
        }
        arriving.webServer.send("request")

        world.stop()
        var woken: [Int32: String] = [:]
        for _ in 0..<2 {
            guard case .connection(let connection) = try world.next() else {
                Issue.record("a connection was not handed to a thread")
                return
            }
            woken[connection] = [idle, arriving].first { $0.backend == connection }?.backendReceive()
        }
        #expect(woken == [idle.backend: "", arriving.backend: "request"], "the idle one reads its end")
        for pair in [idle, arriving] {
            pair.closeBackend()
            world.poller.closed()
        }
        #expect(try world.next() == .finished)
    }

    @Test func aStopWithNoConnectionFinishesAtOnce() throws {
        let world = try PollerWorld()
        world.stop()
        #expect(try world.next() == .finished)
    }
}

/// A poller on a listening unix socket (autobound: no file), stopped the way the server
/// stops it.
private struct PollerWorld {
    let poller: ConnectionPoller
    let listener: Int32

    init() throws {
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        // An address of the family alone: Linux picks a free abstract name.
        var address = sockaddr()
        address.sa_family = sa_family_t(AF_UNIX)
        guard listener >= 0, bind(listener, &address, socklen_t(MemoryLayout<sa_family_t>.size)) == 0,
            listen(listener, 8) == 0, let poller = ConnectionPoller(listener: listener)
        else {
            throw TestFailure(description: "no listening socket or poller: errno \(errno)")
        }
        self.poller = poller
    }

    /// FastCGIServer's first half of a stop, with nothing queued on the listener.
    func stop() {
        poller.stopAccepting()
        close(listener)
        poller.closeIdle()
    }

    /// `poller.next()` on another thread, so that a descriptor that never becomes ready
    /// fails the test instead of hanging it (that thread is then left waiting).
    func next(within seconds: Double = 5) throws -> ConnectionPoller.Ready {
        let outcome = Outcome()
        let poller = self.poller
        DispatchQueue.global().async { outcome.deliver(poller.next()) }
        guard let ready = outcome.wait(seconds: seconds) else {
            throw TestFailure(description: "nothing was ready within \(seconds) s")
        }
        return ready
    }
}

/// One thread's `next()` result, handed to the waiting test.
private final class Outcome: Sendable {
    private let ready = Mutex<ConnectionPoller.Ready?>(nil)
    private let delivered = DispatchSemaphore(value: 0)

    func deliver(_ value: ConnectionPoller.Ready) {
        ready.withLock { $0 = value }
        delivered.signal()
    }

    func wait(seconds: Double) -> ConnectionPoller.Ready? {
        guard delivered.wait(timeout: .now() + seconds) == .success else { return nil }
        return ready.withLock { $0 }
    }
}

extension SocketPair {
    /// What is waiting on the backend's end ("" at its end), without waiting for more.
    func backendReceive() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(backend, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count < 0 ? "<nothing: errno \(errno)>" : String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
