/// A store `import-users` can write to: it needs every existing username and email up
/// front, and inserts users with their own timestamps.
public protocol UserImportStore: Store {
    /// The database file written to, when it is one (so a source can't be the target).
    var databaseFile: String? { get }
    /// Every user's username lower-cased, and email (stored lower-cased).
    func existingUserKeys() throws -> (usernames: Set<String>, emails: Set<String>)
    /// Inserts the user with a new id and returns it; throws `StoreError.usernameTaken` /
    /// `.emailTaken` when either is in use.
    func insertImportedUser(_ user: ImportedUser) throws -> Int64
}

/// A user as it is imported: checked by the field rules, email lower-cased, password hash
/// as the old app stored it.
public struct ImportedUser: Sendable, Equatable {
    public var username: String
    public var email: String
    public var passwordHash: String
    public var firstName: String?
    public var lastName: String?
    public var role: Role
    public var active: Bool
    /// From the source's verified/confirmed column or `--emails-verified`; false otherwise
    /// (the old apps never checked addresses).
    public var emailVerified: Bool
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        username: String, email: String, passwordHash: String, firstName: String?, lastName: String?, role: Role,
        active: Bool, emailVerified: Bool = false, createdAt: Int64, updatedAt: Int64
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
        self.updatedAt = updatedAt
    }
}
