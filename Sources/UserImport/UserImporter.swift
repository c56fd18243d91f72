import UserCore

/// How an import runs.
public struct ImportOptions: Sendable {
    /// Check and report every row, write nothing.
    public var dryRun = false
    /// Commit each user on its own instead of all in one transaction: an error or an
    /// interruption keeps the users imported so far, and a row that collides with a user
    /// registered meanwhile is skipped.
    public var partial = false
    /// Import nothing when any row would be skipped.
    public var strict = false
    /// Replace characters a username can't have by `_` (and drop leading `_`, `.`, `-`, cut
    /// to 32 characters) instead of skipping the row; each change is reported.
    public var fixUsernames = false
    /// `--admin`: usernames (any case) whose users are imported with the admin role,
    /// whatever the source says; each must be among the users imported.
    public var admins: [String] = []
    /// `--source-timezone`: the zone of naive timestamps (else UTC).
    public var sourceTimeZone: SourceTimeZone?
    /// Rows between two progress events.
    public var progressInterval = 1000
    /// The time given to users without `created_at`.
    public var now: Int64

    public init(now: Int64) {
        self.now = now
    }
}

/// A skipped row and why, for the report. Messages hold usernames and emails, never a
/// password hash.
public struct ImportSkip: Sendable, Equatable {
    /// `line 3 (id 17)`.
    public var location: String
    /// The first problem's reason (what the summary counts).
    public var reason: ImportSkipReason
    /// Every problem of the row, joined with "; ".
    public var message: String
}

/// What an import reports as it goes.
public enum ImportEvent: Sendable, Equatable {
    case skipped(ImportSkip)
    /// `--fix-usernames` changed a username.
    case usernameFixed(location: String, from: String, to: String)
    case progress(rowsRead: Int, accepted: Int, skipped: Int)
}

/// The outcome of an import.
public struct ImportSummary: Sendable, Equatable {
    public var rowsRead = 0
    /// Rows that passed every check (and were written, unless `written` is false).
    public var accepted = 0
    public var skipped: [ImportSkipReason: Int] = [:]
    public var fixedUsernames = 0
    /// Accepted users whose `created_at` or `updated_at` is after `now` (naive local times
    /// read as UTC, from a zone east of it).
    public var futureTimestamps = 0
    /// Accepted users whose email the source had in upper or mixed case (stored lower-cased).
    public var lowercasedEmails = 0
    /// Accepted users that are active admins (by the source or `--admin`).
    public var activeAdmins = 0
    /// Whether the accepted users are in the database (false for a dry run, or when
    /// `strict` refused the import).
    public var written = false

    public var skippedCount: Int { skipped.values.reduce(0, +) }
}

/// An import that failed part way. Without `partial` nothing was written; with it,
/// `committed` users were.
public struct ImportFailure: Error, CustomStringConvertible {
    public let underlying: any Error
    public let committed: Int

    public var description: String { "\(underlying)" }
}

/// Reads a source through a mapping, checks each row like the API checks a new account
/// (field rules, case-insensitive uniqueness against the source's earlier created rows and
/// the existing users, a password hash this service can verify within `PasswordHashCaps`),
/// and writes the rows that pass with new ids. Reset tokens and any other column the
/// mapping doesn't name are never read. The rows are held in memory until all are read (a
/// duplicate's winner may come last), some hundred bytes each.
public struct UserImporter {
    let source: any UserSource
    let mapping: ColumnMapping
    let store: any UserImportStore
    let options: ImportOptions

    public init(source: any UserSource, mapping: ColumnMapping, store: any UserImportStore, options: ImportOptions) {
        self.source = source
        self.mapping = mapping
        self.store = store
        self.options = options
    }

    /// Thrown inside the transaction to roll a strict import back.
    private struct StrictRefusal: Error {}

    /// Runs the import, calling `report` for each skipped row, fixed username and progress
    /// step. Throws `ImportError` for an unusable mapping and `ImportFailure` when reading or
    /// writing fails part way.
    public func run(_ report: @escaping (ImportEvent) -> Void) throws -> ImportSummary {
        try mapping.checkRequired()
        var run = Run(importer: self, report: report)
        if options.dryRun || options.partial {
            do {
                try run.readAll()
            } catch {
                throw ImportFailure(underlying: error, committed: run.summary.accepted)
            }
            run.summary.written = !options.dryRun
            return run.summary
        }
        do {
            try store.transaction {
                try run.readAll()
                if options.strict && run.summary.skippedCount > 0 { throw StrictRefusal() }
            }
            run.summary.written = true
        } catch is StrictRefusal {
            run.summary.written = false
        } catch {
            throw ImportFailure(underlying: error, committed: 0)
        }
        return run.summary
    }

