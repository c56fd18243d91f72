import Glibc
import UserCore
import UserImport
import UserLogic

/// `auth-fcgi import-users`: the users of a Flask app (its SQLite file or PostgreSQL
/// database, or a JSON-lines or CSV export) into DATABASE_URL, with their password hashes as they are.
struct ImportUsersCommand {
    let service: Service
    let flags: [String: String]
    let usage: Usage

    static let sourceFlags = ["--from-sqlite", "--from-postgresql", "--from-jsonl", "--from-csv"]
    static let switches: Set<String> = [
        "--dry-run", "--partial", "--strict", "--fix-usernames", "--emails-verified",
    ]
    static let flags: Set<String> = Set(sourceFlags).union(["--table", "--map", "--admin", "--source-timezone"]).union(
        switches)

    static let help = """
        Usage: auth-fcgi import-users SOURCE [--map FIELD=COLUMN[,...]] [--dry-run]
                                      [--partial | --strict] [--fix-usernames]
                                      [--emails-verified] [--admin USERNAME]...
                                      [--source-timezone ZONE]
          SOURCE: --from-sqlite PATH [--table NAME] | --from-postgresql URL [--table NAME]
                  | --from-jsonl PATH | --from-csv PATH

        Imports the users of a Flask user-management app into DATABASE_URL with their
        passwords: each keeps its bcrypt or Werkzeug hash, which logins verify and replace
        with the configured PASSWORD_SCHEME at the first success. Users get new ids.

        Sources:
          --from-sqlite PATH  the app's SQLite file (opened read-only), table user or users
          --from-postgresql URL
                              the app's PostgreSQL database (postgresql:// or postgres://,
                              as DATABASE_URL takes it), read with SELECTs only in a
                              read-only session: table user or users of the search path
          --table NAME        another table of that file or database (PostgreSQL: NAME or SCHEMA.NAME)
          --from-jsonl PATH   one JSON object per line
          --from-csv PATH     CSV (RFC 4180) with a header line

        Columns are detected by name, and the mapping is printed first:
          username, email, password (password_hash or password), first_name, last_name,
          role (ADMIN/USER in any case) or is_admin (boolean), active or is_active,
          created_at, updated_at (SQLAlchemy's "2024-01-31 12:34:56.123456", read as UTC
          or in --source-timezone; PostgreSQL timestamps with or without time zone; ISO
          8601; Unix seconds), id (for the report only),
          email_verified: a boolean column email_verified, is_email_verified, verified,
          is_verified, email_confirmed, confirmed or is_confirmed, else a date column
          email_verified_at, email_confirmed_at, verified_at, confirmed_at or confirmed_on
          (a column named *_at or *_on is read as a date: verified when set). Without
          one every user is imported unverified (the old apps never checked).
        Other columns, such as the old app's reset tokens, are never read.
          --map FIELD=COLUMN  read FIELD from COLUMN (comma-separated or repeated), as in
                              --map email_verified=confirmed_at; FIELD= leaves a
                              detected column unread
          --source-timezone ZONE
                              the IANA zone (Asia/Dhaka) of timestamps without one, for an
                              app that wrote local time; the report counts the users whose
                              timestamps lie in the future, the sign of a missing zone

        Each row is checked as the API checks a new account: username and email by the
        field rules and unique case-insensitively (among the rows and against existing
        users), and a password hash this service verifies within its cost caps: bcrypt
        $2a$/$2b$/$2y$ up to cost 14, Werkzeug scrypt:N:r:p (N <= 2^17, r <= 16, p <= 4,
        128*N*r <= 128 MiB) or pbkdf2:sha256:N (and sha1/sha512) up to 2 000 000
        iterations. A row that fails is reported on its own line and skipped. Of rows
        with one username or email (in any case) the earliest created_at is kept, then
        the one the source holds first (SQLite rowid, PostgreSQL serial id or ctid, file
        order); each other one's line names the row kept and why.
          --dry-run        check and report everything, write nothing
          --fix-usernames  replace the characters a username can't have with "_" (each
                           change is reported) instead of skipping the row
          --partial        commit each user on its own; by default the import is one
                           transaction, so a failure part way writes nothing (but the
                           service waits for the database until it ends: use --partial
                           for a large import into a running service)
          --strict         import nothing when any row would be skipped
          --emails-verified
                           mark every imported user's email verified; this overrides
                           the source's email_verified column, which is then not read.
                           Without it users are imported as that column says, or
                           unverified: under EMAIL_VERIFICATION=required an unverified
                           user can't log in until it verifies its address (resend
                           mails a new link)
          --admin USERNAME import this user (any case) as an admin, whatever the source
                           says (repeat it, or USERNAME,USERNAME); the import fails,
                           writing nothing, when no row to import has the username.
                           When no active admin exists afterwards the report says so:
                           give one the role with auth-fcgi users set-role

        Progress goes to standard error every 1000 rows; the report and a summary to
        standard output. Exits 0 when the import ran (skipped rows included), 1 when it
        failed or --strict refused it, 2 for a usage error.

        """

