/// Percent-decoding of URL paths and `application/x-www-form-urlencoded` query strings.
package enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`). Returns nil for a broken
    /// escape or bytes that aren't UTF-8, so callers can refuse the input instead of guessing.
    ///
    /// Not generic: the HTTP layer decodes every request's path with it, and a generic
    /// function called from another module runs unspecialized (`@inlinable` on a `package`
    /// function doesn't change that with this toolchain).
    package static func decode(_ text: Substring, plusAsSpace: Bool) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high != utf8.endIndex else { return nil }
                let low = utf8.index(after: high)
                guard low != utf8.endIndex,
                    let highValue = hexValue(utf8[high]), let lowValue = hexValue(utf8[low])
                else { return nil }
                bytes.append(highValue << 4 | lowValue)
                index = utf8.index(after: low)
                continue
            }
            bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = utf8.index(after: index)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
