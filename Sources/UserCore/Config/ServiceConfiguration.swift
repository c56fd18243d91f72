/// The settings of contract §4 that the request-handling service uses, read and checked once
/// at start: a bad value stops the start with a message naming the variable.
public struct ServiceConfiguration: Sendable {
    public enum Environment: String, Sendable, CaseIterable {
        case production, development
    }

    public var database: DatabaseLocation
    public var logLevel: Logger.Level
    /// `LOG_FILE`; nil logs to standard error.
    public var logFile: String?
    public var logMaximumBytes: Int
    public var logBackups: Int
    public var environment: Environment
    public var tokens: TokenSettings
    /// `MFA_ISSUER`: the issuer of TOTP enrollment URIs, which authenticator apps show.
    public var mfaIssuer: String
    /// Seals and opens stored TOTP secrets under `MFA_SECRET_KEY` (and, during a rotation,
    /// opens under `MFA_PREVIOUS_SECRET_KEY`). `init` gives it a random key of its own, which
    /// only tests rely on: `load` sets the configured one, and secrets sealed under a random
    /// key don't open after a restart. That key comes from the kernel (getrandom through
    /// `SystemRandomNumberGenerator`), not OpenSSL: starting libcrypto costs a CGI process
    /// that needs no crypto ~1.3 ms.
    package var mfaSecrets: SecretBox
    public var accessTokenLifetime: Int64
    public var refreshTokenLifetime: Int64
    public var lockoutThreshold: Int
    public var lockoutSeconds: Int64
    public var registrationOpen: Bool
    public var adminRegistrationKey: String?
    public var passwords: PasswordPolicy
    public var resetTokenLifetime: Int64
    public var emailVerification: EmailVerificationMode
    public var emailTokenLifetime: Int64
    /// Where the web pages live, without a trailing slash: reset links point there.
    public var publicBaseURL: String
    public var mail: MailSettings
    public var mailFrom: String

    /// Every default comes from `Settings`; `mfaIssuer` nil is `tokens.issuer`, as unset
    /// `MFA_ISSUER` is `JWT_ISSUER`'s value.
    public init(
        database: DatabaseLocation,
        tokens: TokenSettings,
        mfaIssuer: String? = nil,
        logLevel: Logger.Level = Settings.logLevel.defaultValue,
        environment: Environment = Settings.authEnv.defaultValue,
        accessTokenLifetime: Int64 = Int64(Settings.accessTokenTTL.defaultValue),
        refreshTokenLifetime: Int64 = Int64(Settings.refreshTokenTTL.defaultValue),
        lockoutThreshold: Int = Settings.lockoutThreshold.defaultValue,
        lockoutSeconds: Int64 = Int64(Settings.lockoutSeconds.defaultValue),
        registrationOpen: Bool = Settings.registrationOpen.defaultValue,
        adminRegistrationKey: String? = Settings.adminRegistrationKey.defaultValue,
        passwords: PasswordPolicy = .defaultPolicy,
        resetTokenLifetime: Int64 = Int64(Settings.resetTokenTTL.defaultValue),
        emailVerification: EmailVerificationMode = Settings.emailVerification.defaultValue,
        emailTokenLifetime: Int64 = Int64(Settings.emailTokenTTL.defaultValue),
        publicBaseURL: String = Settings.publicBaseURL.defaultValue,
        mail: MailSettings = .directory(MailSettings.defaultDirectory),
        mailFrom: String = Settings.mailFrom.defaultValue
    ) {
        self.database = database
        self.tokens = tokens
        self.mfaIssuer = mfaIssuer ?? tokens.issuer
        var kernel = SystemRandomNumberGenerator()
        self.mfaSecrets = SecretBox(
            key: (0..<TokenSettings.minimumKeyLength).map { _ in UInt8.random(in: .min ... .max, using: &kernel) })
        self.logLevel = logLevel
        self.logFile = Settings.logFile.defaultValue
        self.logMaximumBytes = Settings.logMaxBytes.defaultValue
        self.logBackups = Settings.logBackups.defaultValue
        self.environment = environment
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.lockoutThreshold = lockoutThreshold
        self.lockoutSeconds = lockoutSeconds
        self.registrationOpen = registrationOpen
        self.adminRegistrationKey = adminRegistrationKey
        self.passwords = passwords
        self.resetTokenLifetime = resetTokenLifetime
        self.emailVerification = emailVerification
        self.emailTokenLifetime = emailTokenLifetime
        self.publicBaseURL = publicBaseURL
        self.mail = mail
        self.mailFrom = mailFrom
    }