    struct UsageFailure: Error {
        let message: String
    }

    /// The flags' combination, checked before the database is opened: the one source flag,
    /// and the zone of `--source-timezone` read from its file.
    struct Usage {
        let sourceFlag: String
        let sourceTimeZone: SourceTimeZone?

        init(_ flags: [String: String]) throws(UsageFailure) {
            let given = ImportUsersCommand.sourceFlags.filter { flags[$0] != nil }
            if given.count != 1 {
                throw UsageFailure(
                    message: "name one source: --from-sqlite, --from-postgresql, --from-jsonl or --from-csv")
            }
            if flags["--table"] != nil && !["--from-sqlite", "--from-postgresql"].contains(given[0]) {
                throw UsageFailure(message: "--table goes with --from-sqlite or --from-postgresql")
            }
            if flags["--partial"] != nil && flags["--strict"] != nil {
                throw UsageFailure(message: "--partial and --strict exclude each other")
            }
            sourceFlag = given[0]
            do {
                sourceTimeZone = try flags["--source-timezone"].map(SourceTimeZone.init)
            } catch {
                throw UsageFailure(message: error.description)
            }
        }
    }

    func run() throws -> Int32 {
        let source: any UserSource
        var mapping: ColumnMapping
        var options = ImportOptions(now: Timestamp.now())
        do {
            options.dryRun = flags["--dry-run"] != nil
            options.partial = flags["--partial"] != nil
            options.strict = flags["--strict"] != nil
            options.fixUsernames = flags["--fix-usernames"] != nil
            options.admins = flags["--admin"].map { $0.split(separator: ",").map(String.init) } ?? []
            let path = flags[usage.sourceFlag]!
            switch usage.sourceFlag {
            case "--from-sqlite": source = try SQLiteUserSource(path: path, table: flags["--table"])
            case "--from-postgresql": source = try PostgresUserSource(url: path, table: flags["--table"])
            case "--from-jsonl": source = try JSONLinesUserSource(path: path)
            default: source = try CSVUserSource(path: path)
            }
            mapping = ColumnMapping(detectingIn: source.columns)
            if let overrides = flags["--map"] {
                do {
                    try mapping.apply(overrides)
                } catch {
                    throw UsageFailure(message: error.description)
                }
            }
            if flags["--emails-verified"] != nil { mapping.markEveryEmailVerified() }
            options.sourceTimeZone = usage.sourceTimeZone
        } catch let failure as UsageFailure {
            FileOutput.printError("import-users: \(failure.message) (see auth-fcgi import-users --help)")
            return 2
        } catch let error as ImportError {
            FileOutput.printError("import-users: \(error)")
            return 1
        }

        FileOutput.printOutput(
            "Source: \(source.description)\nMapping (change it with --map FIELD=COLUMN):\n"
                + mapping.descriptionLines.map { $0 + "\n" }.joined())
        do {
            try mapping.checkRequired()
        } catch {
            FileOutput.printError("import-users: \(error)")
            return 1
        }

        let store = try service.makeThreadContext().store()
        guard let target = store as? any UserImportStore else {
            FileOutput.printError("import-users: this DATABASE_URL's storage can't take imports")
            return 1
        }
        if let sqlite = source as? SQLiteUserSource, let file = target.databaseFile,
            Self.sameFile(sqlite.path, file)
        {
            FileOutput.printError("import-users: the source is DATABASE_URL's own database")
            return 1
        }
        if let postgres = source as? PostgresUserSource, postgres.isSameDatabase(as: target) {
            FileOutput.printError("import-users: the source is DATABASE_URL's own database")
            return 1
        }
        if options.dryRun { FileOutput.printOutput("Dry run: nothing will be written.\n") }

        // Once, before the import reads a row: each naive timestamp is then only a `mktime`.
        options.sourceTimeZone?.activate()
        let summary: ImportSummary
        do {
            summary = try UserImporter(source: source, mapping: mapping, store: target, options: options).run(
                Self.report)
        } catch let failure as ImportFailure {
            let kept =
                options.partial
                ? "\(failure.committed) users were imported before it (--partial)"
                : "nothing was written"
            FileOutput.printError("import-users: the import failed, \(kept): \(failure)")
            return 1
        }
        FileOutput.printOutput(Self.summaryText(summary, options: options))
        if summary.written || options.dryRun {
            // A dry run wrote nothing: the admins it would import count too.
            let admins = try target.activeAdminCount() + (summary.written ? 0 : summary.activeAdmins)
            if admins == 0 { FileOutput.printOutput(Self.noAdminText) }
        }
        return options.strict && !summary.written && !options.dryRun ? 1 : 0
    }

