import Glibc

/// A key `AUTH_ENV=development` generates when its setting is unset: made once, kept in a
/// private file beside the SQLite database (in `var/` of the working directory for
/// PostgreSQL), so tokens and sealed TOTP secrets survive restarts.
struct DevelopmentKey {
    /// `JWT_SECRET_KEY`'s.
    static let jwt = DevelopmentKey(fileName: "jwt-secret.key", setting: Settings.jwtSecretKey)
    /// `MFA_SECRET_KEY`'s.
    static let mfa = DevelopmentKey(fileName: "mfa-secret.key", setting: Settings.mfaSecretKey)

    let fileName: String
    /// The setting the key stands in for.
    let setting: OptionalTextSetting

    func path(nextTo database: DatabaseLocation) -> String {
        switch database {
        case .sqlite(let path): FileSystem.parentDirectory(of: path) + "/" + fileName
        case .postgresql: "var/" + fileName
        }
    }

    func loadOrCreate(nextTo database: DatabaseLocation) throws(ConfigError) -> [UInt8] {
        let path = path(nextTo: database)
        do {
            try FileSystem.createDirectories(FileSystem.parentDirectory(of: path))
            if FileSystem.readFile(path) == nil {
                // Written to a temporary file, then linked into place: when several processes
                // start at once, exactly one key wins and nobody reads a half-written file.
                let temporary = "\(path).\(getpid()).tmp"
                try FileSystem.writeFile(
                    temporary, Array((Base64URL.encode(SecureRandom.bytes(48)) + "\n").utf8), mode: 0o600)
                link(temporary, path)
                unlink(temporary)
            }
            guard let text = FileSystem.readFile(path),
                let key = Base64URL.decode(text.trimmingASCIIWhitespace().filter { $0 != "\n" }),
                key.count >= TokenSettings.minimumKeyLength
            else {
                throw FileSystem.Failure(
                    description: "\(path) does not hold a usable key; delete it to generate a new one")
            }
            return key
        } catch {
            throw ConfigError(setting.name, "development key: \(error)")
        }
    }
}
