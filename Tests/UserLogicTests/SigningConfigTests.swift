import Glibc
import Testing

@testable import UserCore

/// `JWT_ALGORITHM`, `JWT_PRIVATE_KEY_FILE` and `JWT_PUBLIC_KEY_FILES` as `ServiceConfiguration`
/// reads them.
@Suite struct SigningConfigTests {
    static let mfaKey = ["MFA_SECRET_KEY": String(repeating: "m", count: 32)]

    /// Writes `files` (name → contents) into a fresh directory and loads `environment`, in
    /// which `$DIR` stands for it.
    static func load(_ environment: [String: String], files: [String: String] = [:]) throws -> ServiceConfiguration {
        let directory = TemporaryDirectory()
        defer {
            for name in files.keys { unlinkFile(directory.path + "/" + name) }
            directory.remove()
        }
        for (name, text) in files {
            try FileSystem.writeFile(directory.path + "/" + name, Array(text.utf8), mode: 0o600)
        }
        let resolved = environment.mapValues {
            $0.split(separator: "$DIR", omittingEmptySubsequences: false).joined(separator: directory.path)
        }
        return try ServiceConfiguration.load(from: ConfigSource(environment: resolved.merging(mfaKey) { $1 }))
    }

    @Test func edDSASignsWithTheKeyFileAndVerifiesWithThePublicFiles() throws {
        let configuration = try Self.load(
            [
                "JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": "$DIR/new.pem",
                "JWT_PUBLIC_KEY_FILES": " $DIR/old.pem, ,",
            ],
            files: ["new.pem": SigningKey.generate(.edDSA).privateKeyPEM, "old.pem": TestKeys.ed25519PublicPEM])
        #expect(configuration.tokens.algorithm == .edDSA)
        #expect(configuration.tokens.key.isEmpty)
        #expect(configuration.tokens.keys.count == 2 && configuration.tokens.keys[0].isPrivate)
        #expect(configuration.tokens.keys[1].keyID == TestKeys.ed25519.keyID)
        let es256 = try Self.load(
            ["JWT_ALGORITHM": "es256", "JWT_PRIVATE_KEY_FILE": "$DIR/k.pem"], files: ["k.pem": TestKeys.p256PEM])
        #expect(es256.tokens.algorithm == .es256 && es256.tokens.keys.map(\.keyID) == [TestKeys.p256.keyID])
    }

    @Test func badKeyFilesNameTheirVariable() {
        func problem(_ environment: [String: String], _ files: [String: String] = [:]) -> ConfigError? {
            do {
                _ = try Self.load(environment, files: files)
                return nil
            } catch {
                return error as? ConfigError
            }
        }
        let edDSA = ["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": "$DIR/k.pem"]
        #expect(problem(["JWT_ALGORITHM": "EdDSA"])?.variable == "JWT_PRIVATE_KEY_FILE")
        #expect(problem(["JWT_ALGORITHM": "RS256"])?.variable == "JWT_ALGORITHM")
        #expect(problem(edDSA)?.problem.hasPrefix("can't read ") == true)
        // A key of the other algorithm, a public key, no key at all.
        #expect(problem(edDSA, ["k.pem": TestKeys.p256PEM])?.problem.hasSuffix("JWT_ALGORITHM is EdDSA") == true)
        #expect(problem(edDSA, ["k.pem": TestKeys.ed25519PublicPEM])?.variable == "JWT_PRIVATE_KEY_FILE")
        #expect(problem(edDSA, ["k.pem": "JWT_SECRET_KEY=x"])?.variable == "JWT_PRIVATE_KEY_FILE")
        // A public key file that holds a private key, or the other algorithm's key.
        let withPublic = edDSA.merging(["JWT_PUBLIC_KEY_FILES": "$DIR/p.pem"]) { $1 }
        let key = ["k.pem": TestKeys.ed25519PEM]
        #expect(
            problem(withPublic, key.merging(["p.pem": TestKeys.ed25519PEM]) { $1 })?.variable == "JWT_PUBLIC_KEY_FILES")
        #expect(
            problem(withPublic, key.merging(["p.pem": TestKeys.p256PublicPEM]) { $1 })?.variable
                == "JWT_PUBLIC_KEY_FILES")
        #expect(problem(withPublic, key.merging(["p.pem": TestKeys.ed25519PublicPEM]) { $1 }) == nil)
    }

    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func developmentGeneratesASigningKeyOnceAndKeepsIt(_ algorithm: JWTAlgorithm) throws {
        let directory = TemporaryDirectory()
        let file = directory.path + "/" + DevelopmentKey.signing(algorithm).fileName
        defer {
            unlinkFile(file)
            unlinkFile(directory.path + "/" + DevelopmentKey.mfa.fileName)
            directory.remove()
        }
        let previous = umask(0o022)
        defer { umask(previous) }
        let environment = [
            "AUTH_ENV": "development", "JWT_ALGORITHM": algorithm.rawValue,
            "DATABASE_URL": "sqlite:///" + directory.path + "/auth.db",
        ]
        let first = try ServiceConfiguration.load(from: ConfigSource(environment: environment))
        let second = try ServiceConfiguration.load(from: ConfigSource(environment: environment))
        #expect(first.tokens.keys.map(\.keyID) == second.tokens.keys.map(\.keyID))
        #expect(first.tokens.keys.first?.algorithm == algorithm)
        #expect(FileSystem.readFile(directory.path + "/" + DevelopmentKey.jwt.fileName) == nil)
        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600)
    }
}
