import Dispatch
import Glibc
import Synchronization
import UserLogic

/// The one thread of a worker process that does the work requests leave for after their
/// answers (`FollowUpTask`: forgot-password's and resend's lookup, token and mail), at the
/// lowest CPU priority and with its own database connection.
///
/// Done on the request thread, that work competed for the CPU with nginx relaying the answer
/// it follows: an address with an account answered measurably slower than one without
/// (contract §5: the same time either way). At nice 19 it waits for the CPU the answer needs.
/// The queue is first in, first out; `stop` lets it run dry first.
final class FollowUpThread: Sendable {
    private let service: Service
    private let queue = Mutex<[FollowUpTask]>([])
    /// One signal per queued task, and one more from `stop`.
    private let signals = DispatchSemaphore(value: 0)

    init(service: Service) {
        self.service = service
    }

    /// Starts the thread; nil (with the error logged) if it can't.
    func start() -> pthread_t? {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, followUpThreadMain, context)
        guard result == 0 else {
            Unmanaged<FollowUpThread>.fromOpaque(context).release()
            service.logger.log(.error, "thread_start_failed", ["errno": .number(Double(result))])
            return nil
        }
        return thread
    }

    func enqueue(_ task: FollowUpTask) {
        queue.withLock { $0.append(task) }
        signals.signal()
    }

    /// Makes the thread end once the tasks queued so far are done; call it after the last
    /// `enqueue`, then join the thread.
    func stop() {
        signals.signal()
    }

    fileprivate func serveTasks() {
        // On Linux a thread has its own nice value: `who` 0 is the calling thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        let thread = service.makeThreadContext()
        while true {
            signals.wait()
            guard let task = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return }
            service.run(task, on: thread)
        }
    }
}

/// A plain function, like `fastCGIThreadMain`: a capturing closure passed as a C function
/// pointer crashes swift-frontend 6.3.1.
private func followUpThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let followUps = Unmanaged<FollowUpThread>.fromOpaque(context!).takeRetainedValue()
    followUps.serveTasks()
    return nil
}
