extension Accounts {
    /// What follows from an update of `before` to `after` beyond the row itself (contract §3
    /// Users rules (v2)); call it in the update's transaction. Disabling revokes every session,
    /// and with them every access token issued in them, and voids the reset tokens: enabling
    /// the account again revives none of them.
    package func settleUpdate(from before: User, to after: User) throws {
        if before.active && !after.active {
            try store.revokeSessions(userID: after.id, keeping: nil, now: now)
            try store.voidResetTokens(userID: after.id)
        }
    }
}
