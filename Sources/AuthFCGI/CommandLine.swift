import UserCore

/// The executable's command line: a command and its `--flag value` options.
struct CommandLineArguments {
    enum Command: String, CaseIterable {
        case serve
        case migrate
        case createAdmin = "create-admin"
        case purge
        case rotateMFAKey = "rotate-mfa-key"
        case importUsers = "import-users"
        /// Its subcommands parse their own arguments (`UsersArguments`).
        case users
        /// Its subcommands parse their own arguments (`KeysCommand`).
        case keys
        case help

        var flags: Set<String> {
            switch self {
            case .serve: Set(Settings.all.compactMap(\.flag))
            case .createAdmin: ["--username", "--email", "--first-name", "--last-name"]
            case .migrate, .purge, .rotateMFAKey, .help, .users, .keys: []
            case .importUsers: ImportUsersCommand.flags
            }
        }

        /// Flags that take no value (present or not).
        var switches: Set<String> { self == .importUsers ? ImportUsersCommand.switches : [] }
        /// Flags whose repeated values are joined with ",".
        var repeatable: Set<String> { self == .importUsers ? ["--map", "--admin"] : [] }
    }

    /// What `auth-fcgi help TOPIC` prints.
    enum HelpTopic: Equatable {
        /// The table of settings.
        case config
        case command(Command)

        init?(_ name: String) {
            if name == "config" {
                self = .config
            } else if let command = Command(rawValue: name) {
                self = .command(command)
            } else {
                return nil
            }
        }
    }

    var command: Command
    var flags: [String: String]
    var wantsHelp: Bool
    /// `auth-fcgi --version`.
    var wantsVersion = false
    /// `help`'s topic; nil: the top-level help.
    var topic: HelpTopic?
    /// The words after `users`, for `UsersArguments`.
    var subcommandWords: [String] = []

    struct UsageError: Error {
        let message: String
    }

    /// Parses `[COMMAND] [--flag value | --flag=value]... [--help]` or `help [TOPIC]`; the
    /// command defaults to `serve`.
    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineArguments {
        if arguments == ["--version"] {
            return CommandLineArguments(command: .serve, flags: [:], wantsHelp: false, wantsVersion: true)
        }
        var remaining = arguments[...]
        var command = Command.serve
        if let first = remaining.first, !first.hasPrefix("-") {
            guard let named = Command(rawValue: first) else {
                throw UsageError(message: "unknown command \"\(first)\"")
            }
            command = named
            remaining = remaining.dropFirst()
        }
        var parsed = CommandLineArguments(command: command, flags: [:], wantsHelp: false)
        if command == .users || command == .keys {
            parsed.subcommandWords = Array(remaining)
            return parsed
        }
        while let argument = remaining.popFirst() {
            if argument == "--help" || argument == "-h" {
                parsed.wantsHelp = true
                continue
            }
            if command == .help, parsed.topic == nil, !argument.hasPrefix("-") {
                guard let topic = HelpTopic(argument) else {
                    throw UsageError(message: "unknown help topic \"\(argument)\"")
                }
                parsed.topic = topic
                continue
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard command.flags.contains(name) else {
                throw UsageError(message: "unknown option \"\(name)\" for \(command.rawValue)")
            }
            if command.switches.contains(name) {
                guard value == nil else { throw UsageError(message: "\(name) takes no value") }
                parsed.flags[name] = ""
                continue
            }
            if value == nil { value = remaining.popFirst() }
            guard let value else { throw UsageError(message: "\(name) needs a value") }
            if command.repeatable.contains(name), let earlier = parsed.flags[name] {
                parsed.flags[name] = earlier + "," + value
            } else {
                parsed.flags[name] = value
            }
        }
        return parsed
    }

    /// What to print when help was asked for (`--help`, or the `help` command).
    var helpText: String {
        guard command == .help else { return Self.help(for: command) }
        switch topic {
        case nil: return Self.serveHelp
        case .config: return Settings.helpText
        case .command(let command): return Self.help(for: command)
        }
    }

    static func help(for command: Command) -> String {
        switch command {
        case .serve, .help: serveHelp
        case .migrate: migrateHelp
        case .createAdmin: createAdminHelp
        case .purge: purgeHelp
        case .rotateMFAKey: RotateMFAKeyCommand.help
        case .importUsers: ImportUsersCommand.help
        case .users: UsersArguments.overview
        case .keys: KeysCommand.help
        }
    }

    private static let listen = Settings.fastCGIListen
    private static let threads = Settings.fastCGIThreads
    private static let workers = Settings.fastCGIWorkers

    static let serveHelp = """
        auth-fcgi \(BuildInfo.description)

        Usage: auth-fcgi [serve] [--listen ADDR] [--threads N] [--workers N]
               auth-fcgi --version
               auth-fcgi migrate | create-admin | purge | rotate-mfa-key | import-users | users | keys
                         (each with --help)
               auth-fcgi help config   the settings: defaults, values and what each does

        Serves the user-management API over FastCGI (behind nginx), or answers one request
        as a CGI program when a web server runs it with GATEWAY_INTERFACE set.

        Options (each overrides its environment variable):
          --listen ADDR   \(listen.valuesText)      (\(listen.name))
                          Without one, the listening socket inherited on fd 0 is used
                          (spawn-fcgi, systemd socket activation).
          --threads N     \(threads.help), \(threads.valuesText), default \(threads.defaultText) (\(threads.name))
          --workers N     \(workers.help), \(workers.valuesText), default \(workers.defaultText) (\(workers.name))
          --help          show this help

        Configuration comes from the environment over a .env file in the working directory
        (auth-fcgi help config lists the settings). SIGTERM or SIGINT stops accepting,
        finishes the requests in flight and exits 0.

        """

    static let migrateHelp = """
        Usage: auth-fcgi migrate

        Applies the pending database migrations of DATABASE_URL and lists them. Safe to run
        while the service runs, and when several processes start at once.

        """

    static let createAdminHelp = """
        Usage: auth-fcgi create-admin [--username NAME] [--email ADDRESS]
                                      [--first-name NAME] [--last-name NAME]

        Creates an ADMIN account, checked by the same field rules as the API.
        On a terminal it asks for what the flags don't give, and for the password twice
        without echoing it. Otherwise --username and --email are required and the password
        is the first line of standard input:

          printf '%s\\n' "$ADMIN_PASSWORD" | auth-fcgi create-admin --username root --email root@example.com

        Exits 1 when a value breaks a field rule or the username or email is taken.

        """

    static let purgeHelp = """
        Usage: auth-fcgi purge

        Deletes revoked access-token ids past their expiry and sessions whose tokens have
        all expired, and prints how many of each. The server also does this at each start.

        """
}
