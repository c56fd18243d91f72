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

    /// Whether a lock is in force at `now`.
    public func isLocked(at now: Int64) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }

    /// The contract's user object. Admins also see `locked_until` (contract §1).
    func json(forAdmin: Bool) -> JSONValue {
        var object: JSONObject = [
            "id": .number(Double(id)),
            "username": .string(username),
            "email": .string(email),
            "first_name": .string(firstName),
            "last_name": .string(lastName),
            "role": .string(role.rawValue),
            "active": .bool(active),
            "created_at": .string(Timestamp.rfc3339(createdAt)),
            "updated_at": .string(Timestamp.rfc3339(updatedAt)),
            "last_login_at": .string(lastLoginAt.map(Timestamp.rfc3339)),
        ]
        if forAdmin {
            object.append("locked_until", .string(lockedUntil.map(Timestamp.rfc3339)))
        }
        return .object(object)
    }
}

/// The fields of a user about to be created.
public struct NewUser: Sendable {
    public var username: String
    public var email: String
    public var passwordHash: String
    public var firstName: String?
    public var lastName: String?
    public var role: Role
    public var active: Bool
    public var createdAt: Int64

    public init(
        username: String, email: String, passwordHash: String, firstName: String?, lastName: String?, role: Role,
        active: Bool, createdAt: Int64
    ) {
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.role = role
        self.active = active
        self.createdAt = createdAt
    }
}