    public static func load(from source: ConfigSource) throws(ConfigError) -> ServiceConfiguration {
        let database = try DatabaseLocation.parse(source.read(Settings.databaseURL))
        let environment = try source.read(Settings.authEnv)
        let accessLifetime = try source.read(Settings.accessTokenTTL)
        let refreshLifetime = try source.read(Settings.refreshTokenTTL)
        guard accessLifetime <= refreshLifetime else {
            throw ConfigError(
                Settings.accessTokenTTL.name, "must not exceed \(Settings.refreshTokenTTL.name) (\(refreshLifetime))")
        }
        let scheme = try source.read(Settings.passwordScheme)
        var configuration = ServiceConfiguration(
            database: database,
            tokens: try tokenSettings(source, environment: environment, database: database),
            mfaIssuer: try mfaIssuer(source.read(Settings.mfaIssuer)),
            logLevel: try source.read(Settings.logLevel),
            environment: environment,
            accessTokenLifetime: Int64(accessLifetime),
            refreshTokenLifetime: Int64(refreshLifetime),
            lockoutThreshold: try source.read(Settings.lockoutThreshold),
            lockoutSeconds: Int64(try source.read(Settings.lockoutSeconds)),
            registrationOpen: try source.read(Settings.registrationOpen),
            adminRegistrationKey: try secret(Settings.adminRegistrationKey, from: source),
            passwords: PasswordPolicy(scheme: scheme, cost: try Settings.passwordCost.read(from: source, for: scheme)),
            resetTokenLifetime: Int64(try source.read(Settings.resetTokenTTL)),
            emailVerification: try source.read(Settings.emailVerification),
            emailTokenLifetime: Int64(try source.read(Settings.emailTokenTTL)),
            publicBaseURL: try publicBaseURL(source.read(Settings.publicBaseURL)),
            mail: try source.read(Settings.mailURL).map { url throws(ConfigError) in try MailSettings.parse(url) }
                ?? .directory(MailSettings.defaultDirectory),
            mailFrom: try mailFrom(source.read(Settings.mailFrom))
        )
        configuration.mfaSecrets = SecretBox(
            key: try key(
                .mfa, source, environment: environment, database: database,
                unsetNote: "; a version-1 deployment adds it when upgrading"),
            previousKeys: try secret(Settings.mfaPreviousSecretKey, from: source).map { [Array($0.utf8)] } ?? [])
        configuration.logFile = try source.read(Settings.logFile)
        configuration.logMaximumBytes = try source.read(Settings.logMaxBytes)
        configuration.logBackups = try source.read(Settings.logBackups)
        return configuration
    }

    /// The logger these settings describe: `LOG_FILE` with rotation, or standard error.
    public func makeLogger() throws(ConfigError) -> Logger {
        guard let logFile else { return .standardError(minimumLevel: logLevel) }
        return Logger(
            minimumLevel: logLevel, sink: try LogFile(path: logFile, maximumBytes: logMaximumBytes, backups: logBackups)
        )
    }

    /// An http(s) URL; a trailing slash is dropped so links join cleanly.
    private static func publicBaseURL(_ url: String) throws(ConfigError) -> String {
        guard url.hasPrefix("http://") || url.hasPrefix("https://"),
            !url.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            })
        else { throw ConfigError(Settings.publicBaseURL.name, "must be an http:// or https:// URL, got \"\(url)\"") }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// An address, or `Name <address>`, on one line.
    private static func mailFrom(_ value: String) throws(ConfigError) -> String {
        let address = MailMessage.address(in: value)
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !address.unicodeScalars.contains(where: { $0.properties.isWhitespace }),
            !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw ConfigError(Settings.mailFrom.name, "must be an address or Name <address>, got \"\(value)\"") }
        return value
    }

    /// A secret setting's value, refused when shorter than `TokenSettings.minimumKeyLength`
    /// bytes (contract §5 Security (v2)): a short one can be guessed.
    private static func secret(_ setting: OptionalTextSetting, from source: ConfigSource) throws(ConfigError)
        -> String?
    {
        let minimum = TokenSettings.minimumKeyLength
        guard let value = try source.read(setting) else { return nil }
        guard value.utf8.count >= minimum else {
            throw ConfigError(setting.name, "must be at least \(minimum) bytes long")
        }
        return value
    }

    /// `MFA_ISSUER` when set: text without control characters (it goes into enrollment URIs
    /// and authenticator apps); nil leaves `JWT_ISSUER`'s value.
    private static func mfaIssuer(_ issuer: String?) throws(ConfigError) -> String? {
        guard let issuer else { return nil }
        guard !issuer.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ConfigError(Settings.mfaIssuer.name, "must not contain control characters")
        }
        return issuer
    }

    /// The key of `developmentKey`'s setting (`JWT_SECRET_KEY`, `MFA_SECRET_KEY`), at least
    /// `TokenSettings.minimumKeyLength` bytes; without one only development mode starts, with a
    /// key generated once and kept beside the database (contract §5). `unsetNote` ends the
    /// error for an unset key.
    static func key(
        _ developmentKey: DevelopmentKey, _ source: ConfigSource, environment: Environment,
        database: DatabaseLocation, unsetNote: String = ""
    ) throws(ConfigError) -> [UInt8] {
        let setting = developmentKey.setting
        if let key = try secret(setting, from: source) { return Array(key.utf8) }
        guard environment == .development else {
            throw ConfigError(
                setting.name,
                "is not set (at least \(TokenSettings.minimumKeyLength) random bytes; "
                    + "AUTH_ENV=development generates one\(unsetNote))")
        }
        return try developmentKey.loadOrCreate(nextTo: database)
    }
}
