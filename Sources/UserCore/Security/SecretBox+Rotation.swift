/// Moving stored TOTP secrets to a new `MFA_SECRET_KEY` (`auth-fcgi rotate-mfa-key`).
extension SecretBox {
    /// Re-seals under the current key every stored TOTP secret sealed under a previous one.
    /// Each row is replaced only if it still holds what was read, so an enrollment that
    /// happens meanwhile is kept (the running service sealed it under its own key). The
    /// secrets themselves go nowhere but back into the store.
    package func resealTOTPSecrets(in store: any Store) throws -> TOTPSecretRotation {
        var rotation = TOTPSecretRotation()
        for (userID, sealed) in try store.sealedTOTPSecrets() {
            guard !isCurrent(sealed) else {
                rotation.alreadyCurrent += 1
                continue
            }
            let context = Accounts.secretContext(of: userID)
            guard let secret = try? open(sealed, context: context) else {
                rotation.unopenable.append(userID)
                continue
            }
            if try store.resealTOTPSecret(userID: userID, expected: sealed, sealed: seal(secret, context: context)) {
                rotation.resealed += 1
            } else {
                rotation.changedMeanwhile += 1
            }
        }
        return rotation
    }
}

/// What `resealTOTPSecrets` did, secret by secret.
package struct TOTPSecretRotation: Sendable, Equatable {
    /// Sealed under a previous key, now under the current one.
    package var resealed = 0
    /// Already under the current key: left as they were.
    package var alreadyCurrent = 0
    /// Replaced or removed between the read and the re-seal (an enrollment or a reset meanwhile).
    package var changedMeanwhile = 0
    /// The users whose secret opens under none of the keys (sealed under another key, or
    /// altered): left as they were.
    package var unopenable: [Int64] = []

    package init() {}
}
