extension SQLStore {
    /// Applies the steps of `Migration.all` not yet recorded, each in its own transaction,
    /// inside `whileMigrating` (which keeps two processes from applying one step), and
    /// returns the names of those applied.
    func migrate() throws -> [String] {
        // Usually everything is applied already: one read, no lock (a start, a CGI request).
        // No ledger yet takes the full way; a database that can't be reached fails here, not
        // after a second connection attempt (another `connect_timeout` on PostgreSQL).
        do {
            let recorded = try rows(MigrationSQL.recorded, [], { $0.integer(0) })
            if Set(recorded).isSuperset(of: Migration.all.map(\.version)) { return [] }
        } catch let error as StoreError {
            throw error
        } catch {}
        do {
            return try database.whileMigrating {
                try database.execute(Migration.ledger.text(for: dialect))
                var applied: [String] = []
                for step in Migration.all {
                    let didApply = try transaction {
                        guard try rows(MigrationSQL.isRecorded, [.integer(step.version)], { _ in true }).isEmpty else {
                            return false
                        }
                        try database.execute(step.ddl.text(for: dialect))
                        try change(
                            MigrationSQL.record, [.integer(step.version), .text(step.name), .integer(Timestamp.now())])
                        return true
                    }
                    if didApply { applied.append(step.name) }
                }
                return applied
            }
        } catch {
            throw mapped(error)
        }
    }
}

private enum MigrationSQL {
    static let recorded = SQL("SELECT version FROM schema_migrations")
    static let isRecorded = SQL("SELECT 1 FROM schema_migrations WHERE version = $1")
    static let record = SQL("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
}
