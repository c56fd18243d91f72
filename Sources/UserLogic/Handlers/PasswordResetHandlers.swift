import UserCore

/// Forgot and reset (contract §3, Auth): a single-use token by mail, stored only as its
/// SHA-256, voided by a newer request.
struct PasswordResetHandlers: Sendable {
    let environment: HandlerEnvironment

    static let forgotMessage =
        "If an active account uses this email address, a link to reset its password is on its way."

    /// `POST /api/auth/password/forgot`: the same 202 in the same time whether or not the
    /// address is known (contract §5, Security (v2)): only the body is checked before the
    /// answer; the lookup, the token and the mail follow it.
    func forgot(_ context: RequestContext) throws -> Response {
        let email = try context.request.requestedAddress()
        let answer = Response.json(.object(["message": .string(Self.forgotMessage)]), status: .accepted)
        return answer.followed { context in try self.sendResetMail(to: email, context) }
    }

    /// Mails a reset token to the account that uses `email`, if it is active.
    private func sendResetMail(to email: String, _ context: RequestContext) throws {
        let store = try context.thread.store()
        let user = try store.user(email: email)
        guard let user, user.active else {
            environment.audit(context, "password_reset_requested", userID: user?.id, ["mail_sent": false])
            return
        }
        let now = environment.clock()
        let lifetime = environment.configuration.resetTokenLifetime
        let token = SecureRandom.token(byteCount: 32)
        try store.replaceResetToken(
            userID: user.id, tokenHash: Self.hash(token), now: now, expiresAt: now + lifetime)
        environment.mailer.send(
            environment.mail.reset(to: user, token: token, lifetime: lifetime, now: now),
            requestID: context.request.requestID)
        environment.audit(context, "password_reset_requested", userID: user.id, ["mail_sent": true])
    }

    /// `POST /api/auth/password/reset`: validation first (a bad password leaves the token
    /// usable), then the token, then `too_similar` against the token's user. Success voids
    /// every reset token of the user, not only the one used.
    func reset(_ context: RequestContext) throws -> Response {
        var fields = FieldReader(try context.request.jsonObjectBody(), allowed: ["token", "new_password"])
        let token = fields.requiredString("token")
        let password = fields.requiredString("new_password")
        if let password {
            fields.report(FieldRules.password(password, field: "new_password", username: nil, email: nil))
        }
        try fields.finish()
        guard let token, let password else { throw APIError.validationFailed(fields.errors) }

        let store = try context.thread.store()
        let now = environment.clock()
        let tokenHash = Self.hash(token)
        // A disabled account's token is no token (contract §5, Security (v2)); disabling voids
        // them, this covers one written straight to the database.
        guard let user = try store.resetTokenOwner(tokenHash: tokenHash, now: now), user.active else {
            throw APIError.resetTokenInvalid
        }
        if let similar = FieldRules.password(
            password, field: "new_password", username: user.username, email: user.email)
        {
            throw APIError.validationFailed([similar])
        }
        do {
            try environment.accounts(context, now: now).resetPassword(of: user, consuming: tokenHash, to: password)
        } catch PasswordResetFailure.tokenInvalid {
            throw APIError.resetTokenInvalid
        }
        environment.audit(context, "password_reset_completed", userID: user.id)
        environment.metrics.count(RevocationReason.passwordReset)
        environment.mailer.send(
            environment.mail.passwordChanged(to: user, now: now), requestID: context.request.requestID)
        return .json(.object(["message": "Your password has been reset. Sign in with the new password."]))
    }

    /// Tokens are stored and looked up by their SHA-256 only.
    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(Array(token.utf8)))
    }
}

extension APIError {
    public static let resetTokenInvalid = APIError(
        .badRequest, .resetTokenInvalid,
        "This reset link is unknown, used, replaced by a newer one, or expired.")
}
