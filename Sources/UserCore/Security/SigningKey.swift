internal import COpenSSL

/// An Ed25519 or P-256 key for EdDSA or ES256 tokens: a private key that signs, or a public
/// key (an older one, during a rotation) that only verifies.
///
/// Parsed once at start and shared read-only by every thread (`@unchecked Sendable`: the
/// `EVP_PKEY` is never changed after `init`, and OpenSSL allows concurrent signing and
/// verifying with one key); each thread signs through its own `SignatureContext`.
public final class SigningKey: @unchecked Sendable {
    public let algorithm: JWTAlgorithm
    /// `kid`: the RFC 7638 thumbprint of the public key.
    public let keyID: String
    /// Whether it can sign.
    public let isPrivate: Bool
    /// The public JWK's key members in RFC 7638's order: `crv`, `kty`, `x` (and `y`).
    let publicMembers: [(name: String, value: String)]
    /// The `EVP_PKEY`, freed in `deinit`.
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`; nil (and the key freed) when it is neither an Ed25519
    /// nor a P-256 key.
    private init?(owning pointer: OpaquePointer, isPrivate: Bool) {
        self.pointer = pointer
        self.isPrivate = isPrivate
        if EVP_PKEY_is_a(pointer, "ED25519") == 1, let x = Self.rawPublicKey(pointer) {
            algorithm = .edDSA
            publicMembers = [("crv", "Ed25519"), ("kty", "OKP"), ("x", Base64URL.encode(x))]
        } else if EVP_PKEY_is_a(pointer, "EC") == 1, Self.groupName(pointer) == "prime256v1",
            let x = Self.coordinate(pointer, OSSL_PKEY_PARAM_EC_PUB_X),
            let y = Self.coordinate(pointer, OSSL_PKEY_PARAM_EC_PUB_Y)
        {
            algorithm = .es256
            publicMembers = [
                ("crv", "P-256"), ("kty", "EC"), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y)),
            ]
        } else {
            EVP_PKEY_free(pointer)
            return nil
        }
        keyID = Self.thumbprint(publicMembers)
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// A new private key, from OpenSSL's DRBG.
    public static func generate(_ algorithm: JWTAlgorithm) -> SigningKey {
        precondition(algorithm != .hs256, "SigningKey: HS256 has no key pair")
        let context = EVP_PKEY_CTX_new_from_name(nil, algorithm == .edDSA ? "ED25519" : "EC", nil)
        defer { EVP_PKEY_CTX_free(context) }
        var made: OpaquePointer?
        guard let context, EVP_PKEY_keygen_init(context) == 1,
            algorithm == .edDSA || EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_generate(context, &made) == 1, let made, let key = SigningKey(owning: made, isPrivate: true)
        else { fatalError("OpenSSL can't generate a \(algorithm.keyName) key") }
        return key
    }

    /// The private key in `pem` (PKCS#8, `BEGIN PRIVATE KEY`); nil when it holds none of ours.
    public static func privateKey(pem: String) -> SigningKey? {
        withBIO(reading: pem) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }.flatMap {
            SigningKey(owning: $0, isPrivate: true)
        }
    }

    /// The public key in `pem` (SubjectPublicKeyInfo, `BEGIN PUBLIC KEY`); nil when it holds
    /// none of ours.
    public static func publicKey(pem: String) -> SigningKey? {
        withBIO(reading: pem) { PEM_read_bio_PUBKEY($0, nil, nil, nil) }.flatMap {
            SigningKey(owning: $0, isPrivate: false)
        }
    }

    /// The private key as unencrypted PKCS#8 PEM.
    public var privateKeyPEM: String {
        precondition(isPrivate, "SigningKey: a public key has no private PEM")
        return Self.pem { PEM_write_bio_PrivateKey($0, pointer, nil, nil, 0, nil, nil) }
    }

    /// The public key as SubjectPublicKeyInfo PEM, for `JWT_PUBLIC_KEY_FILES`.
    public var publicKeyPEM: String {
        Self.pem { PEM_write_bio_PUBKEY($0, pointer) }
    }

    /// The public JWK the JWKS publishes (contract §2): the key members, `kid`, `alg`, `use`.
    public var publicJWK: JSONObject {
        var jwk = JSONObject()
        for member in publicMembers where member.name == "kty" { jwk.append(member.name, .string(member.value)) }
        for member in publicMembers where member.name != "kty" { jwk.append(member.name, .string(member.value)) }
        jwk.append("kid", .string(keyID))
        jwk.append("alg", .string(algorithm.rawValue))
        jwk.append("use", .string("sig"))
        return jwk
    }

    /// RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace,
    /// base64url. The values are base64url or fixed names: nothing to escape.
    static func thumbprint(_ members: [(name: String, value: String)]) -> String {
        let json = "{" + members.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
        return Base64URL.encode(SHA256.hash(json.utf8))
    }

    private static func withBIO(reading text: String, _ body: (OpaquePointer) -> OpaquePointer?) -> OpaquePointer? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { fatalError("OpenSSL can't create a memory BIO") }
        defer { BIO_free(bio) }
        var data: UnsafeMutablePointer<CChar>?
        guard write(bio) == 1 else { fatalError("OpenSSL can't write a PEM key") }
        let count = copenssl_bio_mem_data(bio, &data)
        guard let data, count > 0 else { fatalError("OpenSSL wrote an empty PEM key") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }

    private static func rawPublicKey(_ key: OpaquePointer) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 32)
        var count = bytes.count
        guard EVP_PKEY_get_raw_public_key(key, &bytes, &count) == 1, count == 32 else { return nil }
        return bytes
    }

    private static func groupName(_ key: OpaquePointer) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        var count = 0
        guard EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &count) == 1 else {
            return nil
        }
        return String(decoding: name[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A P-256 public coordinate, 32 bytes big-endian (RFC 7518 §6.2.1.2).
    private static func coordinate(_ key: OpaquePointer, _ name: String) -> [UInt8]? {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(key, name, &number) == 1, let number else { return nil }
        defer { BN_free(number) }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(number, &bytes, 32) == 32 else { return nil }
        return bytes
    }
}
