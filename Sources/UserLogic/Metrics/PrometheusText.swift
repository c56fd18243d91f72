/// Writes Prometheus's text exposition format, version 0.0.4: per family a `# HELP` and a
/// `# TYPE` line, then its samples, `name{label="value",...} number`.
struct PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    enum Kind: String {
        case counter, gauge, histogram
    }

    private(set) var text = ""

    mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(Self.escapedHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ value: UInt64) {
        sample(name, [], String(value))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: UInt64) {
        sample(name, labels, String(value))
    }

    /// The samples of a histogram family: cumulative `_bucket`s (`le` the bounds, then +Inf),
    /// `_sum` in seconds and `_count`, from per-bucket counts and a sum in nanoseconds.
    mutating func histogram(
        _ name: String, _ labels: [(String, String)], bounds: [Double], buckets: [UInt64], sumNanoseconds: UInt64
    ) {
        var cumulative: UInt64 = 0
        for (index, count) in buckets.enumerated() {
            cumulative += count
            let bound = index < bounds.count ? bounds[index].description : "+Inf"
            sample(name + "_bucket", labels + [("le", bound)], String(cumulative))
        }
        sample(name + "_sum", labels, (Double(sumNanoseconds) / 1e9).description)
        sample(name + "_count", labels, String(cumulative))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapedLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    /// Label values escape backslash, double quote and line feed.
    private static func escapedLabel(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    /// Help text escapes backslash and line feed.
    private static func escapedHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }
}
