import UserCore

/// Register, login, whoami and password change (contract §3, Auth).
struct AccountHandlers: Sendable {
    let environment: HandlerEnvironment
    private var configuration: ServiceConfiguration { environment.configuration }

    /// `POST /api/auth/register`; unless `EMAIL_VERIFICATION=off` a verification mail follows
    /// the answer.
    func register(_ context: RequestContext) throws -> Response {
        guard configuration.registrationOpen else { throw APIError.registrationClosed }
        var fields = FieldReader(
            try context.request.jsonObjectBody(),
            allowed: ["username", "email", "password", "first_name", "last_name", "admin_key"])
        let profile = NewAccountFields(reading: &fields)
        let adminKey = fields.optionalString("admin_key")
        try fields.finish()
        guard let profile = profile.complete else { throw APIError.validationFailed(fields.errors) }

        var role = Role.user
        if let adminKey {
            guard let configured = configuration.adminRegistrationKey,
                ConstantTime.equals(Array(adminKey.utf8), Array(configured.utf8))
            else { throw APIError.adminKeyInvalid }
            role = .admin
        }
        let now = environment.clock()
        let user = try context.thread.store().createUser(
            NewUser(
                username: profile.username, email: profile.email,
                passwordHash: try context.thread.passwords.hash(profile.password),
                firstName: profile.firstName, lastName: profile.lastName, role: role, active: true, createdAt: now))
        environment.audit(
            context, "user_registered", userID: user.id,
            ["username": .string(user.username), "role": .string(user.role.rawValue)])
        var response = Response.user(user, forAdmin: false, status: .created)
        response.headers.append(("Location", "/api/users/\(user.id)"))
        return response.mailingVerification(to: user, EmailVerificationHandlers(environment: environment))
    }

    /// `POST /api/auth/login`.
    func login(_ context: RequestContext) throws -> Response {
        var fields = FieldReader(try context.request.jsonObjectBody(), allowed: ["username", "email", "password"])
        switch (fields.contains("username"), fields.contains("email")) {
        case (true, true): fields.report("username", .invalidValue, "Send either username or email, not both.")
        case (false, false): fields.report("username", .required, "Send username or email.")
        default: break
        }
        let username = fields.optionalString("username")
        let email = fields.optionalString("email")
        let password = fields.requiredString("password")
        if username == "" { fields.report("username", .tooShort, "The username is empty.") }
        if email == "" { fields.report("email", .invalidFormat, "The email address is empty.") }
        if password == "" { fields.report("password", .tooShort, "The password is empty.") }
        try fields.finish()
        guard let password else { throw APIError.validationFailed(fields.errors) }

        let identifier: LoginIdentifier = username.map { .username($0) } ?? .email(email ?? "")
        let now = environment.clock()
        let loggedIn: LoggedIn
        do {
            loggedIn = try environment.accounts(context, now: now).logIn(
                identifier, password: password,
                from: SessionOrigin(userAgent: context.request.userAgent, ip: context.request.remoteAddress))
        } catch let failure as LoginFailure {
            throw refusal(failure, context, now: now)
        }
        environment.audit(context, "login_succeeded", userID: loggedIn.user.id)
        environment.metrics.count(LoginOutcome.success)
        return environment.issuer(context, now: now).pairResponse(
            for: loggedIn.user, sessionID: loggedIn.session.id, refreshTokenID: loggedIn.session.refreshTokenID,
            methods: AuthenticationMethod.password)
    }

    /// The audit lines of a refused login, and its answer.
    private func refusal(_ failure: LoginFailure, _ context: RequestContext, now: Int64) -> APIError {
        func failed(_ userID: Int64?, _ outcome: LoginOutcome) {
            environment.metrics.count(outcome)
            environment.audit(
                context, "login_failed", userID: userID, level: .warning, ["reason": .string(outcome.auditReason)])
        }
        switch failure {
        case .unknownUser:
            failed(nil, .unknownUser)
            return .invalidCredentials
        case .wrongPassword(let userID, let lockedUntil):
            failed(userID, .wrongPassword)
            if let lockedUntil { environment.auditLock(context, userID: userID, until: lockedUntil) }
            return .invalidCredentials
        case .refused(let userID, let refusal):
            failed(userID, LoginOutcome(refusal))
            return environment.answer(to: refusal, now: now)
        case .secondFactorRequired(let userID):
            environment.metrics.count(LoginOutcome.mfaRequired)
            environment.audit(context, "login_mfa_required", userID: userID)
            return environment.issuer(context, now: now).challengeError(for: userID)
        }
    }

