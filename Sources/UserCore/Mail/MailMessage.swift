import Glibc

/// A plain-text mail, rendered as an RFC 5322 message.
public struct MailMessage: Sendable, Equatable {
    /// `MAIL_FROM`: an address, or `Name <address>`.
    public var from: String
    /// One address; the field rules guarantee no spaces or control characters in it.
    public var to: String
    public var subject: String
    public var body: String
    public var date: Int64
    public var messageID: String

    public init(from: String, to: String, subject: String, body: String, date: Int64) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = "<\(SecureRandom.token(byteCount: 16))@\(Self.domain(of: Self.address(in: from)))>"
    }

    /// The bare address of `From` for the SMTP envelope.
    public var envelopeFrom: String { Self.address(in: from) }

    /// Headers and body with CRLF line ends. The body is UTF-8 sent as 8bit, which every
    /// current server takes (SMTPUTF8 is not needed for the body).
    public func rfc5322() -> [UInt8] {
        var lines = [
            "From: \(Self.singleLine(from))",
            "To: \(Self.singleLine(to))",
            "Subject: \(Self.singleLine(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        lines += body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        return Array(lines.joined(separator: "\r\n").utf8) + [0x0D, 0x0A]
    }

    /// A header value can't start a new header: line breaks become spaces.
    static func singleLine(_ value: String) -> String {
        String(value.map { $0.isNewline ? " " : $0 })
    }

    static func address(in mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingASCIIWhitespace().description
        }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? "localhost"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Thu, 26 Nov 2026 10:07:46 +0000` (RFC 5322 §3.3).
    static func rfc5322Date(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(parts.tm_mday) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
