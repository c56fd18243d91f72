import Glibc

/// Signals handled synchronously: blocked in every thread and taken with `sigwait` by the
/// thread that owns the process's life cycle, so no handler runs on a request thread.
enum Signals {
    static let shutdown: [Int32] = [SIGTERM, SIGINT]
    /// Reopen the log file, after an external logrotate moved it.
    static let reopenLog = SIGHUP

    static func set(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Blocks `signals` in the calling thread and in every thread it creates afterwards.
    static func block(_ signals: [Int32]) {
        var set = set(signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// A write to a socket whose peer left must fail with EPIPE, not kill the process.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Waits for one of `signals` (which must be blocked) and returns it.
    static func wait(for signals: [Int32]) -> Int32 {
        var set = set(signals)
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
