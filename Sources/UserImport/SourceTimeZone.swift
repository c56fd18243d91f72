import Glibc

/// `--source-timezone`: the IANA zone (`Asia/Dhaka`) an app wrote its naive timestamps in,
/// read from the system's tz database by the C library (`mktime`), so daylight saving and
/// historical offsets are the database's, not rules of our own.
public struct SourceTimeZone: Sendable, Equatable {
    public let name: String

    /// Checks that `name` is a zone of the tz database (a `TZif` file under `$TZDIR` or
    /// /usr/share/zoneinfo): the C library takes an unknown zone for UTC without a word.
    public init(_ name: String) throws(ImportError) {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        let directory = getenv("TZDIR").map { String(cString: $0) } ?? "/usr/share/zoneinfo"
        guard !name.isEmpty, !name.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == ".." }),
            Self.isZoneFile(directory + "/" + name)
        else {
            throw ImportError(
                "--source-timezone: \"\(name)\" is not a time zone of \(directory) (an IANA name such as Asia/Dhaka)")
        }
        self.name = name
    }

    /// Makes the zone the process's local time: sets `TZ` (only when it differs) and has the C
    /// library read it (`tzset`). Call it once, before the conversions and before other
    /// threads could read the environment: `setenv` races with `getenv` on other threads.
    /// `import-users` runs in a process of its own, where nothing else uses local time.
    public func activate() {
        let setting = ":" + name
        if getenv("TZ").map({ String(cString: $0) }) != setting { setenv("TZ", setting, 1) }
        tzset()
    }

    /// The Unix time of a wall-clock time in the zone, given as the Unix time the same wall
    /// clock would be in UTC, once `activate()` made the zone local time (`mktime` reads only
    /// that). A time a daylight-saving change skips or repeats is read as `mktime` reads it
    /// (one of the offsets around the change).
    func utc(fromWallClock seconds: Int64) -> Int64? {
        var wall = time_t(seconds)
        var fields = tm()
        guard gmtime_r(&wall, &fields) != nil else { return nil }
        fields.tm_isdst = -1
        let converted = mktime(&fields)
        return converted == -1 ? nil : Int64(converted)
    }

    private static func isZoneFile(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var magic = [UInt8](repeating: 0, count: 4)
        let count = magic.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 4) }
        return count == 4 && magic == Array("TZif".utf8)
    }
}
