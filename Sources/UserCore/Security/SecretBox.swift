/// Seals small secrets (TOTP secrets) for a database column with AES-256-GCM, so the database
/// alone never yields them (contract §3): the key lives only in the configuration
/// (`MFA_SECRET_KEY`).
///
/// A box is the text `v1.` followed by base64url (no padding) of
/// `key id (4) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. The key id is the start of a SHA-256 of
/// the derived AES key, so a box names the key that opens it without revealing it; the
/// version and key id are authenticated together with the caller's `context`, so a box
/// copied to another row (another context) or relabelled does not open.
///
/// Keys only: `Sendable`, and every call makes its own cipher context. The AES keys are
/// derived when a box is sealed or opened, a few times per enrollment or login, not when the
/// configuration is read: libcrypto's start (its config file, its providers) costs ~2 ms, and
/// a CGI request that touches no secret must not pay it.
package struct SecretBox: Sendable {
    /// An AES key derived from a configured key, and its id.
    private struct Key {
        let aesKey: [UInt8]
        let id: [UInt8]

        /// The configured key is never used raw: HMAC-SHA256 under it with a fixed label
        /// gives a uniform 256-bit AES key whatever text the key is.
        init(_ configured: [UInt8]) {
            aesKey = HMACSHA256(key: configured).authenticate(Array("auth-fcgi secret box v1".utf8))
            id = Array(SHA256.hash(Array("key id".utf8) + aesKey).prefix(SecretBox.keyIDByteCount))
        }
    }

    static let prefix = "v1."
    static let keyIDByteCount = 4

    private let currentKey: [UInt8]
    private let previousKeys: [[UInt8]]

    private var current: Key { Key(currentKey) }

    /// `key`: `MFA_SECRET_KEY`'s bytes (configuration refuses fewer than 32). `previousKeys`:
    /// keys that still open older boxes during a rotation; they never seal.
    package init(key: [UInt8], previousKeys: [[UInt8]] = []) {
        currentKey = key
        self.previousKeys = previousKeys
    }

    /// `plaintext` sealed under the current key with a fresh random nonce, as ASCII text for a
    /// TEXT column. `context` (e.g. `"totp:<user id>"`) must be given again to open it.
    package func seal(_ plaintext: [UInt8], context: String) -> String {
        let current = current
        let nonce = SecureRandom.bytes(Self.nonceByteCount)
        let sealed = Self.aes256GCMSeal(
            key: current.aesKey, nonce: nonce, aad: Self.additionalData(keyID: current.id, context: context),
            plaintext: plaintext)
        return Self.prefix + Base64URL.encode(current.id + nonce + sealed.ciphertext + sealed.tag)
    }

    /// Opens a box sealed under the current or a previous key, chosen by the box's key id.
    package func open(_ sealed: String, context: String) throws(SecretBoxError) -> [UInt8] {
        let parts = try Self.parts(of: sealed)
        guard let key = ([currentKey] + previousKeys).lazy.map(Key.init).first(where: { $0.id == parts.keyID })
        else { throw .unknownKey }
        guard
            let plaintext = Self.aes256GCMOpen(
                key: key.aesKey, nonce: parts.nonce, aad: Self.additionalData(keyID: key.id, context: context),
                ciphertext: parts.ciphertext, tag: parts.tag)
        else { throw .authenticationFailed }
        return plaintext
    }

    /// Whether `sealed` names the current key (a rotation re-seals the others). Says nothing
    /// about whether it opens.
    package func isCurrent(_ sealed: String) -> Bool {
        (try? Self.parts(of: sealed).keyID) == current.id
    }

    private static func parts(of sealed: String) throws(SecretBoxError) -> (
        keyID: [UInt8], nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]
    ) {
        guard sealed.hasPrefix(prefix), let bytes = Base64URL.decode(bytes: sealed.utf8.dropFirst(prefix.utf8.count)),
            bytes.count >= keyIDByteCount + nonceByteCount + tagByteCount
        else { throw .malformed }
        let nonceEnd = keyIDByteCount + nonceByteCount
        return (
            Array(bytes[..<keyIDByteCount]), Array(bytes[keyIDByteCount..<nonceEnd]),
            Array(bytes[nonceEnd..<(bytes.count - tagByteCount)]), Array(bytes[(bytes.count - tagByteCount)...])
        )
    }

    /// The version, the key id (both fixed length) and the caller's context.
    private static func additionalData(keyID: [UInt8], context: String) -> [UInt8] {
        Array(prefix.utf8) + keyID + Array(context.utf8)
    }
}

/// Why a box didn't open.
package enum SecretBoxError: Error, Equatable, CustomStringConvertible {
    /// Not a box of this version: cut, or not base64url.
    case malformed
    /// Sealed under a key that is neither the current nor a previous one.
    case unknownKey
    /// The tag doesn't match: altered, or opened with another context.
    case authenticationFailed

    /// What the log of a failed request says: what to check, never a key or a secret.
    package var description: String {
        switch self {
        case .malformed: "a sealed TOTP secret is malformed"
        case .unknownKey:
            "a TOTP secret is sealed under neither MFA_SECRET_KEY nor MFA_PREVIOUS_SECRET_KEY (see rotate-mfa-key)"
        case .authenticationFailed: "a sealed TOTP secret does not open: altered, or moved to another user"
        }
    }
}
