internal import CCurl

/// Sends mail through an SMTP server with libcurl: STARTTLS required with credentials and
/// otherwise used when offered (`smtp://`, see `SMTPServer.requiresSTARTTLS`), TLS from the
/// start with `smtps://`, bounded connect and total times.
public struct SMTPMailTransport: MailTransport {
    public let server: SMTPServer
    public static let connectTimeoutSeconds = 10
    public static let totalTimeoutSeconds = 30

    public init(server: SMTPServer) {
        self.server = server
    }

    /// libcurl's global set-up (it initialises OpenSSL: about 1 ms here), done on the first
    /// delivery so that a CGI request which sends no mail doesn't pay for it. Debian's libcurl
    /// is built thread-safe, and Swift runs a static's initialiser once.
    private static let curlReady = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func deliver(_ message: MailMessage) throws {
        // Checked at start, except in CGI mode (see `MailSettings.makeTransport`).
        if let problem = RuntimeLibrary.libcurl.problem(for: "SMTP mail") { throw Failure(description: problem) }
        guard Self.curlReady else { throw Failure(description: "curl_global_init failed") }
        guard let curl = curl_easy_init() else { throw Failure(description: "curl_easy_init failed") }
        defer { curl_easy_cleanup(curl) }
        let scheme = server.implicitTLS ? "smtps" : "smtp"
        let host = server.host.contains(":") && !server.host.hasPrefix("[") ? "[\(server.host)]" : server.host
        let recipients = curl_slist_append(nil, "<\(message.to)>")
        defer { curl_slist_free_all(recipients) }
        let upload = Upload(bytes: message.rfc5322())
        let context = Unmanaged.passRetained(upload)
        defer { context.release() }

        var result = ccurl_set_string(curl, CURLOPT_URL, "\(scheme)://\(host):\(server.port)")
        if let username = server.username { result = check(result, ccurl_set_string(curl, CURLOPT_USERNAME, username)) }
        if let password = server.password { result = check(result, ccurl_set_string(curl, CURLOPT_PASSWORD, password)) }
        result = check(result, ccurl_set_string(curl, CURLOPT_MAIL_FROM, "<\(message.envelopeFrom)>"))
        result = check(result, ccurl_set_list(curl, CURLOPT_MAIL_RCPT, recipients))
        // CURLUSESSL_ALL fails the delivery before AUTH when the server offers no STARTTLS.
        let useSSL = server.requiresSTARTTLS ? CURLUSESSL_ALL : CURLUSESSL_TRY
        result = check(result, ccurl_set_long(curl, CURLOPT_USE_SSL, Int(useSSL.rawValue)))
        result = check(result, ccurl_set_long(curl, CURLOPT_UPLOAD, 1))
        result = check(result, ccurl_set_read_function(curl, smtpReadBody))
        result = check(result, ccurl_set_pointer(curl, CURLOPT_READDATA, context.toOpaque()))
        result = check(result, ccurl_set_long(curl, CURLOPT_CONNECTTIMEOUT, Self.connectTimeoutSeconds))
        result = check(result, ccurl_set_long(curl, CURLOPT_TIMEOUT, Self.totalTimeoutSeconds))
        // No signals from libcurl in a threaded process (its DNS timeouts use SIGALRM otherwise).
        result = check(result, ccurl_set_long(curl, CURLOPT_NOSIGNAL, 1))
        guard result == CURLE_OK else {
            throw Failure(description: "libcurl option: \(String(cString: curl_easy_strerror(result)))")
        }

        let performed = curl_easy_perform(curl)
        guard performed == CURLE_OK else {
            throw Failure(
                description: "SMTP to \(server.host):\(server.port): \(String(cString: curl_easy_strerror(performed)))")
        }
    }

    /// The first failure among option results.
    private func check(_ previous: CURLcode, _ next: CURLcode) -> CURLcode {
        previous == CURLE_OK ? next : previous
    }
}

/// The message being uploaded and how much of it libcurl has taken.
final class Upload {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// libcurl's read callback for an `Upload`. A plain function: a capturing closure passed as
/// a C function pointer crashes swift-frontend 6.3.1.
func smtpReadBody(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, upload.bytes.count - upload.offset)
    guard length > 0 else { return 0 }
    upload.bytes.withUnsafeBytes { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
    }
    upload.offset += length
    return length
}
