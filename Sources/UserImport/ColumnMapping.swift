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
}

/// Which source column feeds which field: detected from the column names, then adjusted
/// with `--map field=column` (an empty column unmaps the field).
public struct ColumnMapping: Sendable, Equatable {
    public let columns: [String]
    /// Field → index into `columns`.
    public private(set) var assignments: [ImportField: Int] = [:]

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

    /// The report's lines: `  username     <- "username"` per field, then the ignored columns.
    public var descriptionLines: [String] {
        var lines = ImportField.allCases.map { field in
            let name = field.rawValue.padding(to: 11)
            let source = assignments[field].map { "\"\(columns[$0])\"" } ?? "(none)"
            let note =
                switch field {
                case .id: "  (for the report; new ids are assigned)"
                case .isAdmin where assignments[.role] != nil && assignments[.isAdmin] != nil:
                    "  (where the role is empty)"
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
