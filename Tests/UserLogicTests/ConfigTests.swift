import Glibc
import Testing

@testable import UserCore

@Suite struct DotEnvTests {
    @Test func parsesTheUsualForms() throws {
        let values = try DotEnv.parse(
            """
            # comment
            PLAIN=value
            export EXPORTED=yes
            SPACED = around  
            EMPTY=
            SINGLE='a "b" #c'
            DOUBLE="line\\nnext \\"q\\""
            COMMENTED=abc # trailing
            HASH=a#b
            WINDOWS=crlf\r

            """)
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "around")
        #expect(values["EMPTY"] == "")
        #expect(values["SINGLE"] == #"a "b" #c"#)
        #expect(values["DOUBLE"] == "line\nnext \"q\"")
        #expect(values["COMMENTED"] == "abc")
        #expect(values["HASH"] == "a#b")
        #expect(values["WINDOWS"] == "crlf")
    }

    @Test func reportsTheLine() {
        #expect(throws: ConfigError(".env line 2", "expected KEY=value")) { try DotEnv.parse("A=1\nnot a pair\n") }
        #expect(throws: ConfigError(".env line 1", "invalid variable name")) { try DotEnv.parse("1A=1") }
        #expect(throws: ConfigError(".env line 1", "unterminated quoted value")) { try DotEnv.parse("A=\"open") }
    }
}

@Suite struct ConfigSourceTests {
    @Test func environmentWinsOverDotEnv() {
        let source = ConfigSource(environment: ["A": "env"], dotEnv: ["A": "file", "B": "file"])
        #expect(source.string("A") == "env")
        #expect(source.string("B") == "file")
        #expect(source.string("C") == nil)
        #expect(ConfigSource(environment: ["A": ""], dotEnv: ["A": "file"]).string("A") == nil)
    }

