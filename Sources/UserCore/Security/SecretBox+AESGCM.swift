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
        precondition(key.count == aesKeyByteCount && nonce.count == nonceByteCount, "AES-256-GCM: bad key or nonce")
        let context = CipherContext()
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        var length: Int32 = 0
        var finalLength: Int32 = 0
        guard EVP_EncryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            aad.isEmpty || EVP_EncryptUpdate(context.pointer, nil, &length, aad, Int32(aad.count)) == 1,
            plaintext.isEmpty
                || EVP_EncryptUpdate(context.pointer, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1,
            // GCM is a stream mode: Final writes nothing, so the buffer is only a valid pointer.
            EVP_EncryptFinal_ex(context.pointer, &tag, &finalLength) == 1, finalLength == 0,
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1
        else { fatalError("OpenSSL AES-256-GCM encryption failed") }
        return (ciphertext, tag)
    }

    /// The plaintext, or nil when the tag doesn't match `ciphertext` and `aad` under `key`.
    static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], aad: [UInt8], ciphertext: [UInt8], tag: [UInt8])
        -> [UInt8]?
    {
        precondition(key.count == aesKeyByteCount && nonce.count == nonceByteCount, "AES-256-GCM: bad key or nonce")
        guard tag.count == tagByteCount else { return nil }
        let context = CipherContext()
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        var expectedTag = tag
        var length: Int32 = 0
        var finalLength: Int32 = 0
        guard EVP_DecryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            aad.isEmpty || EVP_DecryptUpdate(context.pointer, nil, &length, aad, Int32(aad.count)) == 1,
            ciphertext.isEmpty
                || EVP_DecryptUpdate(context.pointer, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1,
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &expectedTag) == 1
        else { fatalError("OpenSSL AES-256-GCM decryption failed") }
        // Final compares the tags (in constant time) and fails on a mismatch; the plaintext
        // written so far is then discarded.
        guard EVP_DecryptFinal_ex(context.pointer, &expectedTag, &finalLength) == 1, finalLength == 0 else {
            return nil
        }
        return plaintext
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
