/// The table of settings (contract §4) that the backend reads: each variable's default, the
/// values it takes and one line of help, written once. `ServiceConfiguration` and the server's
/// options read them from here, `auth-fcgi help config` prints `all`, and a test holds the
/// README's configuration table to it.
///
/// The run command's own settings (`HTTP_PORT`, `CORS_ORIGINS`, `RATE_LIMIT_*`, ...) are not
/// here: `scripts/serve-local` reads them for nginx, and the backend never does.
public enum Settings {
    public static let databaseURL = TextSetting(
        "DATABASE_URL", default: "sqlite:///var/auth.db",
        values: "sqlite:///rel/path.db, sqlite:////abs/path.db, postgresql://...",
        help: "where the data lives: a SQLite file or a PostgreSQL database")
    public static let authEnv = ChoiceSetting(
        "AUTH_ENV", default: ServiceConfiguration.Environment.production,
        choices: ServiceConfiguration.Environment.allCases.map { ($0.rawValue, $0) },
        help: "development generates the JWT and MFA keys once, kept beside the SQLite database")
    public static let jwtAlgorithm = ChoiceSetting(
        "JWT_ALGORITHM", default: JWTAlgorithm.hs256, choices: JWTAlgorithm.allCases.map { ($0.rawValue, $0) },
        help: "HS256: JWT_SECRET_KEY; EdDSA, ES256: JWT_PRIVATE_KEY_FILE, the public keys in the JWKS")
    public static let jwtSecretKey = OptionalTextSetting(
        "JWT_SECRET_KEY", values: "at least \(TokenSettings.minimumKeyLength) bytes",
        help: "the HS256 signing key; required unless AUTH_ENV=development; unused under EdDSA, ES256")
    public static let jwtPrivateKeyFile = OptionalTextSetting(
        "JWT_PRIVATE_KEY_FILE", values: "a PKCS#8 PEM file",
        help: "the EdDSA/ES256 signing key (auth-fcgi keys generate); required unless AUTH_ENV=development")
    public static let jwtPublicKeyFiles = OptionalTextSetting(
        "JWT_PUBLIC_KEY_FILES", values: "comma-separated PEM public-key files",
        help: "older EdDSA/ES256 keys that still verify during a rotation; published in the JWKS")
    public static let jwtIssuer = TextSetting(
        "JWT_ISSUER", default: "auth-fcgi", values: "text", help: "iss of issued tokens, checked on every token")
    public static let jwtAudience = TextSetting(
        "JWT_AUDIENCE", default: "auth-fcgi-api", values: "text", help: "aud of issued tokens, checked on every token")
    public static let jwtLeeway = IntegerSetting(
        "JWT_LEEWAY", default: 10, range: 0...30, help: "clock leeway for exp, nbf and iat, in seconds")
    public static let mfaSecretKey = OptionalTextSetting(
        "MFA_SECRET_KEY", values: "at least \(TokenSettings.minimumKeyLength) bytes",
        help: "the AES-256-GCM key of stored TOTP secrets; required unless AUTH_ENV=development")
    public static let mfaPreviousSecretKey = OptionalTextSetting(
        "MFA_PREVIOUS_SECRET_KEY", values: "at least \(TokenSettings.minimumKeyLength) bytes",
        help: "during a key rotation, the key being replaced: it opens stored secrets, never seals")
    public static let mfaIssuer = OptionalTextSetting(
        "MFA_ISSUER", values: "text without control characters",
        help: "the issuer authenticator apps show for TOTP; unset: JWT_ISSUER's value")
    public static let accessTokenTTL = IntegerSetting(
        "ACCESS_TOKEN_TTL", default: 900, range: 1...86_400,
        help: "access-token lifetime in seconds, at most REFRESH_TOKEN_TTL")
    public static let refreshTokenTTL = IntegerSetting(
        "REFRESH_TOKEN_TTL", default: 2_592_000, range: 60...31_536_000,
        help: "refresh-token (session) lifetime in seconds")
    public static let lockoutThreshold = IntegerSetting(
        "LOCKOUT_THRESHOLD", default: 5, range: 1...1000, help: "failed logins in a row that lock an account")
    public static let lockoutSeconds = IntegerSetting(
        "LOCKOUT_SECONDS", default: 900, range: 1...604_800, help: "how long a lock lasts, in seconds")
    public static let registrationOpen = BooleanSetting(
        "REGISTRATION_OPEN", default: true, help: "false closes POST /api/auth/register")
    public static let adminRegistrationKey = OptionalTextSetting(
        "ADMIN_REGISTRATION_KEY", values: "at least \(TokenSettings.minimumKeyLength) bytes",
        help: "a register request carrying this admin_key creates an ADMIN")
    public static let passwordScheme = ChoiceSetting(
        "PASSWORD_SCHEME", default: PasswordPolicy.defaultPolicy.scheme,
        choices: [("yescrypt", PasswordScheme.yescrypt), ("bcrypt", .bcrypt)],
        help: "hashing of new passwords; every scheme libxcrypt knows verifies")
    public static let passwordCost = PasswordCostSetting(
        "PASSWORD_COST", schemes: passwordScheme, help: "cost of new hashes; a login re-hashes an outdated one")
    public static let resetTokenTTL = IntegerSetting(
        "RESET_TOKEN_TTL", default: 1800, range: 60...86_400, help: "password-reset token lifetime in seconds")
    public static let emailVerification = ChoiceSetting(
        "EMAIL_VERIFICATION", default: EmailVerificationMode.optional,
        choices: EmailVerificationMode.allCases.map { ($0.rawValue, $0) },
        help: "mail a verification token at sign-up and address change; required refuses unverified logins")
    public static let emailTokenTTL = IntegerSetting(
        "EMAIL_TOKEN_TTL", default: 86_400, range: 60...86_400, help: "email-verification token lifetime in seconds")
    public static let publicBaseURL = TextSetting(
        "PUBLIC_BASE_URL", default: "http://localhost:8080", values: "an http:// or https:// URL",
        help: "where mailed links point: PUBLIC_BASE_URL/reset-password?token=...")
    public static let mailURL = OptionalTextSetting(
        "MAIL_URL", values: "file:///dir, smtp://user:pass@host:port or smtps://...",
        help: "where mail goes; unset: one .eml file per mail in \(MailSettings.defaultDirectory)/")
    public static let mailFrom = TextSetting(
        "MAIL_FROM", default: "auth-fcgi <no-reply@localhost>", values: "an address or Name <address>",
        help: "the From of every mail")
    public static let logLevel = ChoiceSetting(
        "LOG_LEVEL", default: Logger.Level.info, choices: Logger.Level.allCases.map { ($0.name, $0) },
        help: "the least severe level logged")
    public static let logFile = OptionalTextSetting(
        "LOG_FILE", values: "a file path", help: "the audit log, one JSON object per line; unset: standard error")
    public static let logMaxBytes = IntegerSetting(
        "LOG_MAX_BYTES", default: 10_485_760, range: 0...Int(Int32.max),
        help: "rotate LOG_FILE when a line would pass this size (0: never)")
    public static let logBackups = IntegerSetting(
        "LOG_BACKUPS", default: 10, range: 0...1000, help: "rotated files kept: LOG_FILE.1 to LOG_FILE.N")
    public static let fastCGIListen = OptionalTextSetting(
        "FCGI_LISTEN", values: "unix:/path.sock, /path.sock, host:port or :port", flag: "--listen",
        help: "where serve listens; unset: the socket inherited on fd 0")
    public static let fastCGIThreads = IntegerSetting(
        "FCGI_THREADS", default: 4, range: 1...256, flag: "--threads", help: "request threads per worker process")
    public static let fastCGIWorkers = IntegerSetting(
        "FCGI_WORKERS", default: 1, range: 1...64, flag: "--workers", help: "worker processes under a supervisor")

    /// Every setting, in the order `help config` and the README list them.
    public static let all: [any Setting] = [
        databaseURL, authEnv, jwtAlgorithm, jwtSecretKey, jwtPrivateKeyFile, jwtPublicKeyFiles, jwtIssuer, jwtAudience,
        jwtLeeway, mfaSecretKey, mfaPreviousSecretKey,
        mfaIssuer, accessTokenTTL, refreshTokenTTL,
        lockoutThreshold, lockoutSeconds, registrationOpen, adminRegistrationKey, passwordScheme, passwordCost,
        resetTokenTTL, emailVerification, emailTokenTTL, publicBaseURL, mailURL, mailFrom, logLevel, logFile,
        logMaxBytes, logBackups, fastCGIListen,
        fastCGIThreads, fastCGIWorkers,
    ]
}
