import Glibc

/// Nanoseconds on the monotonic clock, for durations (the metrics' histograms).
package enum MonotonicClock {
    package static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
