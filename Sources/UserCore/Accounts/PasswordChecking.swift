/// What the account rules need of password hashing: `PasswordHasher` in the service; tests
/// put a counting one in its place to see how many checks ran.
package protocol PasswordChecking: AnyObject {
    func hash(_ password: String) throws -> String
    func verify(_ password: String, against storedHash: String) -> Bool
    func needsRehash(_ storedHash: String) -> Bool
    /// Spends the time of one `verify`, for a login that found no account.
    func verifyAgainstDummy(_ password: String)
}

extension PasswordHasher: PasswordChecking {}
