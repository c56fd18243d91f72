/// `JWT_ALGORITHM`: how tokens are signed (contract §2). HS256 uses the shared secret;
/// EdDSA (Ed25519) and ES256 (ECDSA on P-256 with SHA-256) sign with a private key whose
/// public half anyone may fetch from the JWKS.
public enum JWTAlgorithm: String, Sendable, CaseIterable {
    case hs256 = "HS256"
    case edDSA = "EdDSA"
    case es256 = "ES256"

    /// The key a name means, for messages: `Ed25519`, `P-256`.
    var keyName: String {
        switch self {
        case .hs256: "HMAC"
        case .edDSA: "Ed25519"
        case .es256: "P-256"
        }
    }
}
