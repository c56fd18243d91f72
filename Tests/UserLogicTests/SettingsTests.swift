import Testing

@testable import UserCore

/// The table of settings against what reads it and what documents it.
@Suite struct SettingsTests {
    static let key = String(repeating: "k", count: TokenSettings.minimumKeyLength)
    /// The two keys production requires.
    static let keys = ["JWT_SECRET_KEY": key, "MFA_SECRET_KEY": String(repeating: "m", count: key.count)]
    static let packageRoot = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")

    /// The rows of the README's table under "## Configuration": variable → default, both
    /// without backticks.
    static func readmeTable() throws -> [(name: String, defaultText: String)] {
        let readme = try #require(FileSystem.readFile(packageRoot + "/README.md"))
        let section = try #require(readme.firstRange(of: "\n## Configuration\n"))
        let lines = readme[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        let table = lines.drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        #expect(table.count > 2, "no table under ## Configuration")
        return table.dropFirst(2).map { row in
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingASCIIWhitespace().filter { $0 != "`" }
            }
            return (name: cells.count > 2 ? cells[1] : "", defaultText: cells.count > 2 ? cells[2] : "")
        }
    }

    @Test func theReadmeListsEverySettingWithItsDefault() throws {
        let readme = try Self.readmeTable()
        #expect(readme.map(\.name) == Settings.all.map(\.name), "the README's rows, in the table's order")
        for (row, setting) in zip(readme, Settings.all) where row.name == setting.name {
            #expect(row.defaultText == setting.defaultText, "README default of \(setting.name)")
        }
    }

    @Test func namesAreUniqueAndHelpFitsATerminal() {
        #expect(Set(Settings.all.map(\.name)).count == Settings.all.count)
        let lines = Settings.helpText.split(separator: "\n")
        for setting in Settings.all {
            let row = lines.first { $0.hasPrefix(setting.name + " ") }
            #expect(row?.contains(" \(setting.defaultText) ") == true, "\(setting.name) in help config")
        }
        for line in lines { #expect(line.count <= 120, "\(line)") }
    }

    /// Each integer setting of the service refuses a value just outside its range and takes
    /// both ends: the ranges in the table are the ones enforced. (Settings with a flag are the
    /// FastCGI server's, read by the executable; the integration tests cover them.)
    @Test func serviceReadsTheRangesOfTheTable() throws {
        let integers = Settings.all.compactMap { $0 as? IntegerSetting }.filter { $0.flag == nil }
        #expect(integers.count == 9)
        for setting in integers {
            // The shortest refresh lifetime needs an access lifetime no longer than it.
            let base = Self.keys.merging([Settings.accessTokenTTL.name: "1"]) { $1 }
            for value in [setting.range.lowerBound, setting.range.upperBound] {
                let source = ConfigSource(environment: base.merging([setting.name: String(value)]) { $1 })
                #expect(throws: Never.self, "\(setting.name)=\(value)") { try ServiceConfiguration.load(from: source) }
            }
            for value in [setting.range.lowerBound - 1, setting.range.upperBound + 1] {
                let source = ConfigSource(environment: base.merging([setting.name: String(value)]) { $1 })
                #expect(
                    throws: ConfigError(
                        setting.name,
                        "must be from \(setting.range.lowerBound) to \(setting.range.upperBound), got \(value)")
                ) { try ServiceConfiguration.load(from: source) }
            }
        }
    }

    @Test func theInitializerDefaultsAreTheLoadedDefaults() throws {
        let loaded = try ServiceConfiguration.load(from: ConfigSource(environment: Self.keys))
        let made = ServiceConfiguration(database: loaded.database, tokens: loaded.tokens)
        #expect(made.database == .sqlite(path: "var/auth.db"))
        #expect(made.logLevel == loaded.logLevel)
        #expect(made.logFile == loaded.logFile)
        #expect(made.logMaximumBytes == loaded.logMaximumBytes)
        #expect(made.logBackups == loaded.logBackups)
        #expect(made.environment == loaded.environment)
        #expect(made.mfaIssuer == loaded.mfaIssuer)
        #expect(made.accessTokenLifetime == loaded.accessTokenLifetime)
        #expect(made.refreshTokenLifetime == loaded.refreshTokenLifetime)
        #expect(made.lockoutThreshold == loaded.lockoutThreshold)
        #expect(made.lockoutSeconds == loaded.lockoutSeconds)
        #expect(made.registrationOpen == loaded.registrationOpen)
        #expect(made.adminRegistrationKey == loaded.adminRegistrationKey)
        #expect(made.passwords == loaded.passwords)
        #expect(made.resetTokenLifetime == loaded.resetTokenLifetime)
        #expect(made.emailVerification == loaded.emailVerification)
        #expect(made.emailTokenLifetime == loaded.emailTokenLifetime)
        #expect(made.publicBaseURL == loaded.publicBaseURL)
        #expect(made.mail == loaded.mail)
        #expect(made.mailFrom == loaded.mailFrom)
        #expect(loaded.tokens.issuer == Settings.jwtIssuer.defaultValue)
        #expect(loaded.tokens.audience == Settings.jwtAudience.defaultValue)
    }

    @Test func passwordCostFollowsTheScheme() throws {
        func policy(_ environment: [String: String]) throws -> PasswordPolicy {
            try ServiceConfiguration.load(
                from: ConfigSource(environment: environment.merging(Self.keys) { $1 })
            ).passwords
        }
        #expect(try policy([:]) == PasswordPolicy(scheme: .yescrypt, cost: 5))
        #expect(try policy(["PASSWORD_SCHEME": "BCRYPT"]) == PasswordPolicy(scheme: .bcrypt, cost: 12))
        #expect(
            try policy(["PASSWORD_SCHEME": "bcrypt", "PASSWORD_COST": "31"])
                == PasswordPolicy(scheme: .bcrypt, cost: 31))
        #expect(throws: ConfigError("PASSWORD_COST", "must be from 1 to 11, got 12")) {
            try policy(["PASSWORD_COST": "12"])
        }
        #expect(Settings.passwordCost.defaultText == "5 (bcrypt: 12)")
        #expect(Settings.passwordCost.valuesText == "1-11 (bcrypt: 4-31)")
    }
}
