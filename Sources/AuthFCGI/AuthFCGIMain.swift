import CFastCGI
import Glibc
import UserCore
import UserLogic

/// The executable: a FastCGI server (the default), or a CGI program when a web server runs
/// it with `GATEWAY_INTERFACE` set.
@main
struct AuthFCGIMain {
    static func main() {
        exit(run())
    }

    static func run() -> Int32 {
        Signals.ignoreBrokenPipes()
        do {
            let source = try ProcessEnvironment.configSource()
            // CGI servers may pass words of the query string as arguments (RFC 3875 §4.4):
            // in CGI mode the command line means nothing.
            if source.string("GATEWAY_INTERFACE") != nil {
                // The response is out and the database closed: skip the libraries' exit
                // handlers (OpenSSL's alone take a few hundred microseconds).
                _exit(try serveCGI(source))
            }
            let command: CommandLineArguments
            do {
                command = try CommandLineArguments.parse(Array(CommandLine.arguments.dropFirst()))
            } catch {
                FileOutput.printError("\(error.message) (see auth-fcgi --help)")
                return 2
            }
            if command.wantsVersion {
                FileOutput.printOutput("auth-fcgi \(BuildInfo.description)\n")
                return 0
            }
            if command.wantsHelp || command.command == .help {
                FileOutput.printOutput(command.helpText)
                return 0
            }
            // Key files need neither the configuration nor the database.
            if command.command == .keys { return KeysCommand.run(command.subcommandWords) }
            var users: UsersArguments?
            if command.command == .users {
                do {
                    users = try UsersArguments.parse(command.subcommandWords)
                } catch {
                    FileOutput.printError("users: \(error.message) (see auth-fcgi users --help)")
                    return 2
                }
                if let users, users.wantsHelp {
                    FileOutput.printOutput(users.helpText)
                    return 0
                }
            }
            // Bad server options are refused before the database is touched.
            let serverOptions =
                command.command == .serve ? try ServerOptions.load(from: source, flags: command.flags) : nil
            var importUsage: ImportUsersCommand.Usage?
            if command.command == .importUsers {
                do {
                    importUsage = try ImportUsersCommand.Usage(command.flags)
                } catch {
                    FileOutput.printError("import-users: \(error.message) (see auth-fcgi import-users --help)")
                    return 2
                }
            }
            let configuration = try ServiceConfiguration.load(from: source)
            let service = try makeService(configuration, keepsMetrics: command.command == .serve)
            let applied = try service.prepareStorage()
            switch command.command {
            case .serve:
                return try serve(serverOptions!, service: service)
            case .migrate:
                FileOutput.printOutput(
                    applied.isEmpty ? "No pending migrations.\n" : applied.map { "Applied migration \($0)\n" }.joined())
                return 0
            case .createAdmin:
                return try CreateAdminCommand(service: service, flags: command.flags).run()
            case .rotateMFAKey:
                return try RotateMFAKeyCommand(
                    store: service.makeThreadContext().store(), secrets: configuration.mfaSecrets
                ).run()
            case .importUsers:
                return try ImportUsersCommand(service: service, flags: command.flags, usage: importUsage!).run()
            case .users:
                return try UsersCommand(service: service, arguments: users!).run()
            case .help, .keys:
                preconditionFailure("help and keys return before the service is made")
            case .purge:
                let purged = try service.purgeExpired()
                FileOutput.printOutput(
                    "Deleted \(purged.revokedTokens) expired token revocations, \(purged.sessions) expired sessions, "
                        + "\(purged.resetTokens) used or expired reset tokens "
                        + "and \(purged.verificationTokens) used or expired verification tokens.\n"
                )
                return 0
            }
        } catch let error as ConfigError {
            FileOutput.printError("\(error)")
            return 2
        } catch {
            FileOutput.printError("\(error)")
            // A database that can't be reached may be back in a moment (systemd restarts on 1);
            // a bad DATABASE_URL is a setting to fix, like a ConfigError.
            if case .preparationFailed? = error as? StoreError { return 2 }
            return 1
        }
    }

    /// Answers the one request of a CGI invocation; its service and database connection are
    /// released when it returns.
    static func serveCGI(_ source: ConfigSource) throws -> Int32 {
        let service = try makeService(ServiceConfiguration.load(from: source), cgi: true)
        let thread = service.makeThreadContext()
        try thread.prepareStore()
        return CGIMode.run(service: service, thread: thread)
    }

    /// `cgi`: one request, which loads libcurl only if it sends mail. `keepsMetrics`: the
    /// server's, in memory its workers will share.
    static func makeService(_ configuration: ServiceConfiguration, cgi: Bool = false, keepsMetrics: Bool = false)
        throws(ConfigError) -> Service
    {
        Service(
            configuration: configuration, logger: try configuration.makeLogger(),
            mailTransport: try configuration.mail.makeTransport(loadingLibraryNow: !cgi), keepsMetrics: keepsMetrics)
    }

    static func serve(_ options: ServerOptions, service: Service) throws(ConfigError) -> Int32 {
        guard FCGX_Init() == 0 else { throw ConfigError("FastCGI", "libfcgi failed to initialise") }
        let descriptor: Int32
        if let listen = options.listen {
            descriptor = try ListeningSocket.open(listen)
        } else if FCGX_IsCGI() == 0 {
            descriptor = 0
        } else {
            throw ConfigError(
                Settings.fastCGIListen.name,
                "no listen address: pass --listen, set FCGI_LISTEN, or start under spawn-fcgi/systemd with a socket on fd 0"
            )
        }
        do {
            let purged = try service.purgeExpired()
            service.logger.log(
                .info, "purged_expired",
                [
                    "sessions": .number(Double(purged.sessions)),
                    "revoked_tokens": .number(Double(purged.revokedTokens)),
                ])
        } catch {
            throw ConfigError("DATABASE_URL", "can't purge expired sessions: \(error)")
        }
        // libfcgi installed its own SIGPIPE and SIGTERM handlers in FCGX_Init.
        Signals.ignoreBrokenPipes()
        // A unix socket of our own is unlinked when stopping, by the process that takes the
        // signal first: the one worker, or the supervisor of several.
        let socketPath: String? = if case .unixSocket(let path)? = options.listen { path } else { nil }
        let runWorker = { (unlinkingSocket: String?) -> Int32 in
            guard
                let server = FastCGIServer(
                    listenDescriptor: descriptor, socketPath: unlinkingSocket, threadCount: options.threads,
                    service: service)
            else { return 1 }
            return server.run()
        }
        let status: Int32
        if options.workers == 1 {
            service.metrics.workerStarted()
            status = runWorker(socketPath)
        } else {
            status = Supervisor(
                workerCount: options.workers, socketPath: socketPath, logger: service.logger, metrics: service.metrics,
                runWorker: { runWorker(nil) }
            ).run()
        }
        return status
    }
}
