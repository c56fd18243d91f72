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

    @Test func serviceConfigurationDefaults() throws {
        let configuration = try ServiceConfiguration.load(
            from: ConfigSource(environment: ["LOG_LEVEL": "WARNING", "JWT_SECRET_KEY": Self.key]))
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
            let source = ConfigSource(environment: ["JWT_SECRET_KEY": Self.key, variable: value])
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
                from: ConfigSource(environment: ["JWT_SECRET_KEY": Self.key, "ADMIN_REGISTRATION_KEY": key]))
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
                from: ConfigSource(environment: [
                    "JWT_SECRET_KEY": Self.key, "ACCESS_TOKEN_TTL": "7200", "REFRESH_TOKEN_TTL": "3600",
                ]))
        }
    }

    @Test func developmentGeneratesAKeyOnceAndKeepsIt() throws {
        let directory = TemporaryDirectory()
        defer {
            unlinkFile(directory.path + "/" + DevelopmentKey.fileName)
            directory.remove()
        }
        let environment = ["AUTH_ENV": "development", "DATABASE_URL": "sqlite:///" + directory.path + "/auth.db"]
        let first = try ServiceConfiguration.load(from: ConfigSource(environment: environment))
        let second = try ServiceConfiguration.load(from: ConfigSource(environment: environment))
        #expect(first.tokens.key.count >= 32)
        #expect(first.tokens.key == second.tokens.key)
    }
}

@Suite struct TimestampTests {
    @Test func rfc3339() {
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.rfc3339(1_795_695_981) == "2026-11-26T12:26:21Z")
        #expect(Timestamp.rfc3339(253_402_300_799) == "9999-12-31T23:59:59Z")
    }
}