    /// `GET /api/auth/whoami` and `GET /api/users/me`.
    func whoami(_ context: AuthenticatedContext) throws -> Response {
        .user(context.caller.user, forAdmin: context.caller.isAdmin)
    }

    /// `POST /api/auth/password/change`: a fresh pair in the presenting session; every other
    /// session is revoked.
    func changePassword(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        var fields = FieldReader(try context.request.jsonObjectBody(), allowed: ["current_password", "new_password"])
        let current = fields.requiredString("current_password")
        let next = fields.requiredString("new_password")
        if current == "" { fields.report("current_password", .tooShort, "The current password is empty.") }
        if let next {
            fields.report(
                FieldRules.password(
                    next, field: "new_password", username: caller.user.username, email: caller.user.email))
        }
        try fields.finish()
        guard let current, let next else { throw APIError.validationFailed(fields.errors) }

        let now = environment.clock()
        let sessionID = caller.claims.sessionID
        let change: PasswordChange
        do {
            change = try environment.accounts(context, now: now).changePassword(
                of: caller.user, current: current, to: next, keeping: sessionID)
        } catch let failure as CurrentPasswordFailure {
            throw environment.refusal(failure, of: caller.user.id, context, now: now)
        } catch PasswordChangeFailure.sessionEnded {
            throw APIError.tokenRevoked
        }
        environment.audit(context, "password_changed", userID: change.user.id, ["session_id": .string(sessionID)])
        environment.metrics.count(RevocationReason.passwordChange)
        environment.mailer.send(
            environment.mail.passwordChanged(to: change.user, now: now), requestID: context.request.requestID)
        return environment.issuer(context, now: now).pairResponse(
            for: change.user, sessionID: sessionID, refreshTokenID: change.refreshTokenID,
            methods: caller.authenticationMethods)
    }
}

/// The fields of a new account shared by register and admin create: username, email,
/// password (checked against both), first and last name.
struct NewAccountFields {
    struct Complete {
        let username: String
        let email: String
        let password: String
        let firstName: String?
        let lastName: String?
    }

    let complete: Complete?

    init(reading fields: inout FieldReader) {
        let username = fields.requiredString("username")
        let email = fields.requiredString("email")
        let password = fields.requiredString("password")
        if let username { fields.report(FieldRules.username(username)) }
        if let email { fields.report(FieldRules.email(email)) }
        if let password {
            fields.report(FieldRules.password(password, field: "password", username: username, email: email))
        }
        var names: [String: String] = [:]
        for field in ["first_name", "last_name"] {
            if case .value(let name) = fields.nullableString(field) {
                fields.report(FieldRules.name(name, field: field))
                names[field] = name
            }
        }
        guard let username, let email, let password else {
            complete = nil
            return
        }
        complete = Complete(
            username: username, email: FieldRules.normalizedEmail(email), password: password,
            firstName: names["first_name"], lastName: names["last_name"])
    }
}

extension APIError {
    public static let registrationClosed = APIError(
        .forbidden, .registrationClosed, "Registration is closed.")
    public static let adminKeyInvalid = APIError(
        .forbidden, .adminKeyInvalid, "The admin key is not valid.")
    public static let invalidCredentials = APIError(
        .unauthorized, .invalidCredentials, "The username, email or password is wrong.",
        headers: [("WWW-Authenticate", "Bearer")])
    public static let emailNotVerified = APIError(
        .forbidden, .emailNotVerified, "Verify your email address first: the link is in the mail we sent.")
    public static let mfaRequired = APIError(
        .forbidden, .mfaRequired, "Enter a code from your authenticator app or a recovery code to finish signing in.")
    public static let currentPasswordIncorrect = APIError(
        .forbidden, .currentPasswordIncorrect, "The current password is wrong.")
}
