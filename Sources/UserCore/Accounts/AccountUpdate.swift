extension Accounts {
    /// What follows from an update beyond the row itself (contract §3
    /// Users rules (v2), §5 Security (v2)); call it in the update's transaction. Disabling
    /// revokes every session, and with them every access token issued in them, and voids the
    /// reset and verification tokens: enabling the account again revives none of them. A new
    /// email address voids both kinds too: they were mailed to the old one.
    func settle(_ update: AdministeredUpdate) throws {
        let userID = update.after.id
        if update.disablesAccount { try store.revokeSessions(userID: userID, keeping: nil, now: now) }
        if update.disablesAccount || update.before.email != update.after.email {
            try store.voidResetTokens(userID: userID)
            try store.voidVerificationTokens(userID: userID)
        }
    }
}
