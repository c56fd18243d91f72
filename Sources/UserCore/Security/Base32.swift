/// Base32 of RFC 4648 §6 (alphabet `A`–`Z`, `2`–`7`) without `=` padding, as authenticator
/// apps take a TOTP secret (Google Authenticator's Key Uri Format).
///
/// Decoding accepts either case but nothing else: no padding, spaces or dashes, no length
/// that no byte string encodes to (8n + 1, 3 or 6 characters), and no non-zero unused bits in
/// the last character, so each byte string has exactly one accepted text (up to case).
package enum Base32 {
    /// Uppercase, unpadded: 8 characters per 5 bytes, the last group shortened.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = ""
        text.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                text.unicodeScalars.append(character(buffer >> UInt32(bits)))
            }
        }
        if bits > 0 { text.unicodeScalars.append(character(buffer << UInt32(5 - bits))) }
        return text
    }

    /// Accepts upper/lower case, no padding, no spaces; nil for anything else.
    package static func decode(_ text: String) -> [UInt8]? {
        guard ![1, 3, 6].contains(text.utf8.count % 8) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = value(character) else { return nil }
            buffer = buffer << 5 | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // What is left over (at most 4 bits) pads the last character and must be zero.
        guard buffer & (1 << UInt32(bits) - 1) == 0 else { return nil }
        return bytes
    }

    /// The alphabet character for the low five bits of `value`.
    private static func character(_ value: UInt32) -> Unicode.Scalar {
        let five = UInt8(truncatingIfNeeded: value & 0x1F)
        return Unicode.Scalar(five < 26 ? five + UInt8(ascii: "A") : five - 26 + UInt8(ascii: "2"))
    }

    /// The five-bit value of an alphabet character in either case, nil for any other byte.
    private static func value(_ character: UInt8) -> UInt32? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(character - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(character - UInt8(ascii: "a"))
        case UInt8(ascii: "2")...UInt8(ascii: "7"): UInt32(character - UInt8(ascii: "2")) + 26
        default: nil
        }
    }
}
