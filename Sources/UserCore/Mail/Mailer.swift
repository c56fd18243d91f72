import Dispatch
import Glibc

/// Sends mail off the request's critical path: `send` queues the message and returns; one
/// background queue per process delivers it, retrying a bounded number of times. Failures
/// are logged with the id of the request that caused the mail, never with its content.
public final class Mailer: Sendable {
    private let transport: any MailTransport
    private let logger: Logger
    private let metrics: Metrics
    private let queue = DispatchQueue(label: "auth-fcgi.mail")
    private let pending = DispatchGroup()
    /// Seconds to wait before the 2nd, 3rd, … attempt.
    let retryDelays: [Double]

    /// `metrics` counts the mails sent and those given up on.
    package init(
        transport: any MailTransport, logger: Logger, metrics: Metrics = .none, retryDelays: [Double] = [2, 10, 30]
    ) {
        self.transport = transport
        self.logger = logger
        self.metrics = metrics
        self.retryDelays = retryDelays
    }

    public func send(_ message: MailMessage, requestID: String) {
        pending.enter()
        queue.async { self.attempt(message, requestID: requestID, number: 1) }
    }

    private func attempt(_ message: MailMessage, requestID: String, number: Int) {
        // Delivery is background work: at nice 19 (this dispatch thread only; the mail queue
        // is the process's only dispatch work) it waits for the CPU answers need, so the mail
        // a forgot-password sends doesn't slow the answer it follows (contract §5).
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        do {
            try transport.deliver(message)
            logger.log(.info, "mail_sent", requestID: requestID, ["attempt": .number(Double(number))])
            metrics.count(MailOutcome.sent)
            pending.leave()
        } catch {
            let willRetry = number <= retryDelays.count
            logger.log(
                willRetry ? .warning : .error, "mail_failed", requestID: requestID,
                ["attempt": .number(Double(number)), "error": .string("\(error)"), "will_retry": .bool(willRetry)])
            guard willRetry else {
                metrics.count(MailOutcome.failed)
                pending.leave()
                return
            }
            queue.asyncAfter(deadline: .now() + retryDelays[number - 1]) {
                self.attempt(message, requestID: requestID, number: number + 1)
            }
        }
    }

    /// Waits up to `seconds` for queued mail (and its retries) to be done; true if it is.
    /// A stopping server and a CGI request call it before the process exits.
    @discardableResult
    public func drain(seconds: Double) -> Bool {
        pending.wait(timeout: .now() + seconds) == .success
    }
}
