import Glibc

/// Writes one JSON object per line: time, level, event, request id and details.
///
/// Details go through the JSON writer, which escapes every control character, so a value
/// sent by a client can't start a forged line.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        /// `LOG_LEVEL` values: the names above, in any letter case.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }
    }

    public let minimumLevel: Level
    private let writeLine: @Sendable ([UInt8]) -> Void

    public init(minimumLevel: Level, writeLine: @escaping @Sendable ([UInt8]) -> Void) {
        self.minimumLevel = minimumLevel
        self.writeLine = writeLine
    }

    /// Logs to standard error with one `write(2)` per line, so lines of concurrent threads
    /// never interleave.
    public static func standardError(minimumLevel: Level) -> Logger {
        Logger(minimumLevel: minimumLevel) { line in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    public func log(_ level: Level, _ event: String, requestID: String? = nil, _ details: JSONObject = [:]) {
        guard level >= minimumLevel else { return }
        var entry: JSONObject = [
            "time": .string(Timestamp.rfc3339(Timestamp.now())),
            "level": .string(level.name),
            "event": .string(event),
        ]
        if let requestID { entry.append("request_id", .string(requestID)) }
        for member in details.members { entry.append(member.name, member.value) }
        var line = JSONWriter.encode(.object(entry))
        line.append(0x0A)
        writeLine(line)
    }
}
