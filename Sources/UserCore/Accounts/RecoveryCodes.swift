/// Recovery codes (contract §3, Two-factor sign-in (v2)): ten per batch, each ten letters of a
/// 32-letter alphabet (50 random bits) shown as `xxxxx-xxxxx`, stored only as hashes of one
/// batch (`PasswordChecking.hashBatch`).
package enum RecoveryCodes {
    package static let batchSize = 10

    /// Crockford's base32 letters in lower case: no `i`, `l`, `o` or `u` to misread.
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new batch of distinct codes.
    static func generate() -> [String] {
        var codes: [String] = []
        while codes.count < batchSize {
            // 5 bits from each random byte: 256 is a multiple of 32, so every letter is as likely.
            let letters = SecureRandom.bytes(10).map { alphabet[Int($0 & 0x1F)] }
            let code = String(decoding: letters[..<5] + [UInt8(ascii: "-")] + letters[5...], as: UTF8.self)
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }

    /// A code as typed — any case, with or without the hyphen, spaces around — in the stored
    /// form, or nil when it can't be one.
    static func normalized(_ typed: String) -> String? {
        let letters = typed.lowercased().utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
        guard letters.count == 10, letters.allSatisfy(alphabet.contains) else { return nil }
        return String(decoding: letters[..<5] + [UInt8(ascii: "-")] + letters[5...], as: UTF8.self)
    }
}
