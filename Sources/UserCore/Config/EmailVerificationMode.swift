/// `EMAIL_VERIFICATION` (contract §3, Email verification (v2)): whether addresses are
/// verified by mail, and whether a login needs a verified one.
public enum EmailVerificationMode: String, Sendable, CaseIterable {
    /// No verification mail goes out and nothing is refused.
    case off
    /// Verification mails go out; nothing is refused.
    case optional
    /// Verification mails go out, and a login of an unverified account is refused.
    case required

    /// Whether verification mails go out.
    public var sendsMail: Bool { self != .off }
}
