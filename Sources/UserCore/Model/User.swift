/// A user row as the service uses it: everything but the password hash is shown to clients
/// in some form; the hash and the failure counter never are.
public struct User: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var email: String
    public var passwordHash: String
    public var firstName: String?
    public var lastName: String?
    public var role: Role
    public var active: Bool
    public var createdAt: Int64
    public var updatedAt: Int64
    public var lastLoginAt: Int64?
    public var failedLogins: Int
    public var lockedUntil: Int64?
    /// Whether the user proved it reads `email` (contract §3, Email verification (v2)).
    public var emailVerified: Bool
    /// Whether logins need a second factor (contract §3, Two-factor sign-in (v2)).
    public var mfaEnabled: Bool

    /// Whether a lock is in force at `now`.
    public func isLocked(at now: Int64) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }

    /// The contract's user object. Admins also see `locked_until` (contract §1).
    package func json(forAdmin: Bool) -> JSONValue {
        var object = JSONObject()
        describe(forAdmin: forAdmin, to: &object)
        return .object(object)
    }

    /// The same object written straight to `output`, for the users page (up to 100 users).
    package func write(forAdmin: Bool, to output: inout JSONOutput) {
        output.beginObject()
        describe(forAdmin: forAdmin, to: &output)
        output.endObject()
    }

    private func describe(forAdmin: Bool, to members: inout some JSONMemberSink) {
        members.member("id", id)
        members.member("username", username)
        members.member("email", email)
        members.member("first_name", firstName)
        members.member("last_name", lastName)
        members.member("role", role.rawValue)
        members.member("active", active)
        members.member("email_verified", emailVerified)
        members.member("mfa_enabled", mfaEnabled)
        members.member("created_at", timestamp: createdAt)
        members.member("updated_at", timestamp: updatedAt)
        members.member("last_login_at", timestamp: lastLoginAt)
        if forAdmin { members.member("locked_until", timestamp: lockedUntil) }
    }
}

/// The fields of a user about to be created.
public struct NewUser: Sendable, Equatable {
    public var username: String
    public var email: String
    public var passwordHash: String
    public var firstName: String?
    public var lastName: String?
    public var role: Role
    public var active: Bool
    public var emailVerified: Bool
    public var createdAt: Int64

    public init(
        username: String, email: String, passwordHash: String, firstName: String?, lastName: String?, role: Role,
        active: Bool, emailVerified: Bool = false, createdAt: Int64
    ) {
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.role = role
        self.active = active
        self.emailVerified = emailVerified
        self.createdAt = createdAt
    }
}
