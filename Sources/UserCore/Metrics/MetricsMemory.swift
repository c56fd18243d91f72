import Glibc
import Synchronization

/// 64-bit counters in anonymous shared memory. The server maps it once, before the
/// supervisor forks its workers: every worker adds into the same slots with atomic adds, and
/// the counts outlive a worker that is killed and replaced. Without fork (one process) the
/// mapping is just this process's memory.
package final class MetricsMemory: Sendable {
    private nonisolated(unsafe) let slots: UnsafeMutablePointer<Atomic<UInt64>>

    /// Nil when the kernel refuses the mapping (the server then keeps no metrics).
    package init?(slotCount: Int) {
        let bytes = max(slotCount, 1) * MemoryLayout<Atomic<UInt64>>.stride
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
            mapped != MAP_FAILED
        else { return nil }
        // A new anonymous mapping is zero-filled: every slot already holds 0.
        slots = mapped.bindMemory(to: Atomic<UInt64>.self, capacity: slotCount)
    }

    /// Relaxed: counters need atomicity, not ordering with other memory.
    package func add(_ amount: UInt64, at slot: Int) {
        slots[slot].wrappingAdd(amount, ordering: .relaxed)
    }

    package func subtract(_ amount: UInt64, at slot: Int) {
        slots[slot].wrappingSubtract(amount, ordering: .relaxed)
    }

    package func load(_ slot: Int) -> UInt64 {
        slots[slot].load(ordering: .relaxed)
    }
}
