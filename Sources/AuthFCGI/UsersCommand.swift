import UserCore
import UserLogic

/// `auth-fcgi users`: break-glass administration of accounts straight on the database, for
/// when the API is unreachable or no admin can sign in. Each change goes through the accounts
/// core with the API's rules and side effects, may act on any account (an admin's too), and
/// writes the API's audit event with `"actor": "cli"` instead of a user id.
struct UsersCommand {
    let service: Service
    let arguments: UsersArguments

    /// A rule refused the change or the account doesn't exist: exit 1.
    struct Refusal: Error {
        let message: String
    }

    /// 0 done, 1 refused by a rule or not found.
    func run() throws -> Int32 {
        guard let subcommand = arguments.subcommand else { preconditionFailure("parse requires a subcommand") }
        let thread = service.makeThreadContext()
        let store = try thread.store()
        let listing = UsersListing(store: store, json: arguments.switches.contains("--json"))
        do {
            switch subcommand {
            case .list: try listing.print(try arguments.listQuery())
            case .show: try listing.show(try find(arguments.account, in: store))
            case .setRole: try change(on: thread).setRole(Role(rawValue: arguments.operands[1])!)
            case .enable: try change(on: thread).setActive(true)
            case .disable: try change(on: thread).setActive(false)
            case .unlock: try change(on: thread).unlock()
            case .revokeSessions: try change(on: thread).revokeSessions()
            case .setPassword: try change(on: thread).setPassword()
            case .resetMFA: try change(on: thread).resetMFA()
            case .delete: try change(on: thread).delete()
            }
            return 0
        } catch let refusal as Refusal {
            FileOutput.printError(refusal.message)
            return 1
        }
    }

    /// The named account's changes, through the accounts core at this moment.
    private func change(on thread: ThreadContext) throws -> UsersChange {
        let now = Timestamp.now()
        let store = try thread.store()
        return UsersChange(
            service: service, store: store, accounts: try service.accounts(on: thread, now: now),
            user: try find(arguments.account, in: store), now: now, force: arguments.switches.contains("--force"))
    }

    private func find(_ reference: UserReference, in store: any Store) throws -> User {
        let user: User? =
            switch reference {
            case .id(let id): try store.user(id: id)
            case .username(let name): try store.user(username: name)
            }
        guard let user else { throw Refusal(message: reference.notFound) }
        return user
    }
}