    /// The state of one run: every row is read and checked on its own first, then the
    /// rows that passed are checked for uniqueness in the order they were created, then the
    /// outcome of each row is reported (and the accepted ones written) in source order.
    private struct Run {
        let importer: UserImporter
        let report: (ImportEvent) -> Void
        var summary = ImportSummary()
        /// Lower-cased usernames and emails of existing users.
        var existingUsernames: Set<String> = []
        var existingEmails: Set<String> = []
        /// Each row's outcome, in source order.
        var rows: [Row] = []

        init(importer: UserImporter, report: @escaping (ImportEvent) -> Void) {
            self.importer = importer
            self.report = report
        }

        var options: ImportOptions { importer.options }

        /// A row: skipped for its problems, or a user to import.
        enum Row {
            case skipped(location: String, [RowProblem])
            case accepted(Candidate)
        }

        /// A row that passed its own checks.
        struct Candidate {
            let location: String
            var user: ImportedUser
            /// The username before `--fix-usernames` changed it.
            let fixedFrom: String?
            /// Whether the source gave `created_at` (else the user is created `now`).
            let hasCreatedAt: Bool
            /// Whether the email is stored lower-cased, not as the source had it.
            let emailLowercased: Bool
            /// Its place in the source's insertion order.
            let order: Int
        }

        mutating func readAll() throws {
            (existingUsernames, existingEmails) = try importer.store.existingUserKeys()
            let fields = ImportField.allCases.filter { importer.mapping.assignments[$0] != nil }
            let columns = fields.map { importer.mapping.assignments[$0]! }
            try importer.source.forEachRecord(reading: columns, orderBy: importer.mapping.assignments[.id]) {
                record in
                var values: [ImportField: SourceValue] = [:]
                for (field, value) in zip(fields, record.values) { values[field] = value }
                rows.append(read(record, values, order: rows.count))
            }
            keepTheEarliestCreated()
            try promoteAdmins()
            try writeAll()
        }

        /// The row checked on its own.
        private func read(_ record: SourceRecord, _ values: [ImportField: SourceValue], order: Int) -> Row {
            var location = record.location
            if record.problem == nil, let id = values[.id], let shown = Self.shortID(id) {
                location += " (id \(shown))"
            }
            if let problem = record.problem {
                return .skipped(location: location, [RowProblem(.unreadableRow, "unreadable row: \(problem)")])
            }
            let (user, problems, fixedFrom, hasCreatedAt) = check(values)
            guard problems.isEmpty, let user else { return .skipped(location: location, problems) }
            return .accepted(
                Candidate(
                    location: location, user: user, fixedFrom: fixedFrom, hasCreatedAt: hasCreatedAt,
                    emailLowercased: values[.email] != .text(user.email), order: order))
        }

        /// Skips each row that repeats a username or email of an earlier created row (the
        /// source's order breaks ties and goes last for rows without `created_at`), or of an
        /// existing user: an app that let `alice` and `Alice` both register keeps the first
        /// one, whatever its primary key.
        private mutating func keepTheEarliestCreated() {
            let candidates = rows.compactMap { row -> Candidate? in
                if case .accepted(let candidate) = row { return candidate }
                return nil
            }
            let creationOrder = candidates.sorted { first, second in
                (first.hasCreatedAt ? first.user.createdAt : Int64.max, first.order)
                    < (second.hasCreatedAt ? second.user.createdAt : Int64.max, second.order)
            }
            var seenUsernames: [String: Candidate] = [:]
            var seenEmails: [String: Candidate] = [:]
            for candidate in creationOrder {
                let username = candidate.user.username.lowercased()
                let problems = collisions(
                    candidate, username: seenUsernames[username], email: seenEmails[candidate.user.email])
                if problems.isEmpty {
                    seenUsernames[username] = candidate
                    seenEmails[candidate.user.email] = candidate
                } else {
                    rows[candidate.order] = .skipped(location: candidate.location, problems)
                }
            }
        }

        /// Gives the `--admin` users the admin role, before anything is written: a name no
        /// accepted row has fails the import.
        private mutating func promoteAdmins() throws {
            for name in options.admins {
                let wanted = name.lowercased()
                guard
                    let index = rows.firstIndex(where: { row in
                        guard case .accepted(let candidate) = row else { return false }
                        return candidate.user.username.lowercased() == wanted
                            || candidate.fixedFrom?.lowercased() == wanted
                    }), case .accepted(var candidate) = rows[index]
                else {
                    throw ImportError(
                        "--admin \(ImportReportText.quoted(name)) is no user this import takes in (an existing "
                            + "user's role is changed with auth-fcgi users set-role)")
                }
                candidate.user.role = .admin
                rows[index] = .accepted(candidate)
            }
        }

