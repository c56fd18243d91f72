import UserCore

/// Email verification (contract §3, v2): a single-use token by mail, stored only as its
/// SHA-256 like a reset token, voided by a newer one and by a change of the address it was
/// mailed to.
struct EmailVerificationHandlers: Sendable {
    let environment: HandlerEnvironment

    static let resendMessage =
        "If an active account with an unverified address uses this email, a verification link is on its way."

    /// `POST /api/auth/email/verify`: marks the address of the token's user verified.
    func verify(_ context: RequestContext) throws -> Response {
        var fields = FieldReader(try context.request.jsonObjectBody(), allowed: ["token"])
        let token = fields.requiredString("token")
        try fields.finish()
        guard let token else { throw APIError.validationFailed(fields.errors) }

        let store = try context.thread.store()
        // The store takes only a token mailed to the address the user still has, and a user
        // that is active (contract §5, Security (v2)).
        guard
            let user = try store.consumeVerificationToken(
                tokenHash: PasswordResetHandlers.hash(token), now: environment.clock())
        else { throw APIError.verificationTokenInvalid }
        environment.audit(context, "email_verified", userID: user.id)
        return .user(user, forAdmin: false)
    }

    /// `POST /api/auth/email/resend`: the same 202 in the same time whatever the address
    /// (contract §5, Security (v2)), as forgot-password: only the body is checked before the
    /// answer; the lookup, the token and the mail follow it.
    func resend(_ context: RequestContext) throws -> Response {
        let email = try context.request.requestedAddress()
        let answer = Response.json(.object(["message": .string(Self.resendMessage)]), status: .accepted)
        return answer.followed { context in try self.resendMail(to: email, context) }
    }

    /// Mails a new token to the account that uses `email`, if it is active and unverified
    /// and verification is on.
    private func resendMail(to email: String, _ context: RequestContext) throws {
        let user = try context.thread.store().user(email: email)
        guard let user, user.active, !user.emailVerified, environment.configuration.emailVerification.sendsMail else {
            environment.audit(context, "email_verification_requested", userID: user?.id, ["mail_sent": false])
            return
        }
        try mailToken(to: user, context)
        environment.audit(context, "email_verification_requested", userID: user.id, ["mail_sent": true])
    }

    /// Stores a new token for `user`'s current address, voiding older ones, and mails it there.
    func mailToken(to user: User, _ context: some HandlerContext) throws {
        let now = environment.clock()
        let lifetime = environment.configuration.emailTokenLifetime
        let token = SecureRandom.token(byteCount: 32)
        try context.thread.store().replaceVerificationToken(
            userID: user.id, email: user.email, tokenHash: PasswordResetHandlers.hash(token), now: now,
            expiresAt: now + lifetime)
        environment.mailer.send(
            environment.mail.verification(to: user, token: token, lifetime: lifetime, now: now),
            requestID: context.request.requestID)
    }
}

extension Response {
    /// This response, followed by a verification mail to `user` when one is due: verification
    /// is on and the address is not verified yet (contract §3, Email verification (v2)). A
    /// disabled account gets none: its token could not be used.
    func mailingVerification(to user: User, _ verifications: EmailVerificationHandlers) -> Response {
        guard verifications.environment.configuration.emailVerification.sendsMail, user.active, !user.emailVerified
        else {
            return self
        }
        return followed { context in try verifications.mailToken(to: user, context) }
    }
}

extension APIError {
    public static let verificationTokenInvalid = APIError(
        .badRequest, .verificationTokenInvalid,
        "This verification link is unknown, used, replaced by a newer one, or expired.")
}
