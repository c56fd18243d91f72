/// Delivers one message or throws; the `Mailer` retries.
public protocol MailTransport: Sendable {
    func deliver(_ message: MailMessage) throws
}

/// Where mail goes, from `MAIL_URL` (contract §4).
public enum MailSettings: Sendable, Equatable {
    /// `file:///dir`: one `.eml` file per message in the directory.
    case directory(String)
    /// `smtp://user:pass@host:port` (STARTTLS required with credentials, see
    /// `SMTPServer.requiresSTARTTLS`) or `smtps://…` (implicit TLS).
    case smtp(SMTPServer)

    /// The default without `MAIL_URL`: files under `var/mail` of the working directory.
    public static let defaultDirectory = "var/mail"

    /// The transport for these settings; makes a mail directory that doesn't exist yet.
    ///
    /// An SMTP transport loads libcurl now, so a server or a command without it stops at
    /// start naming the package. A CGI request passes `loadingLibraryNow: false`: most send
    /// no mail, and loading libcurl takes milliseconds; a delivery checks it instead.
    public func makeTransport(loadingLibraryNow: Bool = true) throws(ConfigError) -> any MailTransport {
        switch self {
        case .directory(let path):
            return try FileMailTransport(directory: path)
        case .smtp(let server):
            if loadingLibraryNow { try RuntimeLibrary.libcurl.require(by: "MAIL_URL", for: "SMTP mail") }
            return SMTPMailTransport(server: server)
        }
    }

    public static func parse(_ url: String) throws(ConfigError) -> MailSettings {
        if url.hasPrefix("file://") {
            let path = String(url.dropFirst("file://".count))
            guard path.hasPrefix("/"), path.count > 1 else {
                throw ConfigError("MAIL_URL", "file URLs name an absolute directory: file:///var/lib/auth-fcgi/mail")
            }
            return .directory(PercentDecoding.decode(path[...], plusAsSpace: false) ?? path)
        }
        return .smtp(try SMTPServer.parse(url))
    }
}

/// An SMTP server from `smtp://user:pass@host:port[?starttls=optional]` or `smtps://…`.
public struct SMTPServer: Sendable, Equatable {
    public var implicitTLS: Bool
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// `?starttls=optional`: credentials may go in cleartext when the server offers no
    /// STARTTLS (a trusted local relay).
    public var startTLSOptional = false

    /// Whether a delivery must fail rather than go on without STARTTLS (contract §5 Security
    /// (v2)): an `smtp://` server with credentials, unless the URL relaxes it. Anyone on the
    /// path can strip an offered STARTTLS, so "when offered" would hand them the password and
    /// every reset token. Without credentials STARTTLS stays opportunistic.
    public var requiresSTARTTLS: Bool {
        !implicitTLS && username != nil && !startTLSOptional
    }

    static func parse(_ url: String) throws(ConfigError) -> SMTPServer {
        let invalid = ConfigError(
            "MAIL_URL",
            "must be file:///dir, smtp://user:pass@host:port[?starttls=optional] or smtps://user:pass@host:port")
        let implicitTLS: Bool
        var rest: Substring
        if url.hasPrefix("smtps://") {
            implicitTLS = true
            rest = url.dropFirst("smtps://".count)
        } else if url.hasPrefix("smtp://") {
            implicitTLS = false
            rest = url.dropFirst("smtp://".count)
        } else {
            throw invalid
        }
        var startTLSOptional = false
        if let question = rest.firstIndex(of: "?") {
            guard rest[rest.index(after: question)...] == "starttls=optional" else {
                throw ConfigError("MAIL_URL", "takes no query but ?starttls=optional")
            }
            startTLSOptional = true
            rest = rest[..<question]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = PercentDecoding.decode(parts[0], plusAsSpace: false)
            password = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: false) : nil
        }
        var host = rest
        var port = implicitTLS ? 465 : 25
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw ConfigError("MAIL_URL", "has an invalid port")
            }
            port = number
        }
        guard !host.isEmpty else { throw invalid }
        return SMTPServer(
            implicitTLS: implicitTLS, host: String(host), port: port, username: username, password: password,
            startTLSOptional: startTLSOptional)
    }
}
