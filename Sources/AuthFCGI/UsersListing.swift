import UserCore

/// `users list` and `users show`: a table or a list of fields for people, or with `--json`
/// the API's own objects (`GET /api/users` and `GET /api/users/{id}` as an admin sees them).
struct UsersListing {
    let store: any Store
    let json: Bool

    func print(_ query: UserListQuery) throws {
        let (users, total) = try store.listUsers(query)
        let pages = (total + query.perPage - 1) / query.perPage
        if json {
            let page: JSONObject = [
                "items": .array(users.map { $0.json(forAdmin: true) }),
                "page": .number(Double(query.page)), "per_page": .number(Double(query.perPage)),
                "total": .number(Double(total)), "pages": .number(Double(pages)),
            ]
            return emit(.object(page))
        }
        let now = Timestamp.now()
        let header = ["ID", "USERNAME", "EMAIL", "ROLE", "ACTIVE", "VERIFIED", "2FA", "LOCKED", "LAST LOGIN"]
        let rows = users.map { user in
            [
                String(user.id), user.username, user.email, user.role.rawValue, Self.yesNo(user.active),
                Self.yesNo(user.emailVerified), Self.yesNo(user.mfaEnabled), Self.yesNo(user.isLocked(at: now)),
                user.lastLoginAt.map(Timestamp.rfc3339) ?? "never",
            ]
        }
        FileOutput.printOutput(Self.table([header] + rows))
        let matching = total == 1 ? "1 user matches" : "\(total) users match"
        FileOutput.printOutput("Page \(query.page) of \(max(pages, 1)); \(matching).\n")
    }

    func show(_ user: User) throws {
        if json { return emit(.object(["user": user.json(forAdmin: true)])) }
        let now = Timestamp.now()
        let sessions = try store.liveSessions(userID: user.id, now: now).count
        let locked = user.lockedUntil.map { Timestamp.rfc3339($0) + (user.isLocked(at: now) ? "" : " (expired)") }
        let fields = [
            ["id", String(user.id)], ["username", user.username], ["email", user.email],
            ["email_verified", Self.yesNo(user.emailVerified)], ["mfa_enabled", Self.yesNo(user.mfaEnabled)],
            ["first_name", user.firstName ?? "-"],
            ["last_name", user.lastName ?? "-"], ["role", user.role.rawValue], ["active", Self.yesNo(user.active)],
            ["created_at", Timestamp.rfc3339(user.createdAt)], ["updated_at", Timestamp.rfc3339(user.updatedAt)],
            ["last_login_at", user.lastLoginAt.map(Timestamp.rfc3339) ?? "never"],
            ["failed_logins", String(user.failedLogins)], ["locked_until", locked ?? "-"],
            ["live_sessions", String(sessions)],
        ]
        FileOutput.printOutput(Self.table(fields))
    }

    private func emit(_ value: JSONValue) {
        FileOutput.printOutput(String(decoding: JSONWriter.encode(value), as: UTF8.self) + "\n")
    }

    private static func yesNo(_ flag: Bool) -> String { flag ? "yes" : "no" }

    /// Left-aligned columns two spaces apart, as wide as their widest cell (in characters).
    static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { column in rows.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }.joined() + "\n"
        }.joined()
    }
}
