/// Parses `.env` files: `KEY=value` lines, `#` comments, blank lines, an optional `export `
/// prefix, and values in single quotes (literal) or double quotes (with `\n`, `\"`, `\\`).
public enum DotEnv {
    public static func parse(_ text: String) throws(ConfigError) -> [String: String] {
        var values: [String: String] = [:]
        // "\r\n" is one Character in Swift: split on newline characters, not on "\n".
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        {
            var line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).trimmingASCIIWhitespace() }
            let place = ".env line \(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError(place, "expected KEY=value")
            }
            let key = line[..<equals].trimmingASCIIWhitespace()
            guard isVariableName(key) else { throw ConfigError(place, "invalid variable name") }
            values[String(key)] = try parseValue(line[line.index(after: equals)...].trimmingASCIIWhitespace(), place)
        }
        return values
    }

    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    private static func parseValue(_ raw: Substring, _ place: String) throws(ConfigError) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: a ` #` starts a comment.
            if let comment = raw.firstRange(of: " #") {
                return String(raw[..<comment.lowerBound].trimmingASCIIWhitespace())
            }
            return String(raw)
        }
        var value = ""
        var index = raw.index(after: raw.startIndex)
        while index < raw.endIndex {
            let character = raw[index]
            if character == quote {
                let rest = raw[raw.index(after: index)...].trimmingASCIIWhitespace()
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw ConfigError(place, "text after the closing quote")
                }
                return value
            }
            if quote == "\"" && character == "\\" {
                index = raw.index(after: index)
                guard index < raw.endIndex else { break }
                switch raw[index] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                default: value.append(raw[index])
                }
            } else {
                value.append(character)
            }
            index = raw.index(after: index)
        }
        throw ConfigError(place, "unterminated quoted value")
    }
}
