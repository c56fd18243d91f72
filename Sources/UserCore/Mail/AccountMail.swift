/// The mails the service sends about accounts.
package struct AccountMail {
    let from: String
    let publicBaseURL: String

    package init(from: String, publicBaseURL: String) {
        self.from = from
        self.publicBaseURL = publicBaseURL
    }

    /// The password-reset mail: the token on a line of its own and the link to the page.
    package func reset(to user: User, token: String, lifetime: Int64, now: Int64) -> MailMessage {
        MailMessage(
            from: from, to: user.email, subject: "Reset your password",
            body: """
                Hello \(user.username),

                Someone asked to reset the password of your account. If it was you, open this
                link within \(lifetime / 60) minutes to choose a new password:

                \(publicBaseURL)/reset-password?token=\(token)

                Reset token: \(token)

                If you didn't ask for this, ignore this mail: your password stays as it is.
                """,
            date: now)
    }

    /// The email-verification mail: the token on a line of its own and the link to the page.
    package func verification(to user: User, token: String, lifetime: Int64, now: Int64) -> MailMessage {
        MailMessage(
            from: from, to: user.email, subject: "Verify your email address",
            body: """
                Hello \(user.username),

                Please confirm that this address belongs to your account: open this link
                within \(Self.hours(lifetime)):

                \(publicBaseURL)/verify-email?token=\(token)

                Verification token: \(token)

                If you didn't sign up or change your address, ignore this mail.
                """,
            date: now)
    }

    /// The notice after a password change or reset (ASVS 6.3.7).
    package func passwordChanged(to user: User, now: Int64) -> MailMessage {
        MailMessage(
            from: from, to: user.email, subject: "Your password was changed",
            body: """
                Hello \(user.username),

                The password of your account was changed at \(Timestamp.rfc3339(now)). Sessions on
                other devices were signed out.

                If this wasn't you, reset your password at \(publicBaseURL)/forgot-password and
                tell your administrator.
                """,
            date: now)
    }

    /// The notice after two-factor sign-in was turned off, by the user or by an admin: a
    /// stolen password and session could do it first.
    package func twoFactorDisabled(to user: User, byAdmin: Bool, now: Int64) -> MailMessage {
        let who = byAdmin ? "an administrator" : "you (or someone signed in as you)"
        return MailMessage(
            from: from, to: user.email, subject: "Two-factor sign-in was turned off",
            body: """
                Hello \(user.username),

                Two-factor sign-in for your account was turned off by \(who) at
                \(Timestamp.rfc3339(now)). Signing in now needs only your password.

                If this wasn't expected, change your password, turn two-factor sign-in on again at
                \(publicBaseURL)/account/ and tell your administrator.
                """,
            date: now)
    }

    /// The notice to the old address after an email change (contract §3, v2): the change of
    /// address is how a stolen session would take the account over. The new address is named
    /// only partly, so the notice doesn't hand it to whoever reads the old mailbox.
    package func emailChanged(from oldAddress: String, of user: User, now: Int64) -> MailMessage {
        MailMessage(
            from: from, to: oldAddress, subject: "Your email address was changed",
            body: """
                Hello \(user.username),

                The email address of your account was changed from this address to
                \(Self.masked(user.email)) at \(Timestamp.rfc3339(now)).

                If this wasn't you, tell your administrator at once.
                """,
            date: now)
    }

    /// `a***@example.com`: the first character of the local part, `***`, and the domain.
    static func masked(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@"), at != address.startIndex else { return "***" }
        return "\(address[address.startIndex])***\(address[at...])"
    }

    /// A lifetime in whole hours (at least one), for people.
    static func hours(_ seconds: Int64) -> String {
        let hours = max(1, seconds / 3600)
        return hours == 1 ? "1 hour" : "\(hours) hours"
    }
}
