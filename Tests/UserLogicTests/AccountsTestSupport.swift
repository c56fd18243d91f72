import Synchronization

@testable import UserCore

/// How many password checks ran, across threads.
final class CheckCounter: Sendable {
    private let checks = Atomic<Int>(0)
    private let dummyChecks = Atomic<Int>(0)

    var count: Int { checks.load(ordering: .relaxed) }
    var dummyCount: Int { dummyChecks.load(ordering: .relaxed) }

    func countCheck() { checks.add(1, ordering: .relaxed) }
    func countDummyCheck() { dummyChecks.add(1, ordering: .relaxed) }
}

/// A real, cheap hasher (one per thread, as in the service) that counts its checks.
final class CountingPasswords: PasswordChecking {
    static let policy = PasswordPolicy(scheme: .yescrypt, cost: 1)

    let hasher = PasswordHasher(policy: CountingPasswords.policy)
    let counter: CheckCounter

    init(_ counter: CheckCounter = CheckCounter()) {
        self.counter = counter
    }

    func hash(_ password: String) throws -> String { try hasher.hash(password) }

    func check(_ password: String, against storedHash: String) -> PasswordMatch {
        counter.countCheck()
        return hasher.check(password, against: storedHash)
    }

    func verifyAgainstDummy(_ password: String) {
        counter.countDummyCheck()
        hasher.verifyAgainstDummy(password)
    }

    func hashBatch(_ codes: [String]) throws -> [String] { try hasher.hashBatch(codes) }

    func match(_ code: String, inBatch hashes: [String]) -> Int? {
        counter.countCheck()
        return hasher.match(code, inBatch: hashes)
    }
}

extension TestDatabase {
    /// Runs `sql` on a connection of its own, outside any store.
    func execute(_ sql: String) throws {
        switch location {
        case .sqlite(let path): try SQLiteConnection(path: path).execute(sql)
        case .postgresql(let location): _ = try PostgresConnection(location: location).execute(sql)
        }
    }
}
