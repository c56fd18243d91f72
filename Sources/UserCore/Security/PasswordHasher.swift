internal import CCrypt

/// Why a password couldn't be hashed. Carries no part of the password.
public enum PasswordHashingError: Error, Sendable, Equatable {
    /// libxcrypt refused the setting or failed (its output began with `*`).
    case hashingFailed
}

/// Password hashing with libxcrypt (`crypt_gensalt_rn` + `crypt_rn`), for one thread.
///
/// Owns the 32 KiB `struct crypt_data` work area on the heap, so it is not thread-safe and
/// deliberately not `Sendable`: make one per thread. Stored hashes are ordinary crypt(5)
/// strings (`$y$…`, `$2b$…`), so hashes from other tools (Python's bcrypt, `mkpasswd`) verify.
///
/// Every password the contract allows (128 scalars, up to 512 UTF-8 bytes, U+0000 included)
/// is hashed in full: one libxcrypt can't take whole — with a NUL byte, of 512 bytes or more
/// (`CRYPT_MAX_PASSPHRASE_SIZE`), or over bcrypt's 72 bytes for a bcrypt setting — is given
/// as the byte 0xFF followed by base64url(SHA-256(password)) instead, 44 bytes. Passwords
/// arrive as JSON strings, which are valid UTF-8, and 0xFF never occurs in UTF-8: no typed
/// password is that phrase, so none is equivalent to another (contract §5 (v2)).
///
/// Older hashes were made from the typeable `"sha256:" + hex(SHA-256(password))`. They can't
/// be told from a hash of a password that is literally such a string, so the safe reading
/// wins: a password of that exact form is reduced too (it never reaches crypt as itself, and
/// so never matches an old hash), while a reduced password also tries its old form. Hashes
/// made elsewhere by a bcrypt that truncated at 72 bytes (Python's bcrypt before 5,
/// Flask-Bcrypt) still verify with the truncated phrase. `check` answers a match through the
/// old reduction as outdated, so the login replaces the hash; a match through the truncation
/// not: see `check`.
/// The answer of `PasswordHasher.check`.
public enum PasswordMatch: Sendable, Equatable {
    case wrong
    /// The password is right; `outdated` when its hash should be replaced by a new one.
    case right(outdated: Bool)
}

public final class PasswordHasher {
    public let policy: PasswordPolicy
    /// The `crypt_rn` work area, zeroed once as crypt(3) asks.
    private let data: UnsafeMutableRawPointer
    private let dataSize: Int32
    /// `$id$params` fields that new hashes under `policy` have, e.g. `y` and `j9T`.
    private let methodID: Substring
    private let parameters: Substring
    /// A hash of a random password under `policy`, for `verifyAgainstDummy`.
    private(set) var dummyHash = ""
    /// Times every hash after the dummy one (which no request asked for).
    private var metrics = Metrics.none

