/// The SQLite schema, as numbered steps applied in order and recorded in
/// `schema_migrations`. Never edit a step that has shipped: add a new one.
enum SQLiteMigrations {
    struct Step {
        let version: Int64
        let name: String
        let sql: String
    }

    static let steps: [Step] = [
        Step(
            version: 1, name: "accounts_and_sessions",
            sql: """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    username TEXT NOT NULL,
                    email TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    first_name TEXT,
                    last_name TEXT,
                    role TEXT NOT NULL CHECK (role IN ('USER', 'ADMIN')),
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    last_login_at INTEGER,
                    failed_logins INTEGER NOT NULL DEFAULT 0,
                    locked_until INTEGER,
                    -- username, email and names lower-cased by the service (full Unicode, which
                    -- SQLite's lower() is not), searched by the user list's `q`.
                    search_text TEXT NOT NULL
                );
                -- Usernames are ASCII, so lower() folds them completely; emails are stored
                -- lower-cased by the service. These also serve the list's sorts by username
                -- and email.
                CREATE UNIQUE INDEX users_username_unique ON users (lower(username));
                CREATE UNIQUE INDEX users_email_unique ON users (email);
                -- The user list counts matches through these; its pages walk the index of
                -- their sort and filter on the way. Ties are broken by id ascending, also in
                -- descending sorts, hence an index per direction.
                CREATE INDEX users_by_role_active ON users (role, active);
                CREATE INDEX users_by_active ON users (active);
                CREATE INDEX users_by_created ON users (created_at, id);
                CREATE INDEX users_by_created_desc ON users (created_at DESC, id);
                -- Users who never logged in sort last ascending and first descending.
                CREATE INDEX users_by_last_login ON users (last_login_at IS NULL, last_login_at, id);
                CREATE INDEX users_by_last_login_desc ON users (last_login_at IS NULL DESC, last_login_at DESC, id);

                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    last_used_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    user_agent TEXT,
                    ip TEXT,
                    refresh_jti TEXT NOT NULL,
                    revoked_at INTEGER
                );
                CREATE INDEX sessions_by_user ON sessions (user_id, created_at);

                -- Access tokens revoked one by one (logout), kept until they expire.
                CREATE TABLE revoked_tokens (
                    jti TEXT PRIMARY KEY,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);
                """),
        Step(
            version: 2, name: "password_reset_tokens",
            sql: """
                -- Only the SHA-256 of a reset token is stored; a user has at most one.
                CREATE TABLE reset_tokens (
                    token_hash TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    used_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX reset_tokens_by_user ON reset_tokens (user_id);
                CREATE INDEX reset_tokens_by_expiry ON reset_tokens (expires_at);
                """),
        Step(
            version: 3, name: "user_counts",
            sql: """
                -- How many users have each role and active flag: the user list's `total` (when
                -- there is no `q`) and the last-admin rule read these four rows instead of
                -- counting the users. The triggers keep them exact in the transaction of every
                -- change; the CHECKs on users allow no other (role, active) pair.
                CREATE TABLE user_counts (
                    role TEXT NOT NULL,
                    active INTEGER NOT NULL,
                    n INTEGER NOT NULL,
                    PRIMARY KEY (role, active)
                ) WITHOUT ROWID;
                INSERT INTO user_counts (role, active, n) VALUES ('USER', 0, 0), ('USER', 1, 0), ('ADMIN', 0, 0),
                    ('ADMIN', 1, 0);
                UPDATE user_counts SET n = (
                    SELECT count(*) FROM users
                    WHERE users.role = user_counts.role AND users.active = user_counts.active);
                CREATE TRIGGER users_counted_insert AFTER INSERT ON users BEGIN
                    UPDATE user_counts SET n = n + 1 WHERE role = NEW.role AND active = NEW.active;
                END;
                CREATE TRIGGER users_counted_delete AFTER DELETE ON users BEGIN
                    UPDATE user_counts SET n = n - 1 WHERE role = OLD.role AND active = OLD.active;
                END;
                CREATE TRIGGER users_counted_update AFTER UPDATE OF role, active ON users
                    WHEN NEW.role IS NOT OLD.role OR NEW.active IS NOT OLD.active
                BEGIN
                    UPDATE user_counts SET n = n - 1 WHERE role = OLD.role AND active = OLD.active;
                    UPDATE user_counts SET n = n + 1 WHERE role = NEW.role AND active = NEW.active;
                END;
                """),
    ]
}

extension SQLiteStore {
    /// Applies the steps not yet recorded, each in its own IMMEDIATE transaction: when several
    /// worker processes start at once, one applies a step and the others, once they get the
    /// write lock, find it recorded and skip it.
    func migrate() throws -> [String] {
        if isCurrent() { return [] }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
        var applied: [String] = []
        for step in SQLiteMigrations.steps {
            let didApply = try connection.transaction {
                let done = try connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(step.version)]
                ) { _ in true }
                guard done.isEmpty else { return false }
                try connection.execute(step.sql)
                try connection.run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(step.version), .text(step.name), .integer(Timestamp.now())])
                return true
            }
            if didApply { applied.append(step.name) }
        }
        return applied
    }

    /// Whether every step is recorded already, found with one read and no write lock: the
    /// usual case, and a CGI process checks it for every request. Any error (no
    /// `schema_migrations` table yet) means no, and `migrate()` takes the full path.
    private func isCurrent() -> Bool {
        guard let recorded = try? connection.query("SELECT version FROM schema_migrations", row: { $0.integer(0) })
        else { return false }
        return SQLiteMigrations.steps.allSatisfy { recorded.contains($0.version) }
    }
}
