/// The server's event counters and gauges (the README's "Metrics" table, but for the
/// requests, which `RequestMetrics` counts by route), kept in memory every worker process
/// shares (`MetricsMemory`): exact across `--workers N`, and a worker's restart doesn't reset
/// them. `Metrics.none` keeps nothing: CGI (a process per request) and the commands.
package final class Metrics: Sendable {
    /// Unix seconds when the server started (before it forked its workers).
    package let startTime: Int64
    private let memory: MetricsMemory?

    /// Keeps nothing.
    package static let none = Metrics(startTime: 0, memory: nil)

    /// New metrics in shared memory, or `none`'s behaviour if the kernel refuses the mapping.
    package convenience init(startTime: Int64) {
        self.init(startTime: startTime, memory: MetricsMemory(slotCount: Slot.count))
    }

    private init(startTime: Int64, memory: MetricsMemory?) {
        self.startTime = startTime
        self.memory = memory
    }

    /// False for `none`.
    package var isKept: Bool { memory != nil }

    package func count(_ outcome: LoginOutcome) { memory?.add(1, at: Slot.logins + outcome.rawValue) }
    package func count(_ outcome: RefreshOutcome) { memory?.add(1, at: Slot.refreshes + outcome.rawValue) }
    package func count(_ reason: RevocationReason) { memory?.add(1, at: Slot.revocations + reason.rawValue) }
    package func count(_ outcome: MailOutcome) { memory?.add(1, at: Slot.mails + outcome.rawValue) }

    /// A request that failed on the database (unreachable, or locked beyond the busy timeout).
    package func countDatabaseError() { memory?.add(1, at: Slot.databaseErrors) }

    /// One password hash made or checked in `nanoseconds`.
    package func recordPasswordHash(nanoseconds: UInt64) {
        guard let memory else { return }
        memory.add(1, at: Slot.hashBuckets + HistogramBuckets.passwordHashes.slot(for: nanoseconds))
        memory.add(nanoseconds, at: Slot.hashSum)
    }

    /// A worker process started (the supervisor's, or the server's only process).
    package func workerStarted() { memory?.add(1, at: Slot.workersAlive) }
    package func workerExited() { memory?.subtract(1, at: Slot.workersAlive) }
    /// The supervisor started a worker in place of one that exited.
    package func countWorkerRestart() { memory?.add(1, at: Slot.workerRestarts) }

    package func value(_ outcome: LoginOutcome) -> UInt64 { load(Slot.logins + outcome.rawValue) }
    package func value(_ outcome: RefreshOutcome) -> UInt64 { load(Slot.refreshes + outcome.rawValue) }
    package func value(_ reason: RevocationReason) -> UInt64 { load(Slot.revocations + reason.rawValue) }
    package func value(_ outcome: MailOutcome) -> UInt64 { load(Slot.mails + outcome.rawValue) }
    package var databaseErrors: UInt64 { load(Slot.databaseErrors) }
    package var workersAlive: UInt64 { load(Slot.workersAlive) }
    package var workerRestarts: UInt64 { load(Slot.workerRestarts) }

    /// Per-bucket (not cumulative) counts of `HistogramBuckets.passwordHashes`, and the sum.
    package var passwordHashes: (buckets: [UInt64], sumNanoseconds: UInt64) {
        let buckets = (0..<HistogramBuckets.passwordHashes.slotCount).map { load(Slot.hashBuckets + $0) }
        return (buckets, load(Slot.hashSum))
    }

    private func load(_ slot: Int) -> UInt64 { memory?.load(slot) ?? 0 }

    /// Where each value lies in the memory: consecutive ranges in this order.
    private enum Slot {
        static let logins = 0
        static let refreshes = logins + LoginOutcome.allCases.count
        static let revocations = refreshes + RefreshOutcome.allCases.count
        static let mails = revocations + RevocationReason.allCases.count
        static let hashBuckets = mails + MailOutcome.allCases.count
        static let hashSum = hashBuckets + HistogramBuckets.passwordHashes.slotCount
        static let databaseErrors = hashSum + 1
        static let workersAlive = databaseErrors + 1
        static let workerRestarts = workersAlive + 1
        static let count = workerRestarts + 1
    }
}
