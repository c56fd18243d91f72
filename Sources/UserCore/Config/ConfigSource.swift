import Glibc

/// Configuration values from the environment over those of a `.env` file (contract §4: the
/// environment wins); `read` gives a setting of `Settings` its typed value, and its errors
/// name the variable.
public struct ConfigSource: Sendable {
    private enum Environment: Sendable {
        case values([String: String])
        /// The process's own, read with `getenv` name by name: a CGI request reads a few
        /// variables and needn't copy the whole environment first.
        case process
    }

    private let environment: Environment
    private let dotEnv: [String: String]

    public init(environment: [String: String], dotEnv: [String: String] = [:]) {
        self.environment = .values(environment)
        self.dotEnv = dotEnv
    }

    private init(processEnvironmentOver dotEnv: [String: String]) {
        environment = .process
        self.dotEnv = dotEnv
    }

    /// The environment of this process over `dotEnv`.
    public static func processEnvironment(over dotEnv: [String: String]) -> ConfigSource {
        ConfigSource(processEnvironmentOver: dotEnv)
    }

    /// The value, or nil when unset or empty.
    public func string(_ name: String) -> String? {
        let fromEnvironment: String? =
            switch environment {
            case .values(let values): values[name]
            case .process: getenv(name).map { String(cString: $0) }
            }
        guard let value = fromEnvironment ?? dotEnv[name], !value.isEmpty else { return nil }
        return value
    }

    /// The setting's value: its default when the variable is unset or empty.
    public func read<S: ParsedSetting>(_ setting: S) throws(ConfigError) -> S.Value {
        guard let text = string(setting.name) else { return setting.defaultValue }
        return try setting.parse(text, name: setting.name)
    }

    /// Parses `text` as the value of `name` (a variable or a command-line flag).
    static func integer(_ text: String, name: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = Int(text) else {
            throw ConfigError(
                name, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigError(name, "must be from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any letter case).
    static func boolean(_ text: String, name: String) throws(ConfigError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigError(name, "must be true or false, got \"\(text)\"")
        }
    }

    /// One of `choices` (compared case-insensitively).
    static func choice<T>(_ text: String, name: String, _ choices: [String: T]) throws(ConfigError) -> T {
        let lowercased = text.lowercased()
        guard let value = choices.first(where: { $0.key.lowercased() == lowercased })?.value else {
            throw ConfigError(name, "must be one of \(choices.keys.sorted().joined(separator: ", ")), got \"\(text)\"")
        }
        return value
    }
}
