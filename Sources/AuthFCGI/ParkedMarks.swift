import Glibc
import Synchronization

/// One atomic mark per descriptor number: whether that connection is parked in the poller
/// (waiting for a request, no thread on it). Set by `park`, cleared by the thread the
/// request wakes; a stop takes each parked one to shut it down. Exactly one side wins each
/// mark, so a connection a thread just claimed is never shut down under it.
///
/// Sized by the descriptor limit at start: a connection numbered beyond it (the limit was
/// raised later) is never parked, so the web server gets one request per connection there.
/// `@unchecked`: the buffer is only ever touched through its atomics.
final class ParkedMarks: @unchecked Sendable {
    private enum Mark: UInt8 {
        case none = 0
        case parked = 1
        /// Taken by a stop, which shuts the connection down.
        case stopping = 2
    }

    private let marks: UnsafeMutablePointer<Atomic<UInt8>>
    private let count: Int

    init() {
        var limit = rlimit()
        let soft =
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
        count = min(max(soft, 1024), 1 << 20)
        marks = .allocate(capacity: count)
        for index in 0..<count { (marks + index).initialize(to: Atomic(Mark.none.rawValue)) }
    }

    deinit {
        marks.deinitialize(count: count)
        marks.deallocate()
    }

    /// Marks a connection parked; false if its number is beyond the marks.
    func park(_ connection: Int32) -> Bool {
        guard Int(connection) < count else { return false }
        marks[Int(connection)].store(Mark.parked.rawValue, ordering: .sequentiallyConsistent)
        return true
    }

    /// The connection is a thread's now.
    func claim(_ connection: Int32) {
        guard Int(connection) < count else { return }
        marks[Int(connection)].store(Mark.none.rawValue, ordering: .sequentiallyConsistent)
    }

    /// Takes a parked connection for the stop; false if a thread claimed it first.
    func takeForStop(_ connection: Int32) -> Bool {
        guard Int(connection) < count else { return false }
        return marks[Int(connection)].compareExchange(
            expected: Mark.parked.rawValue, desired: Mark.stopping.rawValue, ordering: .sequentiallyConsistent
        ).exchanged
    }

    /// Takes every parked connection for the stop and passes it to `body`.
    func forEachParked(_ body: (Int32) -> Void) {
        for index in 0..<count where takeForStop(Int32(index)) { body(Int32(index)) }
    }
}
