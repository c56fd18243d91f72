/// Password hashes carried over from the Flask apps this service replaces: bcrypt
/// (`$2a$`/`$2b$`/`$2y$`, as Flask-Bcrypt writes them; libxcrypt verifies those) and
/// Werkzeug's `scrypt:N:r:p$salt$hex` and `pbkdf2:DIGEST:N$salt$hex` (verified here through
/// OpenSSL). `check` is what `import-users` accepts; `PasswordHasher.verify` sends Werkzeug
/// hashes to `verify` and applies the bcrypt cap itself.
public enum LegacyPasswordVerifier {
    /// The kinds of hash an import may carry.
    public enum Kind: String, Sendable {
        case bcrypt
        case werkzeugScrypt = "Werkzeug scrypt"
        case werkzeugPBKDF2 = "Werkzeug pbkdf2"
    }

    /// Why an imported hash is refused. The message names the format and its parameters,
    /// never the salt or the hash.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: String, Sendable {
            /// Not a format this service verifies (MD5, SHA-1, passlib, plain text…).
            case unsupported = "unsupported password hash"
            /// A supported format with cost parameters over `PasswordHashCaps`.
            case overCap = "password hash over the cost caps"
            /// A supported format, but broken.
            case malformed = "malformed password hash"
        }

        public let reason: Reason
        public let message: String

        public var description: String { message }
    }

    /// The kind of `hash` if an import may carry it (supported, well formed, within the caps).
    public static func check(_ hash: String) -> Result<Kind, Rejection> {
        if hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$") {
            guard let cost = bcryptCost(hash) else {
                return .failure(Rejection(reason: .malformed, message: "malformed bcrypt hash"))
            }
            guard cost <= PasswordHashCaps.bcryptCost else {
                return .failure(
                    Rejection(
                        reason: .overCap,
                        message: "bcrypt cost \(cost) is over the cap of \(PasswordHashCaps.bcryptCost)"))
            }
            return .success(.bcrypt)
        }
        do {
            let parsed = try WerkzeugHash.parse(hash)
            if case .scrypt = parsed.function { return .success(.werkzeugScrypt) }
            return .success(.werkzeugPBKDF2)
        } catch {
            switch error {
            case .notWerkzeug:
                return .failure(
                    Rejection(reason: .unsupported, message: "unsupported hash format \(describeFormat(hash))"))
            case .overCap(let message): return .failure(Rejection(reason: .overCap, message: message))
            case .unsupported(let message): return .failure(Rejection(reason: .unsupported, message: message))
            case .malformed(let message): return .failure(Rejection(reason: .malformed, message: message))
            }
        }
    }

    /// Whether `storedHash` is in one of Werkzeug's formats (valid or not); those go to
    /// `verify` here, everything else to libxcrypt.
    static func isWerkzeug(_ storedHash: String) -> Bool {
        WerkzeugHash.isCandidate(storedHash)
    }

    /// Whether `password` matches a Werkzeug hash; false for one that is malformed,
    /// unsupported or over the caps (without deriving anything).
    static func verify(_ password: String, against storedHash: String) -> Bool {
        guard let parsed = try? WerkzeugHash.parse(storedHash) else { return false }
        return parsed.matches(password)
    }

    /// The cost of a well-formed `$2a$`/`$2b$`/`$2y$` hash (`$2b$12$` + 53 characters of
    /// bcrypt's base64), or nil.
    static func bcryptCost(_ hash: String) -> Int? {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
            bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"),
            let tens = digit(bytes[4]), let ones = digit(bytes[5]),
            bytes[7...].allSatisfy(isBcryptBase64)
        else { return nil }
        let cost = tens * 10 + ones
        return (4...31).contains(cost) ? cost : nil
    }

    /// The cost of any `$2?$NN$` hash, well formed or not, for `PasswordHasher.verify`'s cap.
    static func bcryptCostField(_ hash: String) -> Int? {
        let bytes = Array(hash.utf8.prefix(7))
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            bytes[3] == UInt8(ascii: "$"), let tens = digit(bytes[4]), let ones = digit(bytes[5])
        else { return nil }
        return tens * 10 + ones
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
    }

    private static func isBcryptBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "/"), 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// A name for an unknown format, only from a list of well-known ones (the text before the
    /// first `$` could be a plain-text password, so it is never shown otherwise).
    static func describeFormat(_ hash: String) -> String {
        let head: String
        if hash.hasPrefix("$") {
            let fields = hash.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
            head = fields.count > 2 ? "$" + fields[1] + "$" : ""
        } else {
            head = hash.firstIndex(of: "$").map { String(hash[..<$0]) } ?? ""
        }
        return knownFormats.contains(head) ? "\"\(head)\"" : "(unrecognised)"
    }

    /// Formats of crypt(5), Werkzeug before 2.3 (`sha256$salt$hmac`, `plain$$…`) and passlib.
    private static let knownFormats: Set<String> = [
        "$1$", "$5$", "$6$", "$y$", "$gy$", "$7$", "$2x$", "$sha1$", "$md5$", "$argon2i$", "$argon2d$",
        "$argon2id$", "$pbkdf2$", "$pbkdf2-sha256$", "$pbkdf2-sha512$", "$bcrypt-sha256$", "$scrypt$",
        "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "plain",
    ]
}
