import CCurl
import CLazyLibraries
import Glibc
import Testing

@testable import UserCore

/// libpq, libcurl and libqrencode are opened on first use (CLazyLibraries): the loader's failures, the
/// message a missing package gives, and calls through the forwarding functions.
@Suite struct RuntimeLibraryTests {
    /// What the loader says about `soname` and `symbol`, nil when both are found.
    static func probe(_ soname: String, _ symbol: String) -> String? {
        guard let message = lazy_library_probe(soname, symbol) else { return nil }
        defer { free(message) }
        return String(cString: message)
    }

    @Test func theLoaderReportsAMissingLibraryAndAMissingFunction() throws {
        #expect(Self.probe("libpq.so.5", "PQexecPrepared") == nil)
        #expect(Self.probe("libcurl.so.4", "curl_easy_setopt") == nil)
        #expect(Self.probe("libqrencode.so.4", "QRcode_encodeString8bit") == nil)
        #expect(Self.probe("libqrencode.so.4", "QRcode_free") == nil)
        let missing = try #require(Self.probe("libauth-fcgi-absent.so.9", "PQexec"))
        #expect(missing.contains("libauth-fcgi-absent.so.9"))
        #expect(missing.contains("cannot open shared object file"))
        let unknown = try #require(Self.probe("libpq.so.5", "PQnoSuchFunction"))
        #expect(unknown.contains("PQnoSuchFunction"))
    }

    @Test func aLibraryThatCantBeLoadedIsAConfigurationErrorNamingThePackage() {
        let absent = RuntimeLibrary(soname: "libauth-fcgi-absent.so.9", package: "auth-fcgi-absent9") {
            RuntimeLibraryTests.probe("libauth-fcgi-absent.so.9", "PQexec")
        }
        let error = #expect(throws: ConfigError.self) {
            try absent.require(by: "DATABASE_URL", for: "a PostgreSQL database")
        }
        #expect(error?.variable == "DATABASE_URL")
        let problem = error?.problem ?? ""
        #expect(problem.hasPrefix("a PostgreSQL database needs libauth-fcgi-absent.so.9, which can't be loaded: "))
        #expect(problem.contains("cannot open shared object file"))
        #expect(problem.hasSuffix("(install the Debian package auth-fcgi-absent9)"))
    }

    @Test func theInstalledLibrariesLoad() {
        #expect(RuntimeLibrary.libpq.problem(for: "PostgreSQL") == nil)
        #expect(RuntimeLibrary.libcurl.problem(for: "SMTP mail") == nil)
        #expect(RuntimeLibrary.libqrencode.problem(for: "the QR code") == nil)
    }

    /// The setopt wrappers of the CCurl shim pass a string, a long, a pointer and a function
    /// pointer through the variadic forwarder: an upload to a file:// URL shows each arrived.
    @Test func curlOptionsOfEachKindReachLibcurl() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/upload.txt"
        defer { unlink(path) }
        #expect(curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK)
        let curl = try #require(curl_easy_init())
        defer { curl_easy_cleanup(curl) }
        let upload = Upload(bytes: Array("through the forwarder\n".utf8))
        let context = Unmanaged.passRetained(upload)
        defer { context.release() }
        #expect(ccurl_set_string(curl, CURLOPT_URL, "file://" + path) == CURLE_OK)
        #expect(ccurl_set_long(curl, CURLOPT_UPLOAD, 1) == CURLE_OK)
        #expect(ccurl_set_read_function(curl, smtpReadBody) == CURLE_OK)
        #expect(ccurl_set_pointer(curl, CURLOPT_READDATA, context.toOpaque()) == CURLE_OK)
        let result = curl_easy_perform(curl)
        #expect(result == CURLE_OK, "\(String(cString: curl_easy_strerror(result)))")
        #expect(FileSystem.readFile(path) == "through the forwarder\n")
    }

    /// A server that refuses the connection: the whole delivery path runs through the
    /// forwarding functions and ends in a `Failure` naming the server.
    @Test func smtpDeliveryToAClosedPortFailsCleanly() throws {
        let transport = SMTPMailTransport(
            server: SMTPServer(implicitTLS: false, host: "127.0.0.1", port: 1, username: "u", password: "p"))
        let message = MailMessage(
            from: "auth-fcgi <no-reply@localhost>", to: "someone@example.com", subject: "test", body: "body", date: 0)
        #expect {
            try transport.deliver(message)
        } throws: { error in
            "\(error)".contains("SMTP to 127.0.0.1:1")
        }
    }
}
