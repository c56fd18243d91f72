/// Writes one JSON object per line: time, level, event, request id and details.
///
/// Details go through the JSON writer, which escapes every control character (and U+2028,
/// U+2029), so a value sent by a client can't start a forged line (ASVS 16.4.1). Callers
/// never pass passwords, tokens or keys.
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
    }

    public let minimumLevel: Level
    private let sink: any LogSink

    public init(minimumLevel: Level, sink: any LogSink) {
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    public static func standardError(minimumLevel: Level) -> Logger {
        Logger(minimumLevel: minimumLevel, sink: StandardErrorSink())
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
        sink.write(line)
    }

    /// Reopens the log file (SIGHUP, after an external logrotate moved it).
    public func reopen() {
        sink.reopen()
    }
}

/// Where log lines go. `write` takes one whole line and must never split or interleave it.
public protocol LogSink: Sendable {
    func write(_ line: [UInt8])
    func reopen()
}
