import UserCore
import UserLogic

/// The changes `auth-fcgi users` makes to one account: each through the accounts core, printed,
/// and audited with the API's event name and `"actor": "cli"` (`target_id` is the account).
struct UsersChange {
    let service: Service
    let store: any Store
    let accounts: Accounts
    let user: User
    let now: Int64
    /// `--force`: the last-admin rule doesn't hold.
    let force: Bool

    /// How long `set-password` and `reset-mfa` wait for their notice mail (and the mailer's retries) to go out.
    static let mailDrainSeconds = 10.0

    private var name: String { "\(user.username) (id \(user.id))" }

    /// `set-role`: the API's `PATCH {"role": …}`.
    func setRole(_ role: Role) throws {
        guard user.role != role else {
            return FileOutput.printOutput("\(name) is already \(role.rawValue): nothing changed.\n")
        }
        var changes = UserChanges()
        changes.role = role
        try update(changes, ["role": .string(role.rawValue)])
        FileOutput.printOutput("Changed the role of \(name) from \(user.role.rawValue) to \(role.rawValue).\n")
        try warnIfNoActiveAdmin()
    }

    /// `enable` and `disable`: the API's `PATCH {"active": …}`. Disabling revokes every session
    /// and voids the reset and verification tokens (`Accounts.settle`).
    func setActive(_ active: Bool) throws {
        guard user.active != active else {
            let state = active ? "enabled" : "disabled"
            return FileOutput.printOutput("\(name) is already \(state): nothing changed.\n")
        }
        let sessions = try store.liveSessions(userID: user.id, now: now).count
        var changes = UserChanges()
        changes.active = active
        try update(changes, ["active": .bool(active)])
        FileOutput.printOutput(
            active
                ? "Enabled \(name).\n"
                : "Disabled \(name): revoked \(Self.count(sessions, "session")), voided its reset and verification tokens.\n"
        )
        try warnIfNoActiveAdmin()
    }

    /// `unlock`: the API's `POST /api/users/{id}/unlock`.
    func unlock() throws {
        guard try store.unlockUser(id: user.id) else { throw AdministrationFailure.userNotFound.refusal(user) }
        audit("user_unlocked")
        let was =
            user.isLocked(at: now)
            ? "it was locked until \(Timestamp.rfc3339(user.lockedUntil!))"
            : "it was not locked"
        FileOutput.printOutput("Unlocked \(name) (\(was)); its failed logins are reset.\n")
    }

    /// `revoke-sessions`: the API's `DELETE /api/users/{id}/sessions`.
    func revokeSessions() throws {
        let sessions = try store.liveSessions(userID: user.id, now: now).count
        try store.revokeSessions(userID: user.id, keeping: nil, now: now)
        audit("user_sessions_revoked")
        FileOutput.printOutput("Revoked \(Self.count(sessions, "session")) of \(name).\n")
    }

    /// `set-password`: the field rules (`too_similar` against this user included), then the
    /// new hash with a reset's effects, and the "password changed" notice a reset mails.
    func setPassword() throws {
        let password: String
        if Terminal.isInteractive {
            password = try CreateAdminCommand.askPassword(username: user.username, email: user.email)
        } else {
            guard let line = Terminal.readLine() else {
                throw UsersCommand.Refusal(message: "no password on standard input")
            }
            if let problem = AccountFieldCheck.problem(
                field: "password", value: line, username: user.username, email: user.email)
            {
                throw UsersCommand.Refusal(message: "password: \(problem)")
            }
            password = line
        }
        let sessions = try store.liveSessions(userID: user.id, now: now).count
        do {
            try accounts.setPassword(of: user, to: password)
        } catch let failure as AdministrationFailure {
            throw failure.refusal(user)
        }
        audit("password_changed")
        service.mailer.send(service.mail.passwordChanged(to: user, now: now), requestID: "cli")
        FileOutput.printOutput(
            "Set the password of \(name): revoked \(Self.count(sessions, "session")), voided its reset tokens, "
                + "cleared any lockout.\n")
        try reportNotice()
    }

    /// `reset-mfa`: the API's `DELETE /api/users/{id}/mfa`, for a user who lost both the
    /// authenticator and the recovery codes; the user is mailed the notice the API sends.
    func resetMFA() throws {
        let update: AdministeredUpdate
        do {
            update = try accounts.removeTOTP(ofUser: user.id)
        } catch let failure as AdministrationFailure {
            throw failure.refusal(user)
        }
        guard update.before.mfaEnabled else {
            return FileOutput.printOutput("\(name) has no two-factor sign-in: nothing changed.\n")
        }
        audit("user_mfa_removed")
        service.mailer.send(service.mail.twoFactorDisabled(to: update.after, byAdmin: true, now: now), requestID: "cli")
        FileOutput.printOutput(
            "Turned two-factor sign-in off for \(name): deleted its TOTP secret and recovery codes; "
                + "it signs in with its password alone until it enrolls again.\n")
        try reportNotice()
    }

    /// Waits for the notice mail of a change and says whether it went out.
    private func reportNotice() throws {
        if service.mailer.drain(seconds: Self.mailDrainSeconds) {
            FileOutput.printOutput("Mailed a notice to \(user.email).\n")
        } else {
            FileOutput.printError("warning: the notice to \(user.email) is not sent yet (see the log)")
        }
    }

    /// `delete`: the API's `DELETE /api/users/{id}`; the sessions go with the account.
    func delete() throws {
        do {
            try accounts.deleteUser(id: user.id, overridingLastAdmin: force)
        } catch let failure as AdministrationFailure {
            throw failure.refusal(user)
        }
        audit("user_deleted", forced())
        FileOutput.printOutput("Deleted \(name), a\(user.role == .admin ? "n ADMIN" : " USER"), and its sessions.\n")
        try warnIfNoActiveAdmin()
    }

    private func update(_ changes: UserChanges, _ described: JSONObject) throws {
        do {
            _ = try accounts.updateUser(id: user.id, changes, overridingLastAdmin: force)
        } catch let failure as AdministrationFailure {
            throw failure.refusal(user)
        }
        var details: JSONObject = ["changes": .object(described)]
        for member in forced().members { details.append(member.name, member.value) }
        audit("user_updated", details)
    }

    /// `"force": true` when `--force` was given, for the audit line.
    private func forced() -> JSONObject {
        force ? ["force": .bool(true)] : [:]
    }

    private func warnIfNoActiveAdmin() throws {
        if force, try store.activeAdminCount() == 0 {
            FileOutput.printError("warning: no active admin is left (create-admin or users set-role makes one)")
        }
    }

    private func audit(_ event: String, _ details: JSONObject = [:]) {
        var fields: JSONObject = ["actor": .string("cli"), "target_id": .number(Double(user.id))]
        for member in details.members { fields.append(member.name, member.value) }
        service.logger.log(.info, event, fields)
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(noun)s"
    }
}

extension AdministrationFailure {
    /// What the operator is told.
    func refusal(_ user: User) -> UsersCommand.Refusal {
        switch self {
        case .userNotFound:
            UsersCommand.Refusal(message: "no user has the id \(user.id) any more")
        case .lastAdmin:
            UsersCommand.Refusal(
                message: "\(user.username) (id \(user.id)) is the last active admin: demoting, disabling or deleting "
                    + "it leaves no one to administer the service (--force does it anyway)")
        }
    }
}
