/// The upper bounds of a histogram's buckets, in seconds; one more bucket (+Inf) holds the
/// rest. Durations arrive in nanoseconds and are counted in one bucket each (the metrics
/// page adds them up into Prometheus's cumulative `le` buckets).
package struct HistogramBuckets: Sendable {
    package let bounds: [Double]
    private let nanosecondBounds: [UInt64]

    package init(_ bounds: [Double]) {
        self.bounds = bounds
        nanosecondBounds = bounds.map { UInt64(($0 * 1e9).rounded()) }
    }

    /// The bounds plus +Inf.
    package var slotCount: Int { bounds.count + 1 }

    /// The bucket of a duration: the first bound it doesn't exceed, else +Inf.
    package func slot(for nanoseconds: UInt64) -> Int {
        nanosecondBounds.firstIndex { nanoseconds <= $0 } ?? bounds.count
    }

    /// Request times inside the backend: from a token check to a password hash.
    package static let requests = HistogramBuckets([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
    ])
    /// One password hash: libxcrypt's costs run from milliseconds to seconds.
    package static let passwordHashes = HistogramBuckets([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ])
}
