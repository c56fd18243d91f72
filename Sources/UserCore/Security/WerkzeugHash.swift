internal import COpenSSL

/// A password hash in the format of Werkzeug's `generate_password_hash` (Flask apps):
/// `method$salt$hex`, with method `scrypt:N:r:p` or `pbkdf2:DIGEST:ITERATIONS`.
///
/// As Werkzeug's `_hash_internal` computes them (checked against Werkzeug 3.1): the salt is
/// used as its UTF-8 text (not decoded), the password as UTF-8; scrypt derives 64 bytes
/// (`hashlib.scrypt`'s default), PBKDF2-HMAC derives the digest's size (32 for SHA-256).
/// Werkzeug always writes the parameters, but `check_password_hash` also reads `scrypt$…`
/// (N = 2^15, r = 8, p = 1) and `pbkdf2$…` / `pbkdf2:DIGEST$…` (its current default
/// iterations, 1 000 000 since Werkzeug 3.1): those read the same here.
///
/// Parsing enforces `PasswordHashCaps`; the derivation runs in OpenSSL
/// (`EVP_PBE_scrypt`, `PKCS5_PBKDF2_HMAC`) and the comparison is constant time.
struct WerkzeugHash: Sendable, Equatable {
    enum Function: Sendable, Equatable {
        case scrypt(n: UInt64, r: UInt64, p: UInt64)
        case pbkdf2(Digest, iterations: Int)
    }

    /// The `hashlib` names Werkzeug passes through for PBKDF2.
    enum Digest: String, Sendable, CaseIterable {
        case sha1, sha224, sha256, sha384, sha512

        var byteCount: Int {
            switch self {
            case .sha1: 20
            case .sha224: 28
            case .sha256: 32
            case .sha384: 48
            case .sha512: 64
            }
        }
    }

    /// Why a text is not a hash this type can verify. Descriptions name the method and its
    /// parameters, never the salt or the hash.
    enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not `scrypt…$…` or `pbkdf2…$…` at all.
        case notWerkzeug
        case malformed(String)
        case unsupported(String)
        case overCap(String)

