/// The executable's command line: a command and its `--flag value` options.
struct CommandLineArguments {
    enum Command: String {
        case serve
    }

    var command: Command
    var flags: [String: String]
    var wantsHelp: Bool

    struct UsageError: Error {
        let message: String
    }

    static let serveFlags: Set<String> = ["--listen", "--threads", "--workers"]

    /// Parses `[serve] [--listen ADDR] [--threads N] [--workers N] [--help]`; flags also
    /// take the `--flag=value` form.
    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineArguments {
        var remaining = arguments[...]
        var command = Command.serve
        if let first = remaining.first, !first.hasPrefix("-") {
            guard let named = Command(rawValue: first) else { throw UsageError(message: "unknown command \"\(first)\"") }
            command = named
            remaining = remaining.dropFirst()
        }
        var parsed = CommandLineArguments(command: command, flags: [:], wantsHelp: false)
        while let argument = remaining.popFirst() {
            if argument == "--help" || argument == "-h" {
                parsed.wantsHelp = true
                continue
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard serveFlags.contains(name) else { throw UsageError(message: "unknown option \"\(name)\"") }
            if value == nil { value = remaining.popFirst() }
            guard let value else { throw UsageError(message: "\(name) needs a value") }
            parsed.flags[name] = value
        }
        return parsed
    }

    static let serveHelp = """
        Usage: auth-fcgi [serve] [--listen ADDR] [--threads N] [--workers N]

        Serves the user-management API over FastCGI (behind nginx), or answers one request
        as a CGI program when a web server runs it with GATEWAY_INTERFACE set.

        Options (each overrides its environment variable):
          --listen ADDR   unix:/path.sock, /path.sock, host:port or :port      (FCGI_LISTEN)
                          Without one, the listening socket inherited on fd 0 is used
                          (spawn-fcgi, systemd socket activation).
          --threads N     request threads per worker process, 1-256, default 4 (FCGI_THREADS)
          --workers N     worker processes under a supervisor, 1-64, default 1 (FCGI_WORKERS)
          --help          show this help

        Configuration comes from the environment over a .env file in the working directory:
        DATABASE_URL (default sqlite:///var/auth.db), LOG_LEVEL (debug|info|warning|error).
        SIGTERM or SIGINT stops accepting, finishes the requests in flight and exits 0.

        """
}
