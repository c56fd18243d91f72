/// The `otpauth://` URI that authenticator apps read from a QR code or a link (Google
/// Authenticator's Key Uri Format).
package enum OTPAuthURI {
    /// otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30
    /// issuer and account percent-encoded (RFC 3986 unreserved kept; note ':' in an issuer or
    /// account must be encoded, space as %20 — Google Authenticator's Key Uri Format rules).
    ///
    /// The issuer is both the label's prefix and the `issuer` parameter, as the format
    /// recommends (older apps read only the prefix, newer ones prefer the parameter).
    package static func totp(issuer: String, account: String, secret: String) -> String {
        let issuer = PercentEncoding.encode(issuer)
        return "otpauth://totp/\(issuer):\(PercentEncoding.encode(account))?secret=\(PercentEncoding.encode(secret))"
            + "&issuer=\(issuer)&algorithm=SHA1&digits=6&period=\(TOTP.period)"
    }
}
