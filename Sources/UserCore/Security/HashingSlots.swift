import Dispatch
import Glibc

/// Caps the password hashes running at once in this process at the number of online CPUs.
///
/// yescrypt and bcrypt are CPU- and memory-bound: with more of them running than there are
/// cores, they only take turns and evict each other's working set from the caches (yescrypt
/// at the default cost uses 16 MiB each). Measured on 2 cores: 4 threads verify about 8%
/// fewer hashes per second in total than 2. Request threads beyond the cap wait their turn.
/// Each worker process has its own cap.
enum HashingSlots {
    private static let slots = DispatchSemaphore(value: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    static func run<T>(_ body: () -> T) -> T {
        slots.wait()
        defer { slots.signal() }
        return body()
    }
}
