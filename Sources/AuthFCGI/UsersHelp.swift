extension UsersArguments {
    /// What `--help` prints: the overview, or the subcommand's own text.
    var helpText: String { subcommand.map(Self.help) ?? Self.overview }

    static let exitCodes = """
        Exits 0 when done, 1 when a rule refused the change or no such user exists, 2 for a
        usage error or a bad setting (nothing is changed then).

        """

    static let overview = """
        Usage: auth-fcgi users SUBCOMMAND [ARGUMENTS] [OPTIONS]   (each with --help)

        Manages accounts straight on the database of DATABASE_URL (SQLite or PostgreSQL),
        for when the API is unreachable or no admin can sign in. Each change applies the
        API's rules and side effects and writes the API's audit event, with "actor": "cli"
        (LOG_FILE, else standard error); it may act on any account, admins included.
        The last-admin rule holds unless --force. Every change is printed.

          list              the users, filtered, sorted and paged like GET /api/users
          show USER         one user's fields, lockout and live sessions
          set-role USER ROLE
                            make USER a USER or an ADMIN
          enable USER       let USER log in again
          disable USER      refuse USER's logins, revoke its sessions, void its tokens
          unlock USER       clear USER's login lockout
          revoke-sessions USER
                            sign USER out everywhere
          set-password USER set USER's password (asked twice, or from standard input)
          reset-mfa USER    turn USER's two-factor sign-in off (lost authenticator and codes)
          delete USER --yes delete USER and its sessions

        USER is an id (a number) or a username (any case).

        """ + exitCodes

    static func help(_ subcommand: Subcommand) -> String {
        let text: String
        switch subcommand {
        case .list:
            text = """
                Usage: auth-fcgi users list [--q TEXT] [--role USER|ADMIN] [--active true|false]
                                            [--email-verified true|false] [--mfa-enabled true|false]
                                            [--sort FIELD] [--page N] [--per-page N] [--json]

                Lists the users as GET /api/users does, as a table (id, username, email, role,
                active, verified, 2FA, locked, last login) with the page and the number of
                matches.
                  --q TEXT          in the username, email, first or last name (any case)
                  --role ROLE       USER or ADMIN
                  --active, --email-verified, --mfa-enabled
                                    true or false
                  --sort FIELD      id, username, email, created_at or last_login_at; a "-"
                                    before it sorts descending (default id)
                  --page N          from 1 (default 1)
                  --per-page N      1-100 (default 20)
                  --json            the API's answer instead: {"items": [...], "page", "per_page",
                                    "total", "pages"}, each item the user object an admin sees

                """
        case .show:
            text = """
                Usage: auth-fcgi users show USER [--json]

                Prints one user's fields, its failed logins, lockout and live sessions.
                USER is an id (a number) or a username (any case).
                  --json   the API's answer to an admin's GET /api/users/{id}: {"user": {...}}

                """
        case .setRole:
            text = """
                Usage: auth-fcgi users set-role USER ROLE [--force]

                Makes USER (an id or a username) a USER or an ADMIN, like an admin's
                PATCH /api/users/{id} {"role": ...}; audited as user_updated. The last active
                admin can't be demoted unless --force.

                """
        case .enable:
            text = """
                Usage: auth-fcgi users enable USER

                Lets USER (an id or a username) log in again, like PATCH {"active": true};
                audited as user_updated. Sessions, reset and verification tokens voided while it
                was disabled stay void.

                """
        case .disable:
            text = """
                Usage: auth-fcgi users disable USER [--force]

                Refuses USER's logins (an id or a username), like PATCH {"active": false}:
                revokes all its sessions and access tokens and voids its reset and verification
                tokens; audited as user_updated. The last active admin can't be disabled unless
                --force.

                """
        case .unlock:
            text = """
                Usage: auth-fcgi users unlock USER

                Clears USER's login lockout and failed-login count (an id or a username), like
                POST /api/users/{id}/unlock; audited as user_unlocked.

                """
        case .revokeSessions:
            text = """
                Usage: auth-fcgi users revoke-sessions USER

                Revokes all of USER's sessions and their access tokens (an id or a username),
                like DELETE /api/users/{id}/sessions; audited as user_sessions_revoked.

                """
        case .setPassword:
            text = """
                Usage: auth-fcgi users set-password USER

                Sets USER's password (an id or a username). On a terminal it is asked twice
                without echo; otherwise it is the first line of standard input:

                  printf '%s\\n' "$NEW_PASSWORD" | auth-fcgi users set-password alice

                (an empty standard input exits 1 and changes nothing).

                The API's password rules apply (8-128 characters, not the username or email).
                Like a password reset, it revokes all of USER's sessions, voids its reset tokens
                and clears a lockout, and mails USER the "password changed" notice; audited as
                password_changed.

                """
        case .resetMFA:
            text = """
                Usage: auth-fcgi users reset-mfa USER

                Turns USER's two-factor sign-in off (an id or a username), like
                DELETE /api/users/{id}/mfa: deletes its TOTP secret and recovery codes, so it
                signs in with its password alone until it enrolls again at /account/, and mails
                USER a notice; audited as user_mfa_removed. For a user who lost both the
                authenticator and the recovery codes. A user without two-factor sign-in is left
                as it is.

                """
        case .delete:
            text = """
                Usage: auth-fcgi users delete USER --yes [--force]

                Deletes USER (an id or a username) and its sessions, like
                DELETE /api/users/{id}; audited as user_deleted. It can't be undone: without
                --yes nothing happens. The last active admin can't be deleted unless --force.

                """
        }
        return text + exitCodes
    }
}
