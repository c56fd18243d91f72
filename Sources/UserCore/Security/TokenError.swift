/// Why a token was refused. Everything but `expired` is `token_invalid` in the contract.
public enum TokenError: Error, Sendable, Equatable {
    /// Not three parts, too long, bad base64url, bad JSON, a header or payload that isn't an
    /// object, or a claim of the wrong JSON type.
    case malformed
    /// `alg` isn't the configured algorithm (`none` included), or the header has a `crit` we
    /// don't understand.
    case unsupportedAlgorithm
    /// The signature doesn't match, isn't 64 bytes (EdDSA, ES256: a DER signature included), or
    /// the `kid` is missing or names no configured key.
    case badSignature
    /// A required claim is missing or has a wrong value (`iss`, `aud`, `typ`, empty `sub`,
    /// `jti`, `sid`), a date out of range, or `nbf`/`iat` in the future beyond the leeway.
    case invalidClaims
    /// `exp` + leeway < now; only reported for tokens that are otherwise valid.
    case expired
}
