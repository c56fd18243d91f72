/// Base64url without padding (RFC 4648 §5), as JWS compact serialisation uses it (RFC 7515 §2).
///
/// Decoding is strict so that every byte string has exactly one accepted text: padding,
/// characters outside the url-safe alphabet, a length of 4n+1 and non-zero unused trailing
/// bits are all refused. A token can't be altered into another text that verifies.
///
/// Decoding sits on every authenticated request, so it works on buffers and reads its table
/// through a pointer fetched once per call (a global accessed per character costs more).
public enum Base64URL {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: text.utf8)
    }

    /// Decodes base64url held as ASCII bytes (for example a slice of a token's UTF-8).
    public static func decode(bytes text: some Collection<UInt8>) -> [UInt8]? {
        if let result = text.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return result }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    static func encode(buffer input: UnsafeBufferPointer<UInt8>) -> String {
        let length = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            var written = 0
            var index = 0
            while index + 3 <= input.count {
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output[written] = character(group >> 18)
                output[written + 1] = character(group >> 12)
                output[written + 2] = character(group >> 6)
                output[written + 3] = character(group)
                written += 4
                index += 3
            }
            switch input.count - index {
            case 1:
                let group = UInt32(input[index]) << 16
                output[written] = character(group >> 18)
                output[written + 1] = character(group >> 12)
                written += 2
            case 2:
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                output[written] = character(group >> 18)
                output[written + 1] = character(group >> 12)
                output[written + 2] = character(group >> 6)
                written += 3
            default:
                break
            }
            return written
        }
    }

    static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        decodingTable.withUnsafeBufferPointer { decode(buffer: text, table: $0) }
    }

    /// `value(_:)` for every byte; read through a pointer fetched once per call.
    private static let decodingTable: [UInt32] = (0...255).map { value(UInt8($0)) }

    private static func decode(buffer text: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt32>) -> [UInt8]?
    {
        @inline(__always) func value(_ character: UInt8) -> UInt32 { table[Int(character)] }
        let remainder = text.count % 4
        guard remainder != 1 else { return nil }
        let length = text.count / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: length) { output, initializedCount in
            var written = 0
            var index = 0
            var invalid: UInt32 = 0  // any 0x100 bit set means a character outside the alphabet
            while index + 4 <= text.count {
                let a = value(text[index])
                let b = value(text[index + 1])
                let c = value(text[index + 2])
                let d = value(text[index + 3])
                invalid |= a | b | c | d
                let group = a << 18 | b << 12 | c << 6 | d
                output[written] = UInt8(truncatingIfNeeded: group >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: group)
                written += 3
                index += 4
            }
            switch remainder {
            case 2:  // 12 bits: one byte and 4 unused bits, which must be zero
                let a = value(text[index])
                let b = value(text[index + 1])
                invalid |= a | b | (b & 0xF == 0 ? 0 : 0x100)
                output[written] = UInt8(truncatingIfNeeded: (a << 6 | b) >> 4)
                written += 1
            case 3:  // 18 bits: two bytes and 2 unused bits, which must be zero
                let a = value(text[index])
                let b = value(text[index + 1])
                let c = value(text[index + 2])
                invalid |= a | b | c | (c & 0x3 == 0 ? 0 : 0x100)
                let group = a << 12 | b << 6 | c
                output[written] = UInt8(truncatingIfNeeded: group >> 10)
                output[written + 1] = UInt8(truncatingIfNeeded: group >> 2)
                written += 2
            default:
                break
            }
            valid = invalid & 0x100 == 0
            initializedCount = written
        }
        return valid ? output : nil
    }

    /// The alphabet character for the low six bits of `value`.
    @inline(__always)
    private static func character(_ value: UInt32) -> UInt8 {
        let six = UInt8(truncatingIfNeeded: value & 0x3F)
        switch six {
        case 0..<26: return six &+ UInt8(ascii: "A")
        case 26..<52: return six &- 26 &+ UInt8(ascii: "a")
        case 52..<62: return six &- 52 &+ UInt8(ascii: "0")
        case 62: return UInt8(ascii: "-")
        default: return UInt8(ascii: "_")
        }
    }

    /// The six-bit value of an alphabet character, or 0x100 for any other byte.
    private static func value(_ character: UInt8) -> UInt32 {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(character &- UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(character &- UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(character &- UInt8(ascii: "0")) + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return 0x100
        }
    }
}
