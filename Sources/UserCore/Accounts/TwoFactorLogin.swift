extension Accounts {
    /// Contract §3 `POST /api/auth/login/mfa`: the second step of a login whose password was
    /// right (`challenge` names the account). The attempt is reserved under the lockout like a
    /// password check; a right, unused code (or recovery code) is the login's success — the
    /// code used, the challenge used, the count reset, `last_login_at`, a session — in one
    /// transaction, so two requests with one challenge, step or recovery code log in once.
    package func completeLogin(
        _ challenge: ChallengeClaims, with proof: SecondFactorProof, from origin: SessionOrigin
    ) throws -> LoggedIn {
        guard let userID = Int64(challenge.subject), let user = try store.user(id: userID), user.mfaEnabled,
            !(try store.isChallengeUsed(tokenID: challenge.tokenID))
        else { throw SecondStepFailure.challengeInvalid }
        let use: SecondFactorUse
        switch try store.reserveLoginAttempt(
            userID: user.id, threshold: rules.lockoutThreshold, lockSeconds: rules.lockoutSeconds, now: now)
        {
        case nil: throw SecondStepFailure.challengeInvalid
        case .locked(let until): throw SecondStepFailure.refused(userID: user.id, .locked(until: until))
        case .granted(let lockedUntil):
            guard let found = try accepted(proof, of: user) else {
                throw SecondStepFailure.codeInvalid(userID: user.id, lockedUntil: lockedUntil)
            }
            use = found
            if let refusal = try stateRefusal(of: user) { throw SecondStepFailure.refused(userID: user.id, refusal) }
            return try store.transaction {
                // Kept past the token's expiry by the longest leeway: until then `verifyChallenge`
                // still takes it, and a purge must not forget that it was used.
                let usedUntil = challenge.expiresAt + Int64(Settings.jwtLeeway.range.upperBound)
                guard try store.useChallenge(tokenID: challenge.tokenID, expiresAt: usedUntil) else {
                    throw SecondStepFailure.challengeInvalid
                }
                guard try spend(use, of: user) else {
                    throw SecondStepFailure.codeInvalid(userID: user.id, lockedUntil: lockedUntil)
                }
                return try recordLogin(of: user.id, from: origin, ifGone: SecondStepFailure.challengeInvalid)
            }
        }
    }

    /// What a right proof will use up once the login succeeds; nil for a wrong, replayed or
    /// used one.
    private func accepted(_ proof: SecondFactorProof, of user: User) throws -> SecondFactorUse? {
        switch proof {
        case .code(let code):
            guard let stored = try store.totpSecret(userID: user.id), stored.confirmed else { return nil }
            let secret = try rules.mfaSecrets.open(stored.sealed, context: Self.secretContext(of: user.id))
            return TOTP(secret: secret).matchingStep(of: code, at: now, after: stored.lastUsedStep).map { .step($0) }
        case .recoveryCode(let typed):
            let hashes = try store.unusedRecoveryCodeHashes(userID: user.id)
            guard let code = RecoveryCodes.normalized(typed), !hashes.isEmpty else {
                // The time of one hash all the same: a malformed code tells nothing apart.
                passwords.verifyAgainstDummy(typed)
                return nil
            }
            return passwords.match(code, inBatch: hashes).map { .recoveryCode(hash: hashes[$0]) }
        }
    }

    /// Uses up a right proof; false when a concurrent login used it first.
    private func spend(_ use: SecondFactorUse, of user: User) throws -> Bool {
        switch use {
        case .step(let step): try store.useTOTPStep(userID: user.id, step: step)
        case .recoveryCode(let hash): try store.useRecoveryCode(userID: user.id, codeHash: hash, now: now)
        }
    }
}

/// A right second factor, to be used up by the login's transaction.
private enum SecondFactorUse {
    case step(Int64)
    case recoveryCode(hash: String)
}
