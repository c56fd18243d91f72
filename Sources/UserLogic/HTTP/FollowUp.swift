/// Work a handler leaves for after its answer has gone out (the FastCGI request finished,
/// CGI's stdout closed). Forgot-password and resend use it so that their answer takes the
/// same time whether or not the address belongs to an account (contract §5, Security (v2)):
/// the lookup, the token and the mail all happen after the answer.
public struct FollowUp: Sendable {
    let work: @Sendable (RequestContext) throws -> Void

    init(_ work: @escaping @Sendable (RequestContext) throws -> Void) {
        self.work = work
    }
}

/// A request's follow-up as `Service.serve` hands it out: the server decides which thread
/// does it (`Service.run`), and when.
public struct FollowUpTask: Sendable {
    let request: Request
    let followUp: FollowUp
}
