extension SQLStore: UserImportStore {
    public var databaseFile: String? { database.file }

    public func existingUserKeys() throws -> (usernames: Set<String>, emails: Set<String>) {
        var usernames: Set<String> = []
        var emails: Set<String> = []
        _ = try rows(ImportSQL.userKeys) { row in
            usernames.insert(row.text(0))
            emails.insert(row.text(1))
        }
        return (usernames, emails)
    }

    public func insertImportedUser(_ user: ImportedUser) throws -> Int64 {
        try insertUser(user.user, updatedAt: user.updatedAt).id
    }
}

private enum ImportSQL {
    static let userKeys = SQL("SELECT lower(username), email FROM users")
}
