import Glibc

/// Writes each message as `<time>-<id>.eml` in a directory, atomically: to a hidden
/// temporary file first, then renamed, so a reader never sees half a message.
public struct FileMailTransport: MailTransport {
    public let directory: String

    public init(directory: String) throws(ConfigError) {
        do {
            try FileSystem.createDirectories(directory)
        } catch {
            throw ConfigError("MAIL_URL", "can't create the mail directory: \(error)")
        }
        self.directory = directory
    }

    public func deliver(_ message: MailMessage) throws {
        let name = "\(message.date)-\(SecureRandom.token(byteCount: 9)).eml"
        let temporary = "\(directory)/.\(name).tmp"
        try FileSystem.writeFile(temporary, message.rfc5322(), mode: 0o600)
        guard rename(temporary, "\(directory)/\(name)") == 0 else {
            unlink(temporary)
            throw FileSystem.Failure(description: "can't rename \(temporary): \(String(cString: strerror(errno)))")
        }
    }
}
