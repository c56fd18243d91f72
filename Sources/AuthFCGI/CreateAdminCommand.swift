import UserCore
import UserLogic

/// `auth-fcgi create-admin`: an ADMIN account from prompts (on a terminal) or from flags and
/// a password on standard input (in scripts).
struct CreateAdminCommand {
    let service: Service
    let flags: [String: String]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() throws -> Int32 {
        var body = Terminal.isInteractive ? try promptForAccount() : try accountFromFlags()
        // The operator vouches for the address: under EMAIL_VERIFICATION=required the first
        // admin must be able to log in, and no mail can verify it before anyone can.
        body.append("email_verified", .bool(true))
        let thread = service.makeThreadContext()
        do {
            let user = try UserAdministration(thread: thread, now: Timestamp.now()).createUser(
                from: body, defaultRole: .admin)
            FileOutput.printOutput("Created admin \(user.username) (id \(user.id)).\n")
            return 0
        } catch let error as APIError {
            FileOutput.printError(error.detail)
            for field in error.fieldErrors { FileOutput.printError("\(field.field): \(field.message)") }
            return 1
        } catch StoreError.usernameTaken {
            FileOutput.printError("the username \"\(flagOr(body, "username"))\" is already taken")
            return 1
        } catch StoreError.emailTaken {
            FileOutput.printError("the email address \"\(flagOr(body, "email"))\" is already registered")
            return 1
        }
    }

    private func flagOr(_ body: JSONObject, _ name: String) -> String {
        if case .string(let value)? = body[name] { return value }
        return ""
    }

    /// Scripts: flags for the account, the password as the first line of standard input.
    private func accountFromFlags() throws -> JSONObject {
        guard let username = flags["--username"], let email = flags["--email"] else {
            throw Failure(description: "--username and --email are required when standard input is not a terminal")
        }
        guard let password = Terminal.readLine() else {
            throw Failure(description: "no password on standard input")
        }
        return account(
            username: username, email: email, password: password, firstName: flags["--first-name"],
            lastName: flags["--last-name"])
    }

    /// A person: asks for each value the flags don't give until the field rules accept it,
    /// and for the password twice without echo.
    private func promptForAccount() throws -> JSONObject {
        let username = try flags["--username"] ?? ask("Username: ", field: "username")
        let email = try flags["--email"] ?? ask("Email: ", field: "email")
        let firstName = try flags["--first-name"] ?? ask("First name (optional): ", field: "first_name", optional: true)
        let lastName = try flags["--last-name"] ?? ask("Last name (optional): ", field: "last_name", optional: true)
        return account(
            username: username, email: email, password: try Self.askPassword(username: username, email: email),
            firstName: firstName, lastName: lastName)
    }

    /// The password, asked twice without echo until the field rules take it (`users
    /// set-password` asks the same way).
    static func askPassword(username: String, email: String) throws -> String {
        while true {
            guard let password = Terminal.promptHidden("Password: ") else {
                throw Failure(description: "no password given")
            }
            if let problem = AccountFieldCheck.problem(
                field: "password", value: password, username: username, email: email)
            {
                FileOutput.printError(problem)
                continue
            }
            guard Terminal.promptHidden("Repeat password: ") == password else {
                FileOutput.printError("the passwords don't match")
                continue
            }
            return password
        }
    }

    private func ask(_ prompt: String, field: String, optional: Bool = false) throws -> String {
        while true {
            guard let value = Terminal.prompt(prompt) else { throw Failure(description: "input ended") }
            if optional && value.isEmpty { return value }
            if let problem = AccountFieldCheck.problem(field: field, value: value) {
                FileOutput.printError(problem)
                continue
            }
            return value
        }
    }

    private func account(
        username: String, email: String, password: String, firstName: String? = nil, lastName: String? = nil
    ) -> JSONObject {
        var body: JSONObject = ["username": .string(username), "email": .string(email), "password": .string(password)]
        if let firstName, !firstName.isEmpty { body.append("first_name", .string(firstName)) }
        if let lastName, !lastName.isEmpty { body.append("last_name", .string(lastName)) }
        return body
    }
}
