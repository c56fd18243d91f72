import UserCore

/// `auth-fcgi rotate-mfa-key`: re-seals the stored TOTP secrets under `MFA_SECRET_KEY` after
/// a key change, opening them with `MFA_PREVIOUS_SECRET_KEY` (README, "Rotating
/// MFA_SECRET_KEY"). Prints counts and user ids, never a secret.
struct RotateMFAKeyCommand {
    let store: any Store
    let secrets: SecretBox

    static let help = """
        Usage: auth-fcgi rotate-mfa-key

        Re-seals every stored TOTP secret that is not sealed under MFA_SECRET_KEY, opening
        it with MFA_PREVIOUS_SECRET_KEY (the key being replaced), and prints how many.
        Safe to run while the service runs with the same two keys, and to run again.

        Exits 1 when some secret opens under neither key: it is left as it was.

        """

    /// 0 every secret is under the current key, 1 some could not be opened.
    func run() throws -> Int32 {
        let rotation = try secrets.resealTOTPSecrets(in: store)
        FileOutput.printOutput(
            "Re-sealed \(rotation.resealed) TOTP secrets under MFA_SECRET_KEY; "
                + "\(rotation.alreadyCurrent) already were, \(rotation.changedMeanwhile) changed meanwhile.\n")
        guard rotation.unopenable.isEmpty else {
            FileOutput.printError(
                "\(rotation.unopenable.count) TOTP secrets open under neither MFA_SECRET_KEY nor "
                    + "MFA_PREVIOUS_SECRET_KEY and were left as they were (user ids "
                    + "\(rotation.unopenable.map(String.init).joined(separator: ", "))): set "
                    + "MFA_PREVIOUS_SECRET_KEY to the key they were sealed under")
            return 1
        }
        return 0
    }
}
