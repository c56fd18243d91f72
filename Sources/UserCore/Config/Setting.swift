/// One setting of contract §4 as `auth-fcgi help config` and the README list it: its variable,
/// its default and the values it takes, as text, and one line of help.
public protocol Setting: Sendable {
    /// The environment variable (or `.env` key).
    var name: String { get }
    /// The command-line flag that overrides the variable, if any (`serve`'s options).
    var flag: String? { get }
    /// The default as it would be written in the environment, or `unset`.
    var defaultText: String { get }
    /// The values it takes: a range, the choices, or the form of the text.
    var valuesText: String { get }
    var help: String { get }
}

extension Setting {
    public var flag: String? { nil }
}

/// A setting `ConfigSource.read` turns into a value: the default when the variable is unset
/// or empty, else the text parsed, with errors naming the variable.
public protocol ParsedSetting: Setting {
    associatedtype Value
    var defaultValue: Value { get }
    func parse(_ text: String, name: String) throws(ConfigError) -> Value
}

/// A whole number within `range`.
public struct IntegerSetting: ParsedSetting {
    public let name: String
    public let defaultValue: Int
    public let range: ClosedRange<Int>
    public let flag: String?
    public let help: String

    public init(_ name: String, default defaultValue: Int, range: ClosedRange<Int>, flag: String? = nil, help: String) {
        precondition(range.contains(defaultValue), "IntegerSetting \(name): default outside its range")
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.flag = flag
        self.help = help
    }

    public var defaultText: String { String(defaultValue) }
    public var valuesText: String { "\(range.lowerBound)-\(range.upperBound)" }

    /// `name` is the variable or, for a flag given on the command line, the flag.
    public func parse(_ text: String, name: String) throws(ConfigError) -> Int {
        try ConfigSource.integer(text, name: name, range: range)
    }
}

/// `true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any letter case).
public struct BooleanSetting: ParsedSetting {
    public let name: String
    public let defaultValue: Bool
    public let help: String

    public init(_ name: String, default defaultValue: Bool, help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
    }

    public var defaultText: String { String(defaultValue) }
    public var valuesText: String { "true, false" }

    public func parse(_ text: String, name: String) throws(ConfigError) -> Bool {
        try ConfigSource.boolean(text, name: name)
    }
}

/// One of a few names (compared case-insensitively), each standing for a value.
public struct ChoiceSetting<Choice: Sendable & Equatable>: ParsedSetting {
    public let name: String
    /// In the order `help config` lists them.
    public let choices: [(name: String, value: Choice)]
    public let defaultValue: Choice
    public let help: String

    public init(_ name: String, default defaultValue: Choice, choices: [(name: String, value: Choice)], help: String) {
        precondition(choices.contains { $0.value == defaultValue }, "ChoiceSetting \(name): default not a choice")
        self.name = name
        self.choices = choices
        self.defaultValue = defaultValue
        self.help = help
    }

    public var defaultText: String { choices.first { $0.value == defaultValue }!.name }
    public var valuesText: String { choices.map(\.name).joined(separator: ", ") }

    public func parse(_ text: String, name: String) throws(ConfigError) -> Choice {
        try ConfigSource.choice(text, name: name, Dictionary(uniqueKeysWithValues: choices.map { ($0.name, $0.value) }))
    }
}

/// Free text with a default; what makes it valid (a URL, an address) is checked by whoever
/// reads it, whose errors name the variable too.
public struct TextSetting: ParsedSetting {
    public let name: String
    public let defaultValue: String
    public let valuesText: String
    public let help: String

    public init(_ name: String, default defaultValue: String, values: String, help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.valuesText = values
        self.help = help
    }

    public var defaultText: String { defaultValue }

    public func parse(_ text: String, name: String) throws(ConfigError) -> String { text }
}

/// Free text without a default: nil when unset (`help` says what that means).
public struct OptionalTextSetting: ParsedSetting {
    public let name: String
    public let valuesText: String
    public let flag: String?
    public let help: String

    public init(_ name: String, values: String, flag: String? = nil, help: String) {
        self.name = name
        self.valuesText = values
        self.flag = flag
        self.help = help
    }

    public var defaultValue: String? { nil }
    public var defaultText: String { "unset" }

    public func parse(_ text: String, name: String) throws(ConfigError) -> String? { text }
}
