/// How `load` reads the token settings: `JWT_ALGORITHM` and its keys, the issuer, audience
/// and leeway.
extension ServiceConfiguration {
    static func tokenSettings(
        _ source: ConfigSource, environment: Environment, database: DatabaseLocation
    ) throws(ConfigError) -> TokenSettings {
        let algorithm = try source.read(Settings.jwtAlgorithm)
        let issuer = try source.read(Settings.jwtIssuer)
        let audience = try source.read(Settings.jwtAudience)
        let leeway = Int64(try source.read(Settings.jwtLeeway))
        guard algorithm != .hs256 else {
            return TokenSettings(
                key: try key(.jwt, source, environment: environment, database: database), issuer: issuer,
                audience: audience, leeway: leeway)
        }
        return TokenSettings(
            signingKey: try signingKey(algorithm, source, environment: environment, database: database),
            previousKeys: try publicKeys(algorithm, source), issuer: issuer, audience: audience, leeway: leeway)
    }

    /// `JWT_PRIVATE_KEY_FILE`'s key, which must be `algorithm`'s; unset, development mode
    /// generates one once and keeps it beside the database.
    private static func signingKey(
        _ algorithm: JWTAlgorithm, _ source: ConfigSource, environment: Environment, database: DatabaseLocation
    ) throws(ConfigError) -> SigningKey {
        let setting = Settings.jwtPrivateKeyFile
        guard let path = try source.read(setting) else {
            guard environment == .development else {
                throw ConfigError(
                    setting.name,
                    "is not set (JWT_ALGORITHM=\(algorithm.rawValue) signs with a PKCS#8 PEM private key: "
                        + "auth-fcgi keys generate --algorithm \(algorithm.rawValue) --out FILE; "
                        + "AUTH_ENV=development generates one)")
            }
            return try DevelopmentKey.signing(algorithm).loadOrCreateSigningKey(algorithm, nextTo: database)
        }
        return try keyFile(path, setting.name, algorithm, read: SigningKey.privateKey, kind: "a PKCS#8 PEM private key")
    }

    /// `JWT_PUBLIC_KEY_FILES`' keys, each `algorithm`'s.
    private static func publicKeys(_ algorithm: JWTAlgorithm, _ source: ConfigSource) throws(ConfigError)
        -> [SigningKey]
    {
        let name = Settings.jwtPublicKeyFiles.name
        guard let list = try source.read(Settings.jwtPublicKeyFiles) else { return [] }
        var keys: [SigningKey] = []
        for path in list.split(separator: ",") {
            let path = String(path.trimmingASCIIWhitespace())
            guard !path.isEmpty else { continue }
            keys.append(try keyFile(path, name, algorithm, read: SigningKey.publicKey, kind: "a PEM public key"))
        }
        return keys
    }

    /// The key `read` finds in the file at `path`, which must be of `algorithm`.
    private static func keyFile(
        _ path: String, _ variable: String, _ algorithm: JWTAlgorithm, read: (String) -> SigningKey?, kind: String
    ) throws(ConfigError) -> SigningKey {
        guard let text = FileSystem.readFile(path) else { throw ConfigError(variable, "can't read \(path)") }
        guard let key = read(text) else {
            throw ConfigError(variable, "\(path) does not hold \(kind) (Ed25519 or P-256)")
        }
        guard key.algorithm == algorithm else {
            throw ConfigError(
                variable,
                "\(path) holds a \(key.algorithm.keyName) key (\(key.algorithm.rawValue)), "
                    + "JWT_ALGORITHM is \(algorithm.rawValue)")
        }
        return key
    }
}
