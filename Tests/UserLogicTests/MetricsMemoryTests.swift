import Glibc
import Testing

@testable import UserCore

@Suite struct MetricsMemoryTests {
    /// What the supervisor relies on: counts a forked worker makes land in the memory the
    /// parent reads, and stay there after the worker is gone.
    @Test func aForkedChildCountsIntoTheParentsMetrics() throws {
        let metrics = Metrics(startTime: 0)
        try #require(metrics.isKept)
        let child = fork()
        if child == 0 {
            // Only atomic adds in the child of a threaded process, then out.
            for _ in 0..<1000 { metrics.count(LoginOutcome.success) }
            _exit(0)
        }
        try #require(child > 0)
        for _ in 0..<1000 { metrics.count(LoginOutcome.success) }
        var status: Int32 = 0
        #expect(waitpid(child, &status, 0) == child)
        #expect(metrics.value(LoginOutcome.success) == 2000)
    }

    @Test func noneKeepsNothing() {
        Metrics.none.count(LoginOutcome.success)
        Metrics.none.workerStarted()
        #expect(!Metrics.none.isKept)
        #expect(Metrics.none.value(LoginOutcome.success) == 0)
        #expect(Metrics.none.workersAlive == 0)
    }

    @Test func durationsFallInTheFirstBucketTheyDontExceed() {
        let buckets = HistogramBuckets([0.001, 0.01])
        #expect(buckets.slot(for: 0) == 0)
        #expect(buckets.slot(for: 1_000_000) == 0)
        #expect(buckets.slot(for: 1_000_001) == 1)
        #expect(buckets.slot(for: 10_000_001) == 2)
        #expect(buckets.slotCount == 3)
    }
}
