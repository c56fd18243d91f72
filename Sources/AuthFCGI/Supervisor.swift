import CPosix
import Glibc
import UserCore

/// Keeps `workerCount` worker processes running on one inherited listening socket: forks them,
/// restarts any that dies (with a growing delay while they die young, so a crash loop can't
/// spin), passes SIGHUP on (log reopening), and on SIGTERM/SIGINT asks every worker to
/// drain and waits for all of them. It counts the workers alive and restarted in `metrics`.
struct Supervisor {
    let workerCount: Int
    /// The unix socket of `--listen`, unlinked when stopping so that no new connection queues
    /// while the workers serve the queued ones.
    let socketPath: String?
    let logger: Logger
    let metrics: Metrics
    /// Runs in the forked child and returns its exit status.
    let runWorker: () -> Int32

    /// A worker that lived shorter than this counts as a crash for the back-off.
    static let healthyLifetime: Int64 = 5
    static let maximumDelayMilliseconds: Int64 = 10_000

    private struct Slot {
        var pid: pid_t = 0
        var startedAt: Int64 = 0
        var quickFailures = 0
        /// When a dead worker's replacement is due, in monotonic milliseconds.
        var restartAt: Int64?
    }

    func run() -> Int32 {
        let handled = Signals.shutdown + [SIGCHLD, Signals.reopenLog]
        Signals.block(handled)
        var slots = [Slot](repeating: Slot(), count: workerCount)
        for index in slots.indices { start(&slots[index]) }
        var stopping = false

        while true {
            var set = Signals.set(handled)
            let due = slots.compactMap(\.restartAt).min()
            var signal: Int32
            if let due {
                let wait = max(0, due - Self.monotonicMilliseconds())
                var timeout = timespec(tv_sec: Int(wait / 1000), tv_nsec: Int(wait % 1000) * 1_000_000)
                signal = sigtimedwait(&set, nil, &timeout)
            } else {
                signal = sigwaitinfo(&set, nil)
            }
            if signal == Signals.reopenLog {
                logger.reopen()
                for slot in slots where slot.pid > 0 { kill(slot.pid, Signals.reopenLog) }
            }
            if signal == SIGTERM || signal == SIGINT, !stopping {
                stopping = true
                logger.log(.info, "supervisor_stopping", ["signal": .number(Double(signal))])
                if let socketPath { unlink(socketPath) }
                for index in slots.indices {
                    slots[index].restartAt = nil
                    if slots[index].pid > 0 { kill(slots[index].pid, SIGTERM) }
                }
            }
            reapExitedWorkers(&slots, stopping: stopping)
            if stopping {
                if slots.allSatisfy({ $0.pid == 0 }) { return 0 }
                continue
            }
            let now = Self.monotonicMilliseconds()
            for index in slots.indices where slots[index].restartAt.map({ $0 <= now }) == true {
                start(&slots[index])
            }
        }
    }

    private func start(_ slot: inout Slot) {
        let supervisor = getpid()
        let pid = fork()
        if pid == 0 {
            // The child: die with the supervisor, even if it is SIGKILLed.
            _ = cposix_set_parent_death_signal(SIGTERM)
            if getppid() != supervisor { _exit(0) }
            // The signal mask stays as inherited: the worker takes the same signals with
            // sigwait, and unblocking them first would let a SIGHUP kill it meanwhile.
            _exit(runWorker())
        }
        slot.restartAt = nil
        if pid < 0 {
            logger.log(.error, "worker_fork_failed", ["errno": .number(Double(errno))])
            slot.quickFailures += 1
            slot.restartAt = Self.monotonicMilliseconds() + delay(after: slot.quickFailures)
            return
        }
        // A slot that ran a worker before: this start replaces it.
        if slot.startedAt != 0 { metrics.countWorkerRestart() }
        metrics.workerStarted()
        slot.pid = pid
        slot.startedAt = Self.monotonicMilliseconds()
    }

    private func reapExitedWorkers(_ slots: inout [Slot], stopping: Bool) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0, let index = slots.firstIndex(where: { $0.pid == pid }) else { return }
            let now = Self.monotonicMilliseconds()
            slots[index].pid = 0
            metrics.workerExited()
            if stopping { continue }
            let lived = now - slots[index].startedAt
            slots[index].quickFailures = lived < Self.healthyLifetime * 1000 ? slots[index].quickFailures + 1 : 0
            let wait = delay(after: slots[index].quickFailures)
            slots[index].restartAt = now + wait
            logger.log(
                .warning, "worker_exited",
                [
                    "pid": .number(Double(pid)), "status": .number(Double(status)),
                    "restart_in_ms": .number(Double(wait)),
                ])
        }
    }

    /// None after a healthy run; 200 ms doubling per quick failure, at most 10 s.
    private func delay(after quickFailures: Int) -> Int64 {
        guard quickFailures > 0 else { return 0 }
        return min(Self.maximumDelayMilliseconds, 100 << Int64(min(quickFailures, 10)))
    }

    private static func monotonicMilliseconds() -> Int64 {
        Int64(MonotonicClock.nanoseconds() / 1_000_000)
    }
}
