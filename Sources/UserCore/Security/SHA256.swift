internal import COpenSSL

/// SHA-256 (FIPS 180-4) through OpenSSL's one-shot `EVP_Digest`.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        return [UInt8](unsafeUninitializedCapacity: byteCount) { output, initializedCount in
            var length: UInt32 = 0
            let status = input.withUnsafeBytes { buffer in
                EVP_Digest(buffer.baseAddress, buffer.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
            guard status == 1, length == UInt32(byteCount) else { fatalError("EVP_Digest(SHA-256) failed") }
            initializedCount = byteCount
        }
    }
}
