/// A started enrollment: the new secret in base32 and the `otpauth://` URI an authenticator
/// app reads (from a QR code of it).
package struct TOTPEnrollment: Equatable {
    package let secret: String
    package let uri: String
}

/// A confirmed enrollment: the user as stored (`mfa_enabled` true) and the recovery codes,
/// shown once.
package struct ConfirmedTOTP {
    package let user: User
    package let recoveryCodes: [String]
}

extension Accounts {
    /// Starts or restarts `user`'s enrollment: a new 160-bit secret, sealed, replaces a
    /// pending one.
    package func startTOTPEnrollment(for user: User) throws -> TOTPEnrollment {
        guard !user.mfaEnabled else { throw TwoFactorFailure.alreadyEnabled }
        let secret = SecureRandom.bytes(TOTP.secretByteCount)
        let sealed = rules.mfaSecrets.seal(secret, context: Self.secretContext(of: user.id))
        guard try store.replacePendingTOTPSecret(userID: user.id, sealed: sealed, now: now) else {
            throw TwoFactorFailure.alreadyEnabled
        }
        let text = Base32.encode(secret)
        return TOTPEnrollment(
            secret: text, uri: OTPAuthURI.totp(issuer: rules.mfaIssuer, account: user.username, secret: text))
    }

    /// Turns two-factor sign-in on with a code of the pending secret; that code's step counts
    /// as used. A wrong code leaves the secret pending.
    package func confirmTOTP(for user: User, code: String) throws -> ConfirmedTOTP {
        guard let stored = try store.totpSecret(userID: user.id), !stored.confirmed else {
            throw TwoFactorFailure.notPending
        }
        let secret = try rules.mfaSecrets.open(stored.sealed, context: Self.secretContext(of: user.id))
        guard let step = TOTP(secret: secret).matchingStep(of: code, at: now, after: nil) else {
            throw TwoFactorFailure.codeInvalid
        }
        let codes = RecoveryCodes.generate()
        let hashes = try passwords.hashBatch(codes)
        guard
            let updated = try store.confirmTOTPSecret(
                userID: user.id, sealed: stored.sealed, step: step, recoveryCodeHashes: hashes, now: now)
        else { throw TwoFactorFailure.notPending }
        return ConfirmedTOTP(user: updated, recoveryCodes: codes)
    }

    /// The additional data a user's sealed secret is bound to: a box copied to another
    /// user's row does not open.
    static func secretContext(of userID: Int64) -> String {
        "totp:\(userID)"
    }
}
