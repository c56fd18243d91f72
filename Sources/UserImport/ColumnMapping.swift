/// The user fields an import fills, and the source column names each is detected from.
public enum ImportField: String, CaseIterable, Sendable {
    /// Only for the report: imported users get new ids.
    case id
    case username
    case email
    case password
    case firstName = "first_name"
    case lastName = "last_name"
    /// `ADMIN`/`USER` in any case.
    case role
    /// A boolean admin flag, used where there is no role value.
    case isAdmin = "is_admin"
    case active
    /// A boolean, or a date column (name ending in `_at` or `_on`) where any date means
    /// verified; no column means unverified.
    case emailVerified = "email_verified"
    case createdAt = "created_at"
    case updatedAt = "updated_at"

    /// Column names detected for the field (compared case-insensitively), best first.
    var candidates: [String] {
        switch self {
        case .id: ["id", "user_id"]
        case .username: ["username", "user_name", "login"]
        case .email: ["email", "email_address", "mail"]
        case .password: ["password_hash", "password", "hashed_password", "pw_hash", "passwd"]
        case .firstName: ["first_name", "firstname", "given_name"]
        case .lastName: ["last_name", "lastname", "surname", "family_name"]
        case .role: ["role", "user_role"]
        case .isAdmin: ["is_admin", "admin", "is_superuser"]
        case .active: ["active", "is_active", "enabled"]
        case .emailVerified:
            [
                "email_verified", "is_email_verified", "verified", "is_verified", "email_confirmed", "confirmed",
                "is_confirmed", "email_verified_at", "email_confirmed_at", "verified_at", "confirmed_at",
                "confirmed_on",
            ]
        case .createdAt: ["created_at", "created", "created_on", "date_created", "date_joined"]
        case .updatedAt: ["updated_at", "updated", "updated_on", "modified_at", "date_modified"]
        }
    }

    /// The field a `--map` name means: its own name, or `password_hash`, `admin`, `is_active`.
    static func named(_ name: String) -> ImportField? {
        switch name.lowercased() {
        case "password_hash": .password
        case "admin": .isAdmin
        case "is_active": .active
        case let other: ImportField(rawValue: other)
        }
    }

    static let required: [ImportField] = [.username, .email, .password]

    /// Whether a column is a date by its name (`confirmed_at`, `confirmed_on`): an
    /// `email_verified` column of that kind is read as "verified when set".
    static func isDateColumn(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.hasSuffix("_at") || lowered.hasSuffix("_on")
    }
}

/// Which source column feeds which field: detected from the column names, then adjusted
/// with `--map field=column` (an empty column unmaps the field).
public struct ColumnMapping: Sendable, Equatable {
    public let columns: [String]
    /// Field → index into `columns`.
    public private(set) var assignments: [ImportField: Int] = [:]
    /// `--emails-verified`: every user is imported verified and no column is read for it.
    public private(set) var everyEmailVerified = false

    public init(detectingIn columns: [String]) {
        self.columns = columns
        var used: Set<Int> = []
        for field in ImportField.allCases {
            for candidate in field.candidates {
                if let index = columns.indices.first(where: {
                    !used.contains($0) && columns[$0].lowercased() == candidate
                }) {
                    assignments[field] = index
                    used.insert(index)
                    break
                }
            }
        }
    }

    /// Applies `field=column[,field=column…]`; the column is matched exactly, else
    /// case-insensitively.
    public mutating func apply(_ overrides: String) throws(ImportError) {
        for pair in overrides.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ImportError("--map takes field=column, not \"\(pair)\"")
            }
            let name = String(pair[..<equals].trimmingASCIIWhitespace())
            let column = String(pair[pair.index(after: equals)...].trimmingASCIIWhitespace())
            guard let field = ImportField.named(name) else {
                throw ImportError(
                    "--map: unknown field \"\(name)\" (fields: \(ImportField.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            if column.isEmpty {
                assignments[field] = nil
                continue
            }
            guard
                let index = columns.firstIndex(of: column)
                    ?? columns.firstIndex(where: { $0.lowercased() == column.lowercased() })
            else {
                throw ImportError(
                    "--map: the source has no column \"\(column)\" (columns: \(columns.map { "\"\($0)\"" }.joined(separator: ", ")))"
                )
            }
            assignments[field] = index
        }
    }

    /// `--emails-verified`: marks every imported user verified, in place of any column.
    public mutating func markEveryEmailVerified() {
        assignments[.emailVerified] = nil
        everyEmailVerified = true
    }

    /// Whether the `email_verified` column is a date (set means verified), not a boolean.
    var emailVerifiedIsDate: Bool {
        assignments[.emailVerified].map { ImportField.isDateColumn(columns[$0]) } ?? false
    }

    /// Throws when a required field (username, email, password) has no column.
    public func checkRequired() throws(ImportError) {
        let missing = ImportField.required.filter { assignments[$0] == nil }
        guard missing.isEmpty else {
            throw ImportError(
                "no column found for \(missing.map(\.rawValue).joined(separator: ", ")); "
                    + "name it with --map FIELD=COLUMN (columns: \(columns.map { "\"\($0)\"" }.joined(separator: ", ")))"
            )
        }
    }

    /// Columns no field reads: never read out of the source at all.
    public var ignoredColumns: [String] {
        let used = Set(assignments.values)
        return columns.indices.filter { !used.contains($0) }.map { columns[$0] }
    }

    /// The report's lines: `  username       <- "username"` per field, then the ignored columns.
    public var descriptionLines: [String] {
        var lines = ImportField.allCases.map { field in
            let name = field.rawValue.padding(to: 14)
            let source = assignments[field].map { "\"\(columns[$0])\"" } ?? "(none)"
            let note =
                switch field {
                case .id: "  (for the report; new ids are assigned)"
                case .isAdmin where assignments[.role] != nil && assignments[.isAdmin] != nil:
                    "  (where the role is empty)"
                case .emailVerified where everyEmailVerified: "  (every user verified: --emails-verified)"
                case .emailVerified where emailVerifiedIsDate: "  (a date: verified when set)"
                case .emailVerified where assignments[.emailVerified] == nil: "  (every user unverified)"
                default: ""
                }
            return "  \(name) <- \(source)\(note)"
        }
        let ignored = ignoredColumns
        lines.append(
            "  not read: " + (ignored.isEmpty ? "(none)" : ignored.map { "\"\($0)\"" }.joined(separator: ", ")))
        return lines
    }
}
