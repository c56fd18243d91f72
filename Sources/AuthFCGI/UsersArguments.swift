import UserCore
import UserLogic

/// `auth-fcgi users SUBCOMMAND [ARGUMENT]... [--option value | --switch]...`, checked before
/// the database is touched: a usage error exits 2 and changes nothing.
struct UsersArguments {
    enum Subcommand: String, CaseIterable {
        case list, show
        case setRole = "set-role"
        case enable, disable, unlock
        case revokeSessions = "revoke-sessions"
        case setPassword = "set-password"
        case resetMFA = "reset-mfa"
        case delete

        /// Options that take a value.
        var options: Set<String> {
            self == .list
                ? [
                    "--q", "--role", "--active", "--email-verified", "--mfa-enabled", "--sort", "--page", "--per-page",
                ] : []
        }

        /// Options that take none.
        var switches: Set<String> {
            switch self {
            case .list, .show: ["--json"]
            case .setRole, .disable: ["--force"]
            case .delete: ["--yes", "--force"]
            case .enable, .unlock, .revokeSessions, .setPassword, .resetMFA: []
            }
        }

        /// The names of its positional arguments, for the usage errors.
        var operands: [String] {
            switch self {
            case .list: []
            case .setRole: ["ID|USERNAME", "ROLE"]
            default: ["ID|USERNAME"]
            }
        }
    }

    /// Nil only with `--help` and no subcommand: the overview.
    var subcommand: Subcommand?
    var operands: [String] = []
    var options: [String: String] = [:]
    var switches: Set<String> = []
    var wantsHelp = false

    typealias UsageError = CommandLineArguments.UsageError

    static func parse(_ words: [String]) throws(UsageError) -> UsersArguments {
        var remaining = words[...]
        var parsed = UsersArguments()
        if let first = remaining.first, !first.hasPrefix("-") {
            guard let subcommand = Subcommand(rawValue: first) else {
                throw UsageError(message: "unknown subcommand \"\(first)\"")
            }
            parsed.subcommand = subcommand
            remaining = remaining.dropFirst()
        }
        while let word = remaining.popFirst() {
            if word == "--help" || word == "-h" {
                parsed.wantsHelp = true
            } else if word.hasPrefix("-") && word != "-" {
                try parsed.take(option: word, from: &remaining)
            } else {
                parsed.operands.append(word)
            }
        }
        if parsed.wantsHelp { return parsed }
        guard let subcommand = parsed.subcommand else {
            throw UsageError(
                message: "a subcommand is needed: \(Subcommand.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard parsed.operands.count == subcommand.operands.count else {
            let expected = subcommand.operands.isEmpty ? "no arguments" : subcommand.operands.joined(separator: " ")
            throw UsageError(message: "\(subcommand.rawValue) takes \(expected)")
        }
        if subcommand == .setRole, Role(rawValue: parsed.operands[1]) == nil {
            throw UsageError(message: "the role is USER or ADMIN, not \"\(parsed.operands[1])\"")
        }
        if subcommand == .delete, !parsed.switches.contains("--yes") {
            throw UsageError(message: "delete can't be undone: add --yes to delete the account")
        }
        if subcommand == .list { _ = try parsed.listQuery() }
        return parsed
    }

    private mutating func take(option word: String, from remaining: inout ArraySlice<String>) throws(UsageError) {
        let subcommand = self.subcommand?.rawValue ?? "users"
        var name = word
        var value: String?
        if let equals = word.firstIndex(of: "=") {
            name = String(word[..<equals])
            value = String(word[word.index(after: equals)...])
        }
        if self.subcommand?.switches.contains(name) == true {
            guard value == nil else { throw UsageError(message: "\(name) takes no value") }
            switches.insert(name)
            return
        }
        guard self.subcommand?.options.contains(name) == true else {
            throw UsageError(message: "unknown option \"\(name)\" for \(subcommand)")
        }
        if value == nil { value = remaining.popFirst() }
        guard let value else { throw UsageError(message: "\(name) needs a value") }
        options[name] = value
    }

    /// The account operand: a number is an id, anything else a username (matched ignoring case).
    var account: UserReference {
        let operand = operands[0]
        if !operand.isEmpty, operand.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let id = Int64(operand) {
            return .id(id)
        }
        return .username(operand)
    }

    /// `list`'s options as the API's query (`GET /api/users`), read by the API's own parser:
    /// `--per-page` is its `per_page`, and each field error names the option back.
    func listQuery() throws(UsageError) -> UserListQuery {
        func parameter(_ option: String) -> String { String(option.dropFirst(2)).replacing("-", with: "_") }
        func option(_ parameter: String) -> String { "--" + parameter.replacing("_", with: "-") }
        let parameters = QueryParameters(options.map { (name: parameter($0.key), value: $0.value) })
        do {
            return try UserListQuery.parsing(parameters)
        } catch {
            throw UsageError(
                message: error.fieldErrors.map { "\(option($0.field)): \($0.message)" }.joined(separator: " "))
        }
    }
}

/// How the command line names an account.
enum UserReference {
    case id(Int64)
    case username(String)

    var notFound: String {
        switch self {
        case .id(let id): "no user has the id \(id)"
        case .username(let name): "no user has the username \"\(name)\""
        }
    }
}
