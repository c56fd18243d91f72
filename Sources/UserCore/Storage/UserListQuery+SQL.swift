extension UserListQuery {
    /// The ORDER BY of the list's sort, the same for both databases (each has an index per
    /// sort): ties by id ascending in both directions, users who never logged in last
    /// ascending and first descending. Built from the enum only, never from request text.
    var orderByClause: String {
        let direction = descending ? "DESC" : "ASC"
        switch sort {
        case .id: return "id \(direction)"
        case .username: return "lower(username) \(direction), id"
        case .email: return "email \(direction), id"
        case .createdAt: return "created_at \(direction), id"
        case .lastLoginAt: return "last_login_at IS NULL \(direction), last_login_at \(direction), id"
        }
    }
}
