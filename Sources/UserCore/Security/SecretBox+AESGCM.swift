internal import COpenSSL

/// AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP cipher API: the core `SecretBox`
/// wraps, internal so a test can hold it to published vectors. A context is made per call:
/// boxes are opened a few times per login, not per request, and nothing is shared between
/// threads.
extension SecretBox {
    static let aesKeyByteCount = 32
    static let nonceByteCount = 12
    static let tagByteCount = 16

    /// Encrypts `plaintext` under `key` with `nonce` (12 bytes, never reused with one key),
    /// authenticating `aad` too.
    static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8])
        -> (ciphertext: [UInt8], tag: [UInt8])
    {
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        guard
            let ciphertext = aes256GCM(encrypting: true, key: key, nonce: nonce, aad: aad, input: plaintext, tag: &tag)
        else { fatalError("OpenSSL AES-256-GCM encryption failed") }
        return (ciphertext, tag)
    }

    /// The plaintext, or nil when the tag doesn't match `ciphertext` and `aad` under `key`.
    static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], aad: [UInt8], ciphertext: [UInt8], tag: [UInt8])
        -> [UInt8]?
    {
        guard tag.count == tagByteCount else { return nil }
        var expectedTag = tag
        return aes256GCM(encrypting: false, key: key, nonce: nonce, aad: aad, input: ciphertext, tag: &expectedTag)
    }

    /// One pass of `EVP_Cipher*` in either direction: encrypting writes the tag into `tag`,
    /// decrypting checks `tag`. Nil when the final step fails, which for decryption means the
    /// tag doesn't match (OpenSSL compares it in constant time); the output written so far
    /// is then discarded.
    private static func aes256GCM(
        encrypting: Bool, key: [UInt8], nonce: [UInt8], aad: [UInt8], input: [UInt8], tag: inout [UInt8]
    ) -> [UInt8]? {
        precondition(key.count == aesKeyByteCount && nonce.count == nonceByteCount, "AES-256-GCM: bad key or nonce")
        let context = CipherContext()
        var output = [UInt8](repeating: 0, count: input.count)
        var length: Int32 = 0
        guard EVP_CipherInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce, encrypting ? 1 : 0) == 1,
            aad.isEmpty || EVP_CipherUpdate(context.pointer, nil, &length, aad, Int32(aad.count)) == 1,
            input.isEmpty || EVP_CipherUpdate(context.pointer, &output, &length, input, Int32(input.count)) == 1,
            encrypting || EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1
        else { fatalError("OpenSSL AES-256-GCM failed") }
        // GCM is a stream mode: Final writes no bytes, so any valid pointer will do.
        var finalBlock = [UInt8](repeating: 0, count: 16)
        guard EVP_CipherFinal_ex(context.pointer, &finalBlock, &length) == 1, length == 0 else { return nil }
        if encrypting, EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) != 1 {
            return nil
        }
        return output
    }
}

/// An `EVP_CIPHER_CTX`, freed (and its key material cleared) in `deinit`.
private final class CipherContext {
    let pointer: OpaquePointer

    init() {
        guard let made = EVP_CIPHER_CTX_new() else { fatalError("OpenSSL can't create a cipher context") }
        pointer = made
    }

    deinit {
        EVP_CIPHER_CTX_free(pointer)
    }
}
