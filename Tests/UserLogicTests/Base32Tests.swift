import Testing

@testable import UserCore

@Suite struct Base32Tests {
    /// RFC 4648 §10 vectors, without padding.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ]

    @Test func encodesAndDecodesRFC4648Vectors() {
        for (plain, encoded) in Self.vectors {
            #expect(Base32.encode(plain.utf8) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func usesTheWholeAlphabetAndDecodesEitherCase() {
        // The 32 five-bit values 0 ... 31 in order.
        let bytes: [UInt8] = [
            0x00, 0x44, 0x32, 0x14, 0xC7, 0x42, 0x54, 0xB6, 0x35, 0xCF, 0x84, 0x65, 0x3A, 0x56, 0xD7, 0xC6, 0x75, 0xBE,
            0x77, 0xDF,
        ]
        #expect(Base32.encode(bytes) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        #expect(Base32.decode("abcdefghijklmnopqrstuvwxyz234567") == bytes)
        #expect(Base32.decode("AbCdEfGhIjKlMnOpQrStUvWxYz234567") == bytes)
    }

    @Test func roundTripsEveryLength() {
        for length in 0...41 {
            let bytes = SecureRandom.bytes(length)
            let text = Base32.encode(bytes)
            #expect(text.utf8.count == (length * 8 + 4) / 5)
            #expect(Base32.decode(text) == bytes)
        }
        #expect(Base32.encode(SecureRandom.bytes(TOTP.secretByteCount)).utf8.count == 32)
    }

    @Test func refusesAnythingElse() {
        for text in [
            "MY======", "MZXW6===", "MZXW 6YTB", "MZXW-6YTB", " MZXW6YTB", "MZXW6YTB\n", "MZXW6YT1", "MZXW6YT8",
            "MZXW6YT0", "MZXW6YTÉ", "M", "MZX", "MZXW6Y",
            // Non-zero unused bits in the last character: "MY" is "f", "MZ" carries a stray bit.
            "MZ", "M3", "MZXR", "MZXW7", "MZXW6YR",
        ] {
            #expect(Base32.decode(text) == nil, "\(text)")
        }
    }
}
