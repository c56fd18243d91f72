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
        let issuer = percentEncoded(issuer)
        return "otpauth://totp/\(issuer):\(percentEncoded(account))?secret=\(percentEncoded(secret))"
            + "&issuer=\(issuer)&algorithm=SHA1&digits=6&period=\(TOTP.period)"
    }

    /// `text` as UTF-8 with every byte outside RFC 3986's unreserved set (letters, digits,
    /// `-._~`) written `%XX`, uppercase hex.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded.unicodeScalars.append(contentsOf: ["%", hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            }
        }
        return encoded
    }

    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)
}
