extension Accounts {
    /// What follows from an update of `before` to `after` beyond the row itself (contract §3
    /// Users rules (v2), §5 Security (v2)); call it in the update's transaction. Disabling
    /// revokes every session, and with them every access token issued in them, and voids the
    /// reset and verification tokens: enabling the account again revives none of them. A new
    /// email address voids both kinds too: they were mailed to the old one.
    func settleUpdate(from before: User, to after: User) throws {
        let disabled = AdministeredUpdate(before: before, after: after).disablesAccount
        if disabled { try store.revokeSessions(userID: after.id, keeping: nil, now: now) }
        if disabled || before.email != after.email {
            try store.voidResetTokens(userID: after.id)
            try store.voidVerificationTokens(userID: after.id)
        }
    }
}
