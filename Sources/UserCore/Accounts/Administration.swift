/// Why an administrative change of an account was refused.
package enum AdministrationFailure: Error, Equatable {
    /// No user has this id (or it was deleted meanwhile).
    case userNotFound
    /// The change would leave no active ADMIN (contract §3, Users rules).
    case lastAdmin
}

/// An account before and after an administrative update.
package struct AdministeredUpdate {
    package let before: User
    package let after: User

    /// The update turned an active account off: its sessions are revoked.
    package var disablesAccount: Bool { before.active && !after.active }
}

extension Accounts {
    /// Applies `changes` to user `id` in one transaction, with what follows from them
    /// (`settle`). `authorize` sees the stored user first and may refuse (the API's
    /// caller rules); then the last-admin rule holds unless `overridingLastAdmin` (the
    /// operator's `--force`): an active ADMIN is demoted or disabled only while another remains.
    package func updateUser(
        id: Int64, _ changes: UserChanges, overridingLastAdmin: Bool = false,
        authorize: (User) throws -> Void = { _ in }
    ) throws -> AdministeredUpdate {
        try store.transaction {
            guard let target = try store.user(id: id) else { throw AdministrationFailure.userNotFound }
            try authorize(target)
            let result = target.applying(changes)
            if !overridingLastAdmin && target.role == .admin && target.active
                && (result.role != .admin || !result.active)
            {
                try requireAnotherActiveAdmin()
            }
            guard let updated = try store.updateUser(id: id, changes, now: now) else {
                throw AdministrationFailure.userNotFound
            }
            let update = AdministeredUpdate(before: target, after: updated)
            try settle(update)
            return update
        }
    }

    /// Deletes user `id` and, through the schema, its sessions, in one transaction: after
    /// `authorize`, and under the last-admin rule unless `overridingLastAdmin`. Returns the
    /// user as it was.
    @discardableResult
    package func deleteUser(
        id: Int64, overridingLastAdmin: Bool = false, authorize: (User) throws -> Void = { _ in }
    ) throws -> User {
        try store.transaction {
            guard let target = try store.user(id: id) else { throw AdministrationFailure.userNotFound }
            try authorize(target)
            if !overridingLastAdmin && target.role == .admin && target.active { try requireAnotherActiveAdmin() }
            guard try store.deleteUser(id: id) else { throw AdministrationFailure.userNotFound }
            return target
        }
    }

    /// Sets `user`'s password without its current one (the operator's `set-password`), with
    /// the effects of a reset (contract §3): reset tokens voided, every session revoked, a
    /// lockout cleared. The caller checks the field rules, `too_similar` included.
    package func setPassword(of user: User, to password: String) throws {
        let hash = try passwords.hash(password)
        try store.transaction {
            guard try store.user(id: user.id) != nil else { throw AdministrationFailure.userNotFound }
            try replacePassword(of: user.id, with: hash, keeping: nil)
        }
    }

    private func requireAnotherActiveAdmin() throws {
        guard try store.activeAdminCount() > 1 else { throw AdministrationFailure.lastAdmin }
    }
}
