/// Work a handler leaves for after its answer has gone out: the service runs it on the
/// same thread once the response is complete (the FastCGI request finished, CGI's stdout
/// closed). Forgot-password uses it so that its answer takes the same time whether or not
/// the address belongs to an account (contract §5, Security (v2)): the lookup, the token
/// and the mail all happen after the answer.
public struct FollowUp: Sendable {
    let work: @Sendable (RequestContext) throws -> Void

    init(_ work: @escaping @Sendable (RequestContext) throws -> Void) {
        self.work = work
    }
}
