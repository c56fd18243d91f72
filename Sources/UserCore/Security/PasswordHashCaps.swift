/// The most work a stored hash made elsewhere (imported from another app) may ask of one
/// login. `import-users` refuses rows beyond these, and `PasswordHasher.verify` answers false
/// for such hashes without computing them, so a crafted row can't make a login burn seconds
/// of CPU or gigabytes of memory.
public enum PasswordHashCaps {
    /// bcrypt: log2 of the rounds (cost 12, Flask-Bcrypt's default, is ~250 ms; 14 is ~1 s).
    /// A bcrypt policy with a higher cost raises the cap for verification to its own cost.
    public static let bcryptCost = 14
    /// scrypt: N (a power of two), r and p; Werkzeug's default is N = 2^15, r = 8, p = 1.
    public static let scryptN: UInt64 = 1 << 17
    public static let scryptR: UInt64 = 16
    public static let scryptP: UInt64 = 4
    /// scrypt's memory, 128 · N · r bytes (Werkzeug's default needs 32 MiB).
    public static let scryptMemory: UInt64 = 128 << 20
    /// PBKDF2 iterations (Werkzeug's default is 1 000 000 since 3.1, 600 000 in 2.3 and 3.0).
    public static let pbkdf2Iterations = 2_000_000
}
