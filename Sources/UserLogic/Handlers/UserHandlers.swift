import UserCore

/// The Users table of contract §3: list, create, get, update, delete, unlock, and revoking
/// a user's sessions, with the self/admin rules and the contract §5 order of checks.
struct UserHandlers: Sendable {
    let environment: HandlerEnvironment

    /// `GET /api/users` (admin).
    func list(_ context: AuthenticatedContext) throws -> Response {
        let query = try UserListQuery.parsing(context.request.query)
        let (users, total) = try context.thread.store().listUsers(query)
        // Written straight to bytes: no JSONValue tree for up to 100 users.
        var output = JSONOutput(capacity: 128 + 400 * users.count)
        output.beginObject()
        output.key("items")
        output.beginArray()
        for user in users { user.write(forAdmin: true, to: &output) }
        output.endArray()
        output.member("page", Int64(query.page))
        output.member("per_page", Int64(query.perPage))
        output.member("total", Int64(total))
        output.member("pages", Int64((total + query.perPage - 1) / query.perPage))
        output.endObject()
        return .json(output)
    }

    /// `POST /api/users` (admin): like register, plus `role`, `active` and `email_verified`; a
    /// verification mail follows unless the admin marked the address verified.
    func create(_ context: AuthenticatedContext) throws -> Response {
        let user = try UserAdministration(thread: context.thread, now: environment.clock())
            .createUser(from: try context.request.jsonObjectBody())
        audit(
            context, "user_created", target: user.id,
            [
                "role": .string(user.role.rawValue), "active": .bool(user.active),
                "email_verified": .bool(user.emailVerified),
            ])
        var response = Response.user(user, forAdmin: true, status: .created)
        response.headers.append(("Location", "/api/users/\(user.id)"))
        return response.mailingVerification(to: user, EmailVerificationHandlers(environment: environment))
    }

    /// `GET /api/users/{id}` (self or admin).
    func get(_ context: AuthenticatedContext) throws -> Response {
        .user(try target(context), forAdmin: context.caller.isAdmin)
    }

    /// `PATCH` and `PUT /api/users/{id}` (self or admin): a partial update. Changing one's own
    /// email needs `current_password` (contract §3 Users rules (v2)); elsewhere it is ignored.
    /// A new address is unverified unless an admin says otherwise: the old one gets a notice,
    /// the new one a verification mail after the answer.
    func update(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let id = try targetID(context)
        var fields = FieldReader(
            try context.request.jsonObjectBody(),
            allowed: [
                "username", "email", "first_name", "last_name", "role", "active", "email_verified", "current_password",
            ])
        let changes = Self.changes(reading: &fields)
        // A malformed address is reported alone: it changes nothing that needs the password.
        let changesOwnEmail =
            id == caller.user.id && !fields.errors.contains { $0.field == "email" }
            && changes.email.map { $0 != caller.user.email } ?? false
        let currentPassword = changesOwnEmail ? fields.requiredString("current_password") : nil
        try fields.finish()
        let now = environment.clock()
        let accounts = try environment.accounts(context, now: now)
        // A non-admin's target is itself: no 404 can come first.
        if !caller.isAdmin && (changes.role != nil || changes.active != nil || changes.emailVerified != nil) {
            throw APIError.forbidden.with(detail: "Only an admin can change role, active or email_verified.")
        }
        if let currentPassword {
            do {
                try accounts.checkCurrentPassword(currentPassword, of: caller.user)
            } catch let failure as CurrentPasswordFailure {
                throw environment.refusal(failure, of: caller.user.id, context, now: now)
            }
        }
        let update: AdministeredUpdate
        do {
            update = try accounts.updateUser(id: id, changes) { target in
                try requireMayModify(target, caller: caller)
            }
        } catch let failure as AdministrationFailure {
            throw failure.apiError
        }
        let (target, updated) = (update.before, update.after)
        audit(context, "user_updated", target: id, ["changes": Self.describe(changes)])
        if update.disablesAccount { environment.metrics.count(RevocationReason.accountDisabled) }
        let response = Response.user(updated, forAdmin: caller.isAdmin)
        guard updated.email != target.email else { return response }
        environment.mailer.send(
            environment.mail.emailChanged(from: target.email, of: updated, now: now),
            requestID: context.request.requestID)
        return response.mailingVerification(to: updated, EmailVerificationHandlers(environment: environment))
    }

