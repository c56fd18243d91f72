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

/// A user as it is imported: a `NewUser` (checked by the field rules, email lower-cased,
/// password hash as the old app stored it) that keeps the source's own `updated_at`. Its
/// fields read as the new user's (`imported.username`).
@dynamicMemberLookup
public struct ImportedUser: Sendable, Equatable {
    public var user: NewUser
    public var updatedAt: Int64

    public init(_ user: NewUser, updatedAt: Int64) {
        self.user = user
        self.updatedAt = updatedAt
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<NewUser, Value>) -> Value {
        get { user[keyPath: field] }
        set { user[keyPath: field] = newValue }
    }
}
