/// A request body read with a size limit: either the bytes, or the fact that it was too large.
public enum RequestBody: Sendable, Equatable {
    case bytes([UInt8])
    /// More than `RequestBody.maximumBytes` were sent or announced; the rest was not read.
    case tooLarge

    /// Contract §1: bodies up to exactly 64 KiB are accepted.
    public static let maximumBytes = 65_536

    public static let empty = RequestBody.bytes([])

    /// How far to trust `CONTENT_LENGTH` while reading.
    public enum Framing: Sendable {
        /// The stream ends where the body ends (FastCGI's stdin records): read to its end, so a
        /// missing or understated `CONTENT_LENGTH` can't smuggle in more than the limit.
        case streamEnd
        /// The stream may stay open after the body (CGI, RFC 3875 §4.2): read exactly the
        /// declared length and nothing without one.
        case declaredLength
    }

    /// Reads a body through `readChunk`, which fills the buffer it is given and returns the
    /// count read (0 at the end, negative on error).
    ///
    /// Never reads more than `limit + 1` bytes: one byte past the limit is enough to know the
    /// body is too large. A declared length above the limit is refused unread.
    public static func read(
        declaredLength: String?,
        framing: Framing,
        limit: Int = maximumBytes,
        readChunk: (UnsafeMutableRawBufferPointer) -> Int
    ) -> RequestBody {
        var declared: Int?
        if let declaredLength, !declaredLength.isEmpty {
            guard let length = Int(declaredLength), length >= 0 else { return .tooLarge }
            if length > limit { return .tooLarge }
            declared = length
        }
        let wanted: Int
        switch framing {
        case .streamEnd: wanted = limit + 1
        case .declaredLength: wanted = declared ?? 0
        }
        var bytes = [UInt8](repeating: 0, count: min(wanted, (declared ?? 1023) + 1))
        var filled = 0
        while filled < wanted {
            if filled == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, wanted - filled)))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                readChunk(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
            if count <= 0 { break }
            filled += count
        }
        if filled > limit { return .tooLarge }
        bytes.removeSubrange(filled...)
        return .bytes(bytes)
    }
}
