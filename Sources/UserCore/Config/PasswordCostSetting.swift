/// `PASSWORD_COST`, whose range and default depend on the scheme `PASSWORD_SCHEME` picks.
public struct PasswordCostSetting: Setting {
    public let name: String
    public let schemes: ChoiceSetting<PasswordScheme>
    public let help: String

    public init(_ name: String, schemes: ChoiceSetting<PasswordScheme>, help: String) {
        self.name = name
        self.schemes = schemes
        self.help = help
    }

    /// The default scheme's default, then the others': `5 (bcrypt: 12)`.
    public var defaultText: String { perScheme { cost(for: $0).defaultText } }
    public var valuesText: String { perScheme { cost(for: $0).valuesText } }

    /// The cost of new `scheme` hashes (`PASSWORD_SCHEME`, read first).
    public func read(from source: ConfigSource, for scheme: PasswordScheme) throws(ConfigError) -> Int {
        try source.read(cost(for: scheme))
    }

    private func cost(for scheme: PasswordScheme) -> IntegerSetting {
        IntegerSetting(
            name, default: PasswordPolicy.defaultCost(for: scheme), range: PasswordPolicy.validCosts(for: scheme),
            help: help)
    }

    private func perScheme(_ text: (PasswordScheme) -> String) -> String {
        let others = schemes.choices.filter { $0.value != schemes.defaultValue }
        return text(schemes.defaultValue) + " ("
            + others.map { "\($0.name): \(text($0.value))" }.joined(separator: ", ")
            + ")"
    }
}