    /// `metrics` times every hash but the dummy one.
    package init(policy: PasswordPolicy, metrics: Metrics = .none) {
        self.policy = policy
        dataSize = ccrypt_data_size()
        data = UnsafeMutableRawPointer.allocate(byteCount: Int(dataSize), alignment: 16)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: Int(dataSize))
        guard let setting = Self.makeSetting(policy) else {
            fatalError("libxcrypt can't make a \(policy.scheme) setting with cost \(policy.cost)")
        }
        let fields = setting.split(separator: "$", omittingEmptySubsequences: false)
        methodID = fields[1]
        parameters = fields[2]
        do {
            dummyHash = try hash(SecureRandom.token(byteCount: 16))
        } catch {
            fatalError("libxcrypt can't hash with \(policy.scheme) cost \(policy.cost)")
        }
        self.metrics = metrics
    }

    deinit {
        data.initializeMemory(as: UInt8.self, repeating: 0, count: Int(dataSize))
        data.deallocate()
    }

    /// A new crypt(5) hash of `password` under the policy, with a fresh 128-bit salt.
    public func hash(_ password: String) throws -> String {
        guard let setting = Self.makeSetting(policy) else { throw PasswordHashingError.hashingFailed }
        let phrase = Self.phrases(password, setting: setting)[0]
        guard let hashed = crypt(phrase, setting: setting), hashed.hasPrefix(setting) else {
            throw PasswordHashingError.hashingFailed
        }
        return hashed
    }

    /// Whether `password` matches `storedHash` (any method libxcrypt supports, and Werkzeug's
    /// scrypt and pbkdf2 formats of imported users, see `LegacyPasswordVerifier`), and if so
    /// whether the hash should be replaced: made with another method or cost than the policy's
    /// (`needsRehash`), or matched only through the old reduction. A hash it can't parse is
    /// `.wrong`, and so is one over `PasswordHashCaps` (bcrypt above cost 14 or the policy's
    /// own bcrypt cost) without being computed. Each comparison is constant time.
    ///
    /// A match through bcrypt's truncation (a hash made elsewhere, a password over 72 bytes)
    /// is not outdated: every password with those first 72 bytes matches it, and re-hashing
    /// the one typed now would pin the account to it, so the user's real password would
    /// stop working. The hash stays until the next password change.
    public func check(_ password: String, against storedHash: String) -> PasswordMatch {
        guard !storedHash.isEmpty else { return .wrong }
        if LegacyPasswordVerifier.isWerkzeug(storedHash) {
            return LegacyPasswordVerifier.verify(password, against: storedHash) ? .right(outdated: true) : .wrong
        }
        if let cost = LegacyPasswordVerifier.bcryptCostField(storedHash), cost > maximumBcryptCost { return .wrong }
        let matched = Self.phrases(password, setting: storedHash).firstIndex { phrase in
            guard let hashed = crypt(phrase, setting: storedHash) else { return false }
            return ConstantTime.equals(hashed.utf8, storedHash.utf8)
        }
        guard let matched else { return .wrong }
        if matched == Self.truncatedPhrase { return .right(outdated: false) }
        return .right(outdated: matched > 0 || needsRehash(storedHash))
    }

    /// Hashes of `codes` that share one setting (one salt), so `match(_:inBatch:)` checks a
    /// code against all of them with one hash: for recovery codes, random enough (≥ 50 bits
    /// each) that a salt per code would add nothing.
    public func hashBatch(_ codes: [String]) throws -> [String] {
        guard let setting = Self.makeSetting(policy) else { throw PasswordHashingError.hashingFailed }
        return try codes.map { code in
            guard let hashed = crypt(Self.cString(Array(code.utf8)), setting: setting), hashed.hasPrefix(setting)
            else { throw PasswordHashingError.hashingFailed }
            return hashed
        }
    }

    /// The index of the hash of `code` among `hashes`, all of one `hashBatch`; every
    /// comparison constant time. Nil when none matches (or the code holds U+0000).
    public func match(_ code: String, inBatch hashes: [String]) -> Int? {
        guard let first = hashes.first, !code.utf8.contains(0),
            let hashed = crypt(Self.cString(Array(code.utf8)), setting: first)
        else { return nil }
        var found: Int?
        for (index, hash) in hashes.enumerated() where ConstantTime.equals(hashed.utf8, hash.utf8) {
            found = index
        }
        return found
    }

    /// Whether `password` matches `storedHash`: `check` without the re-hash answer.
    public func verify(_ password: String, against storedHash: String) -> Bool {
        check(password, against: storedHash) != .wrong
    }

    /// The highest bcrypt cost `verify` computes: the import cap, or the policy's own cost.
    private var maximumBcryptCost: Int {
        policy.scheme == .bcrypt ? max(PasswordHashCaps.bcryptCost, policy.cost) : PasswordHashCaps.bcryptCost
    }

    /// True when `storedHash` wasn't made with the policy's method and cost (including
    /// `$2a$`/`$2y$` bcrypt under a `$2b$` policy, and every imported Werkzeug hash).
    public func needsRehash(_ storedHash: String) -> Bool {
        let fields = storedHash.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[0].isEmpty else { return true }
        return fields[1] != methodID || fields[2] != parameters
    }

    /// Spends the time of one `verify` under the policy, for logins of unknown users, so the
    /// response time doesn't reveal whether an account exists.
    public func verifyAgainstDummy(_ password: String) {
        _ = verify(password, against: dummyHash)
    }

    /// `crypt_rn` output, or nil when libxcrypt fails (it then returns NULL).
    private func crypt(_ phrase: [CChar], setting: String) -> String? {
        let text = HashingSlots.run {
            let started = MonotonicClock.nanoseconds()
            defer { metrics.recordPasswordHash(nanoseconds: MonotonicClock.nanoseconds() - started) }
            return crypt_rn(phrase, setting, data, dataSize).map { String(cString: $0) }
        }
        guard let text, !text.hasPrefix("*") else { return nil }
        return text
    }

    /// A setting string (`$y$j9T$<salt>`) for the policy, salted from `SecureRandom`.
    private static func makeSetting(_ policy: PasswordPolicy) -> String? {
        let salt = SecureRandom.bytes(16)
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let made = salt.withUnsafeBufferPointer { saltBuffer in
            saltBuffer.withMemoryRebound(to: CChar.self) { saltChars in
                crypt_gensalt_rn(
                    policy.scheme.prefix, UInt(policy.cost), saltChars.baseAddress, Int32(saltChars.count), &output,
                    Int32(output.count))
            }
        }
        guard made != nil, output[0] != CChar(UInt8(ascii: "*")) else { return nil }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The NUL-terminated phrases that stand for `password` under `setting`: the first is the
    /// one `hash` uses; a reduced password then has its old, typeable reduction, and for
    /// bcrypt its first 72 bytes, which match hashes made by bcrypts that truncate. See the
    /// type's comment.
    static func phrases(_ password: String, setting: some StringProtocol) -> [[CChar]] {
        let bytes = Array(password.utf8)
        let isBcrypt = setting.hasPrefix("$2")
        let limit = isBcrypt ? bcryptKeyLength : Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1
        let isWhole = !bytes.contains(0) && bytes.count <= limit
        guard !isWhole || isOldReduction(bytes) else { return [cString(bytes)] }
        let digest = SHA256.hash(bytes)
        let reduced = cString([reductionMarker] + Array(Base64URL.encode(digest).utf8))
        guard !isWhole else { return [reduced] }
        let old = cString(Array(oldReductionPrefix.utf8) + Array(Hex.encode(digest).utf8))
        let truncated = bytes.prefix(bcryptKeyLength)
        guard isBcrypt, !truncated.contains(0) else { return [reduced, old] }
        return [reduced, old, cString(Array(truncated))]
    }

    /// Whether `bytes` is what a password used to be reduced to: `sha256:` and 64 lowercase
    /// hex digits.
    private static func isOldReduction(_ bytes: [UInt8]) -> Bool {
        bytes.count == oldReductionPrefix.utf8.count + 64 && bytes.starts(with: oldReductionPrefix.utf8)
            && bytes.dropFirst(oldReductionPrefix.utf8.count).allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }

    /// Starts every reduced phrase: never part of valid UTF-8, so never typed.
    static let reductionMarker: UInt8 = 0xFF
    private static let oldReductionPrefix = "sha256:"

    private static func cString(_ bytes: [UInt8]) -> [CChar] {
        (bytes + [0]).map { CChar(bitPattern: $0) }
    }

    /// The index in `phrases` of bcrypt's truncation, the last of three.
    private static let truncatedPhrase = 2

    /// bcrypt reads at most 72 bytes of a passphrase.
    static let bcryptKeyLength = 72
}