    @Test func processEnvironmentWinsOverDotEnv() throws {
        let path = String(cString: try #require(getenv("PATH")))
        let unset = "AUTH_FCGI_TEST_NEVER_SET"
        #expect(getenv(unset) == nil)
        let source = ConfigSource.processEnvironment(over: ["PATH": "file", unset: "file"])
        #expect(source.string("PATH") == path)
        #expect(source.string(unset) == "file")
    }

    @Test func settingsReadTheirVariableOrTheirDefault() throws {
        let source = ConfigSource(environment: ["N": "abc", "BIG": "99", "OK": "7", "FLAG": "maybe", "ON": "TRUE"])
        func number(_ name: String) -> IntegerSetting { IntegerSetting(name, default: 3, range: 1...10, help: "") }
        #expect(throws: ConfigError("N", "must be a whole number from 1 to 10, got \"abc\"")) {
            try source.read(number("N"))
        }
        #expect(throws: ConfigError("BIG", "must be from 1 to 10, got 99")) { try source.read(number("BIG")) }
        #expect(try source.read(number("OK")) == 7)
        #expect(try source.read(number("UNSET")) == 3)
        #expect(throws: ConfigError("FLAG", "must be true or false, got \"maybe\"")) {
            try source.read(BooleanSetting("FLAG", default: true, help: ""))
        }
        #expect(try source.read(BooleanSetting("ON", default: false, help: "")))
        let choice = ChoiceSetting("ON", default: 1, choices: [("one", 1), ("true", 2)], help: "")
        #expect(try source.read(choice) == 2)
        #expect(throws: ConfigError("FLAG", "must be one of one, true, got \"maybe\"")) {
            try source.read(ChoiceSetting("FLAG", default: 1, choices: [("true", 2), ("one", 1)], help: ""))
        }
        #expect(try source.read(OptionalTextSetting("UNSET", values: "", help: "")) == nil)
        #expect(try source.read(TextSetting("UNSET", default: "d", values: "", help: "")) == "d")
    }

    @Test func databaseURL() throws {
        #expect(try DatabaseLocation.parse("sqlite:///var/auth.db") == .sqlite(path: "var/auth.db"))
        #expect(try DatabaseLocation.parse("sqlite:////srv/auth.db") == .sqlite(path: "/srv/auth.db"))
        for bad in ["mysql://x", "sqlite://host/db", "sqlite:///", "sqlite:///dir/", "var/auth.db"] {
            #expect(throws: ConfigError.self) { try DatabaseLocation.parse(bad) }
        }
    }

    static let key = "k" + String(repeating: "e", count: 31)
    static let mfaKey = "m" + String(repeating: "f", count: 31)
    /// The two keys production requires.
    static let keys = ["JWT_SECRET_KEY": key, "MFA_SECRET_KEY": mfaKey]

    @Test func serviceConfigurationDefaults() throws {
        let configuration = try ServiceConfiguration.load(
            from: ConfigSource(environment: Self.keys.merging(["LOG_LEVEL": "WARNING"]) { $1 }))
        #expect(configuration.logLevel == .warning)
        #expect(configuration.database == .sqlite(path: "var/auth.db"))
        #expect(configuration.environment == .production)
        #expect(configuration.tokens.leeway == 10)
        #expect(configuration.accessTokenLifetime == 900)
        #expect(configuration.refreshTokenLifetime == 2_592_000)
        #expect(configuration.lockoutThreshold == 5)
        #expect(configuration.lockoutSeconds == 900)
        #expect(configuration.registrationOpen)
        #expect(configuration.adminRegistrationKey == nil)
        #expect(configuration.passwords == .defaultPolicy)
    }

    @Test func badSettingsNameTheirVariable() {
        let cases: [(String, String)] = [
            ("LOG_LEVEL", "loud"), ("JWT_LEEWAY", "31"), ("ACCESS_TOKEN_TTL", "0"), ("REFRESH_TOKEN_TTL", "x"),
            ("LOCKOUT_THRESHOLD", "0"), ("REGISTRATION_OPEN", "perhaps"), ("AUTH_ENV", "staging"),
            ("PASSWORD_SCHEME", "md5"), ("PASSWORD_COST", "99"), ("DATABASE_URL", "mysql://db"),
        ]
        for (variable, value) in cases {
            let source = ConfigSource(environment: Self.keys.merging([variable: value]) { $1 })
            #expect(throws: ConfigError.self) { try ServiceConfiguration.load(from: source) }
            do {
                _ = try ServiceConfiguration.load(from: source)
            } catch {
                #expect(error.variable == variable)
            }
        }
    }

    /// Contract §5 Security (v2): a guessable admin key would make anyone an ADMIN.
    @Test func theAdminRegistrationKeyHasAtLeast32Bytes() throws {
        func load(_ key: String) throws -> ServiceConfiguration {
            try ServiceConfiguration.load(
                from: ConfigSource(environment: Self.keys.merging(["ADMIN_REGISTRATION_KEY": key]) { $1 }))
        }
        #expect(throws: ConfigError("ADMIN_REGISTRATION_KEY", "must be at least 32 bytes long")) {
            try load(String(repeating: "k", count: 31))
        }
        // bytes, not characters: 16 two-byte characters are enough
        #expect(try load(String(repeating: "é", count: 16)).adminRegistrationKey == String(repeating: "é", count: 16))
    }

    @Test func theSigningKeyIsRequiredInProduction() {
        #expect(throws: ConfigError.self) { try ServiceConfiguration.load(from: ConfigSource(environment: [:])) }
        #expect(throws: ConfigError("JWT_SECRET_KEY", "must be at least 32 bytes long")) {
            try ServiceConfiguration.load(from: ConfigSource(environment: ["JWT_SECRET_KEY": "short"]))
        }
        #expect(throws: ConfigError.self) {
            try ServiceConfiguration.load(
                from: ConfigSource(
                    environment: Self.keys.merging(["ACCESS_TOKEN_TTL": "7200", "REFRESH_TOKEN_TTL": "3600"]) { $1 }))
        }
    }

    @Test func developmentGeneratesTheKeysOnceAndKeepsThem() throws {
        let directory = TemporaryDirectory()
        let files = [DevelopmentKey.jwt, .mfa].map { directory.path + "/" + $0.fileName }
        defer {
            files.forEach(unlinkFile)
            directory.remove()
        }
        let previous = umask(0o022)
        defer { umask(previous) }
        let environment = ["AUTH_ENV": "development", "DATABASE_URL": "sqlite:///" + directory.path + "/auth.db"]
        let first = try ServiceConfiguration.load(from: ConfigSource(environment: environment))
        let second = try ServiceConfiguration.load(from: ConfigSource(environment: environment))
        #expect(first.tokens.key.count >= 32)
        #expect(first.tokens.key == second.tokens.key)
        // A secret sealed before a restart opens after it.
        let sealed = first.mfaSecrets.seal([1, 2, 3], context: "totp:1")
        #expect(try second.mfaSecrets.open(sealed, context: "totp:1") == [1, 2, 3])
        #expect(second.mfaSecrets.isCurrent(sealed))
        // Two keys, two private files: the MFA key is not the JWT key.
        #expect(files.map { FileSystem.readFile($0) != nil } == [true, true])
        #expect(FileSystem.readFile(files[0]) != FileSystem.readFile(files[1]))
        for file in files {
            var info = stat()
            #expect(stat(file, &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o600, "\(file)")
        }
    }

    /// Contract §4 and §5 Security (v2): stored TOTP secrets are sealed under MFA_SECRET_KEY.
    @Test func theMFAKeyIsRequiredInProductionWithAtLeast32Bytes() throws {
        #expect(
            throws: ConfigError(
                "MFA_SECRET_KEY",
                "is not set (at least 32 random bytes; AUTH_ENV=development generates one; "
                    + "a version-1 deployment adds it when upgrading)")
        ) { try ServiceConfiguration.load(from: ConfigSource(environment: ["JWT_SECRET_KEY": Self.key])) }
        #expect(throws: ConfigError("MFA_SECRET_KEY", "must be at least 32 bytes long")) {
            try ServiceConfiguration.load(
                from: ConfigSource(environment: [
                    "JWT_SECRET_KEY": Self.key, "MFA_SECRET_KEY": String(repeating: "m", count: 31),
                ]))
        }
        let configuration = try ServiceConfiguration.load(from: ConfigSource(environment: Self.keys))
        let sealed = configuration.mfaSecrets.seal([7], context: "totp:1")
        #expect(try SecretBox(key: Array(Self.mfaKey.utf8)).open(sealed, context: "totp:1") == [7])
        // The JWT key is not the MFA key: a box sealed under it doesn't open.
        #expect(throws: SecretBoxError.unknownKey) {
            try SecretBox(key: Array(Self.key.utf8)).open(sealed, context: "totp:1")
        }
    }

    /// During a rotation the previous key opens old boxes; new ones are sealed under the new key.
    @Test func thePreviousMFAKeyOnlyOpens() throws {
        let oldKey = String(repeating: "o", count: 32)
        let old = SecretBox(key: Array(oldKey.utf8)).seal([9], context: "totp:2")
        let rotating = try ServiceConfiguration.load(
            from: ConfigSource(environment: Self.keys.merging(["MFA_PREVIOUS_SECRET_KEY": oldKey]) { $1 }))
        #expect(try rotating.mfaSecrets.open(old, context: "totp:2") == [9])
        #expect(!rotating.mfaSecrets.isCurrent(old))
        #expect(rotating.mfaSecrets.isCurrent(rotating.mfaSecrets.seal([9], context: "totp:2")))
        let rotated = try ServiceConfiguration.load(from: ConfigSource(environment: Self.keys))
        #expect(throws: SecretBoxError.unknownKey) { try rotated.mfaSecrets.open(old, context: "totp:2") }
        #expect(throws: ConfigError("MFA_PREVIOUS_SECRET_KEY", "must be at least 32 bytes long")) {
            try ServiceConfiguration.load(
                from: ConfigSource(environment: Self.keys.merging(["MFA_PREVIOUS_SECRET_KEY": "short"]) { $1 }))
        }
    }

    @Test func theMFAIssuerDefaultsToTheJWTIssuer() throws {
        func issuer(_ environment: [String: String]) throws -> String {
            try ServiceConfiguration.load(from: ConfigSource(environment: Self.keys.merging(environment) { $1 }))
                .mfaIssuer
        }
        #expect(try issuer([:]) == "auth-fcgi")
        #expect(try issuer(["JWT_ISSUER": "https://id.example.com"]) == "https://id.example.com")
        #expect(try issuer(["JWT_ISSUER": "https://id.example.com", "MFA_ISSUER": "Example Inc"]) == "Example Inc")
        #expect(try issuer(["MFA_ISSUER": ""]) == "auth-fcgi", "empty is unset")
        for bad in ["Example\nInc", "tab\there", "del\u{7F}"] {
            #expect(throws: ConfigError("MFA_ISSUER", "must not contain control characters")) {
                try issuer(["MFA_ISSUER": bad])
            }
        }
        let key = TokenSettings(key: Array(Self.key.utf8), issuer: "iss", audience: "aud", leeway: 10)
        #expect(ServiceConfiguration(database: .sqlite(path: "a.db"), tokens: key).mfaIssuer == "iss")
    }
}

@Suite struct TimestampTests {
    @Test func rfc3339() {
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.rfc3339(1_795_695_981) == "2026-11-26T12:26:21Z")
        #expect(Timestamp.rfc3339(253_402_300_799) == "9999-12-31T23:59:59Z")
    }
}
