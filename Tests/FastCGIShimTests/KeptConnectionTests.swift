import CFastCGI
import Glibc
import SocketPairs
import Testing

/// The libfcgi behaviour the server's connection reuse stands on (Sources/CFastCGI/shim.h),
/// checked on a socket pair: the test writes the web server's records on one end, libfcgi
/// reads them on the other. A libfcgi upgrade that changes any of it fails here.
@Suite struct KeptConnectionTests {
    @Test func aKeptConnectionCarriesOneRequestAfterAnother() throws {
        let pair = try SocketPair()
        let request = LibfcgiRequest()
        for path in ["/api/health", "/api/auth/whoami"] {
            pair.webServer.send(WebServerRecords.request(uri: path, keepConnection: true))
            #expect(authfcgi_read_request(request.pointer, pair.backend) == 0)
            #expect(request.parameter("REQUEST_URI") == path)
            #expect(request.readStdin() == "")
            request.write("Status: 200 OK\r\n\r\n\(path)")
            #expect(authfcgi_end_request(request.pointer, 1) == pair.backend, "the connection is handed back open")
            let answer = try pair.webServer.readResponse()
            #expect(answer.stdout.hasSuffix(path))
            #expect(answer.ended)
        }
        #expect(pair.backendSocket.isOpen)
    }

    @Test func withoutKeepConnTheConnectionIsClosedAfterItsRequest() throws {
        let request = LibfcgiRequest()
        // The same request structure on a second connection: what a first one left behind
        // (keepConnection = 0) must not close the next connection it is given.
        for _ in 0..<2 {
            let pair = try SocketPair()
            pair.webServer.send(WebServerRecords.request(uri: "/api/health", keepConnection: false))
            #expect(authfcgi_read_request(request.pointer, pair.backend) == 0)
            #expect(request.readStdin() == "")
            request.write("Status: 204 No Content\r\n\r\n")
            #expect(authfcgi_end_request(request.pointer, 1) == -1)
            #expect(try pair.webServer.readResponse().ended)
            #expect(pair.webServer.readsEndOfFile(), "libfcgi closed the connection")
            #expect(!pair.backendSocket.isOpen)
        }
    }

    @Test func aConnectionTheWebServerEndedReturnsAtOnceAndIsClosed() throws {
        let pair = try SocketPair()
        let request = LibfcgiRequest()
        pair.webServer.send(WebServerRecords.request(uri: "/api/health", keepConnection: true))
        #expect(authfcgi_read_request(request.pointer, pair.backend) == 0)
        #expect(request.readStdin() == "")
        #expect(authfcgi_end_request(request.pointer, 1) == pair.backend)
        pair.webServer.close()
        // With no listening socket (-1) libfcgi can't fall back to accepting: it returns.
        #expect(authfcgi_read_request(request.pointer, pair.backend) < 0)
        #expect(!pair.backendSocket.isOpen)
    }

    @Test func aRequestWhoseBodyWasLeftUnreadIsNeverKept() throws {
        let pair = try SocketPair()
        let request = LibfcgiRequest()
        pair.webServer.send(
            WebServerRecords.request(uri: "/api/users", keepConnection: true, body: "{\"a\":1}", endStdin: false))
        pair.webServer.shutdownWriting()
        #expect(authfcgi_read_request(request.pointer, pair.backend) == 0)
        request.write("Status: 413 Content Too Large\r\n\r\n")
        #expect(authfcgi_end_request(request.pointer, 0) == -1)
        #expect(try pair.webServer.readResponse().ended)
        #expect(!pair.backendSocket.isOpen)
    }

    @Test func theParametersAndStdinOfAKeptRequestAreItsOwn() throws {
        let pair = try SocketPair()
        let request = LibfcgiRequest()
        pair.webServer.send(WebServerRecords.request(uri: "/first", keepConnection: true, body: "one"))
        #expect(authfcgi_read_request(request.pointer, pair.backend) == 0)
        #expect(request.readStdin() == "one")
        #expect(authfcgi_end_request(request.pointer, 1) == pair.backend)
        _ = try pair.webServer.readResponse()
        pair.webServer.send(WebServerRecords.request(uri: "/second", keepConnection: false, body: "two"))
        #expect(authfcgi_read_request(request.pointer, pair.backend) == 0)
        #expect(request.parameter("REQUEST_URI") == "/second")
        #expect(request.readStdin() == "two")
        #expect(authfcgi_end_request(request.pointer, 1) == -1)
    }
}
