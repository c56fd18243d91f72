internal import COpenSSL

/// EdDSA and ES256 signatures (RFC 8037, RFC 7518 §3.4) through OpenSSL's `EVP_DigestSign`
/// and `EVP_DigestVerify`, for one thread.
///
/// Keeps one `EVP_MD_CTX`, reset and re-initialised with the key per message (the keys
/// themselves are parsed once, at start). The reset matters: OpenSSL 3.0 keeps the key context
/// of a finished verification, and a signing init over it with another key fails. Ed25519 signs the message itself (a NULL digest); ES256 hashes it
/// with SHA-256 and its signature travels as JOSE's raw 64-byte `r || s`, never DER. Not
/// thread-safe and not `Sendable`: make one per thread. The context is freed in `deinit`.
final class SignatureContext {
    /// Both algorithms' signatures: Ed25519's 64 bytes, and ES256's 32-byte `r` and `s`.
    static let signatureByteCount = 64
    /// The longest DER encoding of a P-256 signature (two 33-byte INTEGERs in a SEQUENCE).
    private static let maximumDERByteCount = 72

    private let context: OpaquePointer

    init() {
        guard let made = EVP_MD_CTX_new() else { fatalError("OpenSSL can't create a digest context") }
        context = made
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    func sign(_ message: some Collection<UInt8>, with key: SigningKey) -> [UInt8] {
        precondition(key.isPrivate, "SignatureContext: signing needs a private key")
        let message = Array(message)
        var der = [UInt8](repeating: 0, count: Self.maximumDERByteCount)
        var length = der.count
        guard EVP_MD_CTX_reset(context) == 1, EVP_DigestSignInit(context, nil, Self.digest(key), nil, key.pointer) == 1,
            EVP_DigestSign(context, &der, &length, message, message.count) == 1
        else { fatalError("OpenSSL can't sign with a \(key.algorithm.keyName) key") }
        if key.algorithm == .edDSA { return Array(der[..<length]) }
        var raw = [UInt8](repeating: 0, count: Self.signatureByteCount)
        guard copenssl_ecdsa_der_to_raw(der, length, &raw, Int32(Self.signatureByteCount / 2)) == 1 else {
            fatalError("OpenSSL made an ECDSA signature that isn't DER")
        }
        return raw
    }

    /// Whether `signature` (64 bytes, raw `r || s` for ES256) is `key`'s over `message`.
    func verify(
        _ signature: [UInt8], of message: UnsafeRawBufferPointer, with key: SigningKey
    ) -> Bool {
        guard signature.count == Self.signatureByteCount else { return false }
        // Ed25519 verifies the 64 bytes as they are; ES256's r || s becomes DER for OpenSSL.
        var der = signature
        if key.algorithm != .edDSA {
            der = [UInt8](repeating: 0, count: Self.maximumDERByteCount)
            let length = copenssl_ecdsa_raw_to_der(
                signature, Int32(Self.signatureByteCount / 2), &der, Int32(Self.maximumDERByteCount))
            guard length > 0 else { return false }
            der.removeSubrange(Int(length)...)
        }
        guard EVP_MD_CTX_reset(context) == 1,
            EVP_DigestVerifyInit(context, nil, Self.digest(key), nil, key.pointer) == 1
        else {
            fatalError("OpenSSL can't verify with a \(key.algorithm.keyName) key")
        }
        return EVP_DigestVerify(
            context, der, der.count, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
    }

    /// Ed25519 takes no digest (it hashes inside); ES256 is SHA-256.
    private static func digest(_ key: SigningKey) -> OpaquePointer? {
        key.algorithm == .edDSA ? nil : EVP_sha256()
    }
}
