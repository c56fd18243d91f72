import UserCore

/// Two-factor sign-in with TOTP (contract §3, v2): enrollment, the login's second step,
/// disabling and new recovery codes. The rules are the accounts core's; here are the fields,
/// the answers and the audit lines.
struct TwoFactorHandlers: Sendable {
    let environment: HandlerEnvironment

    /// `POST /api/auth/mfa/totp`: a new pending secret, as text, as an `otpauth://` URI and as
    /// a QR code of that URI (null when libqrencode can't be loaded).
    func start(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let enrollment: TOTPEnrollment
        do {
            enrollment = try environment.accounts(context, now: environment.clock()).startTOTPEnrollment(
                for: caller.user)
        } catch let failure as TwoFactorFailure {
            throw failure.apiError
        }
        environment.audit(context, "mfa_enrollment_started", userID: caller.user.id)
        return .json(
            .object([
                "secret": .string(enrollment.secret),
                "otpauth_uri": .string(enrollment.uri),
                "qr_svg": .string(qrCode(of: enrollment.uri, context)),
            ]))
    }

    /// The QR code's SVG, or nil with a warning when it can't be drawn: the secret and the URI
    /// still let the user enroll.
    private func qrCode(of uri: String, _ context: AuthenticatedContext) -> String? {
        do {
            return try QRCodeSVG.svg(encoding: uri)
        } catch {
            environment.logger.log(
                .warning, "qr_code_unavailable", requestID: context.request.requestID,
                ["reason": .string(Self.describe(error))])
            return nil
        }
    }

    private static func describe(_ error: QRCodeError) -> String {
        switch error {
        case .libraryMissing(let problem): problem
        case .encodingFailed: "libqrencode could not encode the URI"
        }
    }

    /// `POST /api/auth/mfa/totp/confirm`: a right code turns two-factor sign-in on and
    /// answers the recovery codes, once.
    func confirm(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        var fields = FieldReader(try context.request.jsonObjectBody(), allowed: ["code"])
        let code = Self.code(&fields, "code", required: true)
        try fields.finish()
        guard let code else { throw APIError.validationFailed(fields.errors) }
        let confirmed: ConfirmedTOTP
        do {
            confirmed = try environment.accounts(context, now: environment.clock()).confirmTOTP(
                for: caller.user, code: code)
        } catch let failure as TwoFactorFailure {
            if failure == .codeInvalid {
                environment.audit(context, "mfa_enrollment_failed", userID: caller.user.id, level: .warning)
            }
            throw failure.apiError
        }
        environment.audit(context, "mfa_enabled", userID: caller.user.id)
        return .json(
            .object([
                "recovery_codes": .array(confirmed.recoveryCodes.map { .string($0) }),
                "user": confirmed.user.json(forAdmin: caller.isAdmin),
            ]))
    }

    /// `POST /api/auth/login/mfa`: the second step of a login, with a TOTP code or a recovery
    /// code; its success is the login's.
    func completeLogin(_ context: RequestContext) throws -> Response {
        var fields = FieldReader(
            try context.request.jsonObjectBody(), allowed: ["mfa_token", "code", "recovery_code"])
        switch (fields.contains("code"), fields.contains("recovery_code")) {
        case (true, true): fields.report("code", .invalidValue, "Send either code or recovery_code, not both.")
        case (false, false): fields.report("code", .required, "Send code or recovery_code.")
        default: break
        }
        let token = fields.requiredString("mfa_token")
        let code = Self.code(&fields, "code", required: false)
        let recoveryCode = Self.code(&fields, "recovery_code", required: false)
        if token == "" { fields.report("mfa_token", .tooShort, "The mfa_token is empty.") }
        try fields.finish()
        guard let token,
            let proof = code.map(SecondFactorProof.code) ?? recoveryCode.map(SecondFactorProof.recoveryCode)
        else { throw APIError.validationFailed(fields.errors) }

        let now = environment.clock()
        let challenge: ChallengeClaims
        do throws(TokenError) {
            challenge = try context.thread.tokens.verifyChallenge(token, now: now)
        } catch {
            environment.metrics.count(LoginOutcome.mfaChallengeInvalid)
            throw error == .expired ? APIError.tokenExpired : APIError.tokenInvalid
        }
        let loggedIn: LoggedIn
        do {
            loggedIn = try environment.accounts(context, now: now).completeLogin(
                challenge, with: proof,
                from: SessionOrigin(userAgent: context.request.userAgent, ip: context.request.remoteAddress))
        } catch let failure as SecondStepFailure {
            throw refusal(failure, proof, context, now: now)
        }
        environment.audit(
            context, "login_succeeded", userID: loggedIn.user.id, ["second_factor": .string(Self.method(of: proof))])
        environment.metrics.count(LoginOutcome.success)
        return environment.issuer(context, now: now).pairResponse(
            for: loggedIn.user, sessionID: loggedIn.session.id, refreshTokenID: loggedIn.session.refreshTokenID,
            methods: AuthenticationMethod.passwordAndOTP)
    }