    /// `DELETE /api/users/{id}` (self or admin): its sessions go with it.
    func delete(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let id = try targetID(context)
        do {
            try environment.accounts(context, now: environment.clock()).deleteUser(id: id) { target in
                try requireMayModify(target, caller: caller)
            }
        } catch let failure as AdministrationFailure {
            throw failure.apiError
        }
        audit(context, "user_deleted", target: id)
        environment.metrics.count(RevocationReason.userDeleted)
        return .noContent()
    }

    /// `POST /api/users/{id}/unlock` (admin, any user).
    func unlock(_ context: AuthenticatedContext) throws -> Response {
        guard let id = context.parameters.integer("id"), try context.thread.store().unlockUser(id: id) else {
            throw APIError.userNotFound
        }
        audit(context, "user_unlocked", target: id)
        return .noContent()
    }

    /// `DELETE /api/users/{id}/sessions` (self or admin; not another admin's).
    func revokeSessions(_ context: AuthenticatedContext) throws -> Response {
        let target = try self.target(context)
        try requireMayModify(target, caller: context.caller)
        try context.thread.store().revokeSessions(userID: target.id, keeping: nil, now: environment.clock())
        audit(context, "user_sessions_revoked", target: target.id)
        environment.metrics.count(RevocationReason.userSessions)
        return .noContent()
    }

    /// `DELETE /api/users/{id}/mfa` (admin; not another admin's): two-factor sign-in off, the
    /// secret and the recovery codes deleted, the user told by mail. A user without it is left
    /// as it is, and told nothing.
    func removeTwoFactor(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let id = try targetID(context)
        let now = environment.clock()
        let update: AdministeredUpdate
        do {
            update = try environment.accounts(context, now: now).removeTOTP(ofUser: id) { target in
                try requireMayModify(target, caller: caller)
            }
        } catch let failure as AdministrationFailure {
            throw failure.apiError
        }
        if update.before.mfaEnabled {
            audit(context, "user_mfa_removed", target: id)
            environment.mailer.send(
                environment.mail.twoFactorDisabled(to: update.after, byAdmin: true, now: now),
                requestID: context.request.requestID)
        }
        return .noContent()
    }

    /// An administration event: `user_id` is the actor, `target_id` the account acted on.
    private func audit(_ context: AuthenticatedContext, _ event: String, target: Int64, _ details: JSONObject = [:]) {
        var fields: JSONObject = ["target_id": .number(Double(target))]
        for member in details.members { fields.append(member.name, member.value) }
        environment.audit(context, event, userID: context.caller.user.id, fields)
    }

    /// What a PATCH changed, for the audit log.
    static func describe(_ changes: UserChanges) -> JSONValue {
        var object = JSONObject()
        if let username = changes.username { object.append("username", .string(username)) }
        if let email = changes.email { object.append("email", .string(email)) }
        if let firstName = changes.firstName { object.append("first_name", .string(firstName)) }
        if let lastName = changes.lastName { object.append("last_name", .string(lastName)) }
        if let role = changes.role { object.append("role", .string(role.rawValue)) }
        if let active = changes.active { object.append("active", .bool(active)) }
        if let emailVerified = changes.emailVerified { object.append("email_verified", .bool(emailVerified)) }
        return .object(object)
    }

    // MARK: Rules

    /// The path's id, once the caller may address it: a non-admin only its own id, whether
    /// another exists or not (no existence oracle).
    private func targetID(_ context: AuthenticatedContext) throws(APIError) -> Int64 {
        guard let id = context.parameters.integer("id") else { throw APIError.notFound() }
        guard context.caller.isAdmin || id == context.caller.user.id else {
            throw APIError.forbidden.with(detail: "You can only act on your own account.")
        }
        return id
    }

    private func target(_ context: AuthenticatedContext) throws -> User {
        let id = try targetID(context)
        guard let user = try context.thread.store().user(id: id) else { throw APIError.userNotFound }
        return user
    }

