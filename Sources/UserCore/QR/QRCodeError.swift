/// Why no QR code could be drawn.
package enum QRCodeError: Error {
    /// libqrencode can't be loaded: `RuntimeLibrary.problem`'s text, naming the package.
    case libraryMissing(String)
    /// libqrencode refused the text (too long for any QR version, or it holds a NUL byte).
    case encodingFailed
}
