import Testing

@testable import UserCore

@Suite struct Base64URLTests {
    /// RFC 4648 §10 vectors, without padding.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test func encodesRFC4648Vectors() {
        for (plain, encoded) in Self.vectors {
            #expect(Base64URL.encode(plain.utf8) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test func roundTripsEveryLengthAndByte() {
        let allBytes = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(allBytes)) == allBytes)
        for length in 0...70 {
            let bytes = SecureRandom.bytes(length)
            let text = Base64URL.encode(bytes)
            #expect(text.utf8.count == (length * 4 + 2) / 3)
            #expect(Base64URL.decode(text) == bytes)
            #expect(Base64URL.decode(bytes: ArraySlice(text.utf8)) == bytes)
            #expect(Base64URL.decode(text[...]) == bytes)
        }
    }

    @Test func refusesPaddingInvalidCharactersAndBadLengths() {
        let refused = [
            "Zg==", "Zg=", "Zm8=", "=", "Z", "Zm9vY", "Zm+v", "Zm/v", "Zm9v\n", "Zm 9v", " Zm9v", "Zé", "Zm9v.",
            "Zm\u{0}v",
        ]
        for text in refused {
            #expect(Base64URL.decode(text) == nil, "\(text.debugDescription) should be refused")
        }
    }

    @Test func refusesNonCanonicalTrailingBits() {
        // "Zg" is the only spelling of "f"; "Zh".."Zv" differ only in the unused bits.
        #expect(Base64URL.decode("Zg") == [0x66])
        for text in ["Zh", "Zi", "Zv", "Z_", "Zm9", "Zm-"] {
            #expect(Base64URL.decode(text) == nil, "\(text) should be refused")
        }
        #expect(Base64URL.decode("Zm8") == Array("fo".utf8))
    }
}