        /// Reports each row in source order and writes the accepted ones.
        private mutating func writeAll() throws {
            for row in rows {
                switch row {
                case .skipped(let location, let problems): skip(location, problems)
                case .accepted(let candidate): try write(candidate)
                }
                summary.rowsRead += 1
                if summary.rowsRead % max(options.progressInterval, 1) == 0 {
                    report(
                        .progress(
                            rowsRead: summary.rowsRead, accepted: summary.accepted, skipped: summary.skippedCount))
                }
            }
        }

        private mutating func write(_ candidate: Candidate) throws {
            let (user, location) = (candidate.user, candidate.location)
            if !options.dryRun {
                do {
                    _ = try importer.store.insertImportedUser(user)
                } catch StoreError.usernameTaken where options.partial {
                    skip(
                        location,
                        [
                            RowProblem(
                                .usernameTaken, "username \(ImportReportText.quoted(user.username)) was taken meanwhile"
                            )
                        ])
                    return
                } catch StoreError.emailTaken where options.partial {
                    skip(
                        location,
                        [RowProblem(.emailTaken, "email \(ImportReportText.quoted(user.email)) was taken meanwhile")])
                    return
                }
            }
            if let fixedFrom = candidate.fixedFrom {
                summary.fixedUsernames += 1
                report(.usernameFixed(location: location, from: fixedFrom, to: user.username))
            }
            summary.accepted += 1
            if user.role == .admin && user.active { summary.activeAdmins += 1 }
            if candidate.emailLowercased { summary.lowercasedEmails += 1 }
            if max(user.createdAt, user.updatedAt) > options.now { summary.futureTimestamps += 1 }
        }

        private mutating func skip(_ location: String, _ problems: [RowProblem]) {
            let skipped = ImportSkip(
                location: location, reason: problems[0].reason, message: problems.map(\.message).joined(separator: "; ")
            )
            summary.skipped[skipped.reason, default: 0] += 1
            report(.skipped(skipped))
        }

        /// The user the row describes, or the problems that keep it out; the username before
        /// `--fix-usernames` changed it; whether the row gave a `created_at`.
        private func check(_ values: [ImportField: SourceValue]) -> (ImportedUser?, [RowProblem], String?, Bool) {
            var problems: [RowProblem] = []
            func read<T>(_ body: () throws(RowProblem) -> T?) -> T? {
                do {
                    return try body()
                } catch {
                    problems.append(error)
                    return nil
                }
            }
            var fixedFrom: String?
            var username = read { () throws(RowProblem) in try ImportValues.text(values[.username], field: "username") }
            if let given = username, let error = FieldRules.username(given) {
                if options.fixUsernames, let fixed = UserImporter.fixedUsername(given) {
                    fixedFrom = given
                    username = fixed
                } else {
                    problems.append(
                        RowProblem(
                            .invalidUsername,
                            "username \(ImportReportText.quoted(given)): \(Self.clause(error.message))"))
                    username = nil
                }
            } else if username == nil, values[.username] == nil {
                problems.append(RowProblem(.missingValue, "no username"))
            }
            var email = read { () throws(RowProblem) in try ImportValues.text(values[.email], field: "email") }
            if let given = email, let error = FieldRules.email(given) {
                problems.append(
                    RowProblem(.invalidEmail, "email \(ImportReportText.quoted(given)): \(Self.clause(error.message))"))
                email = nil
            } else if email == nil, values[.email] == nil {
                problems.append(RowProblem(.missingValue, "no email"))
            }
            let hash = read { () throws(RowProblem) in
                try ImportValues.text(values[.password], field: "password hash")
            }
            if let hash, !hash.isEmpty {
                if case .failure(let rejection) = LegacyPasswordVerifier.check(hash) {
                    let reason: ImportSkipReason =
                        switch rejection.reason {
                        case .unsupported: .unsupportedHash
                        case .overCap: .hashOverCap
                        case .malformed: .malformedHash
                        }
                    problems.append(RowProblem(reason, "password hash: \(rejection.message)"))
                }
            } else if values[.password] == nil || hash == "" {
                problems.append(RowProblem(.missingValue, "no password hash"))
            }
            var names: [String?] = []
            for (field, label) in [(ImportField.firstName, "first_name"), (.lastName, "last_name")] {
                let name = read { () throws(RowProblem) in try ImportValues.text(values[field], field: label) }
                if let name, let error = FieldRules.name(name, field: label) {
                    problems.append(
                        RowProblem(
                            .invalidValue, "\(label) \(ImportReportText.quoted(name)): \(Self.clause(error.message))"))
                }
                names.append(name)
            }
            var role = read { () throws(RowProblem) in try ImportValues.role(values[.role]) }
            if role == nil, values[.isAdmin] != nil {
                role = read { () throws(RowProblem) in try ImportValues.bool(values[.isAdmin], field: "is_admin") }
                    .map { $0 ? Role.admin : Role.user }
            }
            let active = read { () throws(RowProblem) in try ImportValues.bool(values[.active], field: "active") }
            let mapping = importer.mapping
            let emailVerified = read { () throws(RowProblem) in
                try ImportValues.emailVerified(values[.emailVerified], fromDate: mapping.emailVerifiedIsDate)
            }
            let createdAt = read { () throws(RowProblem) in
                try ImportValues.timestamp(values[.createdAt], field: "created_at", zone: options.sourceTimeZone)
            }
            let updatedAt = read { () throws(RowProblem) in
                try ImportValues.timestamp(values[.updatedAt], field: "updated_at", zone: options.sourceTimeZone)
            }
            guard problems.isEmpty, let username, let email, let hash else {
                return (nil, problems, fixedFrom, false)
            }
            let created = createdAt ?? options.now
            let user = ImportedUser(
                NewUser(
                    username: username, email: FieldRules.normalizedEmail(email), passwordHash: hash,
                    firstName: names[0], lastName: names[1], role: role ?? .user, active: active ?? true,
                    emailVerified: mapping.everyEmailVerified || (emailVerified ?? false), createdAt: created),
                updatedAt: updatedAt ?? created)
            return (user, [], fixedFrom, createdAt != nil)
        }

