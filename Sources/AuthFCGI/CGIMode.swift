import Glibc
import UserCore
import UserLogic

/// Answers the one request of a CGI invocation (RFC 3875): the meta-variables from the
/// environment, the body from stdin, the response to stdout.
enum CGIMode {
    struct EnvironmentParameters: CGIParameters {
        func value(of name: StaticString) -> String? {
            let cName = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
            return getenv(cName).map { String(cString: $0) }
        }
    }

    static let mailDrainSeconds = 15.0

    /// `thread` has the store that readied the database.
    static func run(service: Service, thread: ThreadContext) -> Int32 {
        let parameters = EnvironmentParameters()
        // A CGI server need not close stdin after the body: read exactly CONTENT_LENGTH.
        let body = RequestBody.read(declaredLength: parameters.value(of: "CONTENT_LENGTH"), framing: .declaredLength) {
            buffer in
            var count: Int
            repeat { count = read(0, buffer.baseAddress, buffer.count) } while count < 0 && errno == EINTR
            return count
        }
        let request = Request(cgi: parameters, body: body)
        let (response, followUp) = service.serve(request, on: thread)
        // The response is complete once stdout closes; the request's follow-up and the mail it
        // queued (a reset link, a verification link) happen afterwards, before the process
        // ends. The web server sends SIGTERM once it has the whole answer (lighttpd may do so
        // before stdout closes, mod_cgid at the request's end), so it is ignored from before
        // the answer is written: that work is bounded (the mail drain below). Apache's
        // mod_cgid hands over one socket as both stdin and stdout, so both close.
        signal(SIGTERM, SIG_IGN)
        FileSystem.writeAll(1, response.cgiBytes())
        close(1)
        close(0)
        if let followUp {
            // At the lowest priority, as FastCGI workers do it (FollowUpThread): the web
            // server relays the answer first.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            service.run(followUp, on: thread)
        }
        service.mailer.drain(seconds: mailDrainSeconds)
        return 0
    }
}
