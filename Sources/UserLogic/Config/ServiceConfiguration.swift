/// The settings of contract §4 that the request-handling service uses, read and checked once
/// at start: a bad value stops the start with a message naming the variable.
public struct ServiceConfiguration: Sendable {
    public enum Environment: String, Sendable {
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
    public var accessTokenLifetime: Int64
    public var refreshTokenLifetime: Int64
    public var lockoutThreshold: Int
    public var lockoutSeconds: Int64
    public var registrationOpen: Bool
    public var adminRegistrationKey: String?
    public var passwords: PasswordPolicy
    public var resetTokenLifetime: Int64
    /// Where the web pages live, without a trailing slash: reset links point there.
    public var publicBaseURL: String
    public var mail: MailSettings
    public var mailFrom: String

    public static let minimumKeyBytes = 32

    public init(
        database: DatabaseLocation,
        tokens: TokenSettings,
        logLevel: Logger.Level = .info,
        environment: Environment = .production,
        accessTokenLifetime: Int64 = 900,
        refreshTokenLifetime: Int64 = 2_592_000,
        lockoutThreshold: Int = 5,
        lockoutSeconds: Int64 = 900,
        registrationOpen: Bool = true,
        adminRegistrationKey: String? = nil,
        passwords: PasswordPolicy = .defaultPolicy,
        resetTokenLifetime: Int64 = 1800,
        publicBaseURL: String = "http://localhost:8080",
        mail: MailSettings = .directory(MailSettings.defaultDirectory),
        mailFrom: String = "auth-fcgi <no-reply@localhost>"
    ) {
        self.database = database
        self.tokens = tokens
        self.logLevel = logLevel
        self.logFile = nil
        self.logMaximumBytes = 10_485_760
        self.logBackups = 10
        self.environment = environment
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.lockoutThreshold = lockoutThreshold
        self.lockoutSeconds = lockoutSeconds
        self.registrationOpen = registrationOpen
        self.adminRegistrationKey = adminRegistrationKey
        self.passwords = passwords
        self.resetTokenLifetime = resetTokenLifetime
        self.publicBaseURL = publicBaseURL
        self.mail = mail
        self.mailFrom = mailFrom
    }

    public static func load(from source: ConfigSource) throws(ConfigError) -> ServiceConfiguration {
        let levels = Dictionary(uniqueKeysWithValues: Logger.Level.allCases.map { ($0.name, $0) })
        let database = try DatabaseLocation.parse(source.string("DATABASE_URL") ?? DatabaseLocation.defaultURL)
        let environment = try source.choice(
            "AUTH_ENV", default: Environment.production, ["production": .production, "development": .development])
        let accessLifetime = try source.integer("ACCESS_TOKEN_TTL", default: 900, range: 1...86_400)
        let refreshLifetime = try source.integer("REFRESH_TOKEN_TTL", default: 2_592_000, range: 60...31_536_000)
        guard accessLifetime <= refreshLifetime else {
            throw ConfigError("ACCESS_TOKEN_TTL", "must not exceed REFRESH_TOKEN_TTL (\(refreshLifetime))")
        }
        let scheme = try source.choice(
            "PASSWORD_SCHEME", default: PasswordScheme.yescrypt, ["yescrypt": .yescrypt, "bcrypt": .bcrypt])
        let costs = PasswordPolicy.validCosts(for: scheme)
        let defaultCost = scheme == PasswordPolicy.defaultPolicy.scheme ? PasswordPolicy.defaultPolicy.cost : 12
        var configuration = ServiceConfiguration(
            database: database,
            tokens: TokenSettings(
                key: try signingKey(source, environment: environment, database: database),
                issuer: source.string("JWT_ISSUER") ?? "auth-fcgi",
                audience: source.string("JWT_AUDIENCE") ?? "auth-fcgi-api",
                leeway: Int64(try source.integer("JWT_LEEWAY", default: 10, range: 0...30))),
            logLevel: try source.choice("LOG_LEVEL", default: .info, levels),
            environment: environment,
            accessTokenLifetime: Int64(accessLifetime),
            refreshTokenLifetime: Int64(refreshLifetime),
            lockoutThreshold: try source.integer("LOCKOUT_THRESHOLD", default: 5, range: 1...1000),
            lockoutSeconds: Int64(try source.integer("LOCKOUT_SECONDS", default: 900, range: 1...604_800)),
            registrationOpen: try source.boolean("REGISTRATION_OPEN", default: true),
            adminRegistrationKey: source.string("ADMIN_REGISTRATION_KEY"),
            passwords: PasswordPolicy(
                scheme: scheme, cost: try source.integer("PASSWORD_COST", default: defaultCost, range: costs)),
            resetTokenLifetime: Int64(try source.integer("RESET_TOKEN_TTL", default: 1800, range: 60...86_400)),
            publicBaseURL: try publicBaseURL(source.string("PUBLIC_BASE_URL") ?? "http://localhost:8080"),
            mail: try source.string("MAIL_URL").map { url throws(ConfigError) in try MailSettings.parse(url) }
                ?? .directory(MailSettings.defaultDirectory),
            mailFrom: try mailFrom(source.string("MAIL_FROM") ?? "auth-fcgi <no-reply@localhost>")
        )
        configuration.logFile = source.string("LOG_FILE")
        configuration.logMaximumBytes = try source.integer(
            "LOG_MAX_BYTES", default: 10_485_760, range: 0...Int(Int32.max))
        configuration.logBackups = try source.integer("LOG_BACKUPS", default: 10, range: 0...1000)
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
        else { throw ConfigError("PUBLIC_BASE_URL", "must be an http:// or https:// URL, got \"\(url)\"") }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// An address, or `Name <address>`, on one line.
    private static func mailFrom(_ value: String) throws(ConfigError) -> String {
        let address = MailMessage.address(in: value)
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !address.unicodeScalars.contains(where: { $0.properties.isWhitespace }),
            !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw ConfigError("MAIL_FROM", "must be an address or Name <address>, got \"\(value)\"") }
        return value
    }

    /// `JWT_SECRET_KEY`, at least 32 bytes; without one only development mode starts, with a
    /// key generated once and kept beside the database (contract §5).
    private static func signingKey(_ source: ConfigSource, environment: Environment, database: DatabaseLocation)
        throws(ConfigError) -> [UInt8]
    {
        if let key = source.string("JWT_SECRET_KEY") {
            guard key.utf8.count >= minimumKeyBytes else {
                throw ConfigError("JWT_SECRET_KEY", "must be at least \(minimumKeyBytes) bytes long")
            }
            return Array(key.utf8)
        }
        guard environment == .development else {
            throw ConfigError(
                "JWT_SECRET_KEY",
                "is not set (at least \(minimumKeyBytes) random bytes; AUTH_ENV=development generates one)")
        }
        return try DevelopmentKey.loadOrCreate(nextTo: database)
    }
}