    /// Skipped rows and fixed usernames to standard output, progress to standard error.
    static func report(_ event: ImportEvent) {
        switch event {
        case .skipped(let skip):
            FileOutput.printOutput("skipped \(skip.location): \(skip.message)\n")
        case .usernameFixed(let location, let from, let to):
            FileOutput.printOutput("fixed \(location): username \"\(from)\" becomes \"\(to)\"\n")
        case .progress(let read, let accepted, let skipped):
            FileOutput.printError("import-users: \(read) rows read, \(accepted) accepted, \(skipped) skipped")
        }
    }

    static func summaryText(_ summary: ImportSummary, options: ImportOptions) -> String {
        let skipped = summary.skippedCount
        var text: String
        if options.dryRun {
            text = "Dry run: \(summary.rowsRead) rows read, \(summary.accepted) would be imported, \(skipped) skipped"
        } else if !summary.written {
            text = "Nothing imported (--strict): \(skipped) of \(summary.rowsRead) rows would be skipped"
        } else {
            text = "Imported \(summary.accepted) of \(summary.rowsRead) rows, \(skipped) skipped"
        }
        text += skipped > 0 ? ":\n" : ".\n"
        for reason in ImportSkipReason.allCases {
            if let count = summary.skipped[reason] { text += "  \(count)  \(reason.rawValue)\n" }
        }
        if summary.lowercasedEmails > 0 {
            text +=
                "Emails lower-cased: \(summary.lowercasedEmails) (emails are stored in lower case; "
                + "a login by email matches any case).\n"
        }
        if summary.futureTimestamps > 0 {
            let users = summary.futureTimestamps == 1 ? "1 user has" : "\(summary.futureTimestamps) users have"
            text +=
                "Warning: \(users) a created_at or updated_at in the future; if the app wrote local time, "
                + "give its zone with --source-timezone.\n"
        }
        if summary.fixedUsernames > 0 { text += "Usernames fixed (--fix-usernames): \(summary.fixedUsernames).\n" }
        if summary.skipped[.invalidUsername] != nil && !options.fixUsernames {
            text += "(--fix-usernames would replace the characters a username can't have.)\n"
        }
        if summary.written && summary.accepted > 0 {
            text += "Each imported password hash is replaced with the configured scheme at the user's first login.\n"
        }
        return text
    }

    /// Where to go when no one can use the admin API after the import (the source had no
    /// role column, or its admin was hard-coded by username).
    static let noAdminText = """
        No active admin exists: give a user the admin role with auth-fcgi users set-role
        (see auth-fcgi users --help), or import again with --admin USERNAME.

        """

    /// Whether two paths name the same file (same device and inode).
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat()
        var b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
