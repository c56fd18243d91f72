internal import COpenSSL

/// Comparison whose running time depends only on the lengths, never on where the inputs
/// differ (`CRYPTO_memcmp`). Use it for MACs, hashes and secret tokens.
public enum ConstantTime {
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let left = Array(a)
        let right = Array(b)
        return left.withUnsafeBytes { leftBuffer in
            right.withUnsafeBytes { rightBuffer in
                guard leftBuffer.count == rightBuffer.count else {
                    // Do the same work as for equal lengths, so only the lengths show.
                    _ = compare(leftBuffer, leftBuffer)
                    return false
                }
                return compare(leftBuffer, rightBuffer)
            }
        }
    }

    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard let first = a.baseAddress, let second = b.baseAddress else { return a.count == b.count }
        return CRYPTO_memcmp(first, second, a.count) == 0
    }
}
