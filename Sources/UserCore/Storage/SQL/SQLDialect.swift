/// What truly differs between the two databases' SQL; every query is otherwise written once.
public enum SQLDialect: Sendable {
    case sqlite
    case postgresql

    /// The spelling of parameter `number` (from 1). SQLite takes `$1` too, but as a name
    /// numbered by first appearance, so it gets its own `?1`.
    func placeholder(_ number: Int) -> String {
        switch self {
        case .sqlite: "?\(number)"
        case .postgresql: "$\(number)"
        }
    }

    /// A condition true when `text` holds `part` (both TEXT).
    func contains(_ text: String, _ part: String) -> String {
        switch self {
        case .sqlite: "instr(\(text), \(part)) > 0"
        case .postgresql: "strpos(\(text), \(part)) > 0"
        }
    }

    /// `condition` as a user-list page filters with it. SQLite's planner would use the
    /// role/active indexes for it, and fetching every match to sort it costs tens of
    /// milliseconds at 100 000 users, where walking the sort's index and skipping
    /// non-matches finds a page in a few rows: a unary `+` keeps those indexes out.
    /// PostgreSQL's planner weighs that itself.
    func pageFilter(_ condition: String) -> String {
        switch self {
        case .sqlite: "+" + condition
        case .postgresql: condition
        }
    }

    /// The column that orders a user's sessions by insertion when `created_at` ties:
    /// SQLite's rowid, PostgreSQL's identity column `seq`.
    var sessionInsertionOrder: String {
        switch self {
        case .sqlite: "rowid"
        case .postgresql: "seq"
        }
    }
}