        /// Case-insensitive clashes with existing users, and with the rows kept before it
        /// that have its username or its email.
        private func collisions(
            _ candidate: Candidate, username earlierUsername: Candidate?, email earlierEmail: Candidate?
        )
            -> [RowProblem]
        {
            let user = candidate.user
            var problems: [RowProblem] = []
            if existingUsernames.contains(user.username.lowercased()) {
                problems.append(
                    RowProblem(
                        .usernameTaken,
                        "username \(ImportReportText.quoted(user.username)) is taken by an existing user"))
            } else if let earlier = earlierUsername {
                problems.append(
                    RowProblem(
                        .duplicateUsername,
                        "username \(ImportReportText.quoted(user.username)) duplicates \(Self.kept(earlier, over: candidate))"
                    ))
            }
            if existingEmails.contains(user.email) {
                problems.append(
                    RowProblem(.emailTaken, "email \(ImportReportText.quoted(user.email)) is taken by an existing user")
                )
            } else if let earlier = earlierEmail {
                problems.append(
                    RowProblem(
                        .duplicateEmail,
                        "email \(ImportReportText.quoted(user.email)) duplicates \(Self.kept(earlier, over: candidate))"
                    ))
            }
            return problems
        }

        /// The kept row and why it is kept rather than `skipped`, for the report:
        /// `row 2 (id 17), kept as created earlier`.
        private static func kept(_ kept: Candidate, over skipped: Candidate) -> String {
            let why =
                switch (kept.hasCreatedAt, skipped.hasCreatedAt) {
                case (true, true) where kept.user.createdAt < skipped.user.createdAt: "created earlier"
                case (true, true): "created at the same second and earlier in the source"
                case (true, false): "this row has no created_at"
                default: "earlier in the source (no created_at)"
                }
            return "\(kept.location), kept as \(why)"
        }

        /// A field rule's sentence as part of a report line: without its final period.
        private static func clause(_ sentence: String) -> String {
            sentence.hasSuffix(".") ? String(sentence.dropLast()) : sentence
        }

        /// The old id as the report shows it: short printable text or a whole number.
        private static func shortID(_ value: SourceValue) -> String? {
            switch value {
            case .number(let number) where number == number.rounded() && abs(number) < 1e15: String(Int64(number))
            case .text(let text)
            where text.count <= 40
                && text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }):
                text
            default: nil
            }
        }
    }

    /// `--fix-usernames`: characters outside `A-Z a-z 0-9 _ . -` become `_`, leading
    /// `_ . -` are dropped, the rest is cut to 32; nil when that is still not a username.
    static func fixedUsername(_ given: String) -> String? {
        let isKept: (Unicode.Scalar) -> Bool = { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_.-".unicodeScalars.contains(scalar))
        }
        var characters = given.unicodeScalars.map { isKept($0) ? Character($0) : "_" }[...]
        while let first = characters.first, "_.-".contains(first) { characters = characters.dropFirst() }
        let fixed = String(characters.prefix(FieldRules.usernameLength.upperBound))
        return FieldRules.username(fixed) == nil && fixed != given ? fixed : nil
    }
}
