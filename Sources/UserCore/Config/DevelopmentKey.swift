import Glibc

/// A key `AUTH_ENV=development` generates when its setting is unset: made once, kept in a
/// private file beside the SQLite database (in `var/` of the working directory for
/// PostgreSQL), so tokens and sealed TOTP secrets survive restarts.
struct DevelopmentKey {
    /// `JWT_SECRET_KEY`'s.
    static let jwt = DevelopmentKey(fileName: "jwt-secret.key", setting: Settings.jwtSecretKey)
    /// `MFA_SECRET_KEY`'s.
    static let mfa = DevelopmentKey(fileName: "mfa-secret.key", setting: Settings.mfaSecretKey)

    /// `JWT_PRIVATE_KEY_FILE`'s under EdDSA or ES256: `jwt-signing-eddsa.pem`, a PKCS#8 PEM.
    static func signing(_ algorithm: JWTAlgorithm) -> DevelopmentKey {
        DevelopmentKey(
            fileName: "jwt-signing-\(algorithm.rawValue.lowercased()).pem", setting: Settings.jwtPrivateKeyFile)
    }

    let fileName: String
    /// The setting the key stands in for.
    let setting: OptionalTextSetting

    func path(nextTo database: DatabaseLocation) -> String {
        switch database {
        case .sqlite(let path): FileSystem.parentDirectory(of: path) + "/" + fileName
        case .postgresql: "var/" + fileName
        }
    }

    /// A secret key (`JWT_SECRET_KEY`, `MFA_SECRET_KEY`): 48 random bytes, base64url.
    func loadOrCreate(nextTo database: DatabaseLocation) throws(ConfigError) -> [UInt8] {
        try load(
            nextTo: database, creating: { Array((Base64URL.encode(SecureRandom.bytes(48)) + "\n").utf8) },
            reading: { text in
                Base64URL.decode(text.trimmingASCIIWhitespace().filter { $0 != "\n" }).flatMap {
                    $0.count >= TokenSettings.minimumKeyLength ? $0 : nil
                }
            })
    }

    /// A private signing key of `algorithm`, generated with OpenSSL.
    func loadOrCreateSigningKey(_ algorithm: JWTAlgorithm, nextTo database: DatabaseLocation) throws(ConfigError)
        -> SigningKey
    {
        try load(
            nextTo: database, creating: { Array(SigningKey.generate(algorithm).privateKeyPEM.utf8) },
            reading: { SigningKey.privateKey(pem: $0).flatMap { $0.algorithm == algorithm ? $0 : nil } })
    }

    /// The file's key as `read` finds it, the file written first with `contents` (mode 0600)
    /// when it doesn't exist.
    private func load<Key>(
        nextTo database: DatabaseLocation, creating contents: () -> [UInt8], reading read: (String) -> Key?
    ) throws(ConfigError) -> Key {
        let path = path(nextTo: database)
        do {
            try FileSystem.createDirectories(FileSystem.parentDirectory(of: path))
            if FileSystem.readFile(path) == nil {
                // Written to a temporary file, then linked into place: when several processes
                // start at once, exactly one key wins and nobody reads a half-written file.
                let temporary = "\(path).\(getpid()).tmp"
                try FileSystem.writeFile(temporary, contents(), mode: 0o600)
                link(temporary, path)
                unlink(temporary)
            }
            guard let text = FileSystem.readFile(path), let key = read(text) else {
                throw FileSystem.Failure(
                    description: "\(path) does not hold a usable key; delete it to generate a new one")
            }
            return key
        } catch {
            throw ConfigError(setting.name, "development key: \(error)")
        }
    }
}
