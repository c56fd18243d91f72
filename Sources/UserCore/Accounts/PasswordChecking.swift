/// What the account rules need of password hashing: `PasswordHasher` in the service; tests
/// put a counting one in its place to see how many checks ran.
package protocol PasswordChecking: AnyObject {
    func hash(_ password: String) throws -> String
    /// Whether `password` matches `storedHash`, and whether that hash should be replaced.
    func check(_ password: String, against storedHash: String) -> PasswordMatch
    /// Spends the time of one `verify`, for a login that found no account.
    func verifyAgainstDummy(_ password: String)
    /// Hashes of recovery codes under one setting (see `PasswordHasher.hashBatch`).
    func hashBatch(_ codes: [String]) throws -> [String]
    /// The index of `code`'s hash among one batch's `hashes`, or nil.
    func match(_ code: String, inBatch hashes: [String]) -> Int?
}

extension PasswordHasher: PasswordChecking {}
