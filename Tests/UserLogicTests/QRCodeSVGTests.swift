import CQREncode
import Testing

@testable import UserCore

@Suite struct QRCodeSVGTests {
    static let uri = OTPAuthURI.totp(
        issuer: "auth-fcgi", account: "alice@example.com", secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")

    /// libqrencode's own symbol for `text`, asked directly: version and rows of dark flags.
    static func libqrencodeSymbol(_ text: String) throws -> (version: Int, rows: [[Bool]]) {
        let code = try #require(QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M))
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        return (Int(code.pointee.version), (0..<width).map { y in (0..<width).map { data[y * width + $0] & 1 == 1 } })
    }

    /// The SVG's drawing read back: its viewBox size, which unit squares its path covers and
    /// how many subpaths it has. Accepts only what `svg(encoding:)` is meant to write, so any
    /// other shape fails the test.
    static func drawnModules(_ svg: String) throws -> (size: Int, rows: [[Bool]], subpaths: Int) {
        let prefix = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#
        #expect(svg.hasPrefix(prefix))
        let sizeText = try #require(svg.dropFirst(prefix.count).split(separator: " ").first)
        let size = try #require(Int(sizeText))
        #expect(
            svg.hasPrefix(
                prefix + "\(size) \(size)\" shape-rendering=\"crispEdges\"><rect width=\"\(size)\" "
                    + "height=\"\(size)\" fill=\"#fff\"/><path fill=\"#000\" d=\""))
        #expect(svg.hasSuffix("\"/></svg>"))
        let path = try #require(svg.split(separator: "d=\"").last?.split(separator: "\"").first)
        var rows = [[Bool]](repeating: [Bool](repeating: false, count: size), count: size)
        #expect(path.hasPrefix("m"))
        var (x, y) = (0, 0)  // each run's start is relative to the previous one's
        let runs = path.split(separator: "m")
        for run in runs {
            let pieces = run.split(separator: "h")  // "{dx} {dy}", "{n}v1", "-{n}z"
            try #require(pieces.count == 3 && pieces[1].hasSuffix("v1"), "\(run)")
            let move = pieces[0].split(separator: " ")
            try #require(move.count == 2, "\(run)")
            x += try #require(Int(move[0]))
            y += try #require(Int(move[1]))
            let length = try #require(Int(pieces[1].dropLast(2)))
            #expect(pieces[2] == "-\(length)z", "\(run)")
            try #require(length > 0 && x >= 0 && x + length <= size && (0..<size).contains(y), "\(run)")
            for column in x..<x + length {
                #expect(!rows[y][column], "module \(column),\(y) drawn twice")
                rows[y][column] = true
            }
        }
        return (size, rows, runs.count)
    }

    /// Rows of `#` (dark) and `.` (light), for a readable failure.
    static func picture(_ rows: [[Bool]]) -> [String] {
        rows.map { String($0.map { $0 ? "#" : "." }) }
    }

    @Test func theDrawingIsLibqrencodesMatrixInsideAFourModuleQuietZone() throws {
        for text in [Self.uri, "a", String(repeating: "otpauth ", count: 40)] {
            let symbol = try Self.libqrencodeSymbol(text)
            let drawn = try Self.drawnModules(try QRCodeSVG.svg(encoding: text))
            #expect(drawn.size == symbol.version * 4 + 17 + 8)
            let quiet = [Bool](repeating: false, count: 4)
            let light = [[Bool]](repeating: [Bool](repeating: false, count: drawn.size), count: 4)
            let expected = light + symbol.rows.map { quiet + $0 + quiet } + light
            #expect(Self.picture(drawn.rows) == Self.picture(expected))
            // Compact: one subpath per horizontal run of dark modules, not one per module.
            let runs = symbol.rows.map { row in row.indices.filter { row[$0] && ($0 == 0 || !row[$0 - 1]) }.count }
            #expect(drawn.subpaths == runs.reduce(0, +))
        }
    }

    @Test func textNoQRCodeHoldsIsRefused() {
        // Version 40 at level M holds 2331 bytes.
        #expect((try? QRCodeSVG.svg(encoding: String(repeating: "x", count: 2331))) != nil)
        for text in [String(repeating: "x", count: 2332), "a\0b"] {
            #expect {
                try QRCodeSVG.svg(encoding: text)
            } throws: { error in
                guard case .encodingFailed = error as? QRCodeError else { return false }
                return true
            }
        }
    }
}
