/// A QR code drawn as a small SVG document, for an authenticator app to scan from the page
/// that enrols a TOTP secret.
package enum QRCodeSVG {
    /// The light margin on each side, in modules: the 4 the QR specification asks for.
    static let quietZone = 4

    /// An SVG document (no XML prolog needed; `<svg xmlns=... viewBox=...>`) drawing the QR
    /// code of `text` (byte mode, error correction M, 4-module quiet zone) from libqrencode's
    /// module matrix: one <path> with `M x y h1v1h-1z`-style runs or rects — compact; black on
    /// white; `shape-rendering="crispEdges"`; a <title> is NOT needed. Throws QRCodeError when
    /// libqrencode is missing or fails.
    ///
    /// One module is one user unit: the viewBox is (version × 4 + 17 + 8) units square, and
    /// each horizontal run of dark modules is one `m{dx} {dy}h{n}v1h-{n}z` subpath, so the
    /// drawing is exact and a page scales it with CSS.
    package static func svg(encoding text: String) throws(QRCodeError) -> String {
        let matrix = try QRCodeMatrix(encoding: text)
        let size = matrix.width + 2 * quietZone
        var path = ""
        // Each run starts with a move relative to the previous run's start (`z` goes back
        // there); the first `m` of a path is relative to the origin.
        var (previousX, previousY) = (0, 0)
        for y in 0..<matrix.width {
            var x = 0
            while x < matrix.width {
                guard matrix.isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < matrix.width && matrix.isDark(x: x, y: y) { x += 1 }
                let run = x - start
                let (left, top) = (start + quietZone, y + quietZone)
                path += "m\(left - previousX) \(top - previousY)h\(run)v1h-\(run)z"
                (previousX, previousY) = (left, top)
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" shape-rendering="crispEdges">\
            <rect width="\(size)" height="\(size)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
