internal import COpenSSL

/// HMAC-SHA256 (RFC 2104) with a fixed key.
///
/// Keeps one `EVP_MAC_CTX`, keyed once and re-initialised per message with a NULL key
/// (~0.31 µs against ~1.56 µs for a one-shot `HMAC()`). Not thread-safe and deliberately not
/// `Sendable`: make one per thread. The context is freed in `deinit`.
public final class HMACSHA256 {
    public static let byteCount = 32

    private let context: OpaquePointer

    public init(key: [UInt8]) {
        let made = key.withUnsafeBufferPointer { copenssl_hmac_sha256_new($0.baseAddress, $0.count) }
        guard let made else { fatalError("OpenSSL can't create an HMAC-SHA256 context") }
        context = made
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    public func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        if let mac = message.withContiguousStorageIfAvailable({ authenticate(UnsafeRawBufferPointer($0)) }) {
            return mac
        }
        return Array(message).withUnsafeBytes { authenticate($0) }
    }

    public func authenticate(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.byteCount) { output, initializedCount in
            var length = 0
            guard EVP_MAC_init(context, nil, 0, nil) == 1,
                message.isEmpty
                    || EVP_MAC_update(context, message.baseAddress!.assumingMemoryBound(to: UInt8.self), message.count)
                        == 1,
                EVP_MAC_final(context, output.baseAddress, &length, Self.byteCount) == 1,
                length == Self.byteCount
            else { fatalError("OpenSSL HMAC-SHA256 failed") }
            initializedCount = Self.byteCount
        }
    }
}
