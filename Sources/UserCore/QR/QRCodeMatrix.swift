internal import CQREncode

/// The modules of a QR code as libqrencode lays them out: byte mode, error correction
/// level M, the smallest version that holds the text. No quiet zone.
struct QRCodeMatrix {
    /// Modules per side: version × 4 + 17.
    let width: Int
    /// Row by row, `true` for a dark module.
    let dark: [Bool]

    /// libqrencode's symbol for `text`, loading the library on the first use.
    init(encoding text: String) throws(QRCodeError) {
        if let problem = RuntimeLibrary.libqrencode.problem(for: "the QR code of a TOTP enrolment") {
            throw .libraryMissing(problem)
        }
        // QRcode_encodeString8bit reads a C string: a NUL would silently cut the text short.
        guard !text.utf8.contains(0), let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw .encodingFailed
        }
        defer { QRcode_free(code) }
        width = Int(code.pointee.width)
        // Bit 0 of each byte is the module's colour; the other bits say what kind of module it is.
        dark = UnsafeBufferPointer(start: code.pointee.data, count: width * width).map { $0 & 1 == 1 }
    }

    func isDark(x: Int, y: Int) -> Bool { dark[y * width + x] }
}
