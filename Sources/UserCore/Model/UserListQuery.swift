/// A validated `GET /api/users` query (contract §3, Users).
public struct UserListQuery: Sendable, Equatable {
    public enum SortField: String, Sendable, CaseIterable {
        case id, username, email
        case createdAt = "created_at"
        case lastLoginAt = "last_login_at"
    }

    public var page: Int = 1
    public var perPage: Int = 20
    /// Lower-cased substring of username, email, first or last name.
    public var search: String?
    public var role: Role?
    public var active: Bool?
    public var emailVerified: Bool?
    public var mfaEnabled: Bool?
    public var sort: SortField = .id
    public var descending = false

    public init() {}

    /// Rows to skip; a page too far to count skips everything.
    var offset: Int {
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? Int.max : offset
    }
}

/// The changes of a PATCH; nil leaves a field as it is, `.some(nil)` clears a nullable one.
public struct UserChanges: Sendable, Equatable {
    public var username: String?
    public var email: String?
    public var firstName: String??
    public var lastName: String??
    public var role: Role?
    public var active: Bool?
    /// Admin only. Without it, a new `email` leaves the address unverified.
    public var emailVerified: Bool?

    public init() {}

    public var isEmpty: Bool { self == UserChanges() }
}

extension User {
    /// What the list's `q` searches: username, email and names, lower-cased.
    static func searchText(username: String, email: String, firstName: String?, lastName: String?) -> String {
        [username, email, firstName ?? "", lastName ?? ""].map { $0.lowercased() }.joined(separator: "\u{1F}")
    }

    /// This user with `changes` applied. A new address is unverified unless the changes say
    /// otherwise (contract §3, Email verification (v2)).
    package func applying(_ changes: UserChanges) -> User {
        var user = self
        if let username = changes.username { user.username = username }
        if let email = changes.email, email != self.email {
            user.email = email
            user.emailVerified = false
        }
        if let emailVerified = changes.emailVerified { user.emailVerified = emailVerified }
        if let firstName = changes.firstName { user.firstName = firstName }
        if let lastName = changes.lastName { user.lastName = lastName }
        if let role = changes.role { user.role = role }
        if let active = changes.active { user.active = active }
        return user
    }
}
