import UserCore

/// Creating accounts on behalf of an admin, shared by `POST /api/users` and the
/// `create-admin` command, so both apply the same field rules.
public struct UserAdministration {
    let thread: ThreadContext
    let now: Int64

    public init(thread: ThreadContext, now: Int64) {
        self.thread = thread
        self.now = now
    }

    /// Validates `body` (username, email, password, optional names, `role`, `active`,
    /// `email_verified`) and creates the user; `defaultRole` applies when the body has no `role`.
    public func createUser(from body: JSONObject, defaultRole: Role = .user) throws -> User {
        var fields = FieldReader(
            body,
            allowed: ["username", "email", "password", "first_name", "last_name", "role", "active", "email_verified"])
        let account = NewAccountFields(reading: &fields)
        let role = fields.optionalRole("role")
        let active = fields.optionalBool("active")
        let emailVerified = fields.optionalBool("email_verified")
        try fields.finish()
        guard let account = account.complete else { throw APIError.validationFailed(fields.errors) }
        return try thread.store().createUser(
            NewUser(
                username: account.username, email: account.email,
                passwordHash: try thread.passwords.hash(account.password),
                firstName: account.firstName, lastName: account.lastName, role: role ?? defaultRole,
                active: active ?? true, emailVerified: emailVerified ?? false, createdAt: now))
    }
}