    /// An admin may change USER accounts and itself, not another ADMIN.
    private func requireMayModify(_ target: User, caller: AuthenticatedCaller) throws(APIError) {
        if target.role == .admin && target.id != caller.user.id {
            throw APIError.forbidden.with(detail: "Admins can't change or delete other admins.")
        }
    }

    // MARK: Input

    /// The PATCH body: every field optional; names nullable.
    static func changes(reading fields: inout FieldReader) -> UserChanges {
        var changes = UserChanges()
        if let username = fields.optionalString("username") {
            fields.report(FieldRules.username(username))
            changes.username = username
        }
        if let email = fields.optionalString("email") {
            fields.report(FieldRules.email(email))
            changes.email = FieldRules.normalizedEmail(email)
        }
        for field in ["first_name", "last_name"] {
            let value = fields.nullableString(field)
            if case .value(let name) = value { fields.report(FieldRules.name(name, field: field)) }
            if field == "first_name" { changes.firstName = value.update } else { changes.lastName = value.update }
        }
        changes.role = fields.optionalRole("role")
        changes.active = fields.optionalBool("active")
        changes.emailVerified = fields.optionalBool("email_verified")
        return changes
    }
}

extension UserListQuery {
    /// Parses `GET /api/users`'s query (and `auth-fcgi users list`'s options, mapped to it);
    /// every bad value is reported at once, by parameter name.
    package static func parsing(_ parameters: QueryParameters) throws(APIError) -> UserListQuery {
        var query = UserListQuery()
        var errors: [FieldError] = []
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let text = parameters[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                errors.append(
                    FieldError(
                        field: name, code: .invalidValue,
                        message: "Use a whole number from \(range.lowerBound) to \(range.upperBound)."))
                return nil
            }
            return value
        }
        // Up to 2^53 - 1: the page is echoed as a JSON number, exact in every client.
        query.page = integer("page", 1...9_007_199_254_740_991) ?? query.page
        query.perPage = integer("per_page", 1...100) ?? query.perPage
        if let search = parameters["q"], !search.isEmpty { query.search = search.lowercased() }
        if let role = parameters["role"] {
            if let parsed = Role(rawValue: role) {
                query.role = parsed
            } else {
                errors.append(FieldError(field: "role", code: .invalidValue, message: "Use USER or ADMIN."))
            }
        }
        func flag(_ name: String) -> Bool? {
            switch parameters[name] {
            case nil: return nil
            case "true": return true
            case "false": return false
            default:
                errors.append(FieldError(field: name, code: .invalidValue, message: "Use true or false."))
                return nil
            }
        }
        query.active = flag("active")
        query.emailVerified = flag("email_verified")
        query.mfaEnabled = flag("mfa_enabled")
        if let sort = parameters["sort"] {
            let descending = sort.hasPrefix("-")
            if let field = UserListQuery.SortField(rawValue: String(descending ? sort.dropFirst() : sort[...])) {
                query.sort = field
                query.descending = descending
            } else {
                let names = UserListQuery.SortField.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(
                    FieldError(
                        field: "sort", code: .invalidValue, message: "Use one of \(names), with '-' for descending."))
            }
        }
        guard errors.isEmpty else { throw APIError.validationFailed(errors) }
        return query
    }
}

extension FieldReader {
    /// `"USER"` or `"ADMIN"`: another string is `invalid_value`, another type `invalid_type`.
    mutating func optionalRole(_ name: String) -> Role? {
        guard let text = optionalString(name) else { return nil }
        guard let role = Role(rawValue: text) else {
            report(name, .invalidValue, "Use USER or ADMIN.")
            return nil
        }
        return role
    }
}

extension AdministrationFailure {
    /// The answer to a refused administrative change.
    var apiError: APIError {
        switch self {
        case .userNotFound: .userNotFound
        case .lastAdmin: APIError(.conflict, .lastAdmin, "The last active admin can't be demoted, disabled or deleted.")
        }
    }
}

extension APIError {
    public static let userNotFound = APIError(.notFound, .userNotFound, "No user has this id.")

    /// The same error with another sentence for people.
    func with(detail: String) -> APIError {
        var error = self
        error.detail = detail
        return error
    }
}
