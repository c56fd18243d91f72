import UserCore

/// Request ids for `X-Request-ID` (contract §5, Service).
public enum RequestID {
    /// A client- or nginx-supplied id is kept when it has 1–128 characters of `[A-Za-z0-9._-]`.
    public static func isAcceptable<S: StringProtocol>(_ candidate: S) -> Bool {
        let utf8 = candidate.utf8
        guard (1...128).contains(utf8.count) else { return false }
        // Every request checks one: a plain loop over contiguous bytes where it can.
        return utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isAllowed) } ?? utf8.allSatisfy(isAllowed)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// 32 lower-case hex digits, the shape of nginx's `$request_id`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let words: (UInt64, UInt64) = (generator.next(), generator.next())
        return Hex.encode(withUnsafeBytes(of: words) { Array($0) })
    }
}