        var description: String {
            switch self {
            case .notWerkzeug: "not a Werkzeug hash"
            case .malformed(let reason), .unsupported(let reason), .overCap(let reason): reason
            }
        }
    }

    /// `hashlib.scrypt`'s default output length, which Werkzeug keeps.
    static let scryptKeyLength = 64
    /// What `check_password_hash` uses when a hash omits them.
    static let defaultScrypt = Function.scrypt(n: 1 << 15, r: 8, p: 1)
    static let defaultPBKDF2Iterations = 1_000_000
    /// Werkzeug's salts are 16 characters; anything far longer is not one of its hashes.
    static let maximumSaltLength = 1024

    let function: Function
    let salt: [UInt8]
    let expected: [UInt8]

    /// Whether `text` claims to be a Werkzeug hash (method `scrypt` or `pbkdf2`), valid or not.
    static func isCandidate(_ text: some StringProtocol) -> Bool {
        let method = text.prefix { $0 != "$" && $0 != ":" }
        return (method == "scrypt" || method == "pbkdf2") && text.contains("$")
    }

    static func parse(_ text: String) throws(Rejection) -> WerkzeugHash {
        guard isCandidate(text) else { throw .notWerkzeug }
        // Werkzeug splits at the first two "$"; the hex part can't contain one.
        let parts = text.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("Werkzeug hash without salt and hash parts") }
        let methodParts = parts[0].split(separator: ":", omittingEmptySubsequences: false)
        let function = try parseFunction(name: methodParts[0], arguments: methodParts.dropFirst())
        let salt = Array(parts[1].utf8)
        guard salt.count <= maximumSaltLength else { throw .malformed("Werkzeug hash with a salt over 1024 bytes") }
        guard let expected = decodeHex(parts[2]) else { throw .malformed("Werkzeug hash whose hash part is not hex") }
        let keyLength =
            switch function {
            case .scrypt: scryptKeyLength
            case .pbkdf2(let digest, _): digest.byteCount
            }
        guard expected.count == keyLength else {
            throw .malformed("Werkzeug hash of \(expected.count) bytes where \(parts[0]) makes \(keyLength)")
        }
        return WerkzeugHash(function: function, salt: salt, expected: expected)
    }

    private static func parseFunction(name: Substring, arguments: ArraySlice<Substring>) throws(Rejection) -> Function {
        switch name {
        case "scrypt":
            if arguments.isEmpty { return defaultScrypt }
            guard arguments.count == 3, let n = number(arguments.first!),
                let r = number(arguments.dropFirst().first!), let p = number(arguments.last!)
            else { throw .malformed("scrypt hash whose parameters are not N:r:p") }
            let method = "scrypt:\(n):\(r):\(p)"
            guard n > 1, n & (n - 1) == 0, r > 0, p > 0 else { throw .malformed("\(method): invalid parameters") }
            guard n <= PasswordHashCaps.scryptN, r <= PasswordHashCaps.scryptR, p <= PasswordHashCaps.scryptP,
                128 * n * r <= PasswordHashCaps.scryptMemory
            else {
                throw .overCap(
                    "\(method) is over the caps (N ≤ 2^17, r ≤ \(PasswordHashCaps.scryptR), "
                        + "p ≤ \(PasswordHashCaps.scryptP), 128·N·r ≤ 128 MiB)")
            }
            return .scrypt(n: n, r: r, p: p)
        case "pbkdf2":
            guard arguments.count <= 2 else { throw .malformed("pbkdf2 hash with more than two parameters") }
            let digestName = arguments.first ?? "sha256"
            guard let digest = Digest(rawValue: String(digestName)) else {
                throw .unsupported("pbkdf2 with digest \"\(digestName.prefix(16))\" is not supported")
            }
            var iterations = defaultPBKDF2Iterations
            if arguments.count == 2 {
                guard let given = number(arguments.last!), given > 0, given <= UInt64(Int32.max) else {
                    throw .malformed("pbkdf2:\(digest.rawValue) hash whose iteration count is not a number")
                }
                iterations = Int(given)
            }
            guard iterations <= PasswordHashCaps.pbkdf2Iterations else {
                throw .overCap(
                    "pbkdf2:\(digest.rawValue):\(iterations) is over the cap of \(PasswordHashCaps.pbkdf2Iterations) iterations"
                )
            }
            return .pbkdf2(digest, iterations: iterations)
        default:
            throw .notWerkzeug
        }
    }

    /// Decimal digits only, at most 10 of them (no sign, no spaces, no overflow).
    private static func number(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return UInt64(text)
    }

    private static func decodeHex(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }

    /// The method part as Werkzeug writes it, e.g. `scrypt:32768:8:1`.
    var method: String {
        switch function {
        case .scrypt(let n, let r, let p): "scrypt:\(n):\(r):\(p)"
        case .pbkdf2(let digest, let iterations): "pbkdf2:\(digest.rawValue):\(iterations)"
        }
    }

    /// Derives the key from `password` and compares it in constant time. False if OpenSSL
    /// fails.
    func matches(_ password: String) -> Bool {
        let phrase = Array(password.utf8)
        var derived = [UInt8](repeating: 0, count: expected.count)
        let status: Int32 = phrase.withUnsafeBufferPointer { phraseBuffer in
            salt.withUnsafeBufferPointer { saltBuffer in
                derived.withUnsafeMutableBufferPointer { output in
                    phraseBuffer.withMemoryRebound(to: CChar.self) { phraseChars in
                        switch function {
                        case .scrypt(let n, let r, let p):
                            // OpenSSL needs 128·r·(N + 2) bytes for V and 128·r·p for B.
                            let memory = 128 * r * (n + 2 + p)
                            return EVP_PBE_scrypt(
                                phraseChars.baseAddress, phraseChars.count, saltBuffer.baseAddress, saltBuffer.count,
                                n, r, p, memory, output.baseAddress, output.count)
                        case .pbkdf2(let digest, let iterations):
                            return PKCS5_PBKDF2_HMAC(
                                phraseChars.baseAddress, Int32(phraseChars.count), saltBuffer.baseAddress,
                                Int32(saltBuffer.count), Int32(iterations), Self.evpDigest(digest), Int32(output.count),
                                output.baseAddress)
                        }
                    }
                }
            }
        }
        defer { derived.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        return status == 1 && ConstantTime.equals(derived, expected)
    }

    private static func evpDigest(_ digest: Digest) -> OpaquePointer? {
        switch digest {
        case .sha1: EVP_sha1()
        case .sha224: EVP_sha224()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }
}