    /// The audit lines of a refused second step, and its answer.
    private func refusal(
        _ failure: SecondStepFailure, _ proof: SecondFactorProof, _ context: RequestContext, now: Int64
    ) -> APIError {
        func failed(_ userID: Int64, _ outcome: LoginOutcome) {
            environment.metrics.count(outcome)
            environment.audit(
                context, "login_failed", userID: userID, level: .warning,
                ["reason": .string(outcome.auditReason), "second_factor": .string(Self.method(of: proof))])
        }
        switch failure {
        case .challengeInvalid:
            environment.metrics.count(LoginOutcome.mfaChallengeInvalid)
            return .tokenInvalid
        case .codeInvalid(let userID, let lockedUntil):
            failed(userID, .mfaWrongCode)
            if let lockedUntil { environment.auditLock(context, userID: userID, until: lockedUntil) }
            return .mfaCodeInvalid
        case .refused(let userID, let refusal):
            failed(userID, LoginOutcome(refusal))
            return environment.answer(to: refusal, now: now)
        }
    }

    /// `POST /api/auth/mfa/totp/disable`: with the current password; a notice is mailed.
    func disable(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let password = try Self.currentPassword(context)
        let now = environment.clock()
        let user: User
        do {
            user = try environment.accounts(context, now: now).disableTOTP(of: caller.user, currentPassword: password)
        } catch let failure as TwoFactorFailure {
            throw failure.apiError
        } catch let failure as CurrentPasswordFailure {
            throw environment.refusal(failure, of: caller.user.id, context, now: now)
        }
        environment.audit(context, "mfa_disabled", userID: user.id)
        environment.mailer.send(
            environment.mail.twoFactorDisabled(to: user, byAdmin: false, now: now),
            requestID: context.request.requestID)
        return .noContent()
    }

    /// `POST /api/auth/mfa/recovery-codes`: a new batch with the current password; the old
    /// codes stop working.
    func renewRecoveryCodes(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let password = try Self.currentPassword(context)
        let now = environment.clock()
        let codes: [String]
        do {
            codes = try environment.accounts(context, now: now).renewRecoveryCodes(
                of: caller.user, currentPassword: password)
        } catch let failure as TwoFactorFailure {
            throw failure.apiError
        } catch let failure as CurrentPasswordFailure {
            throw environment.refusal(failure, of: caller.user.id, context, now: now)
        }
        environment.audit(context, "mfa_recovery_codes_renewed", userID: caller.user.id)
        return .json(.object(["recovery_codes": .array(codes.map { .string($0) })]))
    }

    /// The body `{"current_password"}` of disable and new recovery codes.
    private static func currentPassword(_ context: AuthenticatedContext) throws -> String {
        var fields = FieldReader(try context.request.jsonObjectBody(), allowed: ["current_password"])
        let password = fields.requiredString("current_password")
        if password == "" { fields.report("current_password", .tooShort, "The current password is empty.") }
        try fields.finish()
        guard let password else { throw APIError.validationFailed(fields.errors) }
        return password
    }

    /// A code field: any non-empty string (a wrong one is the endpoint's own error).
    private static func code(_ fields: inout FieldReader, _ name: String, required: Bool) -> String? {
        let code = required ? fields.requiredString(name) : fields.optionalString(name)
        if code == "" { fields.report(name, .tooShort, "The \(name) is empty.") }
        return code
    }

    private static func method(of proof: SecondFactorProof) -> String {
        switch proof {
        case .code: "totp"
        case .recoveryCode: "recovery_code"
        }
    }
}

extension TwoFactorFailure {
    var apiError: APIError {
        switch self {
        case .alreadyEnabled: .mfaAlreadyEnabled
        case .notPending: .mfaNotPending
        case .notEnabled: .mfaNotEnabled
        case .codeInvalid: .enrollmentCodeInvalid
        }
    }
}

extension APIError {
    /// 401 at the login's second step; the enrollment's confirmation answers it with 400.
    static let mfaCodeInvalid = APIError(
        .unauthorized, .mfaCodeInvalid, "The code is wrong, was used already, or has expired.",
        headers: [("WWW-Authenticate", "Bearer")])
    /// 400 at the enrollment's confirmation: the secret stays pending.
    static let enrollmentCodeInvalid = APIError(
        .badRequest, .mfaCodeInvalid, "The code is wrong or has expired. Check the clock of the device and try again.")
    static let mfaAlreadyEnabled = APIError(
        .conflict, .mfaAlreadyEnabled, "Two-factor sign-in is on already. Turn it off first to enroll again.")
    static let mfaNotPending = APIError(
        .conflict, .mfaNotPending, "No two-factor enrollment waits for confirmation. Start one first.")
    static let mfaNotEnabled = APIError(.conflict, .mfaNotEnabled, "Two-factor sign-in is off.")
}
